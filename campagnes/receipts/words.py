"""Amounts as French words and figures, for the "somme en toutes lettres" of a tax receipt.

The Cerfa receipts require the amount written out in full. The number words come from
num2words (it knows the French rules: "soixante et onze", "quatre-vingts" but
"quatre-vingt-un", "deux cents" but "deux cent mille"). Its ``to="currency"`` mode is not
used as is, because it gets the currency wording wrong for documents a tax office reads:
it writes "zéro euros", "un euro et zéro centimes" and "un million euros". So we ask
num2words for the cardinal words of the euros and of the cents, and add the units here.
"""

from __future__ import annotations

from num2words import num2words

from campagnes.money import format_eur

# Nouns after which French puts "de" before the unit: "un million d'euros",
# but "un million deux cent mille euros" (the last word decides).
_NOUNS_TAKING_DE = frozenset({"million", "millions", "milliard", "milliards", "billion", "billions"})


def _check_cents(cents: int) -> None:
    # bool is an int subclass and a float would carry rounding errors: refuse both loudly.
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"amount must be integer cents, not {type(cents).__name__}: {cents!r}")
    if cents < 0:
        raise ValueError(f"amount must not be negative: {cents!r}")


def _euros_in_words(euros: int) -> str:
    words = num2words(euros, lang="fr")
    if words.split()[-1] in _NOUNS_TAKING_DE:
        return f"{words} d'euros"
    # French keeps the singular below two: "zéro euro", "un euro".
    return f"{words} {'euros' if euros >= 2 else 'euro'}"


def amount_in_words(cents: int) -> str:
    """12345 → 'cent vingt-trois euros et quarante-cinq centimes'.

    Cents are left out when there are none ("mille euros"), the euros are always said,
    even when zero ("zéro euro et un centime"), so the sentence reads as an amount.
    """
    _check_cents(cents)
    euros, rest = divmod(cents, 100)
    words = _euros_in_words(euros)
    if rest:
        words += f" et {num2words(rest, lang='fr')} {'centimes' if rest >= 2 else 'centime'}"
    return words


def format_amount(cents: int) -> str:
    """12345 → '123,45 €' in the French way (narrow no-break spaces between thousands).

    A thin wrapper on ``campagnes.money.format_eur`` so that the receipts show amounts
    exactly as the rest of the site does, with the integer-cents check of this module.
    """
    _check_cents(cents)
    return format_eur(cents)
