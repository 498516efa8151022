"""Journeys by keyboard alone (issue #17), counted in Tab presses: what axe cannot see.

A donor submits the campaign form wrong, then pays with a declined card; a visitor opens an
actor's popup on the map and comes back; a visitor reaches the network's list of links. Each
test measures the Tab presses the journey takes, prints them and asserts an upper bound, then
checks what a screen-reader user hears (focus position, accessible names, live regions).
"""

from __future__ import annotations

import os

import pytest

from associations.factories import make_eligible
from campagnes.models import DonationCampaignPage
from tests.browser.test_annuaire import directory  # noqa: F401 (fixture)
from tests.browser.test_visual_accessibility import _contrast

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("KOLLEKTIF_SHOTS", "")  # where to save screenshots to look at

FOCUSED_TAG = (
    "(() => { const e = document.activeElement; return e ? e.tagName + '#' + e.id + '.' + e.className : '' })()"
)


def tabs_until(page, predicate: str, limit: int = 150, key: str = "Tab") -> int | None:
    """Press Tab until the JS ``predicate`` (on ``el``, the focused element) holds; None if never."""
    check = f"(() => {{ const el = document.activeElement; return !!(el && ({predicate})); }})()"
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if page.evaluate(check):
            return presses
    return None


def report(journey: str, presses: int | None) -> None:
    print(f"\nTABS {journey}: {presses}")  # noqa: T201 (figures for the closing note, shown with -s)


@pytest.fixture
def donation(association_a, stripe_settings):
    make_eligible(association_a)  # a tax receipt: the address is required
    support = association_a.home_page.get_children().get(slug="nous-aider").specific
    page = DonationCampaignPage(
        title="Une machine à coudre", slug="machine", goal="1500", suggested_amounts="10, 20, 50"
    )
    support.add_child(instance=page)
    return page


def test_donation_with_an_error_then_a_declined_card(phone_page, donation):
    page = phone_page
    page.goto(donation.url)
    # a wrong submit: "Autre montant" without an amount, nothing else filled in
    page.get_by_label("Autre montant", exact=True).check()
    page.get_by_role("button", name="Continuer vers le paiement").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".error-summary")
    summary_focused = page.evaluate("document.activeElement.classList.contains('error-summary')")
    to_first_error = tabs_until(page, "el.closest('.error-summary') && el.tagName === 'A'")
    report("donation form error -> first error link", to_first_error)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}-375-erreurs.png")
    assert summary_focused, "the error summary takes the focus on load"
    assert to_first_error == 1
    assert page.title().startswith("Erreur : ")
    # the summary lists one message per field, in the order of the fields on the page
    links = page.locator(".error-summary__list a")
    targets = [href.lstrip("#") for href in links.evaluate_all("(as) => as.map((a) => a.getAttribute('href'))")]
    assert len(targets) == len(set(targets)), targets
    order = page.evaluate(
        "(ids) => ids.map((id) => Array.from(document.querySelectorAll('form [id]')).indexOf(document.getElementById(id)))",
        targets,
    )
    assert order == sorted(order) and -1 not in order, (targets, order)
    assert targets[0] == "id_amount"
    # each field in error says so, its message read with it
    amount = page.locator("#id_amount")
    assert amount.get_attribute("aria-invalid") == "true"
    assert "Choisissez ou indiquez un montant" in page.evaluate(
        "(el) => el.getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id).textContent).join(' ')",
        amount.element_handle(),
    )
    amount_group = page.locator("fieldset.amount-choices")
    assert "Choisissez ou indiquez un montant" in _description(page, amount_group)
    street = page.locator("#id_street_address")
    assert street.get_attribute("aria-invalid") == "true"
    assert page.locator("#id_street_address_champ .errorlist li").count() == 1
    # following the link puts the focus in the field
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_amount"

    # corrected, then a declined card
    for name, value in [
        ("amount", "20"),
        ("first_name", "Léa"),
        ("last_name", "Dupont"),
        ("email", "lea@exemple.org"),
        ("street_address", "3 rue des Lilas"),
        ("postal_code", "62400"),
        ("city", "Béthune"),
    ]:
        page.locator(f"input[name={name}]").fill(value)
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Continuer vers le paiement").click()
    page.wait_for_selector("#card-element input")
    assert page.title().startswith("Paiement par carte")
    number = page.locator("#card-element input[placeholder=number]")

    # a card number the bank cannot read: the payer stays on the page
    _type_card(page, "4242")
    pay = page.get_by_role("button", name="Payer")
    pay.focus()
    page.keyboard.press("Enter")
    page.locator("#card-errors:not(:empty)").wait_for()
    focus_after = page.evaluate(FOCUSED_TAG)
    on_card = "el.closest('#card-element') !== null"
    to_card = 0 if page.evaluate(f"(() => {{ const el = document.activeElement; return {on_card}; }})()") else None
    if to_card is None:
        to_card = tabs_until(page, on_card)
    report("unreadable card -> card field", to_card)
    assert page.evaluate("document.activeElement.closest('#payment-form') !== null"), focus_after
    if SHOTS:
        page.screenshot(path=f"{SHOTS}-375-carte-illisible.png", full_page=True)
    assert to_card == 0, focus_after
    # the card field has a real label, its errors read with it, and the result was announced
    assert number.evaluate("(el) => el.closest('[role=group]').getAttribute('aria-labelledby')") == "card-label"
    assert page.locator("#card-label").inner_text() == "Carte bancaire"
    assert page.locator("#card-element").get_attribute("aria-describedby") == "card-errors"
    live = page.locator("#payment-status")
    assert live.get_attribute("role") == "status"
    assert live.inner_text() == "Le paiement n’a pas abouti : aucun montant n’a été débité."
    assert pay.get_attribute("aria-disabled") is None  # ready again

    # a declined card: the page that says so takes the focus on its message
    _type_card(page, "4000000000000002")
    pay.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/merci/")
    assert page.title().startswith("Erreur : Le paiement n'a pas abouti")
    message_focused = page.evaluate("document.activeElement.classList.contains('alert--error')")
    to_retry = tabs_until(page, "el.textContent.trim() === 'Réessayer'")
    report("declined card page -> Réessayer", to_retry)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}-375-carte-refusee.png")
    assert message_focused
    assert to_retry == 1


def _type_card(page, number: str) -> None:
    for placeholder, value in [
        ("number", number),
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", "123"),
        ("postal_code", "62400"),
    ]:
        page.locator(f"#card-element input[placeholder={placeholder}]").fill(value)


def test_payment_status_is_announced_while_the_bank_answers(phone_page, donation):
    """Between the press on "Payer" and the bank's answer, the live region says so, the button
    keeps the focus (not disabled, so the focus does not fall to the page)."""
    page = phone_page
    page.goto(donation.url)
    for name, value in [
        ("first_name", "Léa"),
        ("last_name", "Dupont"),
        ("email", "lea@exemple.org"),
        ("street_address", "3 rue des Lilas"),
        ("postal_code", "62400"),
        ("city", "Béthune"),
    ]:
        page.locator(f"input[name={name}]").fill(value)
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Continuer vers le paiement").click()
    page.wait_for_selector("#card-element input")
    announced = []
    page.expose_function("kollektifHeard", lambda text, focused: announced.append((text, focused)))
    page.evaluate(
        """() => {
        const live = document.getElementById('payment-status');
        new MutationObserver(() => window.kollektifHeard(live.textContent, document.activeElement.id))
            .observe(live, {childList: true, subtree: true, characterData: true});
    }"""
    )
    for placeholder, value in [
        ("number", "4242424242424242"),
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", "123"),
        ("postal_code", "62400"),
    ]:
        page.locator(f"#card-element input[placeholder={placeholder}]").fill(value)
    page.get_by_role("button", name="Payer").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/merci/")
    assert announced[0] == ("Paiement en cours…", "pay-button"), announced
    assert page.title().startswith("Merci !")
    assert page.locator("h1").inner_text() == "Merci !"


def _description(page, locator) -> str:
    return page.evaluate(
        "(el) => (el.getAttribute('aria-describedby') || '').split(' ').filter(Boolean)"
        ".map((id) => document.getElementById(id)?.textContent || '').join(' ')",
        locator.element_handle(),
    )


def test_directory_map_popup_and_back_by_keyboard(page, directory):  # noqa: F811
    page.goto("/annuaire/?vue=carte")
    page.wait_for_selector("#carte[data-ready='1']")
    # Leaflet's controls speak French
    assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "Zoom avant"
    assert page.locator(".leaflet-control-zoom-out").get_attribute("title") == "Zoom arrière"
    # clusters are named by their number of actors, their number readable
    clusters = page.evaluate(
        """() => Array.from(document.querySelectorAll('.marker-cluster')).map((c) =>
            [c.textContent.trim(), c.getAttribute('aria-label'), c.getAttribute('role')])"""
    )
    assert clusters
    for count, label, role in clusters:
        assert (label, role) == (f"{count} acteurs, zoomer pour les voir", "button")
    number = page.locator(".marker-cluster span").first
    assert _contrast(page, number)["text"] >= 4.5  # axe finds the digits too short to rate
    # Lens, close enough that its three actors show as markers
    # The first fitBounds may still be animating and put its own view back: set it until it holds.
    for _attempt in range(10):
        page.evaluate(
            "window.kollektifMap.map.stop(); window.kollektifMap.map.setView([50.43, 2.84], 14, {animate: false})"
        )
        page.wait_for_timeout(400)
        if page.evaluate("document.querySelectorAll('.leaflet-marker-icon:not(.marker-cluster)').length"):
            break
    page.locator("#carte").focus()
    to_marker = tabs_until(
        page, "el.classList.contains('leaflet-marker-icon') && !el.classList.contains('marker-cluster')"
    )
    marker_name = page.evaluate("document.activeElement.getAttribute('title')")
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup-content")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}-1280-popup.png")
    focus_in_popup = page.evaluate("document.activeElement.closest('.leaflet-popup') !== null")
    to_link = 0 if page.evaluate("document.activeElement.matches('.map-popup__link a')") else None
    if to_link is None:
        to_link = tabs_until(page, "el.matches('.map-popup__link a')", limit=40)
    report("map: container -> marker", to_marker)
    report("map: marker popup -> its link", to_link)
    assert focus_in_popup, "opening the popup moves the focus into it"
    assert to_link is not None and to_link <= 1
    link = page.evaluate("document.activeElement.textContent")
    assert marker_name in link
    # Escape from inside the popup closes it and gives the focus back to the marker
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    assert page.evaluate("document.activeElement.getAttribute('title')") == marker_name
    # the close button, too, is French and returns the focus
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup-content")
    close = page.locator(".leaflet-popup-close-button")
    assert close.get_attribute("aria-label") == "Fermer"
    close.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup", state="detached")
    assert page.evaluate("document.activeElement.getAttribute('title')") == marker_name


def test_network_graph_and_list_by_keyboard(page, directory):  # noqa: F811
    page.goto("/reseau/")
    page.wait_for_selector("#reseau-graphe[data-ready='1']")
    to_graph = tabs_until(page, "el.id === 'reseau-graphe'")
    page.goto("/reseau/")
    page.wait_for_selector("#reseau-graphe[data-ready='1']")
    to_list = tabs_until(page, "el.closest('.link-table') && el.tagName === 'A'")
    report("network: top -> graph", to_graph)
    report("network: top -> first link of the list", to_list)
    graph = page.locator("#reseau-graphe")
    assert graph.get_attribute("role") == "application"
    instructions = _description(page, graph)
    assert "N et P" in instructions and "flèches" in instructions
    assert page.locator("#reseau-aide").is_visible()  # told to everyone, not only to screen readers
    # the skip link to the list
    page.goto("/reseau/")
    page.wait_for_selector("#reseau-graphe[data-ready='1']")
    to_skip = tabs_until(page, "el.getAttribute('href') === '#liste-liens'")
    page.keyboard.press("Enter")
    after_skip = tabs_until(page, "el.closest('.link-table') && el.tagName === 'A'")
    report("network: top -> skip link to the list", to_skip)
    report("network: after the skip link -> first link of the list", after_skip)
    assert to_skip is not None and to_skip + after_skip <= 14
    # column headers say which way the link goes
    headers = page.locator(".link-table thead th").all_inner_texts()
    assert headers == ["De", "Lien", "Vers", "Origine"]
    # the legend is a region named by its heading (an aria-label on a plain div is ignored)
    legend = page.locator(".network-legend")
    assert legend.get_attribute("aria-label") is None
    assert page.get_by_role("region", name="Types de liens").count() == 1
    # N selects an actor and says which one
    graph.focus()
    page.keyboard.press("n")
    assert page.locator("#reseau-fiche a").count() == 1
