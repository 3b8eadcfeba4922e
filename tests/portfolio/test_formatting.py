"""KPI values are written the Dutch way in pages and charts."""

from decimal import Decimal

import pytest

from regiotafel.portfolio.templatetags.portfolio_nl import euro, maat

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "value, written",
    [
        (Decimal("60.00"), "60"),  # Decimal.normalize() alone would give 6E+1
        (Decimal("9.20"), "9,2"),
        (Decimal("6610.00"), "6.610"),
        (Decimal("-1234567.5"), "-1.234.567,5"),
        (None, "—"),
    ],
)
def test_a_kpi_value_is_written_with_a_decimal_comma_and_thousands_dots(value, written):
    assert maat(value) == written


@pytest.mark.parametrize(
    "value, written",
    [(Decimal("12500.00"), "€ 12.500"), (Decimal("12500.5"), "€ 12.500,50"), (None, "—")],
)
def test_a_budget_is_written_in_euro_the_dutch_way(value, written):
    assert euro(value) == written
