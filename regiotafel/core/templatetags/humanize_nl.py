from django import template

register = template.Library()


@register.filter
def getal(value) -> str:
    """A whole number the Dutch way: 583947 → 583.947; blank stays a dash."""
    if value is None or value == "":
        return "—"
    try:
        number = int(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:,}".replace(",", ".")
