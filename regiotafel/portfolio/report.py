"""The tables of the national progress report (seed 003), computed from project states.

Pure functions: they take the states of the projects at one or two reference dates and the
registry lists, and return :class:`ReportTable` objects that every renderer (page, HTML, CSV,
XLSX, JSON) prints the same way. Loading the states is done in ``services``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from regiotafel.portfolio.models import (
    PHASE_DIMENSIONS,
    Impact,
    OrganisationsBand,
    Scalability,
    Shareable,
    Status,
)


@dataclass(frozen=True)
class ProjectState:
    """One project as assessed on (or before) a reference date."""

    theme: str
    funder: str
    start_year: int
    start_year_last: int
    status: str
    impact: str
    shareable: str
    scalability: str
    organisations: str


@dataclass(frozen=True)
class Snapshot:
    """All project states at one reference date."""

    date: date
    states: list[ProjectState]


@dataclass
class ReportTable:
    key: str  # stable id: "tabel-4"
    title: str
    row_header: str
    columns: list[str]
    rows: list[tuple[str, list]] = field(default_factory=list)  # label, cells
    total: tuple[str, list] | None = None
    note: str = ""

    def as_dict(self) -> dict:
        return {
            "sleutel": self.key,
            "titel": self.title,
            "rijkop": self.row_header,
            "kolommen": self.columns,
            "rijen": [{"label": label, "waarden": cells} for label, cells in self.rows],
            "totaal": ({"label": self.total[0], "waarden": self.total[1]} if self.total else None),
            "toelichting": self.note,
        }

    def body(self) -> list[tuple[str, list]]:
        return [*self.rows, *([self.total] if self.total else [])]


def month_label(when: date) -> str:
    return date_format(when, "M Y").lower()


def percent(part: int, whole: int, decimals: int) -> str:
    """A percentage the Dutch way, as the report prints it: "3,5%"."""
    value = 100 * part / whole if whole else 0.0
    return f"{value:.{decimals}f}%".replace(".", ",")


# ---------------------------------------------------------------- counting tables


UNKNOWN = "onbekend"  # the value of "Nog onbekend" / "Onbekend" in every classification


def _count_table(
    key: str,
    title: str,
    row_header: str,
    categories: list[tuple[str, str]],
    snapshots: list[Snapshot],
    attribute: str,
) -> ReportTable:
    """Rows per category, a column per reference date, and the change when there are two.

    The unknown category is printed only when some project is in it, as the published
    report does (table 8 has the row, table 12 not)."""
    counts = [Counter(getattr(s, attribute) for s in snap.states) for snap in snapshots]
    columns = [_("Aantal %(date)s") % {"date": month_label(s.date)} for s in snapshots]
    if len(snapshots) == 2:
        columns.append(_("Verschil"))
    table = ReportTable(key, title, row_header, columns)
    for value, label in categories:
        cells = [c[value] for c in counts]
        if value == UNKNOWN and not any(cells):
            continue
        table.rows.append((label, cells + _change(cells)))
    totals = [len(s.states) for s in snapshots]
    table.total = (_("Totaal"), totals + _change(totals))
    return table


def _change(cells: list[int]) -> list[int]:
    return [cells[1] - cells[0]] if len(cells) == 2 else []


def _choices(choices) -> list[tuple[str, str]]:
    return [(c.value, str(c.label)) for c in choices]


def theme_by_funder(snapshot: Snapshot, themes: list[str], funders: list[str]) -> ReportTable:
    """Table 4: projects per theme (rows) and funder (columns), with totals."""
    counts = Counter((s.theme, s.funder) for s in snapshot.states)
    table = ReportTable(
        "tabel-4",
        _("Tabel 4. Verdeling transitieplannen over concessiehouders"),
        _("Hoofdrubriek"),
        [*funders, _("Totaal")],
    )
    for theme in themes:
        cells = [counts[(theme, f)] for f in funders]
        table.rows.append((theme, [*cells, sum(cells)]))
    per_funder = [sum(counts[(t, f)] for t in themes) for f in funders]
    table.total = (_("Totaal"), [*per_funder, sum(per_funder)])
    return table


def organisations_involved(snapshots: list[Snapshot]) -> ReportTable:
    """Table 5 as published: the four bands, without an unknown row or a total; how many
    projects have no known number of organisations is said below the table."""
    table = _count_table(
        "tabel-5",
        _("Tabel 5. Betrokkenheid zorgaanbieders"),
        _("Aantal betrokken zorgorganisaties"),
        [(value, label) for value, label in _choices(OrganisationsBand) if value != UNKNOWN],
        snapshots,
        "organisations",
    )
    table.total = None
    unknown = [
        _("%(n)s van de %(total)s projecten (%(date)s)")
        % {
            "n": sum(1 for s in snap.states if s.organisations == UNKNOWN),
            "total": len(snap.states),
            "date": month_label(snap.date),
        }
        for snap in snapshots
    ]
    table.note = _(
        "Zonder bekend aantal betrokken organisaties, en daarom niet in de tabel (zoals in de "
        "gepubliceerde rapportage): %(counts)s."
    ) % {"counts": "; ".join(unknown)}
    return table


def project_status(snapshots: list[Snapshot]) -> ReportTable:
    return _count_table(
        "tabel-6",
        _("Tabel 6. Projectstatus plannen"),
        _("Projectstatus alle projecten"),
        _choices(Status),
        snapshots,
        "status",
    )


def new_projects_by_theme(snapshot: Snapshot, themes: list[str]) -> ReportTable:
    """Table 7: projects starting in the reference year or later against those started before."""
    year = snapshot.date.year
    recent_years = sorted({s.start_year for s in snapshot.states if s.start_year >= year})
    earlier = [s for s in snapshot.states if s.start_year < year]
    recent = [s for s in snapshot.states if s.start_year >= year]
    first_earlier = min((s.start_year for s in earlier), default=year - 1)
    last_earlier = max((s.start_year_last for s in earlier), default=year - 1)
    span = _span(recent_years[0], recent_years[-1]) if recent_years else str(year)
    columns = [_("Start %(year)s") % {"year": y} for y in recent_years]
    columns += [
        _("Totaal %(span)s") % {"span": span},
        _("Procentueel"),
        _("Aanvang %(span)s") % {"span": _span(first_earlier, last_earlier)},
        _("Procentueel"),
    ]
    table = ReportTable(
        "tabel-7", _("Tabel 7. Verschuiving thema's nieuwe projecten"), _("Hoofdrubriek"), columns
    )
    by_year = Counter((s.theme, s.start_year) for s in recent)
    recent_theme = Counter(s.theme for s in recent)
    earlier_theme = Counter(s.theme for s in earlier)

    def cells(per_year: list[int], new: int, old: int) -> list:
        # The published table rounds the first share to one decimal, the second to two.
        return [
            *per_year,
            new,
            percent(new, len(recent), 1),
            old,
            percent(old, len(earlier), 2),
        ]

    for theme in themes:
        per_year = [by_year[(theme, y)] for y in recent_years]
        table.rows.append((theme, cells(per_year, recent_theme[theme], earlier_theme[theme])))
    per_year = [sum(1 for s in recent if s.start_year == y) for y in recent_years]
    table.total = (_("Totaal"), cells(per_year, len(recent), len(earlier)))
    return table


def _span(first: int, last: int) -> str:
    return f"{first}-{last}" if first != last else str(first)


def impact(snapshots: list[Snapshot]) -> ReportTable:
    return _count_table(
        "tabel-8",
        _("Tabel 8. Impact projecten"),
        _("Mate van impact"),
        _choices(Impact),
        snapshots,
        "impact",
    )


def shareable_results(snapshots: list[Snapshot]) -> ReportTable:
    return _count_table(
        "tabel-10",
        _("Tabel 10. Deelbare resultaten"),
        _("Delen van resultaten"),
        _choices(Shareable),
        snapshots,
        "shareable",
    )


def scalability(snapshots: list[Snapshot]) -> ReportTable:
    return _count_table(
        "tabel-11",
        _("Tabel 11. Analyse opschaalbaarheid"),
        _("Analyse opschaalbaarheid"),
        _choices(Scalability),
        snapshots,
        "scalability",
    )


def theme_profile(snapshots: list[Snapshot], theme: str) -> list[ReportTable]:
    """Table 12: impact, shareable results and scalability of one theme's projects."""
    only = [Snapshot(s.date, [p for p in s.states if p.theme == theme]) for s in snapshots]
    parts = [
        ("impact", _("Impact"), Impact),
        ("shareable", _("Resultaten te delen"), Shareable),
        ("scalability", _("Opschaalbaar"), Scalability),
    ]
    return [
        _count_table(
            f"tabel-12-{attribute}",
            _("Tabel 12. Ontwikkeling thema %(theme)s: %(part)s") % {"theme": theme, "part": part},
            part,
            _choices(choices),
            only,
            attribute,
        )
        for attribute, part, choices in parts
    ]


# ---------------------------------------------------------------- region phases


@dataclass(frozen=True)
class PhaseRow:
    region: str
    date: date
    agreements: int
    dynamics: int
    vision: int


PHASE_TITLES = {
    "afspraken_convenanten": ("tabel-1", "Tabel 1. Afspraken / convenanten", "agreements"),
    "samenwerkingsdynamiek": ("tabel-2", "Tabel 2. Samenwerkingsdynamiek", "dynamics"),
    "stip_op_de_horizon": ("tabel-3", "Tabel 3. Regiovisie / stip op de horizon", "vision"),
}


def phase_tables(
    rows: list[PhaseRow], published: dict[tuple[date, str, int], int]
) -> list[ReportTable]:
    """Tables 1-3: regions per phase at every date, from per-region scores where they exist,
    else from the published national counts."""
    scored = {r.date for r in rows}
    dates = sorted(scored | {d for d, _dim, _p in published})
    tables = []
    for dimension, choices in PHASE_DIMENSIONS.items():
        key, title, attribute = PHASE_TITLES[dimension]
        table = ReportTable(key, _(title), _("Fase"), [month_label(d) for d in dates])
        for member in choices:
            cells = [
                sum(1 for r in rows if r.date == d and getattr(r, attribute) == member.value)
                if d in scored
                else published.get((d, dimension, member.value), 0)
                for d in dates
            ]
            table.rows.append((str(member.label), cells))
        table.total = (_("Totaal"), [sum(c[i] for _l, c in table.rows) for i in range(len(dates))])
        only_published = [month_label(d) for d in dates if d not in scored]
        if only_published:
            table.note = _("%(dates)s: gepubliceerde landelijke aantallen.") % {
                "dates": ", ".join(only_published)
            }
        tables.append(table)
    return tables


def region_appendix(rows: list[PhaseRow]) -> ReportTable:
    """Appendix 1: each region's latest phases, in the official wording, in the given order."""
    from regiotafel.portfolio.models import Agreements, Dynamics, Vision

    table = ReportTable(
        "bijlage-1",
        _("Bijlage 1. Processtatus per zorgkantoorregio"),
        _("Zorgkantoorregio"),
        [_("Afspraken / Convenanten"), _("Stip op de Horizon"), _("Ontwikkelfase")],
    )
    for row in rows:
        table.rows.append(
            (
                row.region,
                [
                    str(Agreements(row.agreements).label),
                    str(Vision(row.vision).label),
                    str(Dynamics(row.dynamics).label),
                ],
            )
        )
    return table


# ---------------------------------------------------------------- the whole report


@dataclass
class Report:
    title: str
    reference_date: date
    compare_date: date | None
    scope: str
    tables: list[ReportTable]

    def table(self, key: str) -> ReportTable:
        return next(t for t in self.tables if t.key == key)

    def as_dict(self) -> dict:
        return {
            "titel": self.title,
            "peildatum": self.reference_date.isoformat(),
            "vergelijkingsdatum": self.compare_date.isoformat() if self.compare_date else None,
            "reikwijdte": self.scope,
            "tabellen": [t.as_dict() for t in self.tables],
        }


def build(
    *,
    current: Snapshot,
    previous: Snapshot | None,
    themes: list[str],
    funders: list[str],
    phases_until: list[PhaseRow],
    phases_latest: list[PhaseRow],
    published_phases: dict,
    scope: str,
    profile_theme: str = "Technologie",
) -> Report:
    snapshots = [previous, current] if previous else [current]
    tables = [
        *phase_tables(phases_until, published_phases),
        theme_by_funder(current, themes, funders),
        organisations_involved(snapshots),
        project_status(snapshots),
        new_projects_by_theme(current, themes),
        impact(snapshots),
        shareable_results(snapshots),
        scalability(snapshots),
        *theme_profile(snapshots, profile_theme),
    ]
    if phases_latest:
        tables.append(region_appendix(phases_latest))
    return Report(
        _("Voortgang regionale projecten"),
        current.date,
        previous.date if previous else None,
        scope,
        tables,
    )
