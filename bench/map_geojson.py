#!/usr/bin/env python
"""Map GeoJSON benchmark (issue #14, item 3): every actor on the map, centroid fallback included.

For each N (100 and 10,000 by default) a separate process builds a throwaway SQLite database
(migrate, then N actors written in bulk by ``bench_annuaire.generate``, two sectors and two
"peut aider sur" each, 30 % labelled), removes the exact coordinates of 40 % of them (they are
then placed at their commune's centre, ``approximate: true``), and measures
``/annuaire/acteurs.geojson`` with Django's test client: SQL queries, median and 95th
percentile of the rebuilt payload (cache emptied before each request) and of the cached one,
and the payload's size. It checks that every actor is a feature and that the approximate ones
are counted right.

Exits 1 if the query count differs between the two sizes.

    .venv/bin/python bench/map_geojson.py [--sizes 100,10000] [--repeat 10]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_annuaire  # noqa: E402

URL = "/annuaire/acteurs.geojson"
WITHOUT_COORDINATES = 0.4


def one(size: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-carte-") as workdir:
        bench_annuaire._setup(Path(workdir) / "bench.sqlite3")
        from django.core.management import call_command
        from django.test import Client

        call_command("migrate", verbosity=0)
        generated = bench_annuaire.generate(size, 0)
        from annuaire.models import Actor

        ids = list(Actor.objects.order_by("pk").values_list("pk", flat=True))
        unplaced = ids[: int(len(ids) * WITHOUT_COORDINATES)]
        for start in range(0, len(unplaced), 900):
            Actor.objects.filter(pk__in=unplaced[start : start + 900]).update(latitude=None, longitude=None)
        data = json.loads(Client().get(URL).content)
        approximate = sum(f["properties"]["approximate"] for f in data["features"])
        assert len(data["features"]) == generated["actors"], "an actor is missing from the map"
        assert approximate == len(unplaced), (approximate, len(unplaced))
        cold = bench_annuaire.measure(URL, repeat, cold=True)
        warm = bench_annuaire.measure(URL, repeat, cold=False)
        return {"size": size, "features": len(data["features"]), "approximate": approximate, "cold": cold, "warm": warm}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,10000")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.repeat)))
        return 0
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        output = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--repeat", str(args.repeat)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    print(
        f"{'N':>7} {'dont approx.':>12} {'requêtes':>8} {'reconstruit méd/p95 (ms)':>26} {'en cache méd/p95 (ms)':>22} {'taille / gzip':>18}"
    )
    for r in results:
        cold, warm = r["cold"], r["warm"]
        print(
            f"{r['size']:>7} {r['approximate']:>12} {cold['queries']:>8} "
            f"{cold['median']:>12.1f} / {cold['p95']:<11.1f} {warm['median']:>9.1f} / {warm['p95']:<10.1f} "
            f"{cold['bytes'] // 1024:>7} Ko / {(cold['gzip'] or 0) // 1024} Ko"
        )
    counts = {r["cold"]["queries"] for r in results}
    if len(counts) != 1:
        print(f"Le nombre de requêtes dépend de N : {sorted(counts)}")
        return 1
    print(f"Requêtes constantes quel que soit N : {counts.pop()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
