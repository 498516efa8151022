"""What the payer chose, as stored in ``Payment.offer`` (a JSON field): one typed object.

The JSON keys are those the field has always held (``tickets``, ``tier``, ``tier_name``,
``counterpart``, ``counterpart_name``, ``counterpart_value_cents``, ``frequency``, ``manuel``),
so old rows read the same and no data migration is needed. Read it with
``payment.offer_details``; write it with ``PaymentOffer(...).to_dict()``. Unknown keys are
ignored when reading: a row is never refused for what an older version wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class PaymentOffer:
    # ticket type id → how many tickets of that type (a ticketing payment)
    tickets: Mapping[int, int] = field(default_factory=dict)
    # the membership formula chosen, and its name at the time (receipts and the member list show it)
    tier_id: int | None = None
    tier_name: str = ""
    # the crowdfunding counterpart chosen: its name and value at the time (the receipt deducts it)
    counterpart_id: int | None = None
    counterpart_name: str = ""
    counterpart_value_cents: int = 0
    # a donation's frequency as chosen in the form ("once" or "monthly")
    frequency: str = ""
    # recorded by a treasurer (cheque, transfer, cash), not paid online
    manual: bool = False
    # a membership's period as shown before paying (campagnes.memberships), copied to the Membership
    valid_from: date | None = None
    valid_until: date | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> PaymentOffer:
        data = data or {}
        return cls(
            tickets={int(type_id): int(quantity) for type_id, quantity in (data.get("tickets") or {}).items()},
            tier_id=_int_or_none(data.get("tier")),
            tier_name=str(data.get("tier_name") or ""),
            counterpart_id=_int_or_none(data.get("counterpart")),
            counterpart_name=str(data.get("counterpart_name") or ""),
            counterpart_value_cents=int(data.get("counterpart_value_cents") or 0),
            frequency=str(data.get("frequency") or ""),
            manual=bool(data.get("manuel")),
            valid_from=_date_or_none(data.get("valid_from")),
            valid_until=_date_or_none(data.get("valid_until")),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON stored in ``Payment.offer``: only the keys that say something, as before."""
        data: dict[str, Any] = {}
        if self.tickets:
            data["tickets"] = {str(type_id): quantity for type_id, quantity in sorted(self.tickets.items())}
        if self.tier_id is not None:
            data["tier"] = self.tier_id
        if self.tier_name:
            data["tier_name"] = self.tier_name
        if self.counterpart_id is not None:
            data["counterpart"] = self.counterpart_id
            data["counterpart_name"] = self.counterpart_name
            data["counterpart_value_cents"] = self.counterpart_value_cents
        if self.frequency:
            data["frequency"] = self.frequency
        if self.manual:
            data["manuel"] = True
        if self.valid_from and self.valid_until:
            data["valid_from"] = self.valid_from.isoformat()
            data["valid_until"] = self.valid_until.isoformat()
        return data

    def ticket_lines(self) -> list[tuple[int, int]]:
        """(ticket type id, quantity), by id: rows are always locked in the same order (no deadlock)."""
        return sorted(self.tickets.items())


def _date_or_none(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _int_or_none(value: Any) -> int | None:
    return None if value in (None, "") else int(value)
