"""The two files a treasurer hands on: the FEC and the CSV Paheko imports.

Both are generators of bytes, fed to a ``StreamingHttpResponse``: a year of 20,000 payments is
written as it is read, never held in memory (see ``bench/bench_fec_export.py``).

FEC ("fichier des écritures comptables"): Livre des procédures fiscales, art. L47 A and
art. A47 A-1 (arrêté du 29 juillet 2013); administrative doctrine BOI-CF-IOR-60-40-20. Eighteen
fields in this order, a header line with their names, tab separated, dates as AAAAMMJJ, amounts
with a comma as decimal separator, one line per account line, entries numbered continuously;
characters in ISO 8859-15 (one of the encodings A47 A-1 lists); the file is named
``<SIREN>FEC<AAAAMMJJ>.txt``, the date being the end of the financial year.

Paheko ("Import d'écritures", format « Complet »): the column names of
``Paheko\\Accounting\\Export::COLUMNS_FULL`` (paheko/paheko, src/include/lib/Paheko/Accounting/
Export.php). Lines sharing a "Numéro d'écriture" form one entry; the treasurer chooses the import
mode « Créer toutes les écritures » (Paheko's ``ignore_ids``), so our numbers never overwrite
hers. Paheko finds the separator (";") and skips the UTF-8 BOM itself (``Paheko\\CSV``); dates
are dd/mm/yyyy and amounts "12,50", as its own exports write them. The optional columns "Type",
"Statut", "Projet analytique"… are left out: an empty "Type" would be refused.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator

from campagnes.accounting.entries import Entry

FEC_COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
FEC_ENCODING = "iso-8859-15"

PAHEKO_COLUMNS = (
    "Numéro d'écriture",
    "Date",
    "Libellé",
    "Numéro pièce comptable",
    "Remarques",
    "Numéro compte",
    "Libellé compte",
    "Débit",
    "Crédit",
    "Libellé ligne",
)

FLUSH_BYTES = 64 * 1024


def decimal_comma(cents: int) -> str:
    """``1250`` → ``"12,50"``: integer arithmetic, no float on the way."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100},{cents % 100:02d}"


def _field(text: str) -> str:
    """A FEC field holds no tab and no line break (they separate fields and records); dashes
    ISO 8859-15 lacks become hyphens rather than "?"."""
    return " ".join(str(text).replace("\t", " ").replace("\u2014", "-").replace("\u2013", "-").split())


def fec_filename(*, siren: str, end: datetime.date, fallback: str) -> str:
    """``<SIREN>FEC<AAAAMMJJ>.txt`` (LPF art. A47 A-1); without a SIREN, what identifies the
    association (its RNA number or its name) takes its place, and the page says so."""
    return f"{siren or fallback}FEC{end:%Y%m%d}.txt"


def _buffered(rows: Iterable[str], encoding: str, *, errors: str = "strict", prefix: bytes = b"") -> Iterator[bytes]:
    chunk: list[str] = []
    size = 0
    if prefix:
        yield prefix
    for row in rows:
        chunk.append(row)
        size += len(row)
        if size >= FLUSH_BYTES:
            yield "".join(chunk).encode(encoding, errors=errors)
            chunk, size = [], 0
    if chunk:
        yield "".join(chunk).encode(encoding, errors=errors)


def _fec_rows(entries: Iterable[Entry]) -> Iterator[str]:
    yield "\t".join(FEC_COLUMNS) + "\r\n"
    for number, entry in enumerate(entries, start=1):
        day = f"{entry.date:%Y%m%d}"
        for line in entry.lines:
            yield (
                "\t".join(
                    (
                        _field(entry.journal_code),
                        _field(entry.journal_label),
                        str(number),
                        day,
                        line.account,
                        _field(line.account_label),
                        "",
                        "",
                        _field(entry.piece_ref),
                        day,
                        _field(entry.label),
                        decimal_comma(line.debit_cents),
                        decimal_comma(line.credit_cents),
                        "",
                        "",
                        day,
                        "",
                        "",
                    )
                )
                + "\r\n"
            )


def fec_bytes(entries: Iterable[Entry]) -> Iterator[bytes]:
    """The FEC, chunk by chunk; a character ISO 8859-15 lacks becomes "?"."""
    return _buffered(_fec_rows(entries), FEC_ENCODING, errors="replace")


def _paheko_rows(entries: Iterable[Entry]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def row(values) -> str:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield row(PAHEKO_COLUMNS)
    for number, entry in enumerate(entries, start=1):
        day = f"{entry.date:%d/%m/%Y}"
        for line in entry.lines:
            yield row(
                (
                    number,
                    day,
                    entry.label,
                    entry.piece_ref,
                    f"{entry.journal_code} {entry.journal_label}",
                    line.account,
                    line.account_label,
                    decimal_comma(line.debit_cents) if line.debit_cents else "",
                    decimal_comma(line.credit_cents) if line.credit_cents else "",
                    line.account_label,
                )
            )


def paheko_bytes(entries: Iterable[Entry]) -> Iterator[bytes]:
    """The CSV for Paheko's « Import d'écritures » (format « Complet »), UTF-8 with a BOM."""
    return _buffered(_paheko_rows(entries), "utf-8", prefix=b"\xef\xbb\xbf")
