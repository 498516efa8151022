"""Signing up to a meeting from its public page on a 375 px phone, then axe-core on the page."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from annuaire.factories import MeetingFactory
from annuaire.models import MeetingRegistration, MeetingStatus
from tests.annuaire.conftest import load_directory_reference_data

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/work/wt/shots/s14d")
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def test_register_from_the_public_page_on_a_phone(phone_page, reference_data):
    load_directory_reference_data()
    starts_at = timezone.now() + timedelta(days=8)
    meeting = MeetingFactory(
        title="Paroles de comptoir à Lens",
        status=MeetingStatus.ANNOUNCED,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        capacity=12,
        expert="Une juriste de l'URSCOP",
        expert_presentation="Accompagne les coopératives du territoire.",
        summary="",
    )
    page = phone_page
    page.goto("/rencontres/")
    assert "12 places restantes" in page.inner_text("main")
    page.get_by_role("link", name="Paroles de comptoir à Lens").click()
    page.get_by_label("Votre nom").fill("Camille Martin")
    page.get_by_label("Votre e-mail").fill("camille@exemple.org")
    page.get_by_label("Votre structure").fill("BookKafé")
    page.get_by_label("J'accepte", exact=False).check()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "meeting-registration-form-375.png"), full_page=True)
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    page.get_by_role("button", name="Je m’inscris").click()
    page.get_by_role("heading", name="Vous êtes inscrit·e").wait_for()
    assert "camille@exemple.org" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "meeting-registered-375.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    assert MeetingRegistration.objects.filter(meeting=meeting, email="camille@exemple.org").exists()
    page.goto(meeting.get_absolute_url())
    assert "11 places restantes" in page.inner_text("main")
