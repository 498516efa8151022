#!/usr/bin/env python
"""General assembly figures benchmark: the treasurer's page and its PDF for a year of 20,000 payments.

One process, one throwaway database (PostgreSQL by default, or a temporary SQLite file). Setup (not
measured): ``migrate``; one association made eligible for tax receipts, with a treasurer; a
donation, a membership and five ticketing campaigns under its "Nous aider"; then, in bulk and in
two steps (``--small`` payments, then up to ``--payments``), payments of last year spread over its
twelve months, already paid: 60 % gifts (1 in 20 by cheque), 20 % memberships (half of the members
had one the year before), 15 % tickets (1 to 3 each, 1 in 10 refunded), 5 % crowdfunding; 1 in 25
refunded in part or in full; a Stripe balance transaction with its fee for 9 card payments in 10; a
tax receipt with its item for every card or cheque gift.

Measured at both sizes, with Django's test client logged in as the treasurer: the page
``/admin/assemblee-generale/`` and its PDF for that year, SQL queries of one request (must be the
same at both sizes: exit 1 otherwise), median and p95 over ``--repeat`` requests. Exit 2 when
PostgreSQL does not answer.

    .venv/bin/python bench/bench_assembly.py [--payments 20000] [--small 2000] [--repeat 10] [--database sqlite]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import types
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import throwaway_pg  # bench/throwaway_pg.py (the script folder is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
DB_NAME = "kollektif_bench_assembly"
SETTINGS_NAME = "bench_assembly_settings"
BATCH = 2000


def install_settings(tmp: Path) -> None:
    module = types.ModuleType(SETTINGS_NAME)
    exec("from site_kollektif.settings.test import *", module.__dict__)  # noqa: S102
    module.STORAGES = {
        **module.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp / "private"), "base_url": None},
        },
    }
    module.MEDIA_ROOT = tmp / "media"
    module.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    module.ALLOWED_HOSTS = ["*"]
    sys.modules[SETTINGS_NAME] = module
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_NAME


def setup_association():
    from django.utils import timezone

    from associations.factories import AssociationFactory, UserFactory, make_eligible
    from associations.models import AssociationStatus
    from campagnes.models import (
        CrowdfundingCampaignPage,
        DonationCampaignPage,
        MembershipCampaignPage,
        TicketingCampaignPage,
        TicketType,
    )

    association = make_eligible(AssociationFactory(name="Popeline", slug="popeline", status=AssociationStatus.ACTIVE))
    treasurer = UserFactory(email="tresoriere@popeline.fr")
    treasurer.groups.add(association.treasurers_group)
    support = association.home_page.get_children().get(slug="nous-aider").specific
    year = date.today().year - 1
    donation = DonationCampaignPage(title="Une machine à coudre", slug="machine", min_amount="5", max_amount="2000")
    support.add_child(instance=donation)
    membership = MembershipCampaignPage(title="Adhésion", slug="adhesion")
    support.add_child(instance=membership)
    crowdfunding = CrowdfundingCampaignPage(
        title="Un atelier mobile", slug="atelier", goal="3000", closes_at=timezone.now() + timedelta(days=30)
    )
    support.add_child(instance=crowdfunding)
    events = []
    for number in range(5):
        event = TicketingCampaignPage(
            title=f"Soirée n° {number + 1}",
            slug=f"soiree-{number + 1}",
            event_starts_at=datetime(year, 2 + number * 2, 15, 20, 0).astimezone(),
            place="Lens",
        )
        event.ticket_types.add(TicketType(name="Entrée", price="8", quota=100000))
        support.add_child(instance=event)
        events.append(event)
    return association, treasurer, year, {"don": donation, "adhesion": membership, "collecte": crowdfunding}, events


def add_payments(association, year: int, pages: dict, events: list, *, first: int, count: int, rng: random.Random):
    """``count`` paid payments of ``year`` in bulk, with their memberships, tickets, fees and receipts."""
    from django.utils import timezone

    from campagnes.models import (
        BalanceTransaction,
        Membership,
        Payment,
        PaymentMethod,
        PaymentStatus,
        Receipt,
        ReceiptItem,
        ReceiptKind,
        Ticket,
    )

    zone = timezone.get_default_timezone()
    types = [event.ticket_types.get() for event in events]
    start = datetime.combine(date(year, 1, 1), dtime.min, tzinfo=zone)
    for offset in range(0, count, BATCH):
        batch = []
        for index in range(first + offset, first + min(offset + BATCH, count)):
            roll = rng.random()
            kind = "don" if roll < 0.6 else "adhesion" if roll < 0.8 else "billetterie" if roll < 0.95 else "collecte"
            amount = rng.choice([1000, 2000, 3000, 5000, 10000]) if kind != "billetterie" else 800 * rng.randint(1, 3)
            paid = start + timedelta(seconds=rng.randrange(365 * 86400))
            refunded = 0
            status = PaymentStatus.SUCCEEDED
            if rng.random() < 0.04:
                refunded = amount if rng.random() < 0.5 else amount // 2
                status = PaymentStatus.REFUNDED if refunded == amount else PaymentStatus.PARTIALLY_REFUNDED
            campaign = rng.choice(events) if kind == "billetterie" else pages[kind]
            batch.append(
                Payment(
                    association=association,
                    campaign=campaign,
                    kind=kind,
                    status=status,
                    amount_cents=amount,
                    fee_cents=rng.choice([0, 0, 0, 150]),
                    refunded_cents=refunded,
                    method=PaymentMethod.CHEQUE if kind == "don" and rng.random() < 0.05 else PaymentMethod.CARD,
                    first_name="Léa",
                    last_name=f"Donatrice {index}",
                    email=f"personne{index % 9000}@exemple.org",
                    created_at=paid,
                    paid_at=paid,
                )
            )
        payments = Payment.objects.bulk_create(batch)
        memberships, tickets, movements, receipts = [], [], [], []
        for payment in payments:
            day = timezone.localdate(payment.paid_at)
            if payment.kind == "adhesion":
                memberships.append(
                    Membership(
                        payment=payment,
                        association=association,
                        tier_name="Adhésion",
                        valid_from=day,
                        valid_until=day + timedelta(days=364),
                    )
                )
            if payment.kind == "billetterie":
                ticket_type = types[events.index(payment.campaign)]
                for _n in range(payment.amount_cents // 800):
                    tickets.append(
                        Ticket(
                            payment=payment,
                            association=association,
                            ticket_type=ticket_type,
                            canceled_at=payment.paid_at if payment.status == PaymentStatus.REFUNDED else None,
                        )
                    )
            if payment.method == PaymentMethod.CARD and rng.random() < 0.9:
                fee = 25 + payment.total_cents * 15 // 1000
                movements.append(
                    BalanceTransaction(
                        association=association,
                        stripe_id=f"txn_{payment.pk}",
                        type="charge",
                        amount_cents=payment.total_cents,
                        fee_cents=fee,
                        net_cents=payment.total_cents - fee,
                        created_at=payment.paid_at,
                        available_on=day + timedelta(days=7),
                        payment=payment,
                    )
                )
            if payment.kind == "don":
                receipts.append(
                    (
                        payment,
                        Receipt(
                            association=association,
                            kind=ReceiptKind.TAX_INDIVIDUAL,
                            number=f"B{payment.pk}",
                            year=year,
                            sequence=payment.pk,
                            gift_year=year,
                            donor_name=payment.last_name,
                            donor_email=payment.email,
                            amount_cents=payment.amount_cents,
                            deductible_cents=payment.amount_cents,
                            document={},
                            issued_at=payment.paid_at,
                        ),
                    )
                )
        Membership.objects.bulk_create(memberships)
        Ticket.objects.bulk_create(tickets)
        BalanceTransaction.objects.bulk_create(movements)
        created = Receipt.objects.bulk_create([receipt for _payment, receipt in receipts])
        ReceiptItem.objects.bulk_create(
            ReceiptItem(
                receipt=receipt,
                payment=payment,
                amount_cents=payment.amount_cents,
                received_on=timezone.localdate(payment.paid_at),
            )
            for (payment, _r), receipt in zip(receipts, created, strict=True)
        )


def add_last_years_members(association, page, year: int, count: int) -> None:
    """Members of the year before (half of them renew): the "renouvellements" have someone to count."""
    from django.utils import timezone

    from campagnes.models import Membership, Payment, PaymentStatus

    zone = timezone.get_default_timezone()
    payments = Payment.objects.bulk_create(
        Payment(
            association=association,
            campaign=page,
            kind="adhesion",
            status=PaymentStatus.SUCCEEDED,
            amount_cents=2000,
            first_name="Léa",
            last_name=f"Ancienne {index}",
            email=f"personne{index * 2 % 9000}@exemple.org",
            created_at=datetime(year - 1, 1 + index % 12, 10, 12, tzinfo=zone),
            paid_at=datetime(year - 1, 1 + index % 12, 10, 12, tzinfo=zone),
        )
        for index in range(count)
    )
    Membership.objects.bulk_create(
        Membership(
            payment=payment,
            association=association,
            tier_name="Adhésion",
            valid_from=timezone.localdate(payment.paid_at),
            valid_until=timezone.localdate(payment.paid_at) + timedelta(days=364),
        )
        for payment in payments
    )


def measure(client, url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _warm in range(2):
        assert client.get(url).status_code == 200, url
    counts = []
    for _n in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries.captured_queries))
    times = []
    for _n in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "queries": counts[-1],
        "stable": counts[0] == counts[1],
        "median": statistics.median(times),
        "p95": p95,
        "bytes": len(response.content),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=20000)
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-assembly-"))
    if args.database == "postgres":
        version = "PostgreSQL " + throwaway_pg.create_database(PG_SERVER, DB_NAME)
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{DB_NAME}"
    else:
        version = "SQLite"
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    install_settings(tmp)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from campagnes.assembly_figures import assembly_figures
    from campagnes.financial_years import period_containing

    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrate : {time.perf_counter() - started:.1f} s ({version})")
        rng = random.Random(args.seed)
        association, treasurer, year, pages, events = setup_association()
        period = period_containing(association, date(year, 6, 1))
        client = Client()
        client.force_login(treasurer)
        query = f"?association={association.pk}&exercice={period.slug}"
        add_last_years_members(association, pages["adhesion"], year, 1500)
        rows = []
        done = 0
        for size in (args.small, args.payments):
            started = time.perf_counter()
            add_payments(association, year, pages, events, first=done, count=size - done, rng=rng)
            done = size
            print(f"{size} paiements de {year} créés ({time.perf_counter() - started:.1f} s)")
            throwaway_pg.analyze()
            figures = assembly_figures(association=association, period=period)
            print(
                f"  contrôle : {figures.count} paiements, encaissé {figures.received_cents / 100:.2f} €, "
                f"frais {figures.fees.cents / 100:.2f} €, adhérents début/fin/nouveaux/renouvelés "
                f"{figures.members.at_start}/{figures.members.at_end}/{figures.members.new}/{figures.members.renewed}, "
                f"{figures.tickets_sold} billets, {figures.receipts.receipts} reçus fiscaux"
            )
            for label, path in (("page", ""), ("PDF", "pdf/")):
                result = measure(client, f"/admin/assemblee-generale/{path}{query}", args.repeat)
                rows.append((label, size, result))
        print()
        print("| route | paiements dans l'année | requêtes SQL | médiane ms | p95 ms | octets |")
        print("|---|---:|---:|---:|---:|---:|")
        for label, size, result in rows:
            print(
                f"| {label} | {size} | {result['queries']} | {result['median']:.1f} | {result['p95']:.1f} | "
                f"{result['bytes']} |"
            )
        print(f"charge (loadavg 1 min) : {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPU")
        page_counts = {result["queries"] for label, _s, result in rows if label == "page"}
        pdf_counts = {result["queries"] for label, _s, result in rows if label == "PDF"}
        if len(page_counts) > 1 or len(pdf_counts) > 1 or not all(result["stable"] for *_x, result in rows):
            print("ÉCHEC : le nombre de requêtes dépend du nombre de paiements.")
            return 1
        print("OK : même nombre de requêtes SQL aux deux tailles.")
        return 0
    finally:
        if args.database == "postgres" and not args.keep:
            throwaway_pg.drop_database(PG_SERVER, DB_NAME)


if __name__ == "__main__":
    sys.exit(main())
