#!/usr/bin/env python
"""Webhook benchmark: 200 Stripe deliveries from 4 concurrent senders, on PostgreSQL.

One active association with a ticketing campaign (one ticket type, quota 50, 5 €) and a
donation campaign. 100 ticket payments of one ticket are started through
``campagnes.services.payment_start`` (only 50 fit the quota: the others raise SoldOut) and
50 donations. Each started payment is then really charged at a real localstripe server (the
SetupIntent confirmed with 4242… as Stripe.js would, then a PaymentIntent created with
``confirm=true``) *without* calling our confirmation view: only webhooks record them.

200 signed ``payment_intent.succeeded`` events (two per payment: the same event id replayed,
or two event ids for the same PaymentIntent; the two deliveries of half of the payments are
queued next to each other so that two senders handle them at the same time) are POSTed to
``/stripe/webhook/`` of the app served by ``manage.py runserver`` (threaded) on loopback, by 4
sender threads. A 5xx or a connection error is retried up to 3 times, as Stripe would.

It then checks that every payment was recorded once (one "succeeded" log line), that no
ticket was oversold, that the tickets and StripeEvent rows match, and prints median and p95
times. Finally it times the donor's journey of the demo setup over HTTP (form POST, card
confirmed at localstripe, POST /paiement/<token>/confirmer/) with localstripe's own webhook
registered as ``dev.py demo`` does.

    .venv/bin/python bench/bench_webhooks.py [--senders 4] [--clicks 20] [--keep]

Exit status: 0 when every invariant holds, 1 when one fails, 2 when PostgreSQL is down,
3 when the run exceeded --timeout.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import throwaway_pg  # bench/throwaway_pg.py (the script folder is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")  # trust auth, loopback
DB_NAME = "kollektif_bench_webhooks"
SECRET_KEY = "sk_test_bench_webhooks"
WEBHOOK_SECRET = "whsec_bench_webhooks"
HTTP_TIMEOUT = 30
MAX_RETRIES = 3

children: list[subprocess.Popen] = []


# -- PostgreSQL --------------------------------------------------------------------------------
def pg_admin():
    return throwaway_pg.admin(PG_SERVER)


def create_database() -> None:
    throwaway_pg.create_database(PG_SERVER, DB_NAME)


def drop_database() -> None:
    throwaway_pg.drop_database(PG_SERVER, DB_NAME)


# -- processes ---------------------------------------------------------------------------------
def stop_children() -> None:
    for process in reversed(children):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def start_app_server(port: int, env: dict, log_path: Path) -> subprocess.Popen:
    """The app as in the demo: ``manage.py runserver`` (threaded WSGI server), its own process."""
    log = open(log_path, "ab")  # noqa: SIM115 (owned by the process)
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    children.append(process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _body, _headers = http_request(port, "GET", "/stripe/webhook/", timeout=2)
            if status == 405:
                return process
        except OSError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"runserver s'est arrêté au démarrage, voir {log_path}")
        time.sleep(0.2)
    raise RuntimeError(f"runserver ne répond pas, voir {log_path}")


def http_request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict | None = None,
    timeout: float = HTTP_TIMEOUT,
    source: str | None = None,
):
    """One request on a new connection (no keep-alive), from an optional loopback source address."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(source, 0) if source else None
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), response.getheaders()
    finally:
        connection.close()


# -- statistics --------------------------------------------------------------------------------
def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


def summary(values: list[float]) -> str:
    if not values:
        return "—"
    return (
        f"n = {len(values)}, médiane {statistics.median(values):.1f} ms, p95 {p95(values):.1f} ms, "
        f"max {max(values):.1f} ms"
    )


# -- the scenario ------------------------------------------------------------------------------
@dataclass
class Delivery:
    number: int
    payment_pk: int
    event_id: str
    mode: str  # "même id" (replay) or "deux ids" (two events for one PaymentIntent)
    adjacent: bool
    kind: str
    payload: dict
    attempts: list = field(default_factory=list)  # (start, end, status or error, body)


def setup_campaigns(args):
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from associations.factories import AssociationFactory, UserFactory
    from associations.models import AssociationStatus
    from campagnes.models import DonationCampaignPage, TicketingCampaignPage, TicketType

    association = AssociationFactory(name="Popeline", slug="popeline", status=AssociationStatus.ACTIVE)
    treasurer = UserFactory(email="tresoriere@exemple.org")  # the treasurers' e-mail is rendered too
    treasurer.groups.add(association.treasurers_group)
    support = association.home_page.get_children().get(slug="nous-aider").specific
    ticketing = TicketingCampaignPage(
        title="Défilé upcycling",
        slug="defile",
        place="Salle des fêtes de Béthune",
        event_starts_at=timezone.now() + timedelta(days=20),
    )
    ticketing.ticket_types.add(TicketType(name="Entrée", price=Decimal("5"), quota=args.quota))
    support.add_child(instance=ticketing)
    donation = DonationCampaignPage(
        title="Une machine à coudre pour l'atelier",
        slug="machine-a-coudre",
        goal="1500",
        min_amount="5",
        max_amount="2000",
        suggested_amounts="10, 20, 50",
    )
    support.add_child(instance=donation)
    return association, ticketing, donation, ticketing.ticket_types.get()


def start_and_charge_payments(args, association, ticketing, donation, ticket_type, stripe_client):
    """payment_start for every buyer and donor, then the card charged at localstripe only."""
    from campagnes import services

    started, sold_out = [], 0
    t0 = time.perf_counter()
    for number in range(args.ticket_buyers):
        payer = {
            "first_name": "Acheteur",
            "last_name": f"n° {number}",
            "email": f"billet{number}@exemple.org",
            "street_address": "8 rue Basly",
            "postal_code": "62300",
            "city": "Lens",
        }
        try:
            started.append(
                services.payment_start(
                    campaign=ticketing,
                    association=association,
                    kind="billetterie",
                    amount_cents=500,
                    payer=payer,
                    offer={"tickets": {str(ticket_type.pk): 1}},
                )
            )
        except services.SoldOut:
            sold_out += 1
    for number in range(args.donations):
        payer = {
            "first_name": "Donatrice",
            "last_name": f"n° {number}",
            "email": f"don{number}@exemple.org",
            "street_address": "3 rue des Lilas",
            "postal_code": "62400",
            "city": "Béthune",
        }
        started.append(
            services.payment_start(
                campaign=donation,
                association=association,
                kind="don",
                amount_cents=1000 + 100 * (number % 7),
                payer=payer,
                offer={"frequency": "once"},
            )
        )
    start_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    intents = {}
    for payment, client_secret in started:
        setup_intent = stripe_client.v1.setup_intents.confirm(  # what Stripe.js does on the pay page
            client_secret.split("_secret_")[0],
            params={
                "client_secret": client_secret,
                "payment_method_data": {
                    "type": "card",
                    "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"},
                },
            },
        )
        assert setup_intent.status == "succeeded", setup_intent.status
        intent = stripe_client.v1.payment_intents.create(
            params={  # charged at Stripe, our confirm view never called
                "amount": payment.total_cents,
                "currency": "eur",
                "customer": payment.stripe_customer,
                "payment_method": setup_intent.payment_method,
                "confirm": True,
                "off_session": True,
                "metadata": {"payment": str(payment.uuid), "association": str(association.pk)},
            }
        )
        assert intent.status == "succeeded", intent.status
        intents[payment.pk] = intent
    charge_s = time.perf_counter() - t0
    return [payment for payment, _secret in started], sold_out, intents, start_s, charge_s


def build_deliveries(payments, intents, seed: int) -> list[Delivery]:
    """Two deliveries per payment; replays and distinct ids; half of the pairs queued side by side."""
    rng = random.Random(seed)
    order = list(payments)
    rng.shuffle(order)
    units, number = [], 0
    for index, payment in enumerate(order):
        intent = intents[payment.pk]
        mode = "même id" if index % 2 == 0 else "deux ids"
        adjacent = index % 4 < 2
        base = f"evt_bench_{payment.pk:05d}"
        event_ids = [base, base] if mode == "même id" else [f"{base}_a", f"{base}_b"]
        pair = []
        for event_id in event_ids:
            payload = {
                "id": event_id,
                "object": "event",
                "api_version": "2020-08-27",
                "created": int(time.time()),
                "livemode": False,
                "pending_webhooks": 1,
                "type": "payment_intent.succeeded",
                "data": {"object": json.loads(str(intent))},
            }
            pair.append(Delivery(number, payment.pk, event_id, mode, adjacent, payment.kind, payload))
            number += 1
        units.extend([pair] if adjacent else [[pair[0]], [pair[1]]])
    rng.shuffle(units)
    return [delivery for unit in units for delivery in unit]


def signed_headers(body: bytes) -> dict:
    import stripe

    timestamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{body.decode()}", WEBHOOK_SECRET)
    return {"Content-Type": "application/json; charset=utf-8", "Stripe-Signature": f"t={timestamp},v1={signature}"}


def send_all(port: int, deliveries: list[Delivery], senders: int) -> float:
    """``senders`` threads take deliveries from one queue; 5xx and connection errors retried."""
    todo: queue.Queue = queue.Queue()
    for delivery in deliveries:
        todo.put(delivery)
    barrier = threading.Barrier(senders + 1)

    def sender() -> None:
        barrier.wait()
        while True:
            try:
                delivery = todo.get_nowait()
            except queue.Empty:
                return
            body = json.dumps(delivery.payload).encode()
            for attempt in range(MAX_RETRIES + 1):
                started = time.perf_counter()
                try:
                    status, response, _headers = http_request(
                        port, "POST", "/stripe/webhook/", body=body, headers=signed_headers(body)
                    )
                    outcome = status
                except OSError as exc:
                    outcome, response = f"{type(exc).__name__}: {exc}", b""
                delivery.attempts.append((started, time.perf_counter(), outcome, response.decode(errors="replace")))
                if (isinstance(outcome, int) and outcome < 500) or attempt == MAX_RETRIES:
                    break
                time.sleep(0.1 * 2**attempt)  # Stripe backs off for hours; kept short here

    threads = [threading.Thread(target=sender, name=f"expéditeur-{n}") for n in range(senders)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def check_invariants(args, payments, deliveries, ticket_type, sold_out) -> list[str]:
    from django.db.models import Count

    from campagnes.models import Payment, PaymentKind, PaymentLog, PaymentStatus, StripeEvent, Ticket, TicketType

    failures, lines = [], []

    def check(ok: bool, text: str) -> None:
        lines.append(f"  [{'ok' if ok else 'ÉCHEC'}] {text}")
        if not ok:
            failures.append(text)

    started_pks = {payment.pk for payment in payments}
    ticket_payments = [p for p in payments if p.kind == PaymentKind.TICKETS]
    check(
        len(ticket_payments) == args.quota and sold_out == args.ticket_buyers - args.quota,
        f"payment_start : {len(ticket_payments)} paiements de billet acceptés, {sold_out} refusés (SoldOut) "
        f"pour {args.ticket_buyers} acheteurs et un quota de {args.quota}",
    )
    check(
        Payment.objects.count() == len(payments),
        f"{Payment.objects.count()} lignes Payment pour {len(payments)} paiements démarrés (aucun doublon)",
    )
    statuses = Counter(Payment.objects.filter(pk__in=started_pks).values_list("status", flat=True))
    check(statuses == Counter({PaymentStatus.SUCCEEDED: len(payments)}), f"statuts : {dict(statuses)}")
    succeeded_logs = dict(PaymentLog.objects.filter(action="succeeded").values_list("payment").annotate(n=Count("pk")))
    once = sum(1 for pk in started_pks if succeeded_logs.get(pk) == 1)
    twice = {pk: n for pk, n in succeeded_logs.items() if n != 1}
    check(
        once == len(payments) and not twice,
        f"{once}/{len(payments)} paiements avec exactement une ligne PaymentLog « succeeded »"
        + (f", plusieurs pour {twice}" if twice else ""),
    )
    intents = Counter(Payment.objects.values_list("stripe_payment_intent", flat=True))
    missing = intents.pop(None, 0) + intents.pop("", 0)
    shared = sum(1 for n in intents.values() if n > 1)
    check(
        not missing and not shared,
        f"{len(intents)} PaymentIntent distincts enregistrés, {missing} paiement(s) sans "
        f"PaymentIntent, {shared} PaymentIntent partagé(s)",
    )
    ticket_type = TicketType.objects.get(pk=ticket_type.pk)
    succeeded_tickets = Payment.objects.filter(kind=PaymentKind.TICKETS, status=PaymentStatus.SUCCEEDED).count()
    check(
        ticket_type.sold <= ticket_type.quota and ticket_type.sold == succeeded_tickets,
        f"billets : vendus {ticket_type.sold}, quota {ticket_type.quota}, paiements de billet réussis {succeeded_tickets}",
    )
    tickets = Ticket.objects.count()
    check(tickets == succeeded_tickets, f"{tickets} lignes Ticket pour {succeeded_tickets} paiements de billet réussis")
    distinct_ids = {delivery.event_id for delivery in deliveries}
    events = StripeEvent.objects.filter(event_id__in=distinct_ids)
    unprocessed = events.filter(processed_at=None).count()
    check(
        StripeEvent.objects.count() == len(distinct_ids) and unprocessed == 0,
        f"{StripeEvent.objects.count()} lignes StripeEvent pour {len(distinct_ids)} ids d'événement distincts, "
        f"{unprocessed} non traitées",
    )
    final = Counter(str(delivery.attempts[-1][2]) for delivery in deliveries)
    check(set(final) == {"200"}, f"réponse finale par livraison : {dict(final)}")
    print("\n".join(lines))
    return failures


def report_deliveries(deliveries: list[Delivery], wall_s: float, senders: int) -> dict:
    from campagnes.models import StripeEvent

    attempts = [attempt for delivery in deliveries for attempt in delivery.attempts]
    first_statuses = Counter(str(delivery.attempts[0][2]) for delivery in deliveries)
    retries = sum(len(delivery.attempts) - 1 for delivery in deliveries)
    non_2xx = [
        (delivery.event_id, attempt[2], attempt[3][:120])
        for delivery in deliveries
        for attempt in delivery.attempts
        if not (isinstance(attempt[2], int) and 200 <= attempt[2] < 300)
    ]
    per_attempt = [(end - start) * 1000 for start, end, _status, _body in attempts]
    per_delivery = [(d.attempts[-1][1] - d.attempts[0][0]) * 1000 for d in deliveries]
    processed = {
        kind: [
            (end - start) * 1000
            for d in deliveries
            for start, end, status, body in d.attempts
            if status == 200 and body.startswith("paiement ") and (kind == "tous" or d.kind == kind)
        ]
        for kind in ("tous", "billetterie", "don")
    }
    replays = [
        (end - start) * 1000
        for d in deliveries
        for start, end, status, body in d.attempts
        if status == 200 and body == "déjà traité"
    ]
    outcomes = Counter(re.sub(r"\d+", "N", attempt[3][:40]) for attempt in attempts)

    # two deliveries of one payment in flight at the same time
    by_payment = defaultdict(list)
    for delivery in deliveries:
        by_payment[delivery.payment_pk].append(delivery)
    overlapping = {"même id": 0, "deux ids": 0}
    replayed_twice = 0  # the same event id dispatched by both deliveries (neither answered "déjà traité")
    for pair in by_payment.values():
        first, second = pair
        if first.attempts[0][0] < second.attempts[-1][1] and second.attempts[0][0] < first.attempts[-1][1]:
            overlapping[first.mode] += 1
        if first.mode == "même id" and all(d.attempts[-1][3].startswith("paiement ") for d in pair):
            replayed_twice += 1

    server = []
    for received, done in StripeEvent.objects.filter(event_id__startswith="evt_bench_").values_list(
        "received_at", "processed_at"
    ):
        if done:
            server.append((done - received).total_seconds() * 1000)

    print(
        f"  {len(deliveries)} livraisons, {senders} expéditeurs, {len(attempts)} requêtes HTTP, {retries} nouvelles tentatives"
    )
    print(f"  première réponse par livraison : {dict(first_statuses)} ; réponses (corps) : {dict(outcomes)}")
    print(
        f"  paires d'un même paiement traitées en même temps : {overlapping['même id']} (même id d'événement), "
        f"{overlapping['deux ids']} (deux ids)"
    )
    same_id = sum(1 for pair in by_payment.values() if pair[0].mode == "même id")
    print(
        f"  événements livrés deux fois sous le même id et traités deux fois (aucune des deux réponses « déjà traité ») : "
        f"{replayed_twice}/{same_id}"
    )
    print(f"  durée totale {wall_s:.2f} s, débit {len(deliveries) / wall_s:.1f} livraisons/s")
    print(f"  temps par requête HTTP (client)       : {summary(per_attempt)}")
    print(f"  temps par livraison, tentatives comprises : {summary(per_delivery)}")
    print(f"    dont traitées (réponse « paiement N »)   : {summary(processed['tous'])}")
    print(f"      billets (e-mail avec QR code)      : {summary(processed['billetterie'])}")
    print(f"      dons                               : {summary(processed['don'])}")
    print(f"    dont rejeux « déjà traité »         : {summary(replays)}")
    print(f"  traitement serveur (StripeEvent.received_at → processed_at) : {summary(server)}")
    if non_2xx:
        print(f"  réponses non 2xx ({len(non_2xx)}) :")
        for event_id, status, body in non_2xx[:10]:
            print(f"    {event_id} : {status} {body!r}")
    return {"per_attempt": per_attempt, "per_delivery": per_delivery, "non_2xx": non_2xx, "retries": retries}


# -- the donor's journey in the demo setup -----------------------------------------------------
def _cookie(headers, name: str) -> str:
    for key, value in headers:
        if key.lower() == "set-cookie" and value.startswith(f"{name}="):
            return value.split(";", 1)[0].split("=", 1)[1]
    return ""


def donor_journeys(args, port: int, donation, stripe_client) -> tuple[list[dict], list[str]]:
    """GET the page, then timed: POST the form, confirm the card at localstripe, POST confirmer/."""
    from campagnes.models import Payment, PaymentStatus

    path = donation.get_url_parts()[2]
    runs, failures = [], []
    for number in range(args.warmup + args.clicks):
        source = f"127.0.0.{20 + number}"  # one address per donor: the 20 attempts/hour/IP limit stays out of the way
        status, body, headers = http_request(port, "GET", path, source=source)
        csrf_cookie = _cookie(headers, "csrftoken")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or not csrf_cookie or not token:
            failures.append(f"page de campagne : {status}, cookie CSRF {'présent' if csrf_cookie else 'absent'}")
            break
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "amount": "20",
                "frequency": "once",
                "first_name": "Camille",
                "last_name": f"Démo {number}",
                "email": f"camille{number}@exemple.org",
                "street_address": "1 rue de la Paix",
                "postal_code": "62000",
                "city": "Arras",
                "consent": "on",
            }
        ).encode()
        cookie = {"Cookie": f"csrftoken={csrf_cookie}"}
        t0 = time.perf_counter()
        status, body, _h = http_request(
            port,
            "POST",
            path,
            body=form,
            source=source,
            headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        t1 = time.perf_counter()
        secret = re.search(rb'data-client-secret="([^"]+)"', body)
        action = re.search(rb'id="payment-form" method="post" action="([^"]+)"', body)
        if status != 200 or not secret or not action:
            failures.append(f"POST du formulaire de don : {status} {body[:200]!r}")
            break
        secret = secret.group(1).decode()
        stripe_client.v1.setup_intents.confirm(
            secret.split("_secret_")[0],
            params={
                "client_secret": secret,
                "payment_method_data": {
                    "type": "card",
                    "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"},
                },
            },
        )
        t2 = time.perf_counter()
        confirm = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1).decode()}).encode()
        status, body, headers = http_request(
            port,
            "POST",
            action.group(1).decode(),
            body=confirm,
            source=source,
            headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        t3 = time.perf_counter()
        location = {k.lower(): v for k, v in headers}.get("location", "")
        payment = Payment.objects.get(stripe_setup_intent=secret.split("_secret_")[0])
        if status != 302 or payment.status != PaymentStatus.SUCCEEDED:
            failures.append(f"confirmation : {status}, paiement {payment.status}")
            break
        thanks_status, _b, _h = http_request(port, "GET", location, source=source)
        t4 = time.perf_counter()
        if thanks_status != 200:
            failures.append(f"page de remerciement : {thanks_status}")
        if number >= args.warmup:
            runs.append(
                {
                    "payment": payment.pk,
                    "form": (t1 - t0) * 1000,
                    "card": (t2 - t1) * 1000,
                    "confirm": (t3 - t2) * 1000,
                    "recorded": (t3 - t0) * 1000,
                    "thanks": (t4 - t0) * 1000,
                }
            )
        time.sleep(args.pause)
    return runs, failures


def wait_for_localstripe_webhooks(payment_pks: list[int], timeout: float = 15) -> tuple[int, int]:
    """localstripe posts its own payment_intent.succeeded about 1 s after each charge."""
    from campagnes.models import Payment, StripeEvent

    outcomes = {f"paiement {pk}" for pk in payment_pks}
    deadline = time.monotonic() + timeout
    while True:
        done = StripeEvent.objects.filter(type="payment_intent.succeeded", outcome__in=outcomes).exclude(
            processed_at=None
        )
        if done.count() >= len(payment_pks) or time.monotonic() > deadline:
            return done.count(), Payment.objects.filter(pk__in=payment_pks).count()
        time.sleep(0.3)


# -- main --------------------------------------------------------------------------------------
def main() -> int:
    global PG_SERVER  # noqa: PLW0603 (--pg)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ticket-buyers", type=int, default=100, help="Paiements de billet tentés (100).")
    parser.add_argument("--quota", type=int, default=50, help="Quota du type de billet (50).")
    parser.add_argument("--donations", type=int, default=50, help="Dons démarrés (50).")
    parser.add_argument("--senders", type=int, default=4, help="Expéditeurs concurrents (4).")
    parser.add_argument("--clicks", type=int, default=20, help="Parcours de donateur mesurés (20).")
    parser.add_argument("--warmup", type=int, default=2, help="Parcours d'échauffement non comptés (2).")
    parser.add_argument("--pause", type=float, default=0.1, help="Pause entre deux donateurs, en s (0,1).")
    parser.add_argument("--seed", type=int, default=1, help="Graine de l'ordre des livraisons (1).")
    parser.add_argument("--timeout", type=float, default=600, help="Durée maximale de la mesure, en s (600).")
    parser.add_argument("--keep", action="store_true", help=f"Garder la base {DB_NAME} et les journaux.")
    parser.add_argument("--pg", default=PG_SERVER, help=f"Serveur PostgreSQL, sans nom de base ({PG_SERVER}).")
    args = parser.parse_args()
    PG_SERVER = args.pg.rstrip("/")
    if args.ticket_buyers < args.quota:
        parser.error("--ticket-buyers doit dépasser --quota pour que le quota soit atteint")

    def on_timeout() -> None:
        print(f"\nÉCHEC : la mesure dépasse {args.timeout:.0f} s ; arrêt.", flush=True)
        stop_children()
        if not args.keep:
            drop_database()
        os._exit(3)

    watchdog = threading.Timer(args.timeout, on_timeout)
    watchdog.daemon = True
    watchdog.start()

    create_database()
    tmp = Path(tempfile.mkdtemp(prefix="kollektif-bench-webhooks-"))
    try:
        return run(args, tmp)
    finally:
        watchdog.cancel()
        stop_children()
        if args.keep:
            print(f"\nBase {DB_NAME} et journaux gardés ({tmp}).")
        else:
            drop_database()
            shutil.rmtree(tmp, ignore_errors=True)


def run(args, tmp: Path) -> int:
    from site_kollektif import localstripe_server

    stripe_port, app_port = localstripe_server.free_port(), localstripe_server.free_port()
    stripe_base = f"http://127.0.0.1:{stripe_port}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "site_kollektif.settings.test",
            "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
            "STRIPE_API_BASE": stripe_base,
            "STRIPE_JS_URL": f"{stripe_base}/js.stripe.com/v3/",
            "STRIPE_SECRET_KEY": SECRET_KEY,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_CONNECT_ENABLED": "0",
        }
    )
    children.append(localstripe_server.start(stripe_port, log_path=str(tmp / "localstripe.log")))

    import django

    django.setup()
    import stripe
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    assert settings.STRIPE_API_BASE == stripe_base and not settings.DEBUG
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(
        f"== PostgreSQL {connection.pg_version // 10000}, base {DB_NAME} : migrate {time.perf_counter() - t0:.1f} s ; "
        f"localstripe sur le port {stripe_port}",
        flush=True,
    )
    server_log = tmp / "runserver.log"
    start_app_server(app_port, dict(os.environ), server_log)
    print(f"== manage.py runserver (threadé) sur http://127.0.0.1:{app_port}/, journal {server_log}", flush=True)

    stripe_client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": stripe_base})
    association, ticketing, donation, ticket_type = setup_campaigns(args)
    payments, sold_out, intents, start_s, charge_s = start_and_charge_payments(
        args, association, ticketing, donation, ticket_type, stripe_client
    )
    print(
        f"== {len(payments)} paiements démarrés par payment_start ({sold_out} SoldOut) en {start_s:.1f} s, "
        f"débités à localstripe sans notre vue de confirmation en {charge_s:.1f} s",
        flush=True,
    )

    deliveries = build_deliveries(payments, intents, args.seed)
    load_before = os.getloadavg()[0]
    print(
        f"\n== {len(deliveries)} webhooks payment_intent.succeeded, {args.senders} expéditeurs concurrents", flush=True
    )
    wall_s = send_all(app_port, deliveries, args.senders)
    report_deliveries(deliveries, wall_s, args.senders)
    print("\n== Invariants")
    failures = check_invariants(args, payments, deliveries, ticket_type, sold_out)

    print(
        f"\n== Parcours du donateur dans la configuration de démo ({args.clicks} dons de 20 €, webhook localstripe "
        "enregistré comme dev.py demo)",
        flush=True,
    )
    localstripe_server.register_webhook(
        stripe_port, url=f"http://127.0.0.1:{app_port}/stripe/webhook/", secret=WEBHOOK_SECRET
    )
    runs, journey_failures = donor_journeys(args, app_port, donation, stripe_client)
    failures += journey_failures
    if runs:
        for key, label in (
            ("form", "POST du formulaire → page de carte"),
            ("card", "carte confirmée à localstripe"),
            ("confirm", "POST confirmer/ → 302 (paiement enregistré)"),
            ("recorded", "clic → paiement enregistré"),
            ("thanks", "clic → page « Merci » affichée"),
        ):
            print(f"  {label:45} : {summary([run[key] for run in runs])}")
        from campagnes.models import PaymentLog

        pks = [run["payment"] for run in runs]
        webhooks, _count = wait_for_localstripe_webhooks(pks)
        logs = Counter(PaymentLog.objects.filter(payment__in=pks, action="succeeded").values_list("payment", flat=True))
        ok = webhooks == len(pks) and all(logs[pk] == 1 for pk in pks)
        print(
            f"  [{'ok' if ok else 'ÉCHEC'}] webhook de localstripe reçu et traité pour {webhooks}/{len(pks)} dons, "
            f"une seule ligne « succeeded » chacun : {sorted(set(logs.values()))}"
        )
        if not ok:
            failures.append("webhooks localstripe du parcours de démo")
    for failure in journey_failures:
        print(f"  ÉCHEC : {failure}")

    log = server_log.read_text(errors="replace")
    statuses = Counter(re.findall(r'"POST /stripe/webhook/ HTTP/1\.[01]" (\d{3})', log))
    errors = log.count("Internal Server Error:")
    print(f"\n== Journal de runserver : POST /stripe/webhook/ par statut {dict(statuses)}, {errors} erreur(s) 500")
    if errors:
        first = log.index("Internal Server Error:")
        tail = log[first:].split("\nInternal Server Error:", 2)[0]
        print("   première erreur :\n" + "\n".join(f"   | {line}" for line in tail.splitlines()[-12:]))
        failures.append(f"{errors} erreur(s) 500 dans le journal du serveur")
    print(
        f"   charge (loadavg 1 min) avant / après : {load_before:.2f} / {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPU"
    )

    if failures:
        print(f"\nÉCHEC : {len(failures)} invariant(s) non tenu(s).")
        return 1
    print("\nOK : chaque paiement enregistré une fois, aucun billet survendu, aucune réponse 5xx définitive.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
