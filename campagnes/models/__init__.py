from .campaigns import (
    CampaignState,
    Counterpart,
    CrowdfundingCampaignPage,
    DonationCampaignPage,
    MembershipCampaignPage,
    MembershipTier,
    MembershipValidity,
    TicketingCampaignPage,
    TicketType,
)
from .payments import Membership, Payment, PaymentKind, PaymentLog, PaymentStatus, StripeEvent, Ticket

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
    "PaymentStatus",
    "StripeEvent",
    "Ticket",
    "TicketType",
    "TicketingCampaignPage",
]
