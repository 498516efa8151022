"""Import of the labelled ambassadors from a spreadsheet (CSV or XLSX).

All rows are checked before anything is written: one bad row and nothing is imported, with
every problem reported as (line, column, reason) so the file can be fixed in one go. Each
actor is identified by its name and commune, so running the import again updates instead of
duplicating.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from annuaire import services
from annuaire.models import Actor, ActorKind, Label, Topic
from associations.models import Commune, Sector
from associations.models.association import LATITUDE_RANGE, LONGITUDE_RANGE

COLUMNS = [
    "nom",
    "type",
    "commune",
    "adresse",
    "latitude",
    "longitude",
    "email",
    "telephone",
    "site",
    "description",
    "labels",
    "secteurs",
    "peut_aider_sur",
    "cherche",
]
REQUIRED = {"nom", "commune", "labels"}
LIST_SEPARATOR = re.compile(r"[,|]")  # the CSV itself may use ";"


@dataclass
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"ligne {self.line}, colonne « {self.column} » : {self.reason}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)


def read_rows(path: Path) -> list[dict]:
    """Rows as dicts keyed by lower-case header, from a CSV (UTF-8, ; or ,) or an XLSX file."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).active
        values = [
            ["" if cell is None else str(cell).strip() for cell in row] for row in sheet.iter_rows(values_only=True)
        ]
    elif path.suffix.lower() == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=";,\t")
        values = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
    else:
        raise ValidationError("Format non reconnu : donnez un fichier .csv ou .xlsx.")
    if not values:
        raise ValidationError("Le fichier est vide.")
    headers = [slugify(header).replace("-", "_") for header in values[0]]
    missing = REQUIRED - set(headers)
    if missing:
        raise ValidationError(f"Colonnes obligatoires absentes : {', '.join(sorted(missing))}.")
    return [dict(zip(headers, row, strict=False)) for row in values[1:] if any(row)]


class _Lookups:
    """Reference data loaded once, so that validating 250 rows costs a handful of queries."""

    def __init__(self) -> None:
        communes = list(Commune.objects.only("code", "name"))
        self.commune_by_code = {commune.code: commune for commune in communes}
        self.communes_by_name: dict[str, list[Commune]] = {}
        for commune in communes:
            self.communes_by_name.setdefault(slugify(commune.name), []).append(commune)
        self.labels = {slugify(label.name): label for label in Label.objects.all()}
        self.labels.update({label.slug: label for label in self.labels.values()})
        self.topics = {slugify(topic.name): topic for topic in Topic.objects.all()}
        self.sectors = {slugify(sector.name): sector for sector in Sector.objects.all()}
        self.kinds = {slugify(str(label)): value for value, label in ActorKind.choices}
        self.kinds.update({value: value for value in ActorKind.values})
        self.existing = dict(Actor.objects.exclude(import_key="").values_list("import_key", "pk"))


def _names(value: str) -> list[str]:
    return [part.strip() for part in LIST_SEPARATOR.split(value or "") if part.strip()]


def _lookup_many(value: str, table: dict, column: str, line: int, errors: list, what: str) -> list:
    found = []
    for name in _names(value):
        item = table.get(slugify(name))
        if item is None:
            errors.append(RowError(line, column, f"{what} inconnu : « {name} »."))
        else:
            found.append(item)
    return found


def _coordinate(value: str, column: str, line: int, errors: list, bounds) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value.replace(",", ".")).quantize(Decimal("0.000001"))
    except InvalidOperation:
        errors.append(RowError(line, column, f"« {value} » n'est pas un nombre."))
        return None
    if not bounds[0] <= number <= bounds[1]:
        errors.append(RowError(line, column, "ce point est hors de France."))
        return None
    return number


def validate_row(row: dict, line: int, lookups: _Lookups) -> tuple[dict | None, list[RowError]]:
    errors: list[RowError] = []
    name = row.get("nom", "").strip()
    if not name:
        errors.append(RowError(line, "nom", "le nom est obligatoire."))
    commune_value = row.get("commune", "").strip()
    commune = lookups.commune_by_code.get(commune_value)
    if commune is None and commune_value:
        candidates = lookups.communes_by_name.get(slugify(commune_value), [])
        if len(candidates) == 1:
            commune = candidates[0]
        elif len(candidates) > 1:
            errors.append(
                RowError(line, "commune", f"plusieurs communes s'appellent « {commune_value} » : donnez le code INSEE.")
            )
    if commune is None and not any(error.column == "commune" for error in errors):
        errors.append(
            RowError(
                line,
                "commune",
                f"commune inconnue dans le Pas-de-Calais : « {commune_value} »."
                if commune_value
                else "la commune est obligatoire.",
            )
        )
    kind_value = row.get("type", "").strip()
    kind = lookups.kinds.get(slugify(kind_value)) if kind_value else ActorKind.AUTRE
    if kind is None:
        errors.append(RowError(line, "type", f"type de structure inconnu : « {kind_value} »."))
    email = row.get("email", "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(RowError(line, "email", f"adresse e-mail invalide : « {email} »."))
    website = row.get("site", "").strip()
    if website:
        if not website.startswith(("http://", "https://")):
            website = f"https://{website}"
        try:
            URLValidator()(website)
        except ValidationError:
            errors.append(RowError(line, "site", f"adresse web invalide : « {row.get('site')} »."))
    latitude = _coordinate(row.get("latitude", "").strip(), "latitude", line, errors, LATITUDE_RANGE)
    longitude = _coordinate(row.get("longitude", "").strip(), "longitude", line, errors, LONGITUDE_RANGE)
    if (latitude is None) != (longitude is None) and not any(e.column in ("latitude", "longitude") for e in errors):
        errors.append(RowError(line, "latitude", "indiquez la latitude et la longitude, ou aucune des deux."))
    labels = _lookup_many(row.get("labels", ""), lookups.labels, "labels", line, errors, "label")
    if not _names(row.get("labels", "")):
        errors.append(RowError(line, "labels", "au moins un label est obligatoire (par exemple « Ambassadeur ESS »)."))
    sectors = _lookup_many(row.get("secteurs", ""), lookups.sectors, "secteurs", line, errors, "secteur")
    can_help = _lookup_many(
        row.get("peut_aider_sur", ""), lookups.topics, "peut_aider_sur", line, errors, "savoir-faire"
    )
    looking_for = _lookup_many(row.get("cherche", ""), lookups.topics, "cherche", line, errors, "savoir-faire")
    if errors:
        return None, errors
    return {
        "import_key": f"{slugify(name)}-{commune.code}",
        "name": name,
        "kind": kind,
        "commune": commune,
        "street_address": row.get("adresse", "").strip(),
        "latitude": latitude,
        "longitude": longitude,
        "public_email": email,
        "public_phone": row.get("telephone", "").strip()[:20],
        "website": website,
        "description": row.get("description", "").strip(),
        "labels": labels,
        "sectors": sectors,
        "can_help": can_help,
        "looking_for": looking_for,
    }, []


def check_file(path: Path) -> ImportReport:
    """Validate every row; nothing is written."""
    report = ImportReport()
    try:
        rows = read_rows(path)
    except ValidationError as exc:
        report.errors.append(RowError(1, "—", " ".join(exc.messages)))
        return report
    lookups = _Lookups()
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        data, errors = validate_row(row, line, lookups)
        report.errors.extend(errors)
        if data is None:
            continue
        if data["import_key"] in seen:
            report.errors.append(RowError(line, "nom", f"même structure qu'à la ligne {seen[data['import_key']]}."))
            continue
        seen[data["import_key"]] = line
        data["existing"] = lookups.existing.get(data["import_key"])
        report.rows.append(data)
        if data["existing"]:
            report.updated += 1
        else:
            report.created += 1
    return report


@transaction.atomic
def import_file(path: Path) -> ImportReport:
    """Import every row, or none when any row is invalid (the report then lists why)."""
    report = check_file(path)
    if report.errors:
        return report
    for data in report.rows:
        existing = data.pop("existing")
        relations = {name: data.pop(name) for name in ("labels", "sectors", "can_help", "looking_for")}
        if existing:
            actor = Actor.objects.get(pk=existing)
            for name, value in data.items():
                setattr(actor, name, value)
            actor.full_clean(exclude=["slug", "logo"])
            actor.last_contact_at = actor.last_contact_at or timezone.now()
            actor.save()
            for name, values in relations.items():
                getattr(actor, name).set(values)
        else:
            services.actor_create(**data, **relations)
    services.directory_changed()
    return report
