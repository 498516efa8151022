"""A volunteer logs in, edits Accueil, adds an image, publishes, and sees it on the public site."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from associations.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(page, name):
    shots = Path(os.environ.get("KOLLEKTIF_SHOTS", "/work/wt/shots/ed"))
    if shots.exists():
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def _png_file(tmp_path):
    path = tmp_path / "atelier-couture.png"
    image = Image.new("RGB", (320, 200), (160, 40, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_volunteer_edits_accueil_with_an_image_and_publishes(page, association_a, editor_a, tmp_path):
    page.goto("/comptes/login/?next=/admin/")
    page.fill("input[name=login]", editor_a.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")

    home_id = association_a.home_page_id
    page.goto(f"/admin/pages/{home_id}/edit/")
    page.fill("textarea[name=introduction]", "Bienvenue aux ateliers de couture du mercredi !")

    # choose a cover image: upload it from the chooser
    page.get_by_role("button", name="Choisir une image").click()
    page.wait_for_selector(".modal-content")
    page.get_by_role("tab", name="Transférer").click()
    page.locator(".modal input[type=file]").set_input_files(str(_png_file(tmp_path)))
    page.locator(".modal input[name='image-chooser-upload-title']").fill("Atelier couture")
    page.locator(".modal form[enctype='multipart/form-data'] button[type=submit]").click()
    page.wait_for_selector(".modal-content", state="detached")

    publish = page.locator("button[name=action-publish]")
    if not publish.is_visible():
        page.locator("[data-w-dropdown-target=toggle]").last.click()
    # She lands on her own pages (the explorer of her Accueil), not on the explorer of the
    # platform page above it, which she may not see.
    landing = f"/admin/pages/{home_id}/"
    with page.expect_response(lambda response: response.url.endswith(landing)) as answer:
        publish.click()
    assert answer.value.status == 200
    page.wait_for_url(f"**{landing}")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "La page « Popeline » a été publiée." in page.inner_text(".messages").replace("\xa0", " ")
    assert page.get_by_role("link", name="Actualités").first.is_visible()
    _shot(page, "editeur-publie-1280")
    page.set_viewport_size({"width": 375, "height": 740})
    page.reload()  # Wagtail lays its admin out for a phone on load
    assert page.locator("html").get_attribute("lang") == "fr"
    _shot(page, "editeur-publie-375")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/association/popeline/")
    _shot(page, "popeline-publique-1280")
    assert "Bienvenue aux ateliers de couture du mercredi !" in page.content()
    cover = page.locator("img[src*='atelier-couture']")
    assert cover.count() >= 1
    from wagtail.images import get_image_model

    assert get_image_model().objects.get(title="Atelier couture").collection_id == association_a.collection_id
