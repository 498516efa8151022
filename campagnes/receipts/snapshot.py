"""A ReceiptDocument to JSON and back, and the signature images it refers to.

The signature is stored once per distinct image, named by its SHA-256, in private storage:
a receipt refers to the image it was signed with even after the association uploads another.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date

from django.core.files.base import ContentFile

from campagnes.receipts.document import (
    Address,
    Beneficiary,
    Donor,
    ReceiptDocument,
    ReceiptLine,
    Signatory,
)
from kernel.storage import private_storage

_DATE_FIELDS = {
    "issued_on",
    "cancelled_on",
    "received_on",
    "rup_decree_date",
    "rup_journal_date",
    "rescrit_date",
    "valid_from",
    "valid_until",
}


def store_signature(png: bytes | None) -> str:
    """Keep the image under its hash and return the hash ("" without a signature)."""
    if not png:
        return ""
    digest = hashlib.sha256(png).hexdigest()
    storage = private_storage()
    name = f"signatures/recus/{digest}.png"
    if not storage.exists(name):
        storage.save(name, ContentFile(png))
    return digest


def load_signature(digest: str) -> bytes | None:
    if not digest:
        return None
    storage = private_storage()
    name = f"signatures/recus/{digest}.png"
    if not storage.exists(name):
        return None
    with storage.open(name, "rb") as handle:
        return handle.read()


def _jsonable(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def document_to_json(document: ReceiptDocument) -> dict:
    data = _jsonable(dataclasses.asdict(document))
    data["signatory"]["signature_sha256"] = store_signature(document.signatory.signature_png)
    data["signatory"].pop("signature_png", None)
    return data


def _dates(data: dict) -> dict:
    return {key: (date.fromisoformat(value) if key in _DATE_FIELDS and value else value) for key, value in data.items()}


def document_from_json(data: dict) -> ReceiptDocument:
    data = _dates(dict(data))
    beneficiary = _dates(dict(data["beneficiary"]))
    beneficiary["address"] = Address(**beneficiary["address"])
    donor = dict(data["donor"])
    donor["address"] = Address(**donor["address"])
    signatory = dict(data["signatory"])
    signatory["signature_png"] = load_signature(signatory.pop("signature_sha256", ""))
    data.update(
        beneficiary=Beneficiary(**beneficiary),
        donor=Donor(**donor),
        signatory=Signatory(**signatory),
        lines=tuple(ReceiptLine(**_dates(line)) for line in data["lines"]),
        articles=tuple(data["articles"]),
        extra_mentions=tuple(data.get("extra_mentions") or ()),
        nature_details=tuple(data.get("nature_details") or ()),
    )
    return ReceiptDocument(**data)
