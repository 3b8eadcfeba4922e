"""Domain operations of the foundation: plain functions, keyword-only, one transaction each."""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core import audit, permissions, tabular
from regiotafel.core.acting import all_memberships_of
from regiotafel.core.models import (
    TOKEN_PREFIX,
    ApiToken,
    AuditAction,
    AuditEvent,
    Municipality,
    Organisation,
    Region,
    Subregion,
    User,
    hash_token,
    slug_for,
)

# ---------------------------------------------------------------- regions and municipalities


@transaction.atomic
def ensure_regions(*, names: list[str]) -> list[Region]:
    """Create the named care-office regions that do not exist yet (idempotent)."""
    return [
        Region.objects.get_or_create(name=name, defaults={"slug": slug_for(name)})[0]
        for name in names
    ]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


MUNICIPALITY_COLUMNS = ["gemeentecode", "gemeente"]
INHABITANTS_COLUMN = re.compile(r"^inwoners(?:_(\d{4}))?$")
CBS_CODE = re.compile(r"^GM\d{4}$")


def import_municipalities(
    *, source: Path | str | bytes, region: Region, name: str | None = None
) -> ImportResult:
    """Import a municipality list (gemeentecode, gemeente, [subregio], [inwoners_JJJJ]).

    Every row is checked first; if any row is wrong nothing is written and the error names
    the file, the row and the field. Importing the same file twice changes nothing.
    """
    table = tabular.read_csv(source, name=name)
    tabular.require_columns(table, MUNICIPALITY_COLUMNS)
    tabular.refuse_long_cells(
        table, {"gemeente": (Municipality, "name"), "subregio": (Subregion, "name")}
    )
    inhabitants_column, year = _inhabitants_column(table)
    parsed, problems = _parse_municipality_rows(table, region, inhabitants_column, year)
    if problems:
        raise errors.InvalidInput(
            _("Bestand %(name)s bevat %(count)s fout(en); er is niets ingelezen.")
            % {"name": table.name, "count": len(problems)},
            code="bestand-bevat-fouten",
            errors=problems,
        )
    return _write_municipalities(parsed, region)


def _inhabitants_column(table: tabular.Table) -> tuple[str | None, int | None]:
    for column in table.columns:
        match = INHABITANTS_COLUMN.match(column)
        if match:
            return column, int(match.group(1)) if match.group(1) else None
    return None, None


def _parse_municipality_rows(table, region, inhabitants_column, year):
    problems: list[errors.FieldError] = []
    parsed: list[dict] = []
    seen: dict[str, int] = {}
    elsewhere = dict(
        Municipality.objects.exclude(region=region).values_list("cbs_code", "region__name")
    )
    for row, values in table.rows:
        code = values["gemeentecode"].upper()
        before = len(problems)
        if not CBS_CODE.match(code):
            problems.append(
                errors.FieldError(
                    "gemeentecode",
                    _("'%(value)s' is geen CBS-gemeentecode (GM + vier cijfers).")
                    % {"value": values["gemeentecode"]},
                    row,
                )
            )
        elif code in seen:
            problems.append(
                errors.FieldError(
                    "gemeentecode",
                    _("%(code)s staat ook al in rij %(other)s.")
                    % {"code": code, "other": seen[code]},
                    row,
                )
            )
        elif code in elsewhere:
            problems.append(
                errors.FieldError(
                    "gemeentecode",
                    _("%(code)s hoort al bij regio %(region)s.")
                    % {"code": code, "region": elsewhere[code]},
                    row,
                )
            )
        if not values["gemeente"]:
            problems.append(errors.FieldError("gemeente", _("de naam ontbreekt."), row))
        inhabitants = None
        if inhabitants_column:
            inhabitants = tabular.parse_int(
                values[inhabitants_column], row=row, field=inhabitants_column, errors=problems
            )
        seen.setdefault(code, row)
        if len(problems) == before:
            parsed.append(
                {
                    "cbs_code": code,
                    "name": values["gemeente"],
                    "subregion": values.get("subregio", ""),
                    "inhabitants": inhabitants,
                    "inhabitants_year": year if inhabitants is not None else None,
                }
            )
    return parsed, problems


@transaction.atomic
def _write_municipalities(parsed: list[dict], region: Region) -> ImportResult:
    created = updated = unchanged = 0
    for item in parsed:
        subregion = None
        if item["subregion"]:
            subregion, _created = Subregion.objects.get_or_create(
                region=region, name=item["subregion"]
            )
        wanted = {
            "name": item["name"],
            "region": region,
            "subregion": subregion,
            "inhabitants": item["inhabitants"],
            "inhabitants_year": item["inhabitants_year"],
        }
        existing = Municipality.objects.filter(cbs_code=item["cbs_code"]).first()
        if existing is None:
            Municipality.objects.create(cbs_code=item["cbs_code"], **wanted)
            created += 1
        elif all(getattr(existing, key) == value for key, value in wanted.items()):
            unchanged += 1
        else:
            for key, value in wanted.items():
                setattr(existing, key, value)
            existing.save()
            updated += 1
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def region_overview(*, region: Region) -> dict:
    """Inhabitants per subregion and in total, for a region's home page."""
    municipalities = list(
        region.municipalities.select_related("subregion").order_by("subregion__name", "name")
    )
    per_subregion: dict[str, int] = {}
    for m in municipalities:
        key = m.subregion.name if m.subregion_id else _("(geen subregio)")
        per_subregion[key] = per_subregion.get(key, 0) + (m.inhabitants or 0)
    total = region.municipalities.aggregate(total=Sum("inhabitants"))["total"] or 0
    return {"municipalities": municipalities, "per_subregion": per_subregion, "total": total}


# ---------------------------------------------------------------- API tokens


@transaction.atomic
def issue_token(*, user: User, organisation: Organisation | None = None, name: str = "") -> str:
    """Create an API token and return it once; only its hash is kept."""
    if not user.is_active:
        raise errors.InvalidInput(
            _("Gebruiker %(user)s is niet actief.") % {"user": user.get_username()},
            code="gebruiker-niet-actief",
        )
    member_of = {m.organisation_id: m.organisation for m in all_memberships_of(user)}
    if organisation is not None and organisation.pk not in member_of:
        raise errors.InvalidInput(
            _("%(user)s werkt niet voor %(org)s.")
            % {"user": user.get_username(), "org": organisation},
            code="geen-lid",
        )
    organisation = organisation or next(iter(member_of.values()), None)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, organisation=organisation, name=name, key_hash=hash_token(raw), prefix=raw[:10]
    )
    return raw


# ---------------------------------------------------------------- the audit log


AUDIT_EXPORT_COLUMNS = [
    ("tijdstip", lambda e: timezone.localtime(e.occurred_at).isoformat()),
    ("gebruiker", lambda e: e.actor_name),
    ("organisatie", lambda e: e.organisation_name),
    ("actie", lambda e: e.get_action_display()),
    ("kanaal", lambda e: e.get_channel_display()),
    ("objecttype", lambda e: e.object_type_label),
    ("object_id", lambda e: e.object_id),
    ("object", lambda e: e.object_repr),
    ("betrokkene", lambda e: e.data_subject),
    ("betrokkenen", lambda e: ", ".join(map(str, (e.detail or {}).get("betrokkenen", [])))),
    ("ip_adres", lambda e: e.ip_address or ""),
    ("verzoek_id", lambda e: e.request_id),
    ("volgnummer", lambda e: e.sequence),
    ("hash", lambda e: e.hash),
]


@dataclass(frozen=True)
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None
    action: str = ""
    actor: str = ""
    data_subject: str = ""


def audit_events(
    *, user: User, organisation: Organisation, filters: AuditFilter
) -> QuerySet[AuditEvent]:
    """The audit events of one organisation that this user may see, newest first."""
    permissions.check(user, "auditlog.bekijken", organisation)
    events = AuditEvent.objects.filter(organisation=organisation)
    if filters.since:
        events = events.filter(occurred_at__gte=filters.since)
    if filters.until:
        events = events.filter(occurred_at__lt=filters.until)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor:
        events = events.filter(actor_name__icontains=filters.actor)
    if filters.data_subject:  # a client number, case reference, object: wherever it is named
        events = audit.search(events, filters.data_subject)
    return events.order_by("-occurred_at", "-pk")


def read_audit_log(
    *, user: User, organisation: Organisation, filters: AuditFilter
) -> QuerySet[AuditEvent]:
    """The audit events for a page or the API; looking at the log is itself logged."""
    events = audit_events(user=user, organisation=organisation, filters=filters)
    audit.record(AuditAction.READ, organisation, data_subject=_("auditlog"))
    return events


def export_audit_csv(*, user: User, organisation: Organisation, filters: AuditFilter) -> str:
    """The filtered audit log as CSV (semicolon, for Dutch spreadsheets). The export is logged."""
    events = audit_events(user=user, organisation=organisation, filters=filters)
    buffer = io.StringIO()
    writer = tabular.csv_writer(buffer)
    writer.writerow([name for name, _getter in AUDIT_EXPORT_COLUMNS])
    count = 0
    for event in events.iterator():
        writer.writerow([getter(event) for _name, getter in AUDIT_EXPORT_COLUMNS])
        count += 1
    audit.record(AuditAction.EXPORT, organisation, detail={"soort": "auditlog", "regels": count})
    return buffer.getvalue()


# ---------------------------------------------------------------- members and roles


def people_of(organisation: Organisation) -> QuerySet[User]:
    """The active accounts that hold at least one role at this organisation."""
    return User.objects.filter(is_active=True, memberships__organisation=organisation).distinct()


@transaction.atomic
def grant_role(*, user: User, organisation: Organisation, username: str, role: str):
    """An organisation's administrator gives one of its own people another role there.

    Only people who already work for the organisation can be found: a user name that exists
    elsewhere gets the same answer as one that exists nowhere, so nobody learns which names
    other organisations use. The first role of a new account is given by the platform's
    functional administrator (admin site).
    """
    from regiotafel.core.models import Membership, Role

    permissions.check(user, "medewerkers.beheren", organisation)
    if role not in Role.values:
        raise errors.InvalidInput(
            _("Onbekende rol."),
            code="onbekende-rol",
            errors=[errors.FieldError("rol", _("Kies een rol."))],
        )
    member = people_of(organisation).filter(username=username.strip()).first()
    if member is None:
        raise errors.InvalidInput(
            _("%(org)s heeft geen medewerker met deze gebruikersnaam.") % {"org": organisation},
            code="gebruiker-niet-gevonden",
            errors=[errors.FieldError("gebruikersnaam", _("Geen medewerker van uw organisatie."))],
        )
    membership, created = Membership.objects.get_or_create(
        user=member, organisation=organisation, role=role
    )
    if not created:
        raise errors.Conflict(
            _("%(name)s heeft deze rol al.") % {"name": member}, code="rol-bestaat-al"
        )
    return membership


@transaction.atomic
def revoke_role(*, user: User, membership_id: int) -> None:
    """Take a role away; an administrator cannot remove their own last administrator role."""
    from regiotafel.core.models import Membership, Role

    membership = permissions.get_for(
        user,
        "medewerkers.beheren",
        Membership.objects.select_related("organisation"),
        hide=True,  # another organisation's membership is "not found", like a missing id
        pk=membership_id,
    )
    admins = Membership.objects.filter(organisation=membership.organisation, role=Role.BEHEERDER)
    if membership.role == Role.BEHEERDER and admins.count() == 1:
        raise errors.Conflict(
            _("Een organisatie houdt minstens één beheerder."), code="laatste-beheerder"
        )
    membership.delete()
