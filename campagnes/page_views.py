"""What a campaign page shows (its payment form and progress) and does on POST (start a payment).

The page models cannot import the forms, selectors and views: each of those imports the models.
Instead of an import hidden in a method, the models reach this module through
``CampaignPage.public_views``, set once in ``CampagnesConfig.ready()``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from campagnes.forms import payment_form_for
from campagnes.selectors import campaign_progress, campaign_supporters
from campagnes.views import membership_renewal, start_payment


def blank_form(campaign: Any) -> Any:
    """The empty payment form of this campaign's kind."""
    return payment_form_for(campaign)


def progress(campaign: Any) -> Any:
    """Collected, goal and contributors, for the progress bar."""
    return campaign_progress(campaign=campaign)


def supporters(campaign: Any) -> Any:
    """The public list of supporters (first name or "anonyme"), for dons and collectes."""
    return campaign_supporters(campaign=campaign)


def post(request: HttpRequest, campaign: Any) -> HttpResponse:
    """A donor, member or buyer submits the form: validate it and start the payment."""
    return start_payment(request, campaign)


def renewal(request: HttpRequest, campaign: Any) -> HttpResponse:
    """A member follows the renewal link of their reminder (``?renouveler=…``)."""
    return membership_renewal(request, campaign)
