#!/usr/bin/env python
"""FEC export benchmark: a financial year of 20,000 payments streamed as the treasurer downloads it.

Setup (not measured): a throwaway database (PostgreSQL by default, or a temporary SQLite file),
``migrate``, one association with a donation campaign, ``--payments`` payments bulk-created
already paid across the year (kinds mixed), one balance transaction with Stripe's fee per
payment, one refund in 50 (logged as ``apply_refunds`` logs it) and a payout a week.

Measured: the whole FEC streamed through ``fec_bytes(period_entries(...))`` and thrown away chunk
by chunk, as the ``StreamingHttpResponse`` does: wall time, peak of Python allocations
(tracemalloc) and peak RSS, SQL statements sent (must not grow with the payments), file size.
Then the same export of a tenth of the payments, to show the query count does not move.

    .venv/bin/python bench/bench_fec_export.py [--payments 20000] [--database postgres|sqlite]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import throwaway_pg  # bench/throwaway_pg.py

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
DB_NAME = "kollektif_bench_fec"
YEAR = 2025


def setup_data(count: int):
    import datetime

    from django.utils import timezone

    from associations.factories import AssociationFactory
    from campagnes.models import (
        BalanceTransaction,
        DonationCampaignPage,
        Payment,
        PaymentLog,
        PayoutStatus,
        StripePayout,
    )

    association = AssociationFactory(name="Les Ateliers du Bassin minier", slug="ateliers-bench", siren="123456782")
    support = association.home_page.get_children().get(slug="nous-aider").specific
    campaign = DonationCampaignPage(title="Une machine à coudre", slug="machine", goal="1500", min_amount="5")
    support.add_child(instance=campaign)
    tz = timezone.get_current_timezone()
    start = datetime.datetime(YEAR, 1, 1, 9, tzinfo=tz)
    kinds = ["don", "don-mensuel", "adhesion", "billetterie", "collecte"]
    payments = []
    for n in range(count):
        paid = start + datetime.timedelta(seconds=n * (364 * 86400 // count))
        refunded = 500 if n % 50 == 0 else 0
        payments.append(
            Payment(
                association=association,
                campaign=campaign,
                kind=kinds[n % 5],
                amount_cents=1000 + n % 9000,
                fee_cents=n % 3 * 50,
                refunded_cents=refunded,
                status="rembourse-partiel" if refunded else "reussi",
                first_name="Léa",
                last_name=f"Dupont {n}",
                email=f"d{n}@exemple.org",
                paid_at=paid,
                created_at=paid,
            )
        )
    Payment.objects.bulk_create(payments, batch_size=2000)
    payments = list(Payment.objects.filter(association=association).order_by("pk"))
    BalanceTransaction.objects.bulk_create(
        [
            BalanceTransaction(
                association=association,
                stripe_id=f"txn_{p.pk}",
                type="charge",
                amount_cents=p.total_cents,
                fee_cents=25 + p.total_cents * 15 // 1000,
                net_cents=0,
                created_at=p.paid_at,
                available_on=p.paid_at.date(),
                payment=p,
            )
            for p in payments
        ],
        batch_size=2000,
    )
    PaymentLog.objects.bulk_create(
        [
            PaymentLog(
                payment=p,
                action="refunded",
                at=p.paid_at + datetime.timedelta(days=3),
                detail={"refunded_cents": p.refunded_cents},
            )
            for p in payments
            if p.refunded_cents
        ],
        batch_size=2000,
    )
    StripePayout.objects.bulk_create(
        [
            StripePayout(
                association=association,
                stripe_id=f"po_{week}",
                amount_cents=100_000,
                status=PayoutStatus.PAID,
                arrival_date=datetime.date(YEAR, 1, 6) + datetime.timedelta(weeks=week),
                created_at=start,
            )
            for week in range(52)
        ]
    )
    return association


def _stream(association, start, end) -> tuple[int, int]:
    from campagnes.accounting.entries import period_entries
    from campagnes.accounting.writers import fec_bytes

    size = lines = 0
    for chunk in fec_bytes(period_entries(association, start, end)):  # what the response sends, then drops
        size += len(chunk)
        lines += chunk.count(b"\n")
    return size, lines


def measure(association, start, end) -> dict:
    """Wall time without tracing (tracemalloc slows Python down a lot), then a traced pass for
    the peak of allocations."""
    from django.db import connection

    queries = []
    started = time.perf_counter()
    with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
        size, lines = _stream(association, start, end)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    _stream(association, start, end)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": seconds, "peak_mib": peak / 2**20, "queries": len(queries), "bytes": size, "lines": lines}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=20000)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kollektif-bench-fec-"))
    if args.database == "postgres":
        throwaway_pg.create_database(PG_SERVER, DB_NAME)
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{DB_NAME}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_kollektif.settings.test")
    try:
        import datetime

        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        association = setup_data(args.payments)
        print(f"Données : {args.payments} paiements créés en {time.perf_counter() - t0:.1f} s ({args.database})")
        year = measure(association, datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
        tenth = measure(association, datetime.date(YEAR, 1, 1), datetime.date(YEAR, 2, 5))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"FEC de l'exercice : {year['lines'] - 1} lignes, {year['bytes'] / 2**20:.1f} Mio")
        print(f"  durée            : {year['seconds']:.2f} s ({year['lines'] / year['seconds']:.0f} lignes/s)")
        print(f"  pic tracemalloc  : {year['peak_mib']:.1f} Mio (le fichier fait {year['bytes'] / 2**20:.1f} Mio)")
        print(f"  requêtes SQL     : {year['queries']}")
        print(f"  charge machine   : {os.getloadavg()[0]:.1f} (moyenne 1 min, {os.cpu_count()} cœurs)")
        print(f"Un dixième (5 semaines) : {tenth['lines'] - 1} lignes, {tenth['queries']} requêtes SQL")
        print(f"Pic RSS du processus (création des données comprise) : {rss:.0f} Mio")
        ok = year["queries"] == tenth["queries"] and year["peak_mib"] < year["bytes"] / 2**20
        print("Requêtes constantes et export en flux : " + ("oui" if ok else "NON"))
        return 0 if ok else 1
    finally:
        if args.database == "postgres":
            throwaway_pg.drop_database(PG_SERVER, DB_NAME)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
