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


@register.filter
def euro(value) -> str:
    """An amount in euro the Dutch way: 12500 → € 12.500, 12500.5 → € 12.500,50."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    places = 0 if amount == amount.to_integral_value() else 2
    written = f"{amount:,.{places}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"€ {written}"
