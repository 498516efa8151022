"""Accounting exports: the receipts tests' campaigns and their ``pay`` helper (no Stripe mock)."""

from tests.receipts.conftest import (  # noqa: F401  (fixtures)
    crowdfunding_page_a,
    donation_page_a,
    donation_page_b,
    eligible_a,
    membership_page_a,
)
