"""The demo shows everything, its console stays readable, and stopping it stops everything."""

from __future__ import annotations

import io
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.mail import EmailMultiAlternatives
from django.test import Client

from campagnes.models import (
    CrowdfundingCampaignPage,
    DonationCampaignPage,
    Membership,
    MembershipCampaignPage,
    Payment,
    Ticket,
    TicketingCampaignPage,
)
from campagnes.selectors import campaign_progress
from site_kollektif.demo_campaigns import load_demo_campaigns
from site_kollektif.demo_console import QuietTaskRuns, SummaryEmailBackend

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_the_demo_association_has_one_campaign_of_each_kind_with_payments(association_a):
    load_demo_campaigns(association_a)
    load_demo_campaigns(association_a)  # idempotent: nothing doubled
    support = association_a.home_page.get_children().get(slug="nous-aider")
    campaigns = [page.specific for page in support.get_children().live()]
    donations = [c for c in campaigns if isinstance(c, DonationCampaignPage)]
    assert any(c.allow_monthly and c.slug == "don-mensuel" for c in donations)
    assert any(c.slug == "soutenir-le-projet" for c in donations)
    assert all(c.amount_notes.exists() for c in donations)
    membership = next(c for c in campaigns if isinstance(c, MembershipCampaignPage))
    assert membership.tiers.count() == 2
    ticketing = next(c for c in campaigns if isinstance(c, TicketingCampaignPage))
    assert ticketing.ticket_types.count() == 2
    collecte = next(c for c in campaigns if isinstance(c, CrowdfundingCampaignPage))
    assert collecte.counterparts.count() >= 2
    percent = campaign_progress(campaign=collecte).percent
    assert 50 <= percent <= 70
    assert Payment.objects.filter(kind="don-mensuel").exists()
    assert Membership.objects.filter(association=association_a).count() == 7
    assert Ticket.objects.filter(ticket_type__page=ticketing).count() == sum(
        t.sold for t in ticketing.ticket_types.all()
    )
    client = Client()
    for campaign in campaigns:
        response = client.get(campaign.url)
        assert response.status_code == 200, campaign.url
        assert "Continuer vers le paiement" in response.content.decode()
    page = client.get(collecte.url).content.decode()
    assert f"{percent} %" in page or f'value="{percent}"' in page
    assert "Ils et elles soutiennent" in page and "Anonyme" in page and "Jeanne" in page
    assert "encore 21 jours" in page or "encore 20 jours" in page
    assert "collectés" not in client.get(ticketing.url).content.decode()


def test_each_email_is_printed_as_a_short_summary():
    stream = io.StringIO()
    message = EmailMultiAlternatives(
        subject="Votre reçu fiscal n° 2026-000042 — Ma super asso démo",
        body="Bonjour,\nRetrouvez vos reçus : http://127.0.0.1:8000/mes-recus/acces/abc123/\n",
        to=["lea@exemple.org"],
    )
    message.attach_alternative(
        '<p><a href="http://127.0.0.1:8000/mes-recus/acces/abc123/">Mes reçus</a> '
        '<a href="http://127.0.0.1:8000/association/ma-super-asso-demo/">Site</a></p>',
        "text/html",
    )
    message.attach("recu-2026-000042.pdf", b"%PDF-1.4 " + b"x" * 5000, "application/pdf")
    assert SummaryEmailBackend(stream=stream).send_messages([message]) == 1
    output = stream.getvalue()
    assert "E-mail à : lea@exemple.org" in output
    assert "Objet : Votre reçu fiscal n° 2026-000042 — Ma super asso démo" in output
    assert output.count("http://127.0.0.1:8000/mes-recus/acces/abc123/") == 1
    assert "http://127.0.0.1:8000/association/ma-super-asso-demo/" in output
    assert "recu-2026-000042.pdf (5 Ko)" in output
    assert "base64" not in output and "Content-Transfer-Encoding" not in output and "=?utf-8?" not in output
    assert len(output.splitlines()) < 12


def test_the_demo_settings_use_the_summary_backend_and_quiet_the_worker():
    from site_kollektif.settings import dev

    assert dev.EMAIL_BACKEND == "site_kollektif.demo_console.SummaryEmailBackend" or os.environ.get("EMAIL_BACKEND")
    assert dev.LOGGING["handlers"]["console"]["filters"] == ["quiet_task_runs"]
    quiet = QuietTaskRuns()
    run = logging.makeLogRecord({"name": "django_tasks", "levelno": logging.INFO, "msg": "Task id=1 state=SUCCEEDED"})
    failure = logging.makeLogRecord({"name": "django_tasks", "levelno": logging.ERROR, "msg": "Task failed"})
    other = logging.makeLogRecord({"name": "kollektif.payments", "levelno": logging.INFO, "msg": "paid"})
    assert not quiet.filter(run) and quiet.filter(failure) and quiet.filter(other)


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                child = int(stat.parent.name)
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs /proc (Linux)")
def test_sigterm_stops_every_process_the_demo_started():
    """dev.py's supervisor, as `dev.py demo` uses it: two long-lived children, one of which starts its
    own child (like runserver's reloader). SIGTERM to dev.py stops all of them."""
    script = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); import dev; "
        "dev.supervise([[sys.executable, '-c', 'import time; time.sleep(120)'], "
        "['sh', '-c', 'sleep 120 & sleep 121; true']])"
    )
    supervisor = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 20
    children: set[int] = set()
    while time.monotonic() < deadline and len(children) < 4:
        time.sleep(0.3)
        children = _descendants(supervisor.pid)
    assert len(children) >= 4, children  # python, sh, and sh's two sleeps
    supervisor.send_signal(signal.SIGTERM)
    assert supervisor.wait(timeout=20) == 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.2)
    assert not [pid for pid in children if _alive(pid)]


@pytest.mark.skipif(os.environ.get("KOLLEKTIF_TEST_DEMO") != "1", reason="KOLLEKTIF_TEST_DEMO=1 : ports 8000/8420")
def test_dev_py_demo_stops_on_sigterm():
    """The real `python3 dev.py demo` (fixed ports 8000 and 8420: run it only when no demo is running)."""
    demo = subprocess.Popen([sys.executable, "dev.py", "demo"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    started = False
    for line in demo.stdout:
        if "Kollektif tourne" in line:
            started = True
            break
    assert started
    time.sleep(5)
    children = _descendants(demo.pid)
    localstripe = [pid for pid in _all_pids() if "localstripe --port 8420" in _cmdline(pid)]
    assert children and localstripe
    demo.send_signal(signal.SIGTERM)
    demo.wait(timeout=30)
    time.sleep(2)
    assert not [pid for pid in [*children, *localstripe] if _alive(pid)]


def _all_pids() -> list[int]:
    return [int(path.name) for path in Path("/proc").glob("[0-9]*")]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
