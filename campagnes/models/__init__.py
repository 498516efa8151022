from .campaigns import (
    CampaignState,
    Counterpart,
    CrowdfundingCampaignPage,
    DonationCampaignPage,
    MembershipCampaignPage,
    MembershipTier,
    MembershipValidity,
    SuggestedAmountNote,
    TicketingCampaignPage,
    TicketType,
)
from .offers import PaymentOffer
from .payments import Membership, Payment, PaymentKind, PaymentLog, PaymentMethod, PaymentStatus, StripeEvent, Ticket
from .receipts import Receipt, ReceiptAccessToken, ReceiptCounter, ReceiptItem, ReceiptKind, ReceiptStatus

__all__ = [
    "CampaignState",
    "Counterpart",
    "CrowdfundingCampaignPage",
    "DonationCampaignPage",
    "Membership",
    "MembershipCampaignPage",
    "MembershipTier",
    "MembershipValidity",
    "Payment",
    "PaymentKind",
    "PaymentLog",
    "PaymentMethod",
    "PaymentOffer",
    "Receipt",
    "ReceiptAccessToken",
    "ReceiptCounter",
    "ReceiptItem",
    "ReceiptKind",
    "ReceiptStatus",
    "PaymentStatus",
    "StripeEvent",
    "SuggestedAmountNote",
    "Ticket",
    "TicketType",
    "TicketingCampaignPage",
]
