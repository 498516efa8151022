"""Stripe Connect: each association connects its own Standard account; money never transits
through the platform (direct charges on the association's account)."""

from __future__ import annotations

from django.db import transaction

from associations.models import Association
from associations.services import association_stripe_account_update
from campagnes import stripe_gateway as gateway


def stripe_onboarding_link(*, association: Association, refresh_url: str, return_url: str) -> str:
    """The Account Link where the treasurer fills in the association's Stripe account."""
    if not association.stripe_account_id:
        account = gateway.create_connect_account(email=association.email, association_id=association.pk)
        with transaction.atomic():
            locked = Association.objects.select_for_update().get(pk=association.pk)
            if not locked.stripe_account_id:
                locked.stripe_account_id = account.id
                locked.save(update_fields=["stripe_account_id", "updated_at"])
            association.stripe_account_id = locked.stripe_account_id
    link = gateway.create_account_link(
        account=association.stripe_account_id, refresh_url=refresh_url, return_url=return_url
    )
    return link.url


def stripe_account_refresh(*, association: Association) -> Association:
    """Back from onboarding: read the account's state (the webhook account.updated does the same)."""
    account = gateway.retrieve_account(association.stripe_account_id)
    association_stripe_account_update(account=account)
    association.refresh_from_db()
    return association
