"""Importing projects and region phases from CSV or XLSX: every row checked, all or nothing.

A file with any error writes nothing and answers with one Dutch message per row and column.
Importing the same file again changes nothing; the same project id with a new reference date
(peildatum) adds a dated assessment, so the state at any date can still be reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from regiotafel.core import audit, services, tabular
from regiotafel.core.models import Organisation, Region
from regiotafel.errors import FieldError, InvalidInput
from regiotafel.portfolio.models import (
    PHASE_DIMENSIONS,
    Assessment,
    Funder,
    Impact,
    OrganisationsBand,
    Project,
    RegionPhase,
    Scalability,
    Shareable,
    Status,
    Theme,
)

PROJECT_COLUMNS = [
    "id",
    "naam",
    "thema",
    "concessiehouder",
    "startperiode",
    "status",
    "impact",
    "resultaten_deelbaar",
    "opschaalbaarheid",
    "betrokken_organisaties",
]
OPTIONAL_PROJECT_COLUMNS = ["regio", "startdatum", "einddatum", "penvoerder", "budget"]
PHASE_COLUMNS = ["zorgkantoorregio", *PHASE_DIMENSIONS]

# column -> (choices, model field) for the classifications of an assessment
CLASSIFICATIONS = {
    "status": (Status, "status"),
    "impact": (Impact, "impact"),
    "resultaten_deelbaar": (Shareable, "shareable"),
    "opschaalbaarheid": (Scalability, "scalability"),
    "betrokken_organisaties": (OrganisationsBand, "organisations"),
}
START_PERIOD = re.compile(r"^(\d{4})(?:\s*-\s*(\d{4}))?$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONTH_IN_NAME = re.compile(r"(\d{4})-(\d{2})(?!.*\d{4}-\d{2})")


@dataclass
class ImportResult:
    name: str
    reference_date: date
    created: int = 0
    updated: int = 0
    assessments_added: int = 0
    regions: set = field(default_factory=set)


def reference_date_for(*, name: str, given: date | None) -> date:
    """The reference date: given, else the month in the file name (first day), else today."""
    if given is not None:
        return given
    found = MONTH_IN_NAME.search(Path(name).stem)
    if found and 1 <= int(found.group(2)) <= 12:
        return date(int(found.group(1)), int(found.group(2)), 1)
    return date.today()


def _lookup(choices) -> dict[str, object]:
    """Every way a file may write a choice (its official wording or its code), casefolded."""
    found = {}
    for member in choices:
        found[str(member.value).casefold()] = member
        found[str(member.label).casefold()] = member
    return found


def _parse_date(value, *, row, column, errors) -> date | None:
    if value == "":
        return None
    if ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    errors.append(
        FieldError(
            field=column,
            row=row,
            message=_("'%(value)s' is geen datum in de vorm JJJJ-MM-DD.") % {"value": value},
        )
    )
    return None


_BUDGET = Project._meta.get_field("budget")
BUDGET_LIMIT = Decimal(10) ** (_BUDGET.max_digits - _BUDGET.decimal_places)
DUTCH_AMOUNT = re.compile(r"^-?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d{1,2})?$")


def parse_amount(value: str) -> Decimal | None:
    """An amount in euro written the Dutch way ("€ 12.500", "12500,50"); None otherwise. A
    point is only a thousands separator, so "12.5" is refused rather than read as 125."""
    cleaned = value.replace("€", "").replace(" ", "").strip()
    if not DUTCH_AMOUNT.match(cleaned):
        return None
    return Decimal(cleaned.replace(".", "").replace(",", "."))


def organisations_band(value: str) -> OrganisationsBand | None:
    """A number of organisations as the band the report counts it in (10 or more: "Meer dan
    10", the published band after "7 tot 9"); None when it is not a whole number of at least 1.
    """
    cleaned = value.strip()
    if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > 9 or int(cleaned) < 1:
        return None
    count = int(cleaned)
    for band, last in (
        (OrganisationsBand.B1_3, 3),
        (OrganisationsBand.B4_6, 6),
        (OrganisationsBand.B7_9, 9),
    ):
        if count <= last:
            return band
    return OrganisationsBand.B10


@dataclass
class _ProjectRow:
    row: int
    code: str
    fields: dict
    assessment: dict


class _ProjectChecker:
    """Checks the rows of a project file against the registry of one region (or none)."""

    def __init__(self, *, region: Region | None, allowed_regions: set[int] | None):
        self.region = region
        self.allowed_regions = allowed_regions
        self.funders = {f.name.casefold(): f for f in Funder.objects.all()}
        self.regions = {r.name.casefold(): r for r in Region.objects.all()}
        self.organisations = {o.name.casefold(): o for o in Organisation.objects.all()}
        self.themes: dict[int | None, dict[str, Theme]] = {}
        for theme in Theme.objects.all():
            self.themes.setdefault(theme.region_id, {})[theme.name.casefold()] = theme
        self.errors: list[FieldError] = []
        self.lookups = {column: _lookup(c) for column, (c, _f) in CLASSIFICATIONS.items()}

    def _themes_for(self, region: Region | None) -> dict[str, Theme]:
        found = dict(self.themes.get(None, {}))
        if region is not None:
            found.update(self.themes.get(region.pk, {}))
        return found

    def check(self, number: int, values: dict[str, str]) -> _ProjectRow | None:
        before = len(self.errors)
        code = values["id"]
        if not code:
            self._error(number, "id", _("verplicht"))
        if not values["naam"]:
            self._error(number, "naam", _("verplicht"))
        region = self._region(number, values.get("regio", ""))
        theme = self._themes_for(region).get(values["thema"].casefold())
        if theme is None:
            self._error(number, "thema", _("onbekend thema '%(v)s'") % {"v": values["thema"]})
        funder = self.funders.get(values["concessiehouder"].casefold())
        if funder is None:
            self._error(
                number,
                "concessiehouder",
                _("onbekende concessiehouder '%(v)s'") % {"v": values["concessiehouder"]},
            )
        years = self._start_period(number, values["startperiode"])
        assessment = {}
        for column, (choices, model_field) in CLASSIFICATIONS.items():
            member = self.lookups[column].get(values[column].strip().casefold())
            if member is None and column == "betrokken_organisaties":
                member = organisations_band(values[column])
            if member is None:
                allowed = "; ".join(str(c.label) for c in choices)
                if column == "betrokken_organisaties":
                    allowed += _("; of een aantal (1 of meer)")
                self._error(
                    number,
                    column,
                    _("onbekende waarde '%(v)s' (kies uit: %(allowed)s)")
                    % {"v": values[column], "allowed": allowed},
                )
            assessment[model_field] = member
        extra = self._optional(number, values)
        if len(self.errors) > before:
            return None
        fields = {
            "name": values["naam"],
            "theme": theme,
            "funder": funder,
            "start_period": values["startperiode"].replace(" ", ""),
            "start_year": years[0],
            "start_year_last": years[1],
            **extra,
        }
        if region is not None:
            fields["region"] = region
        return _ProjectRow(number, code, fields, assessment)

    def _region(self, number: int, name: str) -> Region | None:
        if not name:
            return self.region
        region = self.regions.get(name.casefold())
        if region is None:
            self._error(number, "regio", _("onbekende regio '%(v)s'") % {"v": name})
        elif self.region is not None and region != self.region:
            self._error(
                number,
                "regio",
                _("%(v)s is niet de regio van deze import (%(r)s)") % {"v": name, "r": self.region},
            )
        elif self.allowed_regions is not None and region.pk not in self.allowed_regions:
            self._error(
                number, "regio", _("u mag de projecten van %(v)s niet beheren") % {"v": name}
            )
        return region

    def _start_period(self, number: int, value: str) -> tuple[int, int] | None:
        found = START_PERIOD.match(value.strip())
        if not found or (found.group(2) and int(found.group(2)) < int(found.group(1))):
            self._error(
                number,
                "startperiode",
                _("'%(v)s' is geen jaar (JJJJ) of periode (JJJJ-JJJJ)") % {"v": value},
            )
            return None
        first = int(found.group(1))
        return first, int(found.group(2) or first)

    def _optional(self, number: int, values: dict[str, str]) -> dict:
        extra = {}
        for column, model_field in (("startdatum", "start_date"), ("einddatum", "end_date")):
            if column in values:
                extra[model_field] = _parse_date(
                    values[column], row=number, column=column, errors=self.errors
                )
        if values.get("penvoerder"):
            organisation = self.organisations.get(values["penvoerder"].casefold())
            if organisation is None:
                self._error(
                    number,
                    "penvoerder",
                    _("onbekende organisatie '%(v)s'") % {"v": values["penvoerder"]},
                )
            extra["lead_organisation"] = organisation
        if values.get("budget"):
            extra["budget"] = parse_amount(values["budget"])
            if extra["budget"] is None:
                self._error(
                    number,
                    "budget",
                    _("'%(v)s' is geen bedrag in euro (schrijf bijvoorbeeld 12.500 of 12500,50)")
                    % {"v": values["budget"]},
                )
            elif abs(extra["budget"]) >= BUDGET_LIMIT:
                # Past the column (PostgreSQL: 'numeric field overflow', a server error).
                self._error(
                    number,
                    "budget",
                    _("'%(v)s' is groter dan het hoogste bedrag dat past (minder dan 10 miljard)")
                    % {"v": values["budget"][:40]},
                )
        return extra

    def _error(self, row: int, column: str, message: str) -> None:
        self.errors.append(FieldError(field=column, row=row, message=message))


def import_projects(
    *,
    source: Path | str | bytes,
    name: str | None = None,
    region: Region | None = None,
    reference_date: date | None = None,
    allowed_regions: set[int] | None = None,
) -> ImportResult:
    """Read a project file; all rows valid or nothing written (allowed_regions: page users)."""
    table = tabular.read_table(source, name=name)
    tabular.require_columns(table, PROJECT_COLUMNS)
    tabular.refuse_long_cells(table, {"id": (Project, "code"), "naam": (Project, "name")})
    checker = _ProjectChecker(region=region, allowed_regions=allowed_regions)
    checked, seen = [], {}
    for number, values in table.rows:
        values = {**{c: "" for c in OPTIONAL_PROJECT_COLUMNS if c in table.columns}, **values}
        if values["id"] in seen:
            checker._error(
                number,
                "id",
                _("dubbel projectnummer '%(v)s' (ook in rij %(other)s)")
                % {"v": values["id"], "other": seen[values["id"]]},
            )
        seen.setdefault(values["id"], number)
        row = checker.check(number, values)
        if row is not None:
            checked.append(row)
    _refuse_moves(checked, checker, page_user=allowed_regions is not None)
    if checker.errors:
        raise InvalidInput(
            _("Bestand %(name)s heeft %(n)s fout(en); er is niets ingelezen.")
            % {"name": table.name, "n": len(checker.errors)},
            code="bestand-bevat-fouten",
            errors=sorted(checker.errors, key=lambda e: e.row or 0),  # stable: columns stay
        )
    if not checked:
        raise InvalidInput(
            _("Bestand %(name)s bevat geen projecten.") % {"name": table.name}, code="bestand-leeg"
        )
    when = reference_date_for(name=table.name, given=reference_date)
    return _write_projects(checked, name=table.name, when=when)


def _refuse_moves(rows: list[_ProjectRow], checker: _ProjectChecker, *, page_user: bool):
    """A project number that belongs to another region is not taken over by an import; from
    a page, a project of the national register is not claimed either."""
    existing = dict(
        Project.objects.filter(code__in=[r.code for r in rows]).values_list("code", "region")
    )
    names = {r.pk: r.name for r in checker.regions.values()}
    for row in rows:
        if row.code not in existing or "region" not in row.fields:
            continue
        current, wanted = existing[row.code], row.fields["region"].pk
        if current is not None and current != wanted:
            checker._error(
                row.row,
                "id",
                _("projectnummer %(code)s hoort bij regio %(region)s")
                % {"code": row.code, "region": names.get(current, current)},
            )
        elif current is None and page_user:
            checker._error(
                row.row,
                "id",
                _("projectnummer %(code)s staat in het landelijke register") % {"code": row.code},
            )


@transaction.atomic
def _write_projects(rows: list[_ProjectRow], *, name: str, when: date) -> ImportResult:
    result = ImportResult(name=name, reference_date=when)
    existing = {p.code: p for p in Project.objects.filter(code__in=[r.code for r in rows])}
    new, changed = [], []
    for row in rows:
        project = existing.get(row.code)
        if project is None:
            new.append(Project(code=row.code, **row.fields))
            continue
        if any(_differs(project, k, v) for k, v in row.fields.items()):
            for key, value in row.fields.items():
                setattr(project, key, value)
            changed.append(project)
    Project.objects.bulk_create(new)
    audit.record_many("create", new)
    if changed:
        fields = sorted({k for r in rows for k in r.fields})
        Project.objects.bulk_update(changed, fields)
        audit.record_many("update", changed, detail={"velden": fields})
    result.created, result.updated = len(new), len(changed)
    projects = {p.code: p for p in Project.objects.filter(code__in=[r.code for r in rows])}
    result.regions = {p.region_id for p in projects.values() if p.region_id}
    result.assessments_added = _write_assessments(rows, projects, when)
    return result


def _differs(project: Project, key: str, value) -> bool:
    """Compare without loading related objects (a foreign key by its id)."""
    if hasattr(value, "_meta") or (value is None and hasattr(project, f"{key}_id")):
        return getattr(project, f"{key}_id") != (value.pk if value is not None else None)
    return getattr(project, key) != value


def _write_assessments(rows: list[_ProjectRow], projects: dict, when: date) -> int:
    current = {
        a.project_id: a
        for a in Assessment.objects.filter(project__in=projects.values(), valid_from=when)
    }
    new, changed = [], []
    for row in rows:
        project = projects[row.code]
        values = {k: v.value for k, v in row.assessment.items()}
        found = current.get(project.pk)
        if found is None:
            new.append(Assessment(project=project, valid_from=when, **values))
        elif any(getattr(found, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(found, key, value)
            changed.append(found)
    Assessment.objects.bulk_create(new)
    audit.record_many("create", new)
    if changed:
        Assessment.objects.bulk_update(changed, list(CLASSIFICATIONS_FIELDS))
        audit.record_many("update", changed, detail={"velden": list(CLASSIFICATIONS_FIELDS)})
    return len(new)


CLASSIFICATIONS_FIELDS = [model_field for _choices, model_field in CLASSIFICATIONS.values()]


# ---------------------------------------------------------------- region phases


def _phase(value: str, choices, *, row: int, column: str, errors: list[FieldError]):
    cleaned = value.strip()
    if (
        cleaned.isascii()
        and cleaned.isdigit()
        and len(cleaned) <= 9
        and int(cleaned) in choices.values
    ):
        return int(cleaned)
    for member in choices:
        label = str(member.label)
        if cleaned.casefold() in {label.casefold(), label.split(": ", 1)[-1].casefold()}:
            return member.value
    allowed = "; ".join(f"{c.value} ({c.label})" for c in choices)
    errors.append(
        FieldError(
            field=column,
            row=row,
            message=_("onbekende fase '%(v)s' (kies uit: %(allowed)s)")
            % {"v": value, "allowed": allowed},
        )
    )
    return None


def import_phases(
    *,
    source: Path | str | bytes,
    name: str | None = None,
    reference_date: date | None = None,
    allowed_regions: set[int] | None = None,
    create_regions: bool = False,
    unknown_region_hint: str = "",
) -> ImportResult:
    """Read region phases (one row per region); all rows valid or nothing written.

    create_regions (operators only): a region the file names that does not exist yet is
    created, in the same transaction, so a fresh install can read the national file.
    unknown_region_hint: a sentence added to the message when the file names unknown regions
    (the command line points at its option for creating them).
    """
    table = tabular.read_table(source, name=name)
    tabular.require_columns(table, PHASE_COLUMNS)
    regions = {r.name.casefold(): r for r in Region.objects.all()}
    if create_regions:
        regions.update(
            {
                row["zorgkantoorregio"].casefold(): Region(name=row["zorgkantoorregio"])
                for _number, row in table.rows
                if row["zorgkantoorregio"] and row["zorgkantoorregio"].casefold() not in regions
            }
        )
    errors: list[FieldError] = []
    checked, seen = [], {}
    for number, values in table.rows:
        region = regions.get(values["zorgkantoorregio"].casefold())
        problem = _phase_region_problem(values["zorgkantoorregio"], region, seen, allowed_regions)
        if problem:
            errors.append(FieldError(field="zorgkantoorregio", row=number, message=problem))
        if region is not None:
            seen.setdefault(region.name.casefold(), number)
        phases = {
            column: _phase(values[column], choices, row=number, column=column, errors=errors)
            for column, choices in PHASE_DIMENSIONS.items()
        }
        checked.append((region, phases))
    if errors:
        detail = _("Bestand %(name)s heeft %(n)s fout(en); er is niets ingelezen.") % {
            "name": table.name,
            "n": len(errors),
        }
        if unknown_region_hint and any(region is None for region, _phases in checked):
            detail = f"{detail} {unknown_region_hint}"
        raise InvalidInput(detail, code="bestand-bevat-fouten", errors=errors)
    when = reference_date_for(name=table.name, given=reference_date)
    return _write_phases(checked, name=table.name, when=when)


def _phase_region_problem(
    name: str, region: Region | None, seen: dict[str, int], allowed_regions: set[int] | None
) -> str:
    """What is wrong with a phase row's region, or "" (seen: region names of earlier rows)."""
    if region is None:
        return _("onbekende regio '%(v)s'") % {"v": name}
    if region.name.casefold() in seen:
        return _("regio %(v)s staat dubbel in het bestand (ook in rij %(o)s)") % {
            "v": region,
            "o": seen[region.name.casefold()],
        }
    if allowed_regions is not None and region.pk not in allowed_regions:  # unsaved: None
        return _("u mag de fasen van %(v)s niet vastleggen") % {"v": region}
    return ""


@transaction.atomic
def _write_phases(rows, *, name: str, when: date) -> ImportResult:
    result = ImportResult(name=name, reference_date=when)
    for region, phases in rows:
        if region.pk is None:
            region = services.ensure_regions(names=[region.name])[0]
        _phase_row, created = RegionPhase.objects.update_or_create(
            region=region,
            date=when,
            defaults={
                "agreements": phases["afspraken_convenanten"],
                "dynamics": phases["samenwerkingsdynamiek"],
                "vision": phases["stip_op_de_horizon"],
            },
        )
        result.created += created
        result.updated += not created
        result.regions.add(region.pk)
    return result


# ---------------------------------------------------------------- published phase totals

TOTAL_COLUMNS = ["dimensie", "fase"]
MONTH_COLUMN = re.compile(r"^(\d{4})-(\d{2})$")


def import_phase_totals(*, source: Path | str | bytes, name: str | None = None) -> ImportResult:
    """Read published national counts per phase (seed 003 tables 1-3): one row per dimension
    and phase, one column per month (JJJJ-MM). All rows valid or nothing written."""
    from regiotafel.portfolio.models import PhaseCount

    table = tabular.read_table(source, name=name)
    tabular.require_columns(table, TOTAL_COLUMNS)
    months = {c: MONTH_COLUMN.match(c) for c in table.columns if MONTH_COLUMN.match(c)}
    impossible = [
        c for c, m in months.items() if not (1 <= int(m.group(2)) <= 12 and int(m.group(1)))
    ]
    if impossible:
        raise InvalidInput(
            _("Bestand %(name)s: kolom %(column)s is geen maand (JJJJ-MM).")
            % {"name": table.name, "column": impossible[0]},
            code="bestand-bevat-fouten",
        )
    if not months:
        raise InvalidInput(
            _("Bestand %(name)s heeft geen kolommen per maand (JJJJ-MM).") % {"name": table.name},
            code="kolom-ontbreekt",
        )
    errors: list[FieldError] = []
    counts = []
    for number, values in table.rows:
        choices = PHASE_DIMENSIONS.get(values["dimensie"])
        if choices is None:
            errors.append(
                FieldError(
                    field="dimensie",
                    row=number,
                    message=_("onbekende dimensie '%(v)s' (kies uit: %(allowed)s)")
                    % {"v": values["dimensie"], "allowed": ", ".join(PHASE_DIMENSIONS)},
                )
            )
            continue
        phase = _phase(values["fase"], choices, row=number, column="fase", errors=errors)
        for column, found in months.items():
            count = tabular.parse_int(
                values[column], row=number, field=column, errors=errors, maximum=32_767
            )  # a small-integer column
            if phase is not None and count is not None:
                when = date(int(found.group(1)), int(found.group(2)), 1)
                counts.append((when, values["dimensie"], phase, count))
    if errors:
        raise InvalidInput(
            _("Bestand %(name)s heeft %(n)s fout(en); er is niets ingelezen.")
            % {"name": table.name, "n": len(errors)},
            code="bestand-bevat-fouten",
            errors=errors,
        )
    result = ImportResult(name=table.name, reference_date=max(c[0] for c in counts))
    with transaction.atomic():
        for when, dimension, phase, count in counts:
            _row, created = PhaseCount.objects.update_or_create(
                date=when, dimension=dimension, phase=phase, defaults={"count": count}
            )
            result.created += created
            result.updated += not created
    return result
