"""A volunteer at the door, on a phone (375 px): types a code, reads a full-screen green or red answer;
then the same with the phone's camera, fed a QR code through Chromium's fake video device.

Screenshots of both answers are saved under /work/wt/shots/mem/ when that folder exists.
"""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from associations.factories import DEFAULT_PASSWORD, UserFactory
from campagnes.models import (
    MembershipCampaignPage,
    MembershipTier,
    Payment,
    PaymentKind,
    PaymentStatus,
    Ticket,
    TicketingCampaignPage,
    TicketType,
)
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("KOLLEKTIF_SHOTS", "/work/wt/shots/mem"))
CHECK_IN = "/admin/billets/controle/"


def _shot(page, name: str) -> None:
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / name))


@pytest.fixture
def door(association_a):
    """A treasurer, a concert, and three tickets of one payment: one refunded."""
    user = UserFactory(email="accueil-a@exemple.org")
    user.groups.add(association_a.treasurers_group)
    support = association_a.home_page.get_children().get(slug="nous-aider").specific
    event = TicketingCampaignPage(
        title="Concert au jardin", slug="concert", event_starts_at=timezone.now() + timedelta(hours=2), place="Lens"
    )
    event.ticket_types.add(TicketType(name="Plein tarif", price=Decimal("8"), quota=50))
    event.ticket_types.add(TicketType(name="Tarif réduit", price=Decimal("4"), quota=50))
    support.add_child(instance=event)
    payment = Payment.objects.create(
        association=association_a,
        campaign=event,
        kind=PaymentKind.TICKETS,
        status=PaymentStatus.PARTIALLY_REFUNDED,
        amount_cents=2000,
        refunded_cents=800,
        first_name="Jean",
        last_name="Lefebvre",
        email="jean@exemple.org",
        paid_at=timezone.now(),
    )
    plein, reduit = event.ticket_types.get(name="Plein tarif"), event.ticket_types.get(name="Tarif réduit")
    tickets = {
        "plein": Ticket.objects.create(payment=payment, association=association_a, ticket_type=plein),
        "reduit": Ticket.objects.create(payment=payment, association=association_a, ticket_type=reduit),
        "rembourse": Ticket.objects.create(
            payment=payment, association=association_a, ticket_type=plein, canceled_at=timezone.now()
        ),
    }
    return {"user": user, "event": event, "tickets": tickets}


def _log_in(page, user) -> None:
    page.goto(f"/comptes/login/?next={CHECK_IN}")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{CHECK_IN}")


def _fills_the_screen(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    viewport = page.viewport_size
    return box is not None and box["width"] >= viewport["width"] - 1 and box["height"] >= viewport["height"] - 1


def test_a_volunteer_types_codes_on_a_phone_and_reads_green_then_red(phone_page, door):
    page = phone_page
    _log_in(page, door["user"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.select_option("select[name=evenement]", str(door["event"].pk))

    page.fill("input[name=code]", door["tickets"]["reduit"].code)
    page.get_by_role("button", name="Valider l'entrée").click()
    answer = page.locator("[data-checkin-result]")
    answer.wait_for()
    assert "kollektif-checkin__fullscreen--ok" in answer.get_attribute("class")
    text = answer.inner_text()
    assert "Entrée validée" in text and "Jean Lefebvre" in text and "Tarif réduit" in text
    assert _fills_the_screen(page, "[data-checkin-result]")
    _shot(page, "checkin-vert-375.png")

    page.get_by_role("link", name="Scanner le billet suivant").click()
    assert answer.is_hidden()  # dismissed at once, the field is ready for the next code

    page.fill("input[name=code]", f"KOLLEKTIF-BILLET:{door['tickets']['rembourse'].code}")
    page.keyboard.press("Enter")
    answer = page.locator("[data-checkin-result]")
    answer.wait_for()
    assert "kollektif-checkin__fullscreen--error" in answer.get_attribute("class")
    text = answer.inner_text()
    assert "Billet remboursé" in text and "Jean Lefebvre" in text and "Plein tarif" in text
    assert _fills_the_screen(page, "[data-checkin-result]")
    _shot(page, "checkin-rouge-rembourse-375.png")

    page.get_by_role("link", name="Scanner le billet suivant").click()
    page.fill("input[name=code]", door["tickets"]["reduit"].code)
    page.keyboard.press("Enter")
    answer = page.locator("[data-checkin-result]")
    answer.wait_for()
    text = answer.inner_text()
    assert "Billet déjà utilisé" in text and "Ce billet a déjà servi le" in text
    _shot(page, "checkin-rouge-deja-utilise-375.png")


def _qr_video(path: Path, content: str) -> Path:
    """A Y4M video (what Chromium's fake camera plays) showing one QR code, centred on white."""
    import segno
    from PIL import Image

    width, height = 640, 480
    qr = segno.make(content, error="m")
    buffer = Path(path.parent / "qr.png")
    qr.save(str(buffer), scale=10, border=4)
    image = Image.open(buffer).convert("L")
    frame = Image.new("L", (width, height), 255)
    frame.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * (width * height // 4)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            video.write(b"FRAME\n" + luma + chroma + chroma)
    return path


def test_the_phone_camera_reads_a_ticket_s_qr_code(browser, live_server, door, tmp_path):
    ticket = door["tickets"]["plein"]
    video = _qr_video(tmp_path / "billet.y4m", f"KOLLEKTIF-BILLET:{ticket.code}")
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    # a second Chromium, started by the session's Playwright, with a fake camera showing the QR code
    camera_browser = browser.browser_type.launch(executable_path=CHROMIUM, args=args, headless=True)
    try:
        context = camera_browser.new_context(
            locale="fr-FR",
            viewport={"width": 375, "height": 740},
            is_mobile=True,
            has_touch=True,
            base_url=live_server.url,
            permissions=["camera"],
        )
        page = context.new_page()
        page.set_default_timeout(20000)
        _log_in(page, door["user"])
        page.get_by_role("button", name="Scanner avec la caméra").click()
        answer = page.locator("[data-checkin-result]")
        answer.wait_for()
        text = answer.inner_text()
        assert "Entrée validée" in text and "Plein tarif" in text and "Jean Lefebvre" in text
        _shot(page, "checkin-camera-vert-375.png")
    finally:
        camera_browser.close()
    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None


def test_the_membership_form_says_the_period_before_paying_on_a_phone(phone_page, association_a):
    """Not the door, but the same phone: the member reads the period under the formulas."""
    support = association_a.home_page.get_children().get(slug="nous-aider").specific
    campaign = MembershipCampaignPage(
        title="Adhésion 2026", slug="adhesion", validity="annee-civile", opens_at=timezone.now() - timedelta(days=1)
    )
    campaign.tiers.add(MembershipTier(name="Individuelle", price=Decimal("15")))
    support.add_child(instance=campaign)
    phone_page.goto(campaign.url)
    year = timezone.localdate().year
    period = phone_page.locator("#periode-adhesion")
    assert f"Valable du 1er janvier au 31 décembre {year}." in period.inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    period.scroll_into_view_if_needed()
    _shot(phone_page, "adhesion-periode-375.png")
