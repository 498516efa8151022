"""Search that ignores case and accents, the same on PostgreSQL and on SQLite.

People type on a phone without accents ("bethune", "epicerie", "bookkafe"): every searchable
model keeps a ``search_text`` column holding the *folded* form of what it is found by (lower
case, accents and ligatures removed), and a query is folded the same way, then matched token
by token with ``LIKE '%token%'``. Folding in Python rather than with PostgreSQL's ``unaccent``
gives the same answer on both databases (the tests run on both), needs no extension, and lets
PostgreSQL use a trigram index when one exists.

A small typo ("bethnue", "epicrie") is tolerated by ``correct_tokens``: when a token matches
nothing, it is replaced by the closest word of the searched vocabulary (difflib, standard
library; the vocabulary is a few thousand words, cached by the caller).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db.models import Q, QuerySet

_QuerySetT = TypeVar("_QuerySetT", bound=QuerySet[Any])

# Letters NFKD does not decompose into a base letter plus a combining mark.
_LIGATURES = str.maketrans(
    {
        "œ": "oe",
        "Œ": "oe",
        "æ": "ae",
        "Æ": "ae",
        "ß": "ss",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "’": "'",
        "‘": "'",
        "‐": "-",
        "–": "-",
        "—": "-",
    }
)
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+")
MAX_TOKENS = 8
MIN_FUZZY_LENGTH = 4


def fold(value: str | None) -> str:
    """``"Béthune — L'Œuvre"`` -> ``"bethune - l'oeuvre"``: lower case, no accents, one space."""
    if not value:
        return ""
    text = unicodedata.normalize("NFKD", str(value).translate(_LIGATURES))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return _SPACES.sub(" ", text.casefold().translate(_LIGATURES)).strip()


def fold_join(*parts: str | None) -> str:
    """The search column's value: the folded parts, separated so a token cannot span two parts."""
    return " | ".join(folded for folded in (fold(part) for part in parts) if folded)


def tokens(query: str | None) -> list[str]:
    """The folded words of a query (at most ``MAX_TOKENS``, so a pasted paragraph stays cheap)."""
    return [token for token in fold(query).replace("|", " ").split(" ") if token][:MAX_TOKENS]


def words(text: str) -> set[str]:
    """Alphanumeric words of a folded text (the vocabulary typos are corrected against)."""
    return set(_WORD.findall(text))


def folded_q(query: str | Iterable[str], field: str = "search_text") -> Q:
    """Every token of the query is somewhere in ``field`` (``contains``: the column is folded)."""
    query_tokens = tokens(query) if isinstance(query, str) else list(query)
    condition = Q()
    for token in query_tokens:
        condition &= Q(**{f"{field}__contains": token})
    return condition


def closest_word(token: str, vocabulary: Iterable[str]) -> str | None:
    """The word of the vocabulary one small typo away from ``token`` (swap, missing or extra letter)."""
    if len(token) < MIN_FUZZY_LENGTH or not token.isalnum():
        return None
    # Same first letter and a close length: cheap filter before difflib's ratio.
    candidates = [
        word for word in vocabulary if word[:1] == token[:1] and abs(len(word) - len(token)) <= 2 and len(word) >= 3
    ]
    matches = difflib.get_close_matches(token, candidates, n=1, cutoff=0.75)
    return matches[0] if matches else None


def correct_tokens(query_tokens: list[str], vocabulary: set[str]) -> list[str] | None:
    """The query with each unknown token replaced by its closest word, or None if nothing changed.

    A token is known when it is a substring of some word of the vocabulary (the search is a
    substring search: "bookk" is fine)."""
    corrected = []
    changed = False
    for token in query_tokens:
        if token in vocabulary or any(token in word for word in vocabulary):
            corrected.append(token)
            continue
        replacement = closest_word(token, vocabulary)
        if replacement is None:
            return None
        corrected.append(replacement)
        changed = True
    return corrected if changed else None


def search_filter(
    queryset: _QuerySetT, query: str | None, vocabulary: Callable[[], set[str]], field: str = "search_text"
) -> tuple[_QuerySetT, list[str] | None]:
    """``queryset`` narrowed to the folded query, and the corrected tokens if a typo was fixed.

    One query more than the plain filter (``exists``) and, only when nothing matched, the
    vocabulary (a callable, cached by the caller): the count does not grow with the data."""
    query_tokens = tokens(query)
    if not query_tokens:
        return queryset, None
    filtered = queryset.filter(folded_q(query_tokens, field))
    if filtered.exists():
        return filtered, None
    corrected = correct_tokens(query_tokens, vocabulary())
    if corrected is None:
        return filtered, None
    return queryset.filter(folded_q(corrected, field)), corrected
