#!/usr/bin/env python
"""Search benchmark (issue #14, item 1): accent-free queries against 10,000 actors.

Builds a throwaway SQLite database (migrate, then actors written with ``bulk_create`` and their
folded ``search_text`` filled by ``actor_search_text_refresh``, as an import would), and
measures with Django's test client, at N = 100 and at N = 10,000 actors:

- ``/annuaire/?q=epicerie`` (accent-free; the actors are named "Épicerie …"), without filters;
- the same with two filters (EPCI and sector);
- ``/annuaire/?q=epicrie`` (a typo, corrected to "epicerie"; vocabulary cached);
- the type-ahead's JSON, ``/annuaire/suggestions/acteurs.json?q=epicerie`` and ``communes.json?q=lievin``.

For each: SQL queries of one request (must be equal at both sizes), median and 95th percentile.

    .venv/bin/python bench/search_folding.py [--actors 10000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "site_kollektif.settings.test"
WORDS = ["Épicerie", "Café", "Théâtre", "Atelier", "Jardin", "Ressourcerie", "Coopérative", "Fabrique"]


def _setup(db_path: Path) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{db_path}")
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def grow(total: int, seed: int = 1) -> float:
    """Add actors until there are ``total``; seconds spent (bulk insert + search column)."""
    from django.db import transaction
    from django.utils import timezone

    from annuaire.models import Actor, ActorKind, actor_search_text_refresh
    from associations.models import Commune, Sector

    rng = random.Random(seed + total)
    communes = list(Commune.objects.exclude(epci=None).values_list("code", flat=True))
    sectors = list(Sector.objects.values_list("pk", flat=True))
    start = Actor.objects.count()
    started = time.perf_counter()
    with transaction.atomic():
        created = Actor.objects.bulk_create(
            (
                Actor(
                    name=f"{rng.choice(WORDS)} {rng.choice(WORDS).lower()} {n:05d}",
                    slug=f"acteur-bench-{n:05d}",
                    kind=rng.choice(ActorKind.values),
                    commune_id=rng.choice(communes),
                    latitude=Decimal(f"{rng.uniform(50.05, 51.0):.6f}"),
                    longitude=Decimal(f"{rng.uniform(1.6, 3.15):.6f}"),
                    description=" ".join(rng.choice(WORDS).lower() for _ in range(10)),
                    last_contact_at=timezone.now(),
                )
                for n in range(start, total)
            ),
            batch_size=2000,
        )
        ids = [actor.pk for actor in created] or list(
            Actor.objects.filter(slug__startswith="acteur-bench-").values_list("pk", flat=True)[start:]
        )
        Actor.sectors.through.objects.bulk_create(
            (Actor.sectors.through(actor_id=pk, sector_id=s) for pk in ids for s in rng.sample(sectors, 2)),
            batch_size=5000,
        )
        actor_search_text_refresh(ids)
    from annuaire.services import directory_changed

    directory_changed()
    return time.perf_counter() - started


def measure(url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for _ in range(2):
        response = client.get(url, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, REMOTE_ADDR="10.0.0.2")
    count = len(queries)
    timings = []
    for n in range(repeat):
        started = time.perf_counter()
        client.get(url, REMOTE_ADDR=f"10.1.{n // 250}.{n % 250}")  # one IP each: the rate limit stays out
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "queries": count,
        "median": statistics.median(timings),
        "p95": timings[max(0, round(0.95 * len(timings)) - 1)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--actors", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _setup(Path(tmp) / "bench.sqlite3")
        from associations.models import Commune, Sector

        commune = Commune.objects.get(code="62119")
        sector = Sector.objects.order_by("pk").first()
        routes = {
            "q=epicerie": "/annuaire/?q=epicerie",
            "q=epicerie + EPCI + secteur": f"/annuaire/?q=epicerie&epci={commune.epci_id}&sector={sector.slug}",
            "q=epicrie (typo)": "/annuaire/?q=epicrie",
            "suggestions acteurs": "/annuaire/suggestions/acteurs.json?q=epicerie",
            "suggestions communes": "/annuaire/suggestions/communes.json?q=lievin",
        }
        results: dict[int, dict[str, dict]] = {}
        for size in (args.small, args.actors):
            seconds = grow(size)
            print(f"N = {size}: actors written and folded in {seconds:.2f} s", flush=True)
            results[size] = {name: measure(url, args.repeat) for name, url in routes.items()}
        print()
        print(f"| route | queries N={args.small} | queries N={args.actors} | median ms | p95 ms (N={args.actors}) |")
        print("|---|---|---|---|---|")
        flat = True
        for name in routes:
            small, large = results[args.small][name], results[args.actors][name]
            flat &= small["queries"] == large["queries"]
            print(f"| {name} | {small['queries']} | {large['queries']} | {large['median']:.1f} | {large['p95']:.1f} |")
        print()
        print("Query counts equal at both sizes:" if flat else "QUERY COUNTS GROW WITH THE DATA:", flat)
        if not flat:
            sys.exit(1)


if __name__ == "__main__":
    main()
