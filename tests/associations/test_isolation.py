"""An editor of association A never reaches anything of association B in the admin.

The systematic part walks every admin URL that names an object, fills it with B's
objects and asks as A's editor: each must answer 403 or 404. A new admin URL with an
argument this test does not know makes it fail, so nobody forgets to think about it.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.documents import get_document_model
from wagtail.models import Page, UploadedFile

from associations.models import NewsPostPage

pytestmark = pytest.mark.django_db

# Admin URLs that name no object of an association (or only the requesting user's own).
NOT_OBJECT_SPECIFIC = {
    "wagtailadmin_tag_model_autocomplete",
    "wagtailadmin_password_reset_confirm",
    "wagtailadmin_pages:choose_parent",
    "wagtailadmin_workflows:add_task",
    "wagtail_bulk_action",  # ids travel in the query string: tested below
    "wagtailadmin_editing_sessions:release",  # a session belongs to its user, checked by Wagtail
}


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield prefix + str(pattern.pattern), name, namespace or ""


def admin_urls_with_arguments():
    return [
        (route, name, namespace)
        for route, name, namespace in _walk(get_resolver().url_patterns)
        if route.startswith("admin/") and ("<" in route or "(?P" in route)
    ]


@pytest.fixture
def b_objects(association_b, editor_b, image_b):
    home = association_b.home_page
    news_index = home.get_children().get(slug="actualites").specific
    post = NewsPostPage(title="Secret de B", introduction="réservé à B")
    news_index.add_child(instance=post)
    revision = post.save_revision(user=editor_b)
    document_model = get_document_model()
    from django.core.files.base import ContentFile

    document = document_model(title="Statuts de B", collection=association_b.collection)
    document.file.save("statuts-b.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    upload = UploadedFile.objects.create(
        file=ContentFile(b"x", name="brouillon.png"), uploaded_by_user=editor_b, for_content_type=None
    )
    from campagnes.models import DonationCampaignPage, Payment

    campaign = DonationCampaignPage(title="Campagne de B", slug="campagne-b")
    home.get_children().get(slug="nous-aider").add_child(instance=campaign)
    payment = Payment.objects.create(
        association=association_b,
        campaign=campaign,
        kind="don",
        amount_cents=2000,
        first_name="Donatrice",
        last_name="de B",
        email="donatrice-b@exemple.org",
    )
    from datetime import date, timedelta

    from django.utils import timezone

    from campagnes.models import Membership, MembershipCampaignPage, Ticket, TicketingCampaignPage, TicketType

    membership_campaign = MembershipCampaignPage(title="Adhésion à B", slug="adhesion-b")
    home.get_children().get(slug="nous-aider").add_child(instance=membership_campaign)
    membership_payment = Payment.objects.create(
        association=association_b,
        campaign=membership_campaign,
        kind="adhesion",
        status="reussi",
        amount_cents=1500,
        first_name="Adhérente",
        last_name="de B",
        email="adherente-b@exemple.org",
    )
    membership = Membership.objects.create(
        payment=membership_payment,
        association=association_b,
        tier_name="Individuelle",
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
    )
    ticketing = TicketingCampaignPage(
        title="Soirée de B", slug="soiree-b", event_starts_at=timezone.now() + timedelta(days=10), place="Bruay"
    )
    ticketing.ticket_types.add(TicketType(name="Entrée", price=5, quota=10))
    home.get_children().get(slug="nous-aider").add_child(instance=ticketing)
    ticket_payment = Payment.objects.create(
        association=association_b,
        campaign=ticketing,
        kind="billetterie",
        status="reussi",
        amount_cents=500,
        first_name="Spectatrice",
        last_name="de B",
        email="spectatrice-b@exemple.org",
    )
    ticket = Ticket.objects.create(
        payment=ticket_payment, association=association_b, ticket_type=ticketing.ticket_types.get()
    )
    from campagnes.receipts.services import receipt_issue_for_payment

    receipt = receipt_issue_for_payment(membership_payment)
    from kernel.models import OutgoingEmail

    email = OutgoingEmail.objects.create(template="invitation", subject="Invitation de B", to=["invitee-b@exemple.org"])
    from campagnes.models import Mailing

    mailing = Mailing.objects.create(
        association=association_b, subject="AG de B", body="…", audience="adherents-a-jour"
    )
    import datetime

    from django.utils import timezone

    from campagnes.models import StripePayout

    payout = StripePayout.objects.create(
        association=association_b,
        stripe_id="po_isolation_b",
        amount_cents=4200,
        status="paid",
        arrival_date=datetime.date(2026, 11, 2),
        created_at=timezone.now(),
    )
    return {
        "mailing": mailing.pk,
        "payout": payout.pk,
        "email": email.pk,
        "receipt": receipt.pk,
        "payment": payment.pk,
        "membership": membership.pk,
        "ticket": ticket.pk,
        "page": post.pk,
        "home": home.pk,
        "revision": revision.pk,
        "image": image_b.pk,
        "document": document.pk,
        "association": association_b.pk,
        "collection": association_b.collection_id,
        "user": editor_b.pk,
        "group": association_b.editors_group_id,
        "upload": upload.pk,
    }


def _fill(route: str, name: str, namespace: str, objs: dict) -> dict | None:
    arguments = re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)
    by_namespace_pk = {
        "wagtailadmin_pages": objs["page"],
        "wagtailadmin_api:pages": objs["page"],
        "wagtailadmin_api:images": objs["image"],
        "wagtailadmin_api:documents": objs["document"],
        "wagtailsnippets_associations_association": objs["association"],
        "wagtailsnippetchoosers_associations_association": objs["association"],
        "wagtailimages_chooser": objs["image"],
        "wagtaildocs_chooser": objs["document"],
        "wagtailadmin_collections": objs["collection"],
        "wagtailusers_users": objs["user"],
        "wagtailusers_groups": objs["group"],
        "paiements": objs["payment"],
        "adherents": objs["membership"],
        "billets": objs["ticket"],
        "recus": objs["receipt"],
        "kollektif_stripe": objs["association"],
        "emails": objs["email"],
        "envois": objs["mailing"],
        "virements": objs["payout"],
    }
    values = {
        "page_id": objs["page"],
        "parent_page_id": objs["home"],
        "page_to_move_id": objs["page"],
        "destination_id": objs["home"],
        "page_pk": objs["page"],
        "revision_id": objs["revision"],
        "image_id": objs["image"],
        "document_id": objs["document"],
        "doc_id": objs["document"],
        "uploaded_file_id": objs["upload"],
        "collection_id": objs["collection"],
        "content_type_app_name": "associations",
        "content_type_model_name": "newspostpage",
        "app_label": "wagtailcore",
        "app_name": "wagtailcore",
        "model_name": "page",
        "object_id": objs["page"],
        "filter_spec": "original",
        "action_name": "publish",
        "action": "delete",
        "revision_id_a": "earliest",
        "revision_id_b": "latest",
        "session_id": 1,
        "task_state_id": 1,
        "task_id": 1,
        "workflow_state_id": 1,
        "workflow_pk": 1,
        "query_id": 1,
        "redirect_id": 1,
    }
    filled = {}
    for argument in arguments:
        if argument == "pk":
            if namespace in by_namespace_pk:
                filled["pk"] = by_namespace_pk[namespace]
            elif namespace in {"wagtailsites", "wagtailadmin_workflows", "wagtailsettings"}:
                filled["pk"] = 1
            elif namespace.startswith(("wagtailsnippets_annuaire_", "wagtailsnippetchoosers_annuaire_")):
                filled["pk"] = 1  # the directory's admin is refused to editors whatever the object
            elif not namespace and name.startswith("annuaire_"):
                filled["pk"] = 1  # the directory's own admin views (feuille de chou recipients): animators only
            else:
                return None
        elif argument in values:
            filled[argument] = values[argument]
        else:
            return None
    return filled


def _url(route: str, kwargs: dict) -> str:
    url = route.replace("^", "").replace("$", "")
    for key, value in kwargs.items():
        url = re.sub(rf"\(\?P<{key}>[^)]*\)", str(value), url)
        url = re.sub(rf"<(?:\w+:)?{key}>", str(value), url)
    url = url.replace("\\.", ".")
    return "/" + url


def test_every_admin_url_naming_an_object_of_b_is_refused_to_a(client_a, b_objects):
    checked, unknown, leaks = 0, [], []
    for route, name, namespace in admin_urls_with_arguments():
        if name in NOT_OBJECT_SPECIFIC:
            continue
        kwargs = _fill(route, name, namespace, b_objects)
        if kwargs is None:
            unknown.append(f"{name} ({route})")
            continue
        url = _url(route, kwargs)
        response = client_a.get(url)
        checked += 1
        if response.status_code not in (403, 404):
            leaks.append(f"{name} {url} -> {response.status_code}")
    assert not unknown, "admin URLs this test does not know how to fill:\n" + "\n".join(unknown)
    assert not leaks, "A reached B's objects:\n" + "\n".join(leaks)
    assert checked > 80


def test_the_guard_lets_a_reach_its_own_objects(client_a, association_a, image_a):
    home = association_a.home_page
    assert client_a.get(f"/admin/pages/{home.pk}/edit/").status_code == 200
    assert client_a.get(f"/admin/pages/{home.pk}/").status_code == 200
    assert client_a.get(f"/admin/images/{image_a.pk}/").status_code == 200
    edit_url = f"/admin/snippets/associations/association/edit/{association_a.pk}/"
    assert client_a.get(edit_url).status_code == 200


def test_mutations_on_b_are_refused_and_change_nothing(client_a, b_objects):
    page_id = b_objects["page"]
    assert client_a.post(f"/admin/pages/{page_id}/delete/").status_code in (403, 404)
    assert client_a.post(f"/admin/pages/{page_id}/unpublish/").status_code in (403, 404)
    assert client_a.post(f"/admin/images/{b_objects['image']}/delete/").status_code in (403, 404)
    assert client_a.post(f"/admin/bulk/wagtailcore/page/delete/?id={page_id}").status_code in (403, 404)
    assert Page.objects.filter(pk=page_id, live=True).exists()


def test_explorer_choosers_and_search_list_only_a(client_a, association_a, association_b, b_objects, image_a):
    index_page = association_a.home_page.get_parent()
    explorer = client_a.get(f"/admin/pages/{index_page.pk}/")
    assert explorer.status_code in (404, 200)
    if explorer.status_code == 200:
        assert "BookKafé" not in explorer.content.decode()
    responses = {
        "page chooser (root)": client_a.get("/admin/choose-page/"),
        "page chooser search": client_a.get("/admin/choose-page/search/", {"q": "Secret"}),
        "page chooser search by name": client_a.get("/admin/choose-page/search/", {"q": "BookKafé"}),
        "admin page search": client_a.get("/admin/pages/search/", {"q": "Secret"}),
        "image index": client_a.get("/admin/images/"),
        "image chooser": client_a.get("/admin/images/chooser/"),
        "document index": client_a.get("/admin/documents/"),
        "document chooser": client_a.get("/admin/documents/chooser/"),
        "association listing": client_a.get("/admin/snippets/associations/association/"),
        "association chooser": client_a.get("/admin/snippets/choose/associations/association/"),
        "admin API pages": client_a.get("/admin/api/main/pages/", {"search": "Secret"}),
    }
    for label, response in responses.items():
        body = response.content.decode()
        assert response.status_code in (200, 404), label
        for secret in ("Secret de B", "Photo de B", "Statuts de B", "BookKafé"):
            assert secret not in body, f"{label} shows {secret}"
    assert "Photo de A" in responses["image index"].content.decode()
    assert "Popeline" in responses["association listing"].content.decode()


def test_staff_only_areas_are_closed_to_editors(client_a):
    for url in [
        "/admin/users/",
        "/admin/groups/",
        "/admin/sites/",
        "/admin/reports/page-types-usage/",
        "/admin/reports/site-history/",
        "/admin/reports/aging-pages/",
        "/admin/workflows/list/",
        "/admin/collections/",
        "/admin/pages/usage/associations/newspostpage/",
        "/admin/redirects/",
    ]:
        assert client_a.get(url).status_code in (403, 404), url


def test_staff_still_see_everything(staff_client, association_a, association_b, b_objects):
    response = staff_client.get("/admin/snippets/associations/association/")
    body = response.content.decode()
    assert "Popeline" in body and "BookKafé" in body
    # the same searches that hide B from A's editor do find B for staff: the filter is real
    assert "Secret de B" in staff_client.get("/admin/choose-page/search/", {"q": "Secret"}).content.decode()
    assert "Photo de B" in staff_client.get("/admin/images/").content.decode()
    assert staff_client.get("/admin/reports/page-types-usage/").status_code == 200


def test_a_user_with_no_association_sees_no_page(association_a):
    from associations.factories import UserFactory

    outsider = UserFactory(email="curieux@exemple.org")
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/admin/pages/{association_a.home_page_id}/edit/").status_code in (302, 403, 404)


# --- Metadata of other tenants (issue #10, item 9): each list names only what the user may see ---


def _text(response) -> str:
    """The body with JSON's \\u escapes undone (chooser responses are JSON)."""
    import json

    body = response.content.decode()
    try:
        return json.dumps(json.loads(body), ensure_ascii=False)
    except ValueError:
        return body


def test_chosen_multiple_does_not_name_b_pages(client_a, association_a, b_objects):
    draft = NewsPostPage.objects.get(pk=b_objects["page"])
    draft.title = "Brouillon secret de B"
    draft.save_revision().publish()
    draft.unpublish()
    response = client_a.get("/admin/choose-page/chosen-multiple/", {"id": [b_objects["page"]]})
    assert response.status_code in (403, 404)
    assert "secret de B" not in _text(response)
    own = association_a.home_page
    response = client_a.get("/admin/choose-page/chosen-multiple/", {"id": [own.pk]})
    assert response.status_code == 200 and "Popeline" in _text(response)


@pytest.fixture
def hidden_associations(db):
    from associations.factories import AssociationFactory
    from associations.models import AssociationStatus

    return [
        AssociationFactory(name=f"Zyx {status.label}", slug=f"zyx-{status.value}", status=status)
        for status in (AssociationStatus.PENDING, AssociationStatus.REFUSED, AssociationStatus.SUSPENDED)
    ]


def test_the_association_chooser_lists_only_what_the_user_may_choose(
    client_a, staff_client, association_a, association_b, hidden_associations
):
    for url, params in [
        ("/admin/snippets/choose/associations/association/", {}),
        ("/admin/snippets/choose/associations/association/results/", {"q": "Zyx"}),
        ("/admin/snippets/choose/associations/association/results/", {"q": "BookKa"}),
    ]:
        for_editor = _text(client_a.get(url, params))
        for_staff = _text(staff_client.get(url, params))
        hidden = [association.name for association in hidden_associations]
        assert not [name for name in ["BookKafé", *hidden] if name in for_editor], url
        # the chooser picks the public home page's featured associations: active ones only
        assert not [name for name in hidden if name in for_staff], url
    assert "Popeline" in _text(client_a.get("/admin/snippets/choose/associations/association/"))
    assert "BookKafé" in _text(staff_client.get("/admin/snippets/choose/associations/association/"))
    pending = hidden_associations[0]
    response = staff_client.get(f"/admin/snippets/choose/associations/association/chosen/{pending.pk}/")
    assert response.status_code == 404
    response = client_a.get(
        "/admin/snippets/choose/associations/association/chosen-multiple/", {"id": [association_b.pk, pending.pk]}
    )
    assert response.status_code in (403, 404)
    assert "BookKafé" not in _text(response) and "Zyx" not in _text(response)


@pytest.mark.parametrize("model", ["actor", "proposal", "meeting"])
def test_annuaire_bulk_delete_confirmation_names_nothing_to_an_editor(client_a, model):
    from annuaire.factories import ActorFactory, MeetingFactory
    from annuaire.models import MeetingStatus, Proposal, ProposalKind

    actor = ActorFactory(name="Acteur caché Zyx", is_public=False)
    objects = {
        "actor": actor,
        "proposal": Proposal.objects.create(
            kind=ProposalKind.choices[0][0],
            data={"name": "Zyx"},
            submitter_name="Proposante Zyx",
            submitter_email="zyx@exemple.org",
            actor=actor,
        ),
        "meeting": MeetingFactory(title="Rencontre brouillon Zyx", status=MeetingStatus.DRAFT),
    }
    obj = objects[model]
    for method in (client_a.get, client_a.post):
        response = method(f"/admin/bulk/annuaire/{model}/delete/?id={obj.pk}")
        assert response.status_code in (403, 404)
        assert "Zyx" not in response.content.decode()
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_tag_autocomplete_offers_only_the_users_tags(client_a, staff_client, association_a, association_b, image_b):
    news_a = association_a.home_page.get_children().get(slug="actualites")
    news_b = association_b.home_page.get_children().get(slug="actualites")
    post_a = NewsPostPage(title="Article de A")
    news_a.add_child(instance=post_a)
    post_a.tags.add("zyx-couture")
    post_a.save()
    draft_b = NewsPostPage(title="Brouillon de B", live=False)
    news_b.add_child(instance=draft_b)
    draft_b.tags.add("zyx-secret-de-b")
    draft_b.save()
    image_b.tags.add("zyx-photo-de-b")
    for url in ("/admin/tag-autocomplete/", "/admin/tag-autocomplete/taggit/tag/"):
        assert client_a.get(url, {"term": "zyx"}).json() == ["zyx-couture"], url
        assert staff_client.get(url, {"term": "zyx"}).json() == ["zyx-couture", "zyx-photo-de-b", "zyx-secret-de-b"]
