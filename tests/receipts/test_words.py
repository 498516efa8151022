"""Amounts in French words and figures, as printed on the Cerfa receipts."""

from __future__ import annotations

import pytest

from campagnes.receipts.words import amount_in_words, format_amount


@pytest.mark.parametrize(
    ("cents", "expected"),
    [
        (0, "zéro euro"),
        (1, "zéro euro et un centime"),
        (2, "zéro euro et deux centimes"),
        (100, "un euro"),
        (101, "un euro et un centime"),
        (2100, "vingt et un euros"),
        (7100, "soixante et onze euros"),
        (8000, "quatre-vingts euros"),
        (8100, "quatre-vingt-un euros"),
        (9999, "quatre-vingt-dix-neuf euros et quatre-vingt-dix-neuf centimes"),
        (20000, "deux cents euros"),
        (100000, "mille euros"),
        (8000000, "quatre-vingt mille euros"),
        (100000000, "un million d'euros"),
        (120000000, "un million deux cent mille euros"),
        (200000050, "deux millions d'euros et cinquante centimes"),
        (100000000000, "un milliard d'euros"),
    ],
)
def test_amount_in_words(cents, expected):
    assert amount_in_words(cents) == expected


@pytest.mark.parametrize("bad", [1.5, "100", None, True])
def test_amount_in_words_takes_integer_cents_only(bad):
    with pytest.raises(TypeError):
        amount_in_words(bad)


def test_amount_in_words_refuses_negative_amounts():
    with pytest.raises(ValueError):
        amount_in_words(-1)


@pytest.mark.parametrize(
    ("cents", "expected"),
    [
        (0, "0,00\u00a0€"),
        (1, "0,01\u00a0€"),
        (7100, "71,00\u00a0€"),
        (100000, "1\u202f000,00\u00a0€"),
        (100000050, "1\u202f000\u202f000,50\u00a0€"),
    ],
)
def test_format_amount_is_french(cents, expected):
    # Narrow no-break spaces between thousands, a no-break space before the sign.
    assert format_amount(cents) == expected


def test_format_amount_takes_integer_cents_only():
    with pytest.raises(TypeError):
        format_amount(12.5)
