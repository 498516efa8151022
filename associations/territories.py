"""Territory reference data: build the département 62 extract, load it into the database.

The source is the administration's open data as packaged in the npm package
``@etalab/decoupage-administratif`` (MIT code, data under Licence Ouverte 2.0). The derived
file ``associations/data/territoires-62.json`` is committed with its licence so the
platform never needs the network to know its communes.

Each commune carries its postal codes (``codesPostaux``), which the package takes from La Poste's
"Base officielle des codes postaux" (Licence Ouverte 2.0): the actors' import reads a postal code
typed in a commune column with them (annuaire/importer.py).
"""

from __future__ import annotations

import json
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "territoires-62.json"
DEPARTEMENT = "62"
SOURCE_PACKAGE = "@etalab/decoupage-administratif"
SOURCE_VERSION = "6.0.0"
POSTAL_CODES_SOURCE = (
    "La Poste — Base officielle des codes postaux (Licence Ouverte / Open Licence 2.0), "
    "champ codesPostaux de data/communes.json"
)
EPCI_KINDS = {"CA": "CA", "CC": "CC", "CU": "CU", "MET69": "MET", "METRO": "MET"}


def build_extract(communes: list[dict], epcis: list[dict], *, departement: str = DEPARTEMENT) -> dict:
    """Keep the communes (current, delegated and associated) of one département and their EPCI."""
    selected = [c for c in communes if c.get("departement") == departement]
    # A delegated commune may share its INSEE code with its new commune: keep the current one.
    current_codes = {c["code"] for c in selected if c["type"] == "commune-actuelle"}
    selected = [c for c in selected if c["type"] == "commune-actuelle" or c["code"] not in current_codes]
    by_code = {c["code"]: c for c in selected}
    epci_of: dict[str, str] = {}
    kept_epcis = []
    for epci in epcis:
        members = [m["code"] for m in epci.get("membres", []) if m["code"] in by_code]
        if not members:
            continue
        kept_epcis.append({"code": epci["code"], "nom": epci["nom"], "type": EPCI_KINDS.get(epci.get("type"), "")})
        for code in members:
            epci_of[code] = epci["code"]
    rows = []
    for commune in sorted(selected, key=lambda c: c["code"]):
        # Delegated and associated communes belong to the EPCI of their chef-lieu.
        epci_code = epci_of.get(commune["code"]) or epci_of.get(commune.get("chefLieu", ""))
        rows.append(
            {
                "code": commune["code"],
                "nom": commune["nom"],
                "type": commune["type"],
                "codesPostaux": commune.get("codesPostaux", []),
                "population": commune.get("population"),
                "epci": epci_code,
            }
        )
    return {
        "source": f"{SOURCE_PACKAGE}@{SOURCE_VERSION} (data/communes.json, data/epci.json)",
        "licence": "Licence Ouverte / Open Licence 2.0 (Etalab) — données du Code officiel géographique",
        "codes_postaux": POSTAL_CODES_SOURCE,
        "departement": departement,
        "epci": sorted(kept_epcis, key=lambda e: e["nom"]),
        "communes": rows,
    }


def read_extract(path: Path = DATA_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def load_territories(epci_model, commune_model, *, data: dict | None = None) -> tuple[int, int]:
    """Insert or update every EPCI and commune of the extract; returns their counts.

    Takes the model classes so that a data migration can pass its historical models.
    """
    data = data or read_extract()
    for row in data["epci"]:
        epci_model.objects.update_or_create(code=row["code"], defaults={"name": row["nom"], "kind": row["type"]})
    for row in data["communes"]:
        commune_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["nom"],
                "kind": row["type"],
                "postal_codes": row["codesPostaux"],
                "population": row["population"],
                "epci_id": row["epci"],
            },
        )
    return len(data["epci"]), len(data["communes"])
