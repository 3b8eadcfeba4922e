"""Projects exported in the import's own format (CSV or XLSX), with their state at a date.

What an analyst downloads can be edited in a spreadsheet and read in again: the columns are
the import's, the classifications in their official wording, dates as JJJJ-MM-DD.
"""

from __future__ import annotations

import io
from datetime import date

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from regiotafel.core.tabular import csv_writer, write_xlsx
from regiotafel.errors import InvalidInput
from regiotafel.portfolio.imports import OPTIONAL_PROJECT_COLUMNS, PROJECT_COLUMNS
from regiotafel.portfolio.models import (
    Assessment,
    Impact,
    OrganisationsBand,
    Scalability,
    Shareable,
    Status,
)

COLUMNS = [*PROJECT_COLUMNS, *OPTIONAL_PROJECT_COLUMNS]
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_LABELS = {
    "status": dict(Status.choices),
    "impact": dict(Impact.choices),
    "shareable": dict(Shareable.choices),
    "scalability": dict(Scalability.choices),
    "organisations": dict(OrganisationsBand.choices),
}


def rows(projects, *, at: date) -> list[list[str]]:
    """One row per project: its fields and its assessment valid at the date (blank before)."""
    assessed = Assessment.objects.filter(valid_from__lte=at).order_by("-valid_from")
    found = projects.select_related("region", "theme", "funder", "lead_organisation")
    found = found.prefetch_related(Prefetch("assessments", assessed, to_attr="until_then"))
    return [_row(project) for project in found.order_by("code")]


def _row(project) -> list[str]:
    state = project.until_then[0] if project.until_then else None

    def label(attribute: str) -> str:
        return str(_LABELS[attribute][getattr(state, attribute)]) if state else ""

    return [
        project.code,
        project.name,
        project.theme.name,
        project.funder.name,
        project.start_period,
        label("status"),
        label("impact"),
        label("shareable"),
        label("scalability"),
        label("organisations"),
        project.region.name if project.region else "",
        project.start_date.isoformat() if project.start_date else "",
        project.end_date.isoformat() if project.end_date else "",
        project.lead_organisation.name if project.lead_organisation else "",
        f"{project.budget:f}".replace(".", ",") if project.budget is not None else "",
    ]


def render(table: list[list[str]], fmt: str) -> bytes:
    if fmt == "csv":
        out = io.StringIO()
        csv_writer(out, lineterminator="\r\n").writerows([COLUMNS, *table])
        return out.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 with a BOM correctly
    if fmt == "xlsx":
        return write_xlsx({_("projecten"): [COLUMNS, *table]})
    raise InvalidInput(
        _("Onbekend formaat %(name)s; kies uit %(known)s.")
        % {"name": fmt, "known": ", ".join(FORMATS)},
        code="onbekend-formaat",
    )


def filename(at: date, fmt: str) -> str:
    return f"portfolio-projecten-{at.isoformat()}.{fmt}"
