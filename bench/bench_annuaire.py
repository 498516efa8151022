#!/usr/bin/env python
"""Directory benchmark (issue #5): 10,000 actors and 50,000 links.

It builds a throwaway SQLite database in a temporary directory (migrate, then actors, sectors,
labels, "peut aider sur" and links written with ``bulk_create``), then measures with Django's
test client, for each route: SQL queries, median and 95th percentile time, payload size:

- the directory page with a search and two filters (EPCI and sector);
- the GeoJSON of all actors, rebuilt (cache emptied before each request) and cached;
- the network JSON of the whole graph, rebuilt and cached;
- the network JSON of one actor's two-step network ("ton réseau"), rebuilt.

Then it starts the application with ``manage.py runserver`` on that database and measures the
time Chromium takes to show the map of all actors, clustered (from navigation to the last
cluster drawn). Tiles point to a closed port, as the map must not depend on them.

    .venv/bin/python bench/bench_annuaire.py [--actors 10000] [--links 50000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "site_kollektif.settings.test"  # DEBUG off: the figures are not slowed by debug tooling
WORDS = [
    "atelier",
    "coopérative",
    "jardin",
    "café",
    "ressourcerie",
    "collectif",
    "maison",
    "réseau",
    "fabrique",
    "épicerie",
    "compagnie",
    "chantier",
    "tiers-lieu",
    "théâtre",
    "énergie",
    "habitat",
    "solidaire",
    "culture",
]


def _setup(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def generate(actor_count: int, link_count: int, seed: int = 1) -> dict:
    """Actors spread over the department's communes, 10 links each on average, in bulk."""
    from django.db import transaction
    from django.utils import timezone

    from annuaire.models import Actor, ActorKind, Label, Link, LinkKind, Topic
    from associations.models import Commune, Sector

    rng = random.Random(seed)
    communes = list(Commune.objects.exclude(epci=None).values_list("code", flat=True))
    sectors = list(Sector.objects.values_list("pk", flat=True))
    labels = list(Label.objects.values_list("pk", flat=True))
    topics = list(Topic.objects.values_list("pk", flat=True))
    kinds = ActorKind.values
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        Actor.objects.bulk_create(
            (
                Actor(
                    name=f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {n:05d}",
                    slug=f"acteur-gen-{n:05d}",
                    kind=rng.choice(kinds),
                    commune_id=rng.choice(communes),
                    latitude=Decimal(f"{rng.uniform(50.05, 51.0):.6f}"),
                    longitude=Decimal(f"{rng.uniform(1.6, 3.15):.6f}"),
                    description=" ".join(rng.choice(WORDS) for _ in range(12)),
                    last_contact_at=now,
                )
                for n in range(actor_count)
            ),
            batch_size=2000,
        )
        ids = list(Actor.objects.values_list("pk", flat=True))
        Actor.sectors.through.objects.bulk_create(
            (Actor.sectors.through(actor_id=pk, sector_id=s) for pk in ids for s in rng.sample(sectors, 2)),
            batch_size=5000,
        )
        Actor.labels.through.objects.bulk_create(
            (Actor.labels.through(actor_id=pk, label_id=rng.choice(labels)) for pk in ids if rng.random() < 0.3),
            batch_size=5000,
        )
        Actor.can_help.through.objects.bulk_create(
            (Actor.can_help.through(actor_id=pk, topic_id=t) for pk in ids for t in rng.sample(topics, 2)),
            batch_size=5000,
        )
        seen: set[tuple[int, int, str]] = set()
        links = []
        link_kinds = LinkKind.values
        while len(links) < link_count:
            a, b = rng.sample(ids, 2)
            kind = rng.choice(link_kinds)
            key = (min(a, b), max(a, b), kind)
            if key in seen:
                continue
            seen.add(key)
            source, target = (a, b) if kind == LinkKind.MARRAINAGE else key[:2]
            links.append(Link(source_id=source, target_id=target, kind=kind, created_at=now))
        Link.objects.bulk_create(links, batch_size=5000)
        # bulk_create bypasses save(): fill the folded search column as an import would
        from annuaire.models import actor_search_text_refresh

        actor_search_text_refresh(ids)
    return {"actors": Actor.objects.count(), "links": Link.objects.count(), "seconds": time.perf_counter() - started}


def measure(url: str, repeat: int, *, cold: bool) -> dict:
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if cold:
        cache.clear()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    query_count = len(queries)  # read now: the capture is a view on a log that later requests reset
    timings = []
    for _ in range(repeat):
        if cold:
            cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    return {
        "url": url,
        "queries": query_count,
        "median": statistics.median(timings),
        "p95": timings[max(0, int(round(0.95 * len(timings))) - 1)],
        "bytes": len(response.content),
        "gzip": len(packed.content) if packed.get("Content-Encoding") == "gzip" else None,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def browser_map(db_path: Path, expected: int, runs: int) -> list[float]:
    """Milliseconds from navigation to every marker clustered on the map, in Chromium."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "KOLLEKTIF_TILE_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png",
    }
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        chromium = os.environ.get("KOLLEKTIF_CHROMIUM", "/usr/bin/chromium")
        results = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            for run in range(runs + 1):  # the first run warms the server's caches (GeoJSON, static files)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                started = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/annuaire/?vue=carte", wait_until="commit")
                page.wait_for_selector("#carte[data-ready]", timeout=300_000, state="attached")
                if page.locator("#carte").get_attribute("data-ready") != "1":
                    raise RuntimeError(page.locator("#carte-statut").inner_text())
                page.wait_for_function("document.querySelectorAll('.marker-cluster').length > 0")
                elapsed = (time.perf_counter() - started) * 1000
                markers = int(page.locator("#carte").get_attribute("data-markers"))
                assert markers == expected, markers
                if run:
                    results.append(elapsed)
                page.close()
            browser.close()
        return results
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=10_000)
    parser.add_argument("--links", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--browser-runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="Garder la base temporaire.")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-annuaire-"))
    db_path = workdir / "bench.sqlite3"
    try:
        _setup(db_path)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        generated = generate(args.actors, args.links)
        print(
            f"Données : {generated['actors']} acteurs, {generated['links']} liens "
            f"(écrits en {generated['seconds']:.1f} s)"
        )

        from django.db.models import Count

        from annuaire.models import Actor
        from associations.models import Commune

        epci = Commune.objects.filter(actors__isnull=False).values("epci").annotate(n=Count("actors")).order_by("-n")[0]
        sector = Actor.sectors.through.objects.values("sector__slug").annotate(n=Count("id")).order_by("-n")[0]
        typical = Actor.objects.order_by("pk")[len(WORDS)]
        rows = [
            (
                "Annuaire : recherche + EPCI + secteur",
                measure(
                    f"/annuaire/?q=atelier&epci={epci['epci']}&sector={sector['sector__slug']}", args.repeat, cold=False
                ),
            ),
            ("GeoJSON de tous les acteurs (reconstruit)", measure("/annuaire/acteurs.geojson", args.repeat, cold=True)),
            ("GeoJSON de tous les acteurs (en cache)", measure("/annuaire/acteurs.geojson", args.repeat, cold=False)),
            ("Réseau entier, JSON (reconstruit)", measure("/reseau/graphe.json", max(5, args.repeat // 4), cold=True)),
            ("Réseau entier, JSON (en cache)", measure("/reseau/graphe.json", args.repeat, cold=False)),
            (
                "Réseau à deux pas d'un acteur (reconstruit)",
                measure(f"/reseau/graphe.json?acteur={typical.slug}", args.repeat, cold=True),
            ),
        ]
        print()
        print("| route | requêtes SQL | médiane (ms) | p95 (ms) | taille | gzip |")
        print("|---|---:|---:|---:|---:|---:|")
        for label, row in rows:
            packed = f"{row['gzip'] / 1024:,.0f} Ko" if row["gzip"] else "—"
            print(
                f"| {label} | {row['queries']} | {row['median']:.1f} | {row['p95']:.1f} "
                f"| {row['bytes'] / 1024:,.0f} Ko | {packed} |"
            )
        located = Actor.objects.public().exclude(latitude=None).count()
        timings = browser_map(db_path, located, args.browser_runs)
        print()
        print(
            f"Carte dans Chromium, {located} marqueurs regroupés : médiane {statistics.median(timings):.0f} ms "
            f"(mesures : {', '.join(f'{t:.0f}' for t in timings)} ms)"
        )
        print(f"Charge de la machine (1 min) : {os.getloadavg()[0]:.2f}")
        return 0
    finally:
        if args.keep:
            print(f"Base gardée : {db_path}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
