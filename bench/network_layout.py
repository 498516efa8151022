#!/usr/bin/env python
"""Network layout benchmark (issue #14, item 7): the whole graph at 600 and 10,000 actors.

For each size (600 actors and 3,000 links, then 10,000 actors and 50,000 links, generated in a
throwaway SQLite database with ``bench_annuaire.generate``):

- the graph JSON ``/reseau/graphe.json``: SQL queries, median and p95, rebuilt (cache emptied
  before each request) and cached. The query count must be the same at both sizes;
- the real page ``/reseau/`` served by ``manage.py runserver`` and opened in Chromium
  (Playwright, /usr/bin/chromium): time from navigation to the graph drawn with its final
  layout and labels placed (``data-ready``), the part spent in the page from cytoscape built
  to ready (``data-layout-ms``: the worker, positions applied, label placement) and the worker's own
  force-directed computation (``data-worker-ms``).

    .venv/bin/python bench/network_layout.py [--repeat 10] [--browser-runs 2] [--sizes 600:3000,10000:50000]

Exits 1 if the JSON's query count differs between sizes, 2 if a page fails to draw.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_annuaire  # noqa: E402  (same directory: generation, measures, free port)

ROOT = bench_annuaire.ROOT
SETTINGS = bench_annuaire.SETTINGS


def browser_network(db_path: Path, runs: int) -> list[dict]:
    """Open /reseau/ in Chromium ``runs`` times (after one warm-up) and read the page's timings."""
    from playwright.sync_api import sync_playwright

    port = bench_annuaire._free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}", "DJANGO_SETTINGS_MODULE": SETTINGS}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        results = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("KOLLEKTIF_CHROMIUM", "/usr/bin/chromium"),
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
            )
            for run in range(runs + 1):  # the first run warms the server's JSON cache and static files
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                started = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/reseau/", wait_until="commit")
                page.wait_for_selector("#reseau-graphe[data-ready]", timeout=900_000, state="attached")
                elapsed = (time.perf_counter() - started) * 1000
                graph = page.locator("#reseau-graphe")
                if graph.get_attribute("data-ready") != "1":
                    raise RuntimeError(page.locator("#reseau-statut").inner_text())
                row = {
                    "total": elapsed,
                    "page": float(graph.get_attribute("data-layout-ms") or 0),
                    "worker": float(graph.get_attribute("data-worker-ms") or 0),
                    "layout": graph.get_attribute("data-layout"),
                    "nodes": int(graph.get_attribute("data-nodes")),
                    "labels": int(graph.get_attribute("data-labels") or 0),
                }
                if run:
                    results.append(row)
                page.close()
            browser.close()
        return results
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="600:3000,10000:50000", help="acteurs:liens, séparés par des virgules")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--browser-runs", type=int, default=2)
    args = parser.parse_args()
    sizes = [tuple(int(v) for v in size.split(":")) for size in args.sizes.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="bench-reseau-"))
    db_path = workdir / "bench.sqlite3"
    rows = []
    try:
        bench_annuaire._setup(db_path)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from annuaire.models import Actor, Link

        for actors, links in sizes:
            Link.objects.all().delete()
            Actor.objects.filter(slug__startswith="acteur-gen-").delete()
            generated = bench_annuaire.generate(actors, links)
            print(
                f"N = {actors} : {generated['actors']} acteurs, {generated['links']} liens "
                f"(écrits en {generated['seconds']:.1f} s)",
                flush=True,
            )
            cold = bench_annuaire.measure("/reseau/graphe.json", max(3, args.repeat // 2), cold=True)
            warm = bench_annuaire.measure("/reseau/graphe.json", args.repeat, cold=False)
            browser = browser_network(db_path, args.browser_runs)
            rows.append((actors, generated, cold, warm, browser))

        print()
        print(
            "| N acteurs | liens | JSON : requêtes SQL | JSON reconstruit médiane / p95 (ms) | JSON en cache médiane (ms) "
            "| taille (gzip) | disposition | Chromium : navigation → graphe prêt (ms) | dans la page (ms) "
            "| worker d3-force (ms) | étiquettes |"
        )
        print("|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
        for actors, generated, cold, warm, browser in rows:
            gzip = f"{cold['gzip'] / 1024:,.0f} Ko" if cold["gzip"] else "—"
            print(
                f"| {actors:,} | {generated['links']:,} | {cold['queries']} | {cold['median']:.0f} / {cold['p95']:.0f} "
                f"| {warm['median']:.1f} | {cold['bytes'] / 1024:,.0f} Ko ({gzip}) | {browser[0]['layout']} "
                f"| {statistics.median(r['total'] for r in browser):,.0f} "
                f"| {statistics.median(r['page'] for r in browser):,.0f} "
                f"| {statistics.median(r['worker'] for r in browser):,.0f} | {browser[0]['labels']} |"
            )
        print(f"\nCharge de la machine (1 min) : {os.getloadavg()[0]:.2f} ; {os.cpu_count()} cœurs")
        cold_counts = [cold["queries"] for _, _, cold, _, _ in rows]
        warm_counts = [warm["queries"] for _, _, _, warm, _ in rows]
        if len(set(cold_counts)) != 1 or len(set(warm_counts)) != 1:
            print(f"ÉCHEC : le nombre de requêtes SQL du JSON varie avec N : {cold_counts} / {warm_counts}")
            return 1
        print(f"Requêtes SQL du JSON : {cold_counts[0]} reconstruit, {warm_counts[0]} en cache, quel que soit N.")
        return 0
    except RuntimeError as error:
        print(f"ÉCHEC : {error}")
        return 2
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
