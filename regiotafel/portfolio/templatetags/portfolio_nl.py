"""Numbers of KPIs the Dutch way, in pages and charts."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def maat(value) -> str:
    """A measured value the Dutch way, without trailing zeros: 6610.00 → 6.610, 9.20 → 9,2,
    60 → 60 (never 6E+1); blank stays a dash."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value)).normalize()
    except InvalidOperation:
        return str(value)
    return f"{number:,f}".replace(",", " ").replace(".", ",").replace(" ", ".")
