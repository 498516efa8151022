"""Find a position from an address, never from the public typing a latitude.

Without a geocoder (the default, and in tests) nothing is looked up: the actor keeps no exact
coordinates and the map places it at its commune's centre, marked "approximate"
(``associations.geodata``). In production, ``KOLLEKTIF_GEOCODER_URL`` may point to the French
state's address API (Base Adresse Nationale, https://api-adresse.data.gouv.fr/search/, open data
under Licence Ouverte): the address is then looked up within the commune (INSEE ``citycode``),
and only a confident street-level answer is kept. Any failure (timeout, network, odd answer)
leaves the position empty: a sign-up never fails because of the geocoder.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
import urllib.request
from decimal import Decimal

from django.conf import settings

from associations.models.association import LATITUDE_RANGE, LONGITUDE_RANGE

logger = logging.getLogger(__name__)
MIN_SCORE = 0.5
PRECISE_TYPES = {"housenumber", "street", "locality"}
TIMEOUT_SECONDS = 3


def locate(street_address: str, commune_code: str, *, postal_code: str = "") -> tuple[Decimal, Decimal] | None:
    """(latitude, longitude) of the address in the commune, or None (then: commune centre)."""
    url = getattr(settings, "KOLLEKTIF_GEOCODER_URL", "")
    street_address = (street_address or "").strip()
    if not url or not street_address or not commune_code:
        return None
    query = {"q": f"{street_address} {postal_code}".strip(), "citycode": commune_code, "limit": "1"}
    try:
        with urllib.request.urlopen(f"{url}?{urllib.parse.urlencode(query)}", timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            data = json.loads(response.read().decode("utf-8"))
        feature = data["features"][0]
        properties = feature["properties"]
        if properties.get("score", 0) < MIN_SCORE or properties.get("type") not in PRECISE_TYPES:
            return None
        if properties.get("citycode") not in (None, commune_code):
            return None
        lng, lat = (Decimal(str(round(value, 6))) for value in feature["geometry"]["coordinates"])
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        logger.info("Géocodage impossible pour %s (%s) : %s", street_address, commune_code, exc)
        return None
    if not (LATITUDE_RANGE[0] <= lat <= LATITUDE_RANGE[1] and LONGITUDE_RANGE[0] <= lng <= LONGITUDE_RANGE[1]):
        return None
    return lat, lng
