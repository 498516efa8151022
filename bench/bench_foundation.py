#!/usr/bin/env python
"""Foundation benchmark: do the public pages and onboarding stay flat as associations grow?

For each size N (10 and 10,000 by default) it builds a fresh SQLite database in a temporary
directory (migrate, then ``generer_donnees --associations N --news 5``), gives one association
50 news posts through the normal Wagtail API, then measures with Django's test client:

- the Accueil of an association with an open donation campaign (its campaign query),
- its Actualités index with 50 posts (first page: 10 posts per page),
- the Actualités index of an association with 5 posts (same template, fewer items: a query
  that grows with the items on the page shows up here),
- a news post, the "Nous aider" page listing the campaign, and the campaign page,
- the /association/ index (first page: 12 associations),
- ``association_onboard`` of one new association.

It prints SQL queries per request and the median and 95th percentile times, then exits 1 if
a route's query count is not the same for every N, 2 if a route did not answer 200, and 3 if a
page's median time at the largest N is more than 10 % above its time at the smallest N
(issue #16; onboarding excluded: the search index it updates grows with the data).

    .venv/bin/python bench/bench_foundation.py [--sizes 10,10000] [--repeat 20]

Each size runs in its own process, since the database is chosen when Django starts.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SETTINGS = "site_kollektif.settings.test"  # DEBUG off, offline embeds, e-mails kept in memory
BIG_NEWS = 50
WARMUP = 2

ROUTES = [
    ("accueil", "Accueil d'une association (une campagne ouverte)"),
    ("actualites-50", f"Actualités, {BIG_NEWS} posts (page 1)"),
    ("actualites-5", "Actualités, 5 posts"),
    ("actualite", "Une actualité"),
    ("nous-aider", "Nous aider (une campagne)"),
    ("campagne", "Une campagne de dons"),
    ("index", "/association/ (page 1)"),
    ("onboard", "association_onboard()"),
]
# Issue #16: a public page may not take more than 10 % longer at the largest N than at the
# smallest (medians). Onboarding is not a page: its search-index upkeep grows with the index.
MAX_TIME_GROWTH = 1.10
NOT_FLAT_ROUTES = {"onboard"}


# -- worker: one size, one database ---------------------------------------------------------
def worker(args) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{args.db}"
    os.environ["DJANGO_SETTINGS_MODULE"] = args.settings
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command

    if settings.DEBUG:
        sys.exit(f"{args.settings} a DEBUG = True : les mesures seraient faussées.")

    results: dict = {"size": args.size}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    results["migrate_s"] = time.perf_counter() - started

    started = time.perf_counter()
    call_command("generer_donnees", associations=args.size, news=5, seed=1)
    results["generate_s"] = time.perf_counter() - started

    from associations.models import NewsPostPage

    big, small = _prepare_associations()
    campaign = _open_campaign(small)
    small_post = NewsPostPage.objects.filter(path__startswith=small.home_page.path).order_by("-date", "-pk").first()
    results["smoke"] = _smoke(small)
    results["load_before"] = os.getloadavg()[0]
    results["routes"] = {
        "accueil": _measure_get(small.url, args.repeat),
        "actualites-50": _measure_get(f"{big.url}actualites/", args.repeat),
        "actualites-5": _measure_get(f"{small.url}actualites/", args.repeat),
        "actualite": _measure_get(small_post.url, args.repeat),
        "nous-aider": _measure_get(f"{small.url}nous-aider/", args.repeat),
        "campagne": _measure_get(campaign.url, args.repeat),
        "index": _measure_get("/association/", args.repeat),
        "onboard": _measure_onboard(args.onboardings),
    }
    results["load_after"] = os.getloadavg()[0]
    Path(args.json_out).write_text(json.dumps(results))


def _prepare_associations():
    """The association that gets 50 posts (first generated) and a typical one (last generated)."""
    from wagtail.models import Page

    from associations.models import Association, NewsIndexPage, NewsPostPage

    generated = Association.objects.filter(slug__startswith="asso-gen-").order_by("slug")
    big, small = generated.first(), generated.last()
    news_index = NewsIndexPage.objects.child_of(big.home_page).get()
    # Through treebeard and revisions, as an editor would: this also proves that the generated
    # tree (paths, numchild) accepts new pages.
    for number in range(news_index.get_children().count() + 1, BIG_NEWS + 1):
        post = NewsPostPage(title=f"Nouvelle n° {number}", slug=f"nouvelle-{number}", introduction="Du nouveau.")
        news_index.add_child(instance=post)
        post.tags.add("vie-de-l-asso", f"theme-{number % 3}")
        post.save_revision(log_action=False).publish(log_action=False)
    assert NewsPostPage.objects.child_of(news_index).live().count() == BIG_NEWS
    assert Page.objects.get(pk=news_index.pk).numchild == BIG_NEWS
    return big, small


def _open_campaign(association):
    """A donation campaign under the association's "Nous aider": its Accueil then lists it, with
    its progress (the campaign query of issue #16, item 2)."""
    from associations.models import SupportPage
    from campagnes.models import DonationCampaignPage

    support = SupportPage.objects.get(
        path__startswith=association.home_page.path, depth=association.home_page.depth + 1
    )
    campaign = DonationCampaignPage(
        title="Une machine à coudre pour l'atelier",
        slug="machine-a-coudre",
        goal="1500",
        min_amount="5",
        max_amount="2000",
        suggested_amounts="10, 20, 50",
    )
    support.add_child(instance=campaign)
    campaign.save_revision(log_action=False).publish(log_action=False)
    return campaign


def _smoke(association) -> list[str]:
    """Every page of a generated association answers 200 through its public URL."""
    from django.test import Client
    from wagtail.models import Page

    client, failures = Client(raise_request_exception=False), []
    for page in Page.objects.filter(path__startswith=association.home_page.path).order_by("path"):
        status = client.get(page.url).status_code
        if status != 200:
            failures.append(f"{page.url} : {status}")
    return failures


def _measure_get(url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    result: dict = {"url": url}
    try:
        for _ in range(WARMUP):  # site root paths and other caches are warm in production
            response = client.get(url)
        result["status"] = response.status_code
        counts = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            counts.append(len(queries))
        result["queries"] = counts[-1]
        result["stable"] = counts[0] == counts[1]
        result["sql"] = _signatures(queries.captured_queries)
        timings = []
        for _ in range(repeat):  # timed without query capture, which adds its own cost
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        result["timings_ms"] = timings
    except Exception as exc:  # a missing template, a 500: reported, not fatal to the other routes
        result["status"] = f"{type(exc).__name__}: {exc}"[:200]
    return result


def _measure_onboard(count: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from associations.models import AssociationStatus, Commune
    from associations.services import association_onboard

    commune = Commune.objects.exclude(postal_codes=[]).order_by("code").first()
    result: dict = {"url": "association_onboard()", "status": 200}
    timings, counts = [], []
    for number in range(1, count + 1):
        fields = {
            "name": f"Mesure d'inscription {number}",
            "slug": f"mesure-inscription-{number}",
            "status": AssociationStatus.ACTIVE,
            "notify": False,
            "rna": f"W6290{number:05d}",
            "objet": "Mesurer le temps d'inscription d'une association.",
            "street_address": "1 place de la Mairie",
            "postal_code": commune.postal_codes[0],
            "commune": commune,
            "email": f"mesure-{number}@example.org",
        }
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            association_onboard(**fields)
            timings.append((time.perf_counter() - started) * 1000)
        counts.append(len(queries))
    result["queries"] = counts[-1]
    result["stable"] = len(set(counts[1:])) <= 1
    result["sql"] = _signatures(queries.captured_queries)
    result["timings_ms"] = timings
    return result


def _signatures(captured: list[dict]) -> dict[str, int]:
    """SQL with its literals blanked, counted: two runs can then be compared query by query."""
    normalised = (re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in captured)
    return dict(Counter(re.sub(r"\?(, \?)+", "?…", sql) for sql in normalised))


# -- parent: one worker per size, then the table ---------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,10000", help="Nombres d'associations, séparés par des virgules.")
    parser.add_argument("--repeat", type=int, default=20, help="Requêtes mesurées par route (20).")
    parser.add_argument("--onboardings", type=int, default=5, help="Inscriptions mesurées (5).")
    parser.add_argument("--settings", default=DEFAULT_SETTINGS, help=f"Module de réglages ({DEFAULT_SETTINGS}).")
    parser.add_argument("--keep", action="store_true", help="Garder les bases SQLite (chemin affiché).")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--json-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return 0

    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    tmp = tempfile.mkdtemp(prefix="kollektif-bench-")
    runs = []
    for size in sizes:
        print(f"== N = {size} : base neuve, migrate, generer_donnees…", flush=True)
        db, out = Path(tmp) / f"bench-{size}.sqlite3", Path(tmp) / f"bench-{size}.json"
        command = [
            sys.executable,
            __file__,
            "--worker",
            f"--size={size}",
            f"--db={db}",
            f"--json-out={out}",
            f"--repeat={args.repeat}",
            f"--onboardings={args.onboardings}",
            f"--settings={args.settings}",
        ]
        completed = subprocess.run(command, cwd=ROOT)
        if completed.returncode != 0:
            print(f"Échec de la mesure pour N = {size} (code {completed.returncode}).")
            return completed.returncode
        run = json.loads(out.read_text())
        print(f"   migrate {run['migrate_s']:.1f} s, generer_donnees {run['generate_s']:.1f} s", flush=True)
        runs.append(run)
    if args.keep:
        print(f"Bases gardées dans {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return report(runs)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


def report(runs: list[dict]) -> int:
    print()
    print(f"| route | N | requêtes SQL | médiane ms | p95 ms | médiane / N = {runs[0]['size']} |")
    print("|---|---:|---:|---:|---:|---:|")
    failures, errors, slower = [], [], []
    for key, label in ROUTES:
        for run in runs:
            result = run["routes"][key]
            if result["status"] != 200:
                errors.append(f"{label} (N = {run['size']}) : {result['status']}")
                print(f"| {label} | {run['size']} | — | — | — | — |")
                continue
            timings = result["timings_ms"]
            unstable = "" if result["stable"] else " (variable)"
            first = runs[0]["routes"][key]
            growth = (
                statistics.median(timings) / statistics.median(first["timings_ms"]) if first["status"] == 200 else None
            )
            print(
                f"| {label} | {run['size']} | {result['queries']}{unstable} | "
                f"{statistics.median(timings):.1f} | {_p95(timings):.1f} | "
                f"{'—' if growth is None else f'{growth:.2f}'} |"
            )
            if growth is not None and growth > MAX_TIME_GROWTH and key not in NOT_FLAT_ROUTES and run is runs[-1]:
                slower.append(f"« {label} » : médiane × {growth:.2f} de N = {runs[0]['size']} à N = {run['size']}")
        measured = [run["routes"][key] for run in runs if run["routes"][key]["status"] == 200]
        if len({result["queries"] for result in measured}) > 1:
            failures.append((label, runs, key))
    print()
    print(
        f"| N | generer_donnees s | migrate s | charge (loadavg 1 min) avant / après les mesures, {os.cpu_count()} CPU |"
    )
    print("|---:|---:|---:|---|")
    for run in runs:
        print(
            f"| {run['size']} | {run['generate_s']:.1f} | {run['migrate_s']:.1f} | "
            f"{run['load_before']:.2f} / {run['load_after']:.2f} |"
        )

    within = {key: run["routes"][key] for run in runs for key in ("actualites-50", "actualites-5")}
    if all(r["status"] == 200 for r in within.values()) and len({r["queries"] for r in within.values()}) > 1:
        print("\nAttention : l'index des actualités ne fait pas le même nombre de requêtes avec 5 et 10 posts.")
    for run in runs:
        errors += [f"page générée (N = {run['size']}) {failure}" for failure in run["smoke"]]
    for error in errors:
        print(f"\nERREUR {error}")
    for label, failed_runs, key in failures:
        print(f"\nÉCHEC : « {label} » ne fait pas le même nombre de requêtes pour tous les N.")
        _print_sql_diff(failed_runs, key)
    for line in slower:
        print(f"\nÉCHEC (temps) : {line} (au plus × {MAX_TIME_GROWTH:.2f}).")
    if failures:
        return 1
    if errors:
        return 2
    if slower:
        return 3
    if len(runs) > 1:
        print("\nOK : chaque route fait le même nombre de requêtes SQL pour tous les N.")
    return 0


def _print_sql_diff(runs: list[dict], key: str) -> None:
    signatures = set().union(*(run["routes"][key].get("sql", {}) for run in runs))
    for sql in sorted(signatures):
        counts = [run["routes"][key].get("sql", {}).get(sql, 0) for run in runs]
        if len(set(counts)) > 1:
            sizes = ", ".join(f"N={run['size']}: {count}" for run, count in zip(runs, counts, strict=True))
            print(f"  [{sizes}] {sql[:400]}")


if __name__ == "__main__":
    sys.exit(main())
