"""Query and form parameters read safely: a bad value is a 400 with a French message, never a 500.

`"²".isdigit()` is true but `int("²")` fails; a 23-digit id overflows the database integer
(`OverflowError` on SQLite, `NumericValueOutOfRange` on PostgreSQL). Every admin filter reads
its integers through `int_param`, which accepts ASCII digits only, within bounds.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest
from django.utils.translation import gettext as _

# PostgreSQL's `integer` (ids of Django's AutoField): a larger id cannot exist.
MAX_ID = 2**31 - 1


class InvalidParameter(BadRequest):
    """A query or form parameter that cannot be what it claims: answered 400 with its French message
    (site_kollektif.admin_input.AdminInputMiddleware renders it)."""


def is_bounded_int(value: str, *, minimum: int = 0, maximum: int = MAX_ID) -> bool:
    """ASCII digits within [minimum, maximum]: "²" is a digit to Python, and a 23-digit id
    overflows SQLite and PostgreSQL."""
    return value.isascii() and value.isdigit() and len(value) <= len(str(maximum)) and minimum <= int(value) <= maximum


def parse_int(raw: str | None, *, name: str, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """`raw` as a bounded integer, None when absent or blank; InvalidParameter otherwise."""
    value = (raw or "").strip()
    if not value:
        return None
    if not is_bounded_int(value, minimum=minimum, maximum=maximum):
        raise InvalidParameter(
            _("Le paramètre « %(name)s » doit être un nombre entier entre %(min)s et %(max)s.")
            % {"name": name, "min": minimum, "max": maximum}
        )
    return int(value)


def int_param(request: HttpRequest, name: str, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """The integer `name` of the query string (or of the form, for a POST), or None if absent."""
    raw = request.GET.get(name) or (request.POST.get(name) if request.method == "POST" else None)
    return parse_int(raw, name=name, minimum=minimum, maximum=maximum)
