"""Tenancy declared once (associations/tenancy.py): every model that points to an association says
how it reaches it, and the checks read that one declaration."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import models
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from associations import tenancy
from associations.admin_guard import request_is_allowed
from associations.factories import UserFactory
from associations.models import Association
from campagnes.models import DonationCampaignPage, Membership, Payment, PaymentKind, PaymentStatus, Receipt, Ticket

pytestmark = pytest.mark.django_db

# Models that point to an association but are not its private data, each with the reason.
NOT_TENANT_OWNED = {
    "associations.invitation": "read through the association's own admin screens (invite view), staff or editors",
    "annuaire.actor": "the public directory entry of an association, the network's animators edit it",
    "site_kollektif.homepagefeaturedassociation": "the platform's home page, edited by the staff only",
    "campagnes.receiptcounter": "a numbering counter, never shown on its own",
}


def _points_to_association(model: type[models.Model]) -> bool:
    return any(
        field.is_relation
        and field.related_model is Association
        and (field.many_to_one or field.one_to_one)
        and field.concrete
        for field in model._meta.get_fields()
    )


def test_every_model_pointing_to_an_association_declares_how_it_reaches_it():
    """A model added with a foreign key to Association and no declaration would be served whole
    by ``tenancy.scope`` refusing nothing: this names it instead."""
    undeclared = [
        model._meta.label_lower
        for model in apps.get_models()
        if _points_to_association(model)
        and tenancy.tenant_model(model) is None
        and model._meta.label_lower not in NOT_TENANT_OWNED
    ]
    assert undeclared == []


def test_the_campaigns_records_are_declared_with_their_admin_areas():
    for model, namespace in (
        (Payment, "paiements"),
        (Membership, "adherents"),
        (Ticket, "billets"),
        (Receipt, "recus"),
    ):
        declaration = tenancy.tenant_model(model)
        assert declaration is not None and declaration.access == tenancy.Access.MONEY
        assert tenancy.admin_area(namespace) == declaration
    assert tenancy.admin_area("kollektif_stripe").model is Association


def test_a_model_nobody_declared_is_refused_whole_not_served_whole(association_a):
    editor = UserFactory(email="editrice@exemple.org")
    editor.groups.add(association_a.editors_group)
    assert tenancy.scope(Group.objects.all(), editor).count() == 0


def _payment(association) -> Payment:
    support = association.home_page.get_children().get(slug="nous-aider").specific
    campaign = DonationCampaignPage(
        title="Dons", slug=f"dons-{association.slug}", goal="100", min_amount="5", max_amount="200"
    )
    support.add_child(instance=campaign)
    return Payment.objects.create(
        association=association,
        campaign=campaign,
        kind=PaymentKind.DONATION,
        status=PaymentStatus.SUCCEEDED,
        amount_cents=2500,
        first_name="Léa",
        last_name="Dupont",
        email="lea@exemple.org",
        stripe_payment_intent=None,
        paid_at=timezone.now(),
    )


def test_scope_and_owns_follow_the_declaration(association_a, association_b):
    treasurer = UserFactory(email="tresoriere@exemple.org")
    treasurer.groups.add(association_a.treasurers_group)
    editor = UserFactory(email="editrice@exemple.org")
    editor.groups.add(association_a.editors_group)
    mine, theirs = _payment(association_a), _payment(association_b)
    assert list(tenancy.scope(Payment.objects.all(), treasurer)) == [mine]
    assert tenancy.owns(treasurer, mine) and not tenancy.owns(treasurer, theirs)
    # an editor holds no money permission: not even their own association's payers
    assert not tenancy.scope(Payment.objects.all(), editor).exists() and not tenancy.owns(editor, mine)
    assert list(tenancy.scope(Association.objects.all(), editor)) == [association_a]


def test_the_guard_reads_the_declaration(association_a, association_b):
    """The admin guard names no app: it finds the payment behind "paiements" in the declaration."""
    treasurer = UserFactory(email="tresoriere@exemple.org")
    treasurer.groups.add(association_a.treasurers_group)
    mine, theirs = _payment(association_a), _payment(association_b)
    assert request_is_allowed(treasurer, resolve(f"/admin/paiements/{mine.pk}/"))
    assert not request_is_allowed(treasurer, resolve(f"/admin/paiements/{theirs.pk}/"))
    client = Client()
    client.force_login(treasurer)
    assert client.get(f"/admin/paiements/{theirs.pk}/").status_code == 404
