#!/usr/bin/env python
"""Receipts benchmark: 10,000 receipts with their PDFs, and the annual summaries of 5,000 monthly donors.

One process, one throwaway database (PostgreSQL by default, or a temporary SQLite file), private
storage in a temporary directory, e-mails kept in memory and delivery tasks only *enqueued*
(``django_tasks.backends.dummy.DummyBackend``: ``deliver_receipt`` never runs, so no PDF is
rendered or e-mail sent while issuing).

Setup (not measured): ``migrate``; two associations made eligible with a signature
(``make_eligible``), one of them with ``monthly_annual_summary``; a DonationCampaignPage under each
"Nous aider" page; the payments bulk-created already ``reussi`` with ``paid_at`` set:

- association A: ``--receipts`` one-off donations of this year (1 in 20 from a company);
- association B: ``--donors`` monthly donors × ``--months`` monthly payments (``don-mensuel``) of
  last year.

Measured:

- phase A: ``receipt_issue_for_payment(payment)`` for every payment of A, one transaction each (as
  the webhook does; the delivery task is enqueued on commit);
- phase B: ``pdf_bytes(receipt)`` for those receipts (render, store in private storage, save the
  path and SHA-256), then a tracemalloc sample of ``render_pdf`` on ``--tracemalloc-sample`` receipts;
- phase C: ``receipts_issue_annual_summaries(association=B, year=N-1)``, then ``pdf_bytes`` of every
  summary.

Then it checks the invariants (numbers 1..N without gap or duplicate per series, one receipt per
payment, 12 items per summary, amounts) and prints a table. Exit status: 0 when every invariant
holds, 1 when one fails, 2 when PostgreSQL does not answer.

    .venv/bin/python bench/bench_receipts.py [--receipts 10000] [--donors 5000] [--database postgres|sqlite]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
import types
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import throwaway_pg  # bench/throwaway_pg.py (the script folder is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")  # trust auth, loopback
DB_NAME = "kollektif_bench_receipts"
SETTINGS_NAME = "bench_receipts_settings"
DUMMY_TASKS = "django_tasks.backends.dummy.DummyBackend"
ESTIMATE_AFTER = 500
BULK_BATCH = 2000

FIRST_NAMES = ["Léa", "Jérôme", "Anaïs", "François", "Zoé", "Maël", "Chloé", "Noël", "Inès", "Bérénice"]
LAST_NAMES = ["Dupont", "Lefèvre", "Düring", "Benaïssa", "O'Connor", "Wiśniewski", "Lemaître", "Nguyễn", "Caron"]
CITIES = [("62300", "Lens"), ("62400", "Béthune"), ("62000", "Arras"), ("59000", "Lille"), ("62800", "Liévin")]


# -- PostgreSQL --------------------------------------------------------------------------------
def pg_admin():
    return throwaway_pg.admin(PG_SERVER)


def create_database() -> None:
    throwaway_pg.create_database(PG_SERVER, DB_NAME)


def drop_database() -> None:
    throwaway_pg.drop_database(PG_SERVER, DB_NAME)


# -- settings ----------------------------------------------------------------------------------
def install_settings(private_dir: Path, media_dir: Path) -> None:
    """``site_kollektif.settings.test`` with private storage in a temporary directory and dummy tasks.

    Built in memory before ``django.setup()``: the receipts' FileField resolves its storage when
    the model class is created, so the storage must be right from the start.
    """
    module = types.ModuleType(SETTINGS_NAME)
    exec("from site_kollektif.settings.test import *", module.__dict__)  # noqa: S102
    module.STORAGES = {
        **module.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(private_dir), "base_url": None},
        },
    }
    module.MEDIA_ROOT = media_dir
    module.TASKS = {"default": {"BACKEND": DUMMY_TASKS}}
    module.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sys.modules[SETTINGS_NAME] = module
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_NAME


# -- measuring helpers -------------------------------------------------------------------------
def reset_peak_rss() -> bool:
    """Resets the kernel's peak RSS (VmHWM, which ru_maxrss reports) so that each phase has its own."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def current_rss_mib() -> float:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def ms(values: list[float]) -> str:
    if not values:
        return "—"
    values_ms = [v * 1000 for v in values]
    return (
        f"médiane {statistics.median(values_ms):.1f} ms, p95 {pct(values_ms, 95):.1f} ms, max {max(values_ms):.1f} ms"
    )


class QueryCounter:
    """Counts the SQL statements sent on the connection, by verb and table (cheap: no SQL kept)."""

    TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)

    def __init__(self) -> None:
        self.kinds: Counter = Counter()

    def __call__(self, execute, sql, params, many, context):
        verb = sql.lstrip().split(None, 1)[0].upper()
        if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
            label = "SAVEPOINT / RELEASE"
        else:
            table = self.TABLE.search(sql)
            label = f"{verb} {table.group(1) if table else '?'}"
            if verb == "SELECT" and "FOR UPDATE" in sql:
                label += " FOR UPDATE"
            if verb == "SELECT" and re.search(r"LIMIT 1\b", sql) and "EXISTS" not in sql.upper().split("FROM")[0]:
                label += " (LIMIT 1)"
        self.kinds[label] += 1
        return execute(sql, params, many, context)

    @property
    def total(self) -> int:
        return sum(self.kinds.values())

    def per(self, n: int) -> str:
        lines = [f"      {count / n:6.2f}  {label}" for label, count in self.kinds.most_common()]
        return "\n".join(lines)


class Phase:
    """Wall time, load average and peak RSS of one phase, and the SQL it sent."""

    def __init__(self, name: str) -> None:
        from django.db import connection

        self.name, self.connection = name, connection
        self.queries = QueryCounter()

    def __enter__(self):
        reset_peak_rss()
        self.load_before = os.getloadavg()[0]
        self._wrapper = self.connection.execute_wrapper(self.queries)
        self._wrapper.__enter__()
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
        self._wrapper.__exit__(*exc)
        self.load_after = os.getloadavg()[0]
        self.peak_rss = peak_rss_mib()
        self.rss = current_rss_mib()
        return False

    def line(self) -> str:
        return (
            f"   durée {self.seconds:.1f} s ; RSS max {self.peak_rss:.0f} Mio (fin {self.rss:.0f} Mio) ; "
            f"charge {self.load_before:.2f} → {self.load_after:.2f}"
        )


def progress(label: str, done: int, total: int, started: float) -> None:
    elapsed = time.perf_counter() - started
    if done == ESTIMATE_AFTER and total > done:
        print(
            f"   … {done}/{total} {label} en {elapsed:.1f} s → estimation pour {total} : "
            f"{elapsed / done * total:.0f} s ({elapsed / done * total / 60:.1f} min)",
            flush=True,
        )
    elif done % 2000 == 0 and done != total:
        print(f"   … {done}/{total} {label} en {elapsed:.1f} s", flush=True)


def disk_usage(path: Path) -> tuple[int, int, int]:
    """(files, apparent bytes, allocated bytes) under path."""
    files = size = allocated = 0
    for dirpath, _dirs, names in os.walk(path):
        for name in names:
            stat = os.stat(os.path.join(dirpath, name))
            files += 1
            size += stat.st_size
            allocated += stat.st_blocks * 512
    return files, size, allocated


# -- setup -------------------------------------------------------------------------------------
def setup_data(args):
    from django.db import transaction
    from django.utils import timezone

    from associations.factories import AssociationFactory, make_eligible
    from campagnes.models import DonationCampaignPage, Payment

    def support(association):
        return association.home_page.get_children().get(slug="nous-aider").specific

    single = AssociationFactory(name="Les Ateliers du Bassin minier", slug="ateliers-du-bassin")
    make_eligible(single)
    monthly = AssociationFactory(name="Solidarité des Corons", slug="solidarite-des-corons")
    make_eligible(monthly, signatory="Dominique Martin", capacity="Trésorier", monthly_annual_summary=True)
    campaign_single = DonationCampaignPage(
        title="Une machine à coudre pour l'atelier",
        slug="machine-a-coudre",
        goal="1500",
        min_amount="5",
        max_amount="2000",
        suggested_amounts="10, 20, 50",
    )
    support(single).add_child(instance=campaign_single)
    campaign_monthly = DonationCampaignPage(
        title="Soutenir l'épicerie solidaire chaque mois",
        slug="epicerie",
        goal="20000",
        min_amount="5",
        max_amount="500",
        suggested_amounts="10, 20, 50",
        allow_monthly=True,
    )
    support(monthly).add_child(instance=campaign_monthly)

    now = timezone.now()
    this_year = timezone.localdate().year
    tz = timezone.get_current_timezone()

    def payer(n: int, prefix: str) -> dict:
        postal_code, city = CITIES[n % len(CITIES)]
        return {
            "first_name": FIRST_NAMES[n % len(FIRST_NAMES)],
            "last_name": f"{LAST_NAMES[n % len(LAST_NAMES)]}-{n}",
            "email": f"{prefix}{n}@exemple.org",
            "street_address": f"{n % 200 + 1} rue des Glycines",
            "postal_code": postal_code,
            "city": city,
        }

    def single_payments():
        start_of_year = datetime(this_year, 1, 1, tzinfo=tz)
        span = max((now - start_of_year).total_seconds() - 60, 1)
        for n in range(args.receipts):
            paid_at = start_of_year + timedelta(seconds=span * n / max(args.receipts, 1))
            company = (
                {"company_name": f"Boulangerie Caron n° {n}", "company_siren": "552100554"} if n % 20 == 19 else {}
            )
            yield Payment(
                association=single,
                campaign=campaign_single,
                kind="don",
                status="reussi",
                amount_cents=1000 + (n % 50) * 100,
                created_at=paid_at,
                paid_at=paid_at,
                **payer(n, "donateur"),
                **company,
            )

    def monthly_payments():
        for donor in range(args.donors):
            for month in range(1, args.months + 1):
                paid_at = datetime(this_year - 1, month, 1 + donor % 28, 10, tzinfo=tz)
                yield Payment(
                    association=monthly,
                    campaign=campaign_monthly,
                    kind="don-mensuel",
                    status="reussi",
                    amount_cents=500 + (donor % 10) * 500,
                    created_at=paid_at,
                    paid_at=paid_at,
                    stripe_subscription=f"sub_bench_{donor}",
                    **payer(donor, "mensuel"),
                )

    for rows in (single_payments(), monthly_payments()):
        batch = []
        for payment in rows:
            batch.append(payment)
            if len(batch) == BULK_BATCH:
                with transaction.atomic():
                    Payment.objects.bulk_create(batch)
                batch = []
        if batch:
            with transaction.atomic():
                Payment.objects.bulk_create(batch)
    return single, monthly, this_year


# -- phases ------------------------------------------------------------------------------------
def chunks(values: list, size: int = 1000):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def phase_a(single, figures: dict) -> Phase:
    """One transaction per payment, as the webhook does; the delivery task is enqueued on commit."""
    from django.db import transaction

    from campagnes.models import Payment
    from campagnes.receipts.services import receipt_issue_for_payment

    pks = list(Payment.objects.filter(association=single).order_by("pk").values_list("pk", flat=True))
    times = []
    with Phase("A") as phase:
        for chunk in chunks(pks):
            for payment in Payment.objects.filter(pk__in=chunk).order_by("pk"):
                t0 = time.perf_counter()
                with transaction.atomic():
                    receipt = receipt_issue_for_payment(payment)
                times.append(time.perf_counter() - t0)
                assert receipt is not None, payment.pk
                progress("reçus", len(times), len(pks), phase.started)
    figures["A"] = {"n": len(times), "times": times, "phase": phase}
    return phase


def render_pdfs(receipt_pks: list[int], label: str, render_times: list[float]) -> tuple[list[float], Phase]:
    from campagnes.models import Receipt
    from campagnes.receipts.delivery import pdf_bytes

    times, sizes = [], []
    with Phase(label) as phase:
        for chunk in chunks(receipt_pks, 500):
            for receipt in Receipt.objects.filter(pk__in=chunk).order_by("pk"):
                t0 = time.perf_counter()
                content = pdf_bytes(receipt)
                times.append(time.perf_counter() - t0)
                sizes.append(len(content))
                progress("PDF", len(times), len(receipt_pks), phase.started)
    phase.sizes = sizes
    return times, phase


def tracemalloc_sample(receipt_pks: list[int], render_pdf) -> dict:
    """render_pdf only (no storage) on a sample, under tracemalloc (which slows Python down a lot)."""
    import gc
    import tracemalloc

    from campagnes.models import Receipt

    receipts = list(Receipt.objects.filter(pk__in=receipt_pks).order_by("pk"))
    render_pdf(receipts[0])  # warm: fonts, styles, imports already loaded by phase B anyway
    untraced = []
    for receipt in receipts[:50]:
        t0 = time.perf_counter()
        render_pdf(receipt)
        untraced.append(time.perf_counter() - t0)
    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    traced = []
    for receipt in receipts:
        t0 = time.perf_counter()
        render_pdf(receipt)
        traced.append(time.perf_counter() - t0)
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "n": len(receipts),
        "peak_mib": (peak - base) / 2**20,
        "retained_kib": (current - base) / 1024,
        "traced": traced,
        "untraced": untraced,
    }


# -- invariants --------------------------------------------------------------------------------
def check_invariants(args, single, monthly, this_year, enqueued: dict, private_dir: Path) -> list[str]:
    from django.core import mail
    from django.db.models import Count, F, Max, Min, Q, Sum

    from campagnes.models import Payment, Receipt, ReceiptCounter, ReceiptItem
    from campagnes.receipts.delivery import render_pdf

    failures: list[str] = []

    def check(ok: bool, text: str) -> None:
        print(f"  [{'ok' if ok else 'ÉCHEC'}] {text}")
        if not ok:
            failures.append(text)

    for counter in ReceiptCounter.objects.order_by("association_id", "series", "year"):
        rows = Receipt.objects.filter(
            association_id=counter.association_id, series=counter.series, year=counter.year
        ).aggregate(
            n=Count("pk"),
            low=Min("sequence"),
            high=Max("sequence"),
            distinct=Count("sequence", distinct=True),
            numbers=Count("number", distinct=True),
        )
        ok = rows["n"] == rows["distinct"] == rows["numbers"] == rows["high"] == counter.last and rows["low"] == 1
        check(
            ok,
            f"série « {counter.series or 'fiscale'} » {counter.year} de l'association {counter.association_id} : "
            f"{rows['n']} reçus, numéros {rows['low']}..{rows['high']}, {rows['distinct']} distincts, "
            f"compteur à {counter.last} (sans trou ni doublon)",
        )

    # phase A: one receipt per payment, same amounts
    receipts_a = Receipt.objects.filter(association=single)
    paid_a = Payment.objects.filter(association=single).aggregate(
        n=Count("pk"), total=Sum(F("amount_cents") + F("fee_cents"))
    )
    issued_a = receipts_a.aggregate(n=Count("pk"), total=Sum("amount_cents"), deductible=Sum("deductible_cents"))
    items_a = ReceiptItem.objects.filter(receipt__association=single).aggregate(
        n=Count("pk"), payments=Count("payment", distinct=True)
    )
    kinds_a = Counter(receipts_a.values_list("kind", flat=True))
    check(
        issued_a["n"] == paid_a["n"] == args.receipts == items_a["n"] == items_a["payments"],
        f"{issued_a['n']} reçus pour {paid_a['n']} paiements ({items_a['n']} lignes, {items_a['payments']} paiements "
        f"distincts) ; types {dict(kinds_a)}",
    )
    check(
        issued_a["total"] == paid_a["total"] == issued_a["deductible"],
        f"montants A : reçus {fmt_eur(issued_a['total'])}, paiements {fmt_eur(paid_a['total'])}, "
        f"déductible {fmt_eur(issued_a['deductible'])}",
    )

    # phase C: one summary per donor, 12 items each
    summaries = Receipt.objects.filter(association=monthly, summary_year=this_year - 1)
    per_item_count = Counter(summaries.annotate(n=Count("items")).values_list("n", flat=True))
    mismatched = (
        summaries.annotate(items_total=Sum("items__amount_cents")).exclude(amount_cents=F("items_total")).count()
    )
    issued_c = summaries.aggregate(n=Count("pk"), total=Sum("amount_cents"), donors=Count("donor_email", distinct=True))
    paid_c = Payment.objects.filter(association=monthly).aggregate(n=Count("pk"), total=Sum("amount_cents"))
    check(
        issued_c["n"] == issued_c["donors"] == args.donors and per_item_count == Counter({args.months: args.donors}),
        f"{issued_c['n']} reçus annuels {this_year - 1} pour {issued_c['donors']} donateurs ; lignes par reçu : "
        f"{dict(per_item_count)}",
    )
    check(
        issued_c["total"] == paid_c["total"]
        and mismatched == 0
        and Receipt.objects.filter(association=monthly).count() == args.donors,
        f"montants C : reçus {fmt_eur(issued_c['total'])}, paiements {fmt_eur(paid_c['total'])} "
        f"({paid_c['n']} paiements), {mismatched} reçu(s) dont le montant diffère de ses lignes",
    )

    # PDFs: stored once with their hash; the stored bytes are the deterministic rendering
    stored = Receipt.objects.exclude(pdf="").filter(~Q(pdf_sha256="")).count()
    total = Receipt.objects.count()
    check(stored == total, f"{stored}/{total} reçus avec leur PDF stocké et son SHA-256")
    sample = list(Receipt.objects.order_by("?")[:20])
    bad_hash = [
        r.number for r in sample if hashlib.sha256((private_dir / r.pdf.name).read_bytes()).hexdigest() != r.pdf_sha256
    ]
    same = [render_pdf(r) == (private_dir / r.pdf.name).read_bytes() for r in sample[:5]]
    check(
        not bad_hash and all(same),
        f"échantillon de {len(sample)} PDF : SHA-256 conforme ({len(bad_hash)} écart), "
        f"rendu à nouveau identique octet pour octet {sum(same)}/{len(same)}",
    )
    try:
        import io

        from pypdf import PdfReader

        summary = summaries.order_by("pk").first()
        reader = PdfReader(io.BytesIO((private_dir / summary.pdf.name).read_bytes()))
        text = reader.pages[0].extract_text()
        dates = len(re.findall(r"\d\d/\d\d/" + str(this_year - 1), text))
        check(
            len(reader.pages) == 1 and dates >= args.months,
            f"reçu annuel {summary.number} : {len(reader.pages)} page, {dates} dates de {this_year - 1} lues dans le texte",
        )
    except ImportError:
        pass

    issued_total = total
    check(
        enqueued["A"] == args.receipts and enqueued["C"] == args.donors and not getattr(mail, "outbox", []),
        f"tâches deliver_receipt mises en file (DummyBackend, jamais exécutées) : {enqueued['A']} en A, "
        f"{enqueued['C']} en C pour {issued_total} reçus ; {len(getattr(mail, 'outbox', []))} e-mail envoyé",
    )
    return failures


def fmt_eur(cents: int | None) -> str:
    return f"{(cents or 0) / 100:,.2f} €".replace(",", "\u202f")


# -- main --------------------------------------------------------------------------------------
def main() -> int:
    global PG_SERVER  # noqa: PLW0603 (--pg)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--receipts", type=int, default=10_000, help="Reçus émis un par un, avec leur PDF (10000).")
    parser.add_argument("--donors", type=int, default=5_000, help="Donateurs mensuels du reçu annuel (5000).")
    parser.add_argument("--months", type=int, default=12, help="Paiements mensuels par donateur (12).")
    parser.add_argument(
        "--database",
        choices=("postgres", "sqlite"),
        default="postgres",
        help=f"PostgreSQL (base jetable {DB_NAME}) ou un fichier SQLite temporaire.",
    )
    parser.add_argument(
        "--tracemalloc-sample", type=int, default=500, help="PDF rendus sous tracemalloc (500 ; 0 : aucun)."
    )
    parser.add_argument("--keep", action="store_true", help="Garder la base et le dossier temporaire.")
    parser.add_argument("--pg", default=PG_SERVER, help=f"Serveur PostgreSQL, sans nom de base ({PG_SERVER}).")
    args = parser.parse_args()
    PG_SERVER = args.pg.rstrip("/")
    if not (1 <= args.months <= 12) or args.receipts < 1 or args.donors < 1:
        parser.error("--receipts et --donors ≥ 1, --months entre 1 et 12")

    tmp = Path(tempfile.mkdtemp(prefix="kollektif-bench-receipts-"))
    if args.database == "postgres":
        create_database()
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{DB_NAME}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    try:
        return run(args, tmp)
    finally:
        if args.keep:
            print(f"\nGardés : {'base ' + DB_NAME + ', ' if args.database == 'postgres' else ''}dossier {tmp}")
        else:
            if args.database == "postgres":
                drop_database()
            shutil.rmtree(tmp, ignore_errors=True)


def run(args, tmp: Path) -> int:
    private_dir, media_dir = tmp / "private", tmp / "media"
    private_dir.mkdir()
    media_dir.mkdir()
    install_settings(private_dir, media_dir)

    import django

    django.setup()
    import reportlab
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django_tasks import default_task_backend

    import campagnes.receipts.delivery as delivery
    import campagnes.receipts.services as services
    from campagnes.models import Receipt

    assert not settings.DEBUG and settings.TASKS["default"]["BACKEND"] == DUMMY_TASKS
    assert Path(settings.STORAGES["private"]["OPTIONS"]["location"]) == private_dir
    assert Path(Receipt._meta.get_field("pdf").storage.location) == private_dir

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            db_version = cursor.fetchone()[0].split(" on ")[0]
            cursor.execute("SHOW synchronous_commit")
            db_version += f", synchronous_commit={cursor.fetchone()[0]}"
        db_label = f"{db_version}, base {DB_NAME}"
    else:
        import sqlite3

        db_label = f"SQLite {sqlite3.sqlite_version}, fichier temporaire {tmp / 'bench.sqlite3'}"
    print(f"== {db_label} : migrate {migrate_s:.1f} s", flush=True)
    print(
        f"   tâches : {DUMMY_TASKS} (deliver_receipt mis en file au commit, jamais exécuté) ; "
        f"e-mails : locmem ; stockage privé : {private_dir}",
        flush=True,
    )

    reset_peak_rss()
    t0 = time.perf_counter()
    single, monthly, this_year = setup_data(args)
    setup_s = time.perf_counter() - t0
    setup_peak = peak_rss_mib()
    print(
        f"== Préparation (non mesurée) en {setup_s:.1f} s : association A ({single.slug}) avec {args.receipts} dons "
        f"réussis de {this_year} ; association B ({monthly.slug}, reçu annuel) avec {args.donors} donateurs × "
        f"{args.months} dons mensuels de {this_year - 1} = {args.donors * args.months} paiements ; "
        f"RSS {current_rss_mib():.0f} Mio, charge {os.getloadavg()[0]:.2f}",
        flush=True,
    )

    # render_pdf timed apart from storing (pdf_bytes looks it up in its module at each call)
    original_render = delivery.render_pdf
    render_times: list[float] = []

    def timed_render(receipt):
        t = time.perf_counter()
        content = original_render(receipt)
        render_times.append(time.perf_counter() - t)
        return content

    delivery.render_pdf = timed_render

    figures: dict = {}
    enqueued: dict = {}
    backend = default_task_backend

    print(f"\n== Phase A : receipt_issue_for_payment × {args.receipts}, une transaction par paiement", flush=True)
    backend.clear()
    phase = phase_a(single, figures)
    enqueued["A"] = len(backend.results)
    backend.clear()
    a = figures["A"]
    print(phase.line())
    print(f"   {a['n'] / phase.seconds:.1f} reçus/s ; par reçu (transaction comprise) : {ms(a['times'])}")
    print(
        f"   requêtes SQL : {phase.queries.total} ({phase.queries.total / a['n']:.2f} par reçu)\n{phase.queries.per(a['n'])}",
        flush=True,
    )

    print(
        f"\n== Phase B : pdf_bytes × {args.receipts} (rendu, stockage privé, chemin et SHA-256 enregistrés)", flush=True
    )
    receipt_pks_a = list(Receipt.objects.filter(association=single).order_by("pk").values_list("pk", flat=True))
    render_times.clear()
    times_b, phase_b = render_pdfs(receipt_pks_a, "B", render_times)
    render_b = list(render_times)
    files_b, size_b, allocated_b = disk_usage(private_dir / "recus" / str(single.pk))
    print(phase_b.line())
    print(f"   {len(times_b) / phase_b.seconds:.1f} PDF/s ; par PDF : {ms(times_b)}")
    print(
        f"   dont render_pdf seul : {ms(render_b)} ; total {sum(render_b):.1f} s "
        f"({sum(render_b) / phase_b.seconds:.0%} de la phase)"
    )
    print(
        f"   {files_b} fichiers, {size_b / 2**20:.1f} Mio ({allocated_b / 2**20:.1f} Mio alloués sur disque), "
        f"{statistics.mean(phase_b.sizes) / 1024:.1f} Kio par PDF en moyenne"
    )
    print(
        f"   requêtes SQL : {phase_b.queries.total} ({phase_b.queries.total / len(times_b):.2f} par PDF)\n"
        f"{phase_b.queries.per(len(times_b))}",
        flush=True,
    )

    print(
        f"\n== Phase C : receipts_issue_annual_summaries(année {this_year - 1}) pour {args.donors} donateurs",
        flush=True,
    )
    original_issue = services._issue
    issued_count = [0]
    started_c = [0.0]

    def counted_issue(**kwargs):
        receipt = original_issue(**kwargs)
        issued_count[0] += 1
        progress("reçus annuels", issued_count[0], args.donors, started_c[0])
        return receipt

    services._issue = counted_issue
    try:
        with Phase("C") as phase_c:
            started_c[0] = phase_c.started
            services.receipts_issue_annual_summaries(association=monthly, year=this_year - 1)
    finally:
        services._issue = original_issue
    summaries = list(Receipt.objects.filter(association=monthly, summary_year=this_year - 1).only("pk"))
    enqueued["C"] = len(backend.results)
    backend.clear()
    print(phase_c.line())
    print(
        f"   {len(summaries)} reçus annuels, {len(summaries) / phase_c.seconds:.1f} reçus/s, "
        f"{len(summaries) * args.months / phase_c.seconds:.0f} paiements/s"
    )
    print(
        f"   requêtes SQL : {phase_c.queries.total} ({phase_c.queries.total / max(len(summaries), 1):.2f} par reçu annuel)\n"
        f"{phase_c.queries.per(max(len(summaries), 1))}",
        flush=True,
    )

    print(f"\n== Phase C' : pdf_bytes des {len(summaries)} reçus annuels ({args.months} lignes chacun)", flush=True)
    render_times.clear()
    times_c, phase_cpdf = render_pdfs([r.pk for r in summaries], "C'", render_times)
    render_c = list(render_times)
    del summaries
    files_c, size_c, allocated_c = disk_usage(private_dir / "recus" / str(monthly.pk))
    print(phase_cpdf.line())
    print(
        f"   {len(times_c) / phase_cpdf.seconds:.1f} PDF/s ; par PDF : {ms(times_c)} ; render_pdf seul : {ms(render_c)}"
    )
    print(
        f"   {files_c} fichiers, {size_c / 2**20:.1f} Mio ({allocated_c / 2**20:.1f} Mio alloués), "
        f"{statistics.mean(phase_cpdf.sizes) / 1024:.1f} Kio par PDF en moyenne",
        flush=True,
    )
    delivery.render_pdf = original_render

    traced = None
    if args.tracemalloc_sample:
        print(
            f"\n== tracemalloc : render_pdf seul sur les {args.tracemalloc_sample} premiers reçus de la phase B",
            flush=True,
        )
        traced = tracemalloc_sample(receipt_pks_a[: args.tracemalloc_sample], original_render)
        slowdown = statistics.median(traced["traced"]) / statistics.median(traced["untraced"])
        print(
            f"   échantillon seulement (tracemalloc ralentit le rendu ×{slowdown:.1f}) : pic {traced['peak_mib']:.1f} Mio "
            f"au-dessus de l'état de départ, retenu après {traced['n']} rendus {traced['retained_kib']:.0f} Kio",
            flush=True,
        )

    print("\n== Invariants")
    failures = check_invariants(args, single, monthly, this_year, enqueued, private_dir)

    print(f"\n== Résumé ({args.receipts} reçus, {args.donors} donateurs mensuels × {args.months})")
    print("| phase | n | durée s | débit /s | médiane ms | p95 ms | RSS max Mio | charge avant → après |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")

    def row(label, n, phase, times=None):
        med = f"{statistics.median(times) * 1000:.1f}" if times else "—"
        p95 = f"{pct([t * 1000 for t in times], 95):.1f}" if times else "—"
        print(
            f"| {label} | {n} | {phase.seconds:.1f} | {n / phase.seconds:.1f} | {med} | {p95} | "
            f"{phase.peak_rss:.0f} | {phase.load_before:.2f} → {phase.load_after:.2f} |"
        )

    row("A. émission des reçus (receipt_issue_for_payment)", a["n"], phase, a["times"])
    row("B. PDF des reçus (pdf_bytes)", len(times_b), phase_b, times_b)
    row("C. reçus annuels (receipts_issue_annual_summaries)", issued_count[0], phase_c)
    row(f"C'. PDF des reçus annuels, {args.months} lignes (pdf_bytes)", len(times_c), phase_cpdf, times_c)
    print(
        f"\nPDF sur disque : A {size_b / 2**20:.1f} Mio pour {files_b} fichiers ({size_b / max(files_b, 1) / 1024:.1f} Kio "
        f"chacun), C {size_c / 2**20:.1f} Mio pour {files_c} ({size_c / max(files_c, 1) / 1024:.1f} Kio chacun)"
    )
    if traced:
        print(f"tracemalloc (échantillon de {traced['n']} rendus) : pic {traced['peak_mib']:.1f} Mio")
    print(
        f"RSS max : par phase ci-dessus (ru_maxrss, pic remis à zéro avant chaque phase par /proc/self/clear_refs) ; "
        f"au plus {max(phase.peak_rss, phase_b.peak_rss, phase_c.peak_rss, phase_cpdf.peak_rss):.0f} Mio pendant les "
        f"mesures, {setup_peak:.0f} Mio pendant la préparation"
    )
    print(
        f"Machine : {os.cpu_count()} CPU, {platform.platform()}, Python {platform.python_version()}, "
        f"Django {django.get_version()}, reportlab {reportlab.Version} ; {db_label} ; "
        f"charge (loadavg 1/5/15 min) à la fin : {' / '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    if failures:
        print(f"\nÉCHEC : {len(failures)} invariant(s) non tenu(s).")
        return 1
    print(
        "\nOK : numéros sans trou ni doublon, un reçu par paiement, un reçu annuel de "
        f"{args.months} lignes par donateur, montants égaux."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
