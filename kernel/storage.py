"""Private files (receipts, signatures): never under MEDIA_URL, served only by views that check
who is asking. Configured as the "private" entry of STORAGES (object storage in production)."""

from __future__ import annotations

from django.core.files.storage import Storage, storages


def private_storage() -> Storage:
    """Callable used as a FileField storage, so tests and production can swap the backend."""
    return storages["private"]
