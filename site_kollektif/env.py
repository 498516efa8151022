"""The one module that reads the environment.

Every integration switches on through its own variables and has a working default for the
demo, so that a fresh clone runs with no configuration at all.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value in (None, ""):
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name: str, default: list[str]) -> list[str]:
    """A list of addresses or CIDR networks, checked at start-up: a typo must not trust everyone."""
    entries = env_list(name, default)
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            raise RuntimeError(f"{name} : « {entry} » n'est ni une adresse IP ni un réseau (CIDR).") from exc
    return entries


def env_required(name: str) -> str:
    """A secret: no default, so production refuses to start without it."""
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"La variable d'environnement {name} est obligatoire en production.")
    return value
