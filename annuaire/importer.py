"""Import of the labelled ambassadors from a spreadsheet (CSV or XLSX).

All rows are checked before anything is written: one bad row and nothing is imported, with
every problem reported as (line, column, value, reason) so the file can be fixed in one go. Each
actor is identified by its name and commune, so running the import again updates instead of
duplicating.

The commune column takes what real spreadsheets hold: an official name (accents, case, "St"/"Ste"
ignored), a postal code (La Poste's base officielle des codes postaux, carried by the territories
extract), "62300 Lens", or an INSEE code. A five-digit value that is a postal code of the
département is read as a postal code first (62700 is Bruay-la-Buissière's postal code before being
Regnauville's INSEE code). An unknown name is refused with the closest official names (rapidfuzz).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from rapidfuzz import fuzz, process

from annuaire import services
from annuaire.models import Actor, ActorKind, Label, Topic, actor_search_text_refresh
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
    "dernier_contact",
]
REQUIRED = {"nom", "commune", "labels"}
LIST_SEPARATOR = re.compile(r"[,|]")  # the CSV itself may use ";"


MAX_BYTES = 2 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class RowError:
    line: int
    column: str
    reason: str
    value: str = ""

    def __str__(self) -> str:
        return f"ligne {self.line}, colonne « {self.column} » : {self.reason}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    unreadable: bool = False


def read_rows(path: Path) -> list[dict]:
    """Rows as dicts keyed by lower-case header, from a CSV (UTF-8, ; or ,) or an XLSX file."""
    return read_table(path.read_bytes(), path.name)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a postal code typed in a number cell: 62300.0 -> "62300"
    return str(value).strip()


def read_table(content: bytes, filename: str) -> list[dict]:
    """Rows as dicts keyed by slugified header; ValidationError (in French) when the file cannot be read."""
    suffix = Path(filename or "").suffix.lower()
    if len(content) > MAX_BYTES:
        raise ValidationError(f"Fichier trop lourd : {MAX_BYTES // (1024 * 1024)} Mo au plus.")
    if suffix == ".xlsx":
        if not content.startswith(XLSX_MAGIC):
            raise ValidationError("Ce fichier n'est pas un classeur Excel (.xlsx) lisible.")
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
            values = [[_cell(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
            raise ValidationError("Ce fichier n'est pas un classeur Excel (.xlsx) lisible.") from exc
    elif suffix == ".csv":
        if content.startswith(XLSX_MAGIC) or b"\x00" in content[:4096]:
            raise ValidationError("Ce fichier n'est pas un fichier texte CSV : enregistrez-le en CSV (UTF-8).")
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252", errors="replace")  # Excel's "CSV (séparateur : point-virgule)"
        first = text.splitlines()[0] if text.strip() else ","
        try:
            dialect = csv.Sniffer().sniff(first, delimiters=";,\t")
        except csv.Error:
            dialect = csv.excel
        try:
            values = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
        except csv.Error as exc:
            raise ValidationError(f"Fichier CSV illisible : {exc}.") from exc
    else:
        raise ValidationError("Format non reconnu : donnez un fichier .csv ou .xlsx.")
    if not any(any(row) for row in values):
        raise ValidationError("Le fichier est vide.")
    headers = [slugify(header).replace("-", "_") for header in values[0]]
    missing = REQUIRED - set(headers)
    if missing:
        unknown = [header for header, slug in zip(values[0], headers, strict=False) if slug and slug not in COLUMNS]
        message = f"Colonnes obligatoires absentes : {', '.join(sorted(missing))}."
        if unknown:
            message += f" Colonnes non reconnues : {', '.join(unknown)}."
        message += f" Colonnes possibles : {', '.join(COLUMNS)}."
        raise ValidationError(message)
    return [dict(zip(headers, row, strict=False)) for row in values[1:]]


_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def commune_key(name: str) -> str:
    """Comparison key of a commune name: no accents, no case, "St"/"Ste" read as "Saint"/"Sainte"."""
    words = slugify(name.replace("'", " ").replace("’", " ")).split("-")
    return "-".join(_ABBREVIATIONS.get(word, word) for word in words if word)


POSTAL_AND_NAME = re.compile(r"^(\d{5})\s*[-,/]?\s*(\D.*?)\s*$|^(\D.*?)\s*[(,]?\s*(\d{5})\s*\)?$")
# A postal code shared by several communes names one of them when it is that town's "00" code
# (the bureau distributeur, e.g. 62300 Lens) and the town holds most of its inhabitants.
MAIN_TOWN_SHARE = 0.8


class _Lookups:
    """Reference data loaded once, so that validating 300 rows costs a handful of queries."""

    def __init__(self) -> None:
        communes = list(Commune.objects.only("code", "name", "kind", "postal_codes", "population"))
        self.commune_by_code = {commune.code: commune for commune in communes}
        self.communes_by_name: dict[str, list[Commune]] = {}
        self.communes_by_postal_code: dict[str, list[Commune]] = {}
        for commune in communes:
            self.communes_by_name.setdefault(commune_key(commune.name), []).append(commune)
            if commune.kind == "commune-actuelle":
                for postal_code in commune.postal_codes or []:
                    self.communes_by_postal_code.setdefault(postal_code, []).append(commune)
        self.name_keys = list(self.communes_by_name)
        self.labels = {slugify(label.name): label for label in Label.objects.all()}
        self.labels.update({label.slug: label for label in self.labels.values()})
        self.topics = {slugify(topic.name): topic for topic in Topic.objects.all()}
        self.sectors = {slugify(sector.name): sector for sector in Sector.objects.all()}
        self.kinds = {slugify(str(label)): value for value, label in ActorKind.choices}
        self.kinds.update({value: value for value in ActorKind.values})
        self.existing = dict(Actor.objects.exclude(import_key="").values_list("import_key", "pk"))

    def suggestions(self, value: str, limit: int = 3) -> list[str]:
        """The official names closest to a misspelt or shortened one ("Montreuil" -> Montreuil-sur-Mer)."""
        key = commune_key(value)
        if not key:
            return []
        matches = process.extract(key, self.name_keys, scorer=fuzz.WRatio, limit=12, score_cutoff=70)

        def rank(match):
            candidate, score, _index = match
            population = max((c.population or 0) for c in self.communes_by_name[candidate])
            return (-score, not candidate.startswith(key + "-"), -population)

        names: list[str] = []
        for candidate, _score, _index in sorted(matches, key=rank):
            for commune in self.communes_by_name[candidate]:
                if commune.name not in names:
                    names.append(commune.name)
        return names[:limit]

    def by_postal_code(self, postal_code: str) -> tuple[Commune | None, str | None, str]:
        """(commune, error, note) for a postal code; an error lists the communes it covers."""
        candidates = sorted(self.communes_by_postal_code.get(postal_code, []), key=lambda c: -(c.population or 0))
        if len(candidates) == 1:
            return candidates[0], None, f"code postal {postal_code} : {candidates[0].name}"
        total = sum(c.population or 0 for c in candidates)
        main = candidates[0]
        if postal_code.endswith("00") and total and (main.population or 0) / total >= MAIN_TOWN_SHARE:
            others = ", ".join(c.name for c in candidates[1:])
            return main, None, f"code postal {postal_code} : {main.name} (couvre aussi {others})"
        names = ", ".join(sorted((c.name for c in candidates), key=commune_key))
        return (
            None,
            f"le code postal {postal_code} couvre {len(candidates)} communes : {names}. "
            f"Écrivez le nom de la commune (par exemple « {postal_code} {candidates[0].name} »).",
            "",
        )

    def commune(self, value: str) -> tuple[Commune | None, str | None, str]:
        """(commune, error, note) for the commune column."""
        value = value.strip()
        if not value:
            return None, "la commune est obligatoire.", ""
        if re.fullmatch(r"\d{5}", value):
            if value in self.communes_by_postal_code:
                return self.by_postal_code(value)
            if value in self.commune_by_code:
                commune = self.commune_by_code[value]
                return commune, None, f"code INSEE {value} : {commune.name}"
            return None, f"« {value} » n'est ni un code postal ni un code INSEE du Pas-de-Calais.", ""
        pair = POSTAL_AND_NAME.match(value)
        if pair:
            postal_code = pair.group(1) or pair.group(4)
            name = pair.group(2) or pair.group(3)
            matching = [
                c for c in self.communes_by_postal_code.get(postal_code, []) if commune_key(c.name) == commune_key(name)
            ]
            if len(matching) == 1:
                return matching[0], None, ""
            if postal_code not in self.communes_by_postal_code:
                return None, f"le code postal {postal_code} n'est pas celui d'une commune du Pas-de-Calais.", ""
            names = ", ".join(c.name for c in self.communes_by_postal_code[postal_code])
            return None, f"« {name} » n'a pas le code postal {postal_code}, qui couvre : {names}.", ""
        candidates = self.communes_by_name.get(commune_key(value), [])
        current = [c for c in candidates if c.kind == "commune-actuelle"]
        if len(candidates) > 1 and len(current) == 1:
            candidates = current
        if len(candidates) == 1:
            commune = candidates[0]
            note = "" if commune.name == value else f"« {value} » lu comme {commune.name}"
            return commune, None, note
        if len(candidates) > 1:
            codes = ", ".join(f"{c.name} ({c.code})" for c in candidates)
            return None, f"plusieurs communes s'appellent « {value} » : donnez le code INSEE ({codes}).", ""
        reason = f"commune inconnue dans le Pas-de-Calais : « {value} »."
        suggestions = self.suggestions(value)
        if suggestions:
            reason += f" Vouliez-vous dire : {', '.join(suggestions)} ?"
        return None, reason, ""


def _names(value: str) -> list[str]:
    return [part.strip() for part in LIST_SEPARATOR.split(value or "") if part.strip()]


def _lookup_many(value: str, table: dict, column: str, line: int, errors: list, what: str) -> list:
    found = []
    for name in _names(value):
        item = table.get(slugify(name))
        if item is None:
            errors.append(RowError(line, column, f"{what} inconnu : « {name} ».", name))
        else:
            found.append(item)
    return found


def _coordinate(value: str, column: str, line: int, errors: list, bounds) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value.replace(",", ".")).quantize(Decimal("0.000001"))
    except InvalidOperation:
        errors.append(RowError(line, column, f"« {value} » n'est pas un nombre.", value))
        return None
    if not bounds[0] <= number <= bounds[1]:
        errors.append(RowError(line, column, "ce point est hors de France.", value))
        return None
    return number


DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S")


def _date(value: str, line: int, errors: list) -> datetime.datetime | None:
    """The "dernier contact" column: a date as typed in France (28/11/2026) or ISO; never in the future."""
    if not value:
        return None
    for date_format in DATE_FORMATS:
        try:
            day = datetime.datetime.strptime(value, date_format).date()
            break
        except ValueError:
            continue
    else:
        errors.append(RowError(line, "dernier_contact", f"date illisible : « {value} » (attendu : 28/11/2026).", value))
        return None
    if day > timezone.localdate():
        errors.append(RowError(line, "dernier_contact", "cette date est dans le futur.", value))
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def validate_row(row: dict, line: int, lookups: _Lookups) -> tuple[dict | None, list[RowError]]:
    errors: list[RowError] = []
    name = row.get("nom", "").strip()
    if not name:
        errors.append(RowError(line, "nom", "le nom est obligatoire."))
    commune_value = row.get("commune", "").strip()
    commune, commune_error, commune_note = lookups.commune(commune_value)
    if commune_error:
        errors.append(RowError(line, "commune", commune_error, commune_value))
    kind_value = row.get("type", "").strip()
    kind = lookups.kinds.get(slugify(kind_value)) if kind_value else ActorKind.AUTRE
    if kind is None:
        errors.append(RowError(line, "type", f"type de structure inconnu : « {kind_value} ».", kind_value))
    email = row.get("email", "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(RowError(line, "email", f"adresse e-mail invalide : « {email} ».", email))
    website = row.get("site", "").strip()
    if website:
        if not website.startswith(("http://", "https://")):
            website = f"https://{website}"
        try:
            URLValidator()(website)
        except ValidationError:
            errors.append(RowError(line, "site", f"adresse web invalide : « {row.get('site')} ».", row.get("site", "")))
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
    last_contact = _date(row.get("dernier_contact", "").strip(), line, errors)
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
        "last_contact_at": last_contact,
        "note": commune_note,
        "line": line,
    }, []


def check_file(path: Path) -> ImportReport:
    """Validate every row; nothing is written."""
    return check_content(path.read_bytes(), path.name)


def check_content(content: bytes, filename: str) -> ImportReport:
    """Validate every row of an uploaded file; nothing is written."""
    report = ImportReport()
    try:
        rows = read_table(content, filename)
    except ValidationError as exc:
        report.errors.append(RowError(1, "—", " ".join(exc.messages)))
        report.unreadable = True
        return report
    lookups = _Lookups()
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        if not any(value for value in row.values()):
            continue
        data, errors = validate_row(row, line, lookups)
        report.errors.extend(errors)
        if data is None:
            continue
        if data["import_key"] in seen:
            message = f"même structure qu'à la ligne {seen[data['import_key']]}."
            report.errors.append(RowError(line, "nom", message, data["name"]))
            continue
        seen[data["import_key"]] = line
        data["existing"] = lookups.existing.get(data["import_key"])
        report.rows.append(data)
        if data["existing"]:
            report.updated += 1
        else:
            report.created += 1
    return report


def import_file(path: Path) -> ImportReport:
    """Import every row, or none when any row is invalid (the report then lists why)."""
    return import_content(path.read_bytes(), path.name)


RELATIONS = ("labels", "sectors", "can_help", "looking_for")


def _unique_slug(name: str, taken: set[str], max_length: int = 120) -> str:
    """services.unique_slug, against the slugs already loaded: no query per row."""
    base = (slugify(name) or "acteur")[: max_length - 6].strip("-")
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    taken.add(slug)
    return slug


@transaction.atomic
def import_content(content: bytes, filename: str) -> ImportReport:
    """Import every row of an uploaded file in one transaction, or none when any row is invalid.

    An import is not news from the ambassadors: "dernières nouvelles" stays empty, or takes the
    "dernier contact" column, so the watch network sees who has not been heard from.

    Every row was validated by check_content against reference data loaded once; the writes
    are one save() per actor (so model save() and signals still run) and, per relation, one
    delete and one bulk insert of the through rows: 300 rows cost about 320 queries.
    """
    report = check_content(content, filename)
    if report.errors:
        return report
    existing_pks = [row["existing"] for row in report.rows if row["existing"]]
    existing = Actor.objects.in_bulk(existing_pks)
    taken = set(Actor.objects.values_list("slug", flat=True))
    saved: list[tuple[Actor, dict]] = []
    for row in report.rows:
        data = {key: value for key, value in row.items() if key not in ("note", "line", "existing")}
        last_contact = data.pop("last_contact_at")
        relations = {name: data.pop(name) for name in RELATIONS}
        actor = existing.get(row["existing"]) if row["existing"] else None
        if actor is None:
            actor = Actor(**data, last_contact_at=last_contact)
            actor.slug = _unique_slug(actor.name, taken)
        else:
            for name, value in data.items():
                setattr(actor, name, value)
            if last_contact and (actor.last_contact_at is None or last_contact > actor.last_contact_at):
                actor.last_contact_at = last_contact
        # The commune comes from the reference data: no query to check it again.
        actor.full_clean(exclude=["slug", "logo", "commune"], validate_unique=False)
        actor.save()
        saved.append((actor, relations))
    updated_ids = [actor.pk for actor, _relations in saved if actor.pk in existing]
    for name in RELATIONS:
        field_name = Actor._meta.get_field(name)
        through = field_name.remote_field.through
        source = field_name.m2m_field_name()
        target = field_name.m2m_reverse_field_name()
        if updated_ids:
            through.objects.filter(**{f"{source}__in": updated_ids}).delete()
        through.objects.bulk_create(
            [
                through(**{f"{source}_id": actor.pk, f"{target}_id": item.pk})
                for actor, relations in saved
                for item in {item.pk: item for item in relations[name]}.values()
            ]
        )
    # The through rows bypass m2m signals: refresh the folded search column once for the batch,
    # so imported sectors and "peut aider sur" are searchable like those saved in the admin.
    actor_search_text_refresh([actor.pk for actor, _relations in saved])
    services.directory_changed()
    return report
