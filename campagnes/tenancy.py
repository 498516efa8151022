"""How the campaigns' records reach their association (associations/tenancy.py reads it).

Payers' personal data: only the groups holding the money permission see these rows. The
admin namespaces are the viewsets' names (``paiements``, ``adherents``, ``billets``, ``recus``,
``virements``)
and the Stripe Connect screens (``kollektif_stripe``, whose ``pk`` is an association).
"""

from __future__ import annotations

from associations import tenancy
from associations.models import Association
from associations.tenancy import Access
from campagnes.models import (
    AccountingSettings,
    BalanceTransaction,
    ContactOptOut,
    FinancialYear,
    Mailing,
    Membership,
    NonCashGift,
    Payment,
    Receipt,
    StripePayout,
    Ticket,
)


def register() -> None:
    for model, namespace in (
        (Payment, "paiements"),
        (Membership, "adherents"),
        (Ticket, "billets"),
        (Receipt, "recus"),
        (Mailing, "envois"),  # a treasurer's mailing: its recipients are payers
    ):
        tenancy.register(model, path="association", access=Access.MONEY, admin_namespaces=(namespace,))
    tenancy.register(NonCashGift, path="payment__association", access=Access.MONEY)
    # Stripe payouts and their lines (payers' names): "Virements", whose "pk" names a payout.
    tenancy.register(StripePayout, path="association", access=Access.MONEY, admin_namespaces=("virements",))
    tenancy.register(BalanceTransaction, path="association", access=Access.MONEY)
    tenancy.register(FinancialYear, path="association", access=Access.MONEY)
    tenancy.register(AccountingSettings, path="association", access=Access.MONEY)  # the chart of accounts
    tenancy.register(ContactOptOut, path="association", access=Access.MONEY)
    tenancy.register_admin_area("kollektif_stripe", Association, access=Access.MONEY)
