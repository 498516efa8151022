#!/usr/bin/env python
"""Mailing benchmark: a treasurer's convocation to 2,000 members, queued then sent by the worker.

One process, one throwaway database (PostgreSQL by default, or a temporary SQLite file), the
database task queue (``django_tasks_db``) and Django's SMTP backend pointed at a local
``aiosmtpd`` server (in a thread of this process) that counts what it receives.

Setup (not measured): ``migrate``; one association with its treasurer; ``--members`` membership
payments bulk-created, paid, valid until next year, every one with the consent to be contacted
(and ``--without-consent`` more without it, who must get nothing).

Measured:

- the compose page (GET ``/admin/contacts/ecrire/``: the list and its count), through the test client;
- queueing: the treasurer's POST "Envoyer" (one transaction: the list, the consent check, one
  ``Mailing`` and its recipients, the first batch queued on commit);
- sending: ``manage.py db_worker --batch`` run in this process until the queue is empty (batches of
  ``campagnes.mailings.BATCH_SIZE``, one SMTP connection each, each batch queueing the next).

It checks that the SMTP server received exactly one message per consenting member, each with its
``List-Unsubscribe`` header, and that the mailing is "Envoyé". Exit status: 0 when every check
holds, 1 when one fails, 2 when PostgreSQL does not answer.

    .venv/bin/python bench/bench_mailing.py [--members 2000] [--database postgres|sqlite]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import socket
import sys
import tempfile
import threading
import time
import types
from datetime import timedelta
from pathlib import Path

import throwaway_pg  # bench/throwaway_pg.py (the script folder is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
DB_NAME = "kollektif_bench_mailing"
SETTINGS_NAME = "bench_mailing_settings"


class Inbox:
    """aiosmtpd handler: counts messages and those carrying the unsubscribe headers."""

    def __init__(self) -> None:
        self.count = 0
        self.with_unsubscribe = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        content = envelope.content
        with self.lock:
            self.count += 1
            if b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in content and b"/desabonnement/" in content:
                self.with_unsubscribe += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def install_settings(port: int, media_dir: Path) -> None:
    module = types.ModuleType(SETTINGS_NAME)
    exec("from site_kollektif.settings.test import *", module.__dict__)  # noqa: S102
    module.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    module.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    module.EMAIL_HOST, module.EMAIL_PORT = "127.0.0.1", port
    module.EMAIL_USE_TLS = module.EMAIL_USE_SSL = False
    module.EMAIL_HOST_USER = module.EMAIL_HOST_PASSWORD = ""
    module.MEDIA_ROOT = media_dir
    module.ALLOWED_HOSTS = ["*"]
    sys.modules[SETTINGS_NAME] = module
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_NAME


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--without-consent", type=int, default=100)
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--profile", action="store_true", help="profil Python de la page de composition")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-mailing-"))
    if args.database == "postgres":
        version = throwaway_pg.create_database(PG_SERVER, DB_NAME)
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{DB_NAME}"
        engine = f"PostgreSQL {version}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        engine = "SQLite (fichier)"

    from aiosmtpd.controller import Controller

    port = free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    install_settings(port, tmp / "media")
    try:
        return run(args, inbox, engine)
    finally:
        controller.stop()
        if args.database == "postgres":
            throwaway_pg.drop_database(PG_SERVER, DB_NAME)


def run(args, inbox: Inbox, engine: str) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from associations.factories import AssociationFactory, UserFactory
    from campagnes.models import (
        Mailing,
        MailingStatus,
        Membership,
        MembershipCampaignPage,
        MembershipTier,
        Payment,
        PaymentKind,
        PaymentStatus,
    )

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    association = AssociationFactory(name="Popeline", slug="popeline")
    treasurer = UserFactory(email="tresoriere@exemple.org")
    treasurer.groups.add(association.treasurers_group)
    campaign = MembershipCampaignPage(title="Adhésion", slug="adhesion", validity="douze-mois", opens_at=timezone.now())
    campaign.tiers.add(MembershipTier(name="Individuelle", price=15))
    association.home_page.get_children().get(slug="nous-aider").add_child(instance=campaign)
    now = timezone.now()
    total = args.members + args.without_consent
    payments = Payment.objects.bulk_create(
        [
            Payment(
                association=association,
                campaign_id=campaign.pk,
                kind=PaymentKind.MEMBERSHIP,
                status=PaymentStatus.SUCCEEDED,
                amount_cents=1500,
                first_name="Camille",
                last_name=f"Membre {n}",
                email=f"membre{n}@exemple.org",
                contact_consent=n < args.members,
                contact_consent_at=now if n < args.members else None,
                paid_at=now,
            )
            for n in range(total)
        ],
        batch_size=1000,
    )
    today = timezone.localdate()
    Membership.objects.bulk_create(
        [
            Membership(
                payment=payment,
                association=association,
                tier_name="Individuelle",
                valid_from=today,
                valid_until=today + timedelta(days=300),
            )
            for payment in payments
        ],
        batch_size=1000,
    )
    throwaway_pg.analyze()
    setup_seconds = time.perf_counter() - started

    client = Client()
    client.force_login(treasurer)
    client.get("/admin/")  # warm-up: templates, menus, session
    profiler = cProfile.Profile() if args.profile else None
    with CaptureQueriesContext(connection) as compose_queries:
        t0 = time.perf_counter()
        if profiler:
            profiler.enable()
        compose = client.get("/admin/contacts/ecrire/", {"liste": "adherents-a-jour"})
        if profiler:
            profiler.disable()
        compose_seconds = time.perf_counter() - t0
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)

    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as queue_queries:
        response = client.post(
            "/admin/contacts/ecrire/",
            {
                "liste": "adherents-a-jour",
                "subject": "Convocation à l'assemblée générale",
                "body": "Bonjour,\n\nL'assemblée générale de Popeline aura lieu le 12 mars à 18 h.\n\nLa trésorière",
                "action": "envoyer",
            },
        )
    queue_seconds = time.perf_counter() - t0
    sql_time = lambda queries: sum(float(q["time"]) for q in queries.captured_queries)  # noqa: E731
    mailing = Mailing.objects.get()
    queued = mailing.recipients.count()

    t0 = time.perf_counter()
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    send_seconds = time.perf_counter() - t0
    mailing.refresh_from_db()
    from django_tasks_db.models import DBTaskResult

    runs = DBTaskResult.objects.filter(task_path="campagnes.mailings.send_mailing_batch").count()

    print(f"Envoi à une liste — {engine}, {os.cpu_count()} CPU, charge {os.getloadavg()[0]:.1f}")
    print(f"  préparation (migrate, {total} adhérents dont {args.members} d'accord) : {setup_seconds:.1f} s")
    print(
        f"  page « Écrire à une liste » (liste et décompte)  : {compose_seconds * 1000:.0f} ms "
        f"({len(compose_queries)} requêtes SQL, {sql_time(compose_queries) * 1000:.0f} ms en base)"
    )
    print(
        f"  mise en file (POST « Envoyer », {queued} destinataires) : {queue_seconds * 1000:.0f} ms "
        f"({len(queue_queries)} requêtes SQL, {sql_time(queue_queries) * 1000:.0f} ms en base)"
    )
    print(
        f"  envoi par le worker vers aiosmtpd ({runs} passages) : {send_seconds:.1f} s, "
        f"{inbox.count / send_seconds:.0f} messages/s"
    )
    checks = {
        "page de composition 200": compose.status_code == 200,
        "POST redirigé vers l'envoi": response.status_code == 302,
        f"{args.members} destinataires en file": queued == args.members,
        f"{args.members} messages reçus par le serveur SMTP": inbox.count == args.members,
        "chacun avec List-Unsubscribe et son lien": inbox.with_unsubscribe == args.members,
        "envoi terminé": mailing.status == MailingStatus.SENT,
    }
    for label, ok in checks.items():
        print(f"  [{'ok' if ok else 'ÉCHEC'}] {label}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
