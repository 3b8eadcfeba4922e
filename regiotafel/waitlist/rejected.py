"""Rejected import rows: kept briefly on the server for the uploader, then deleted.

When a provider imports only the valid rows of a file, the rest is reported back so the file
can be corrected. What is kept is only what the uploader needs to find and fix the rows in
*their own file*: the row number, the provider's client number and, per problem, the column
and the reason. The BSN, name, initials, birth date, gender and postcode are never kept, and a
reason loses any value it quoted (``'31-02-1936' is geen datum`` becomes ``de waarde is geen
datum``), whatever its column. Nothing of it goes into the session.

A kept report can be read only by the user who uploaded it, acting for the same organisation,
until ``REJECTED_ROWS_MINUTES`` have passed; every download is an ``export`` event in the audit
log. Expired reports are deleted whenever the import page is opened, a report is kept or
downloaded, and by ``purge_expired()`` (``regiotafel wachtlijst opruimen``), which a scheduler
can call. A refused download changes nothing.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core import audit, tabular
from regiotafel.core.models import AuditAction, AuditChannel, Organisation, User
from regiotafel.waitlist.models import RejectedImport

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def reason(problem: errors.FieldError) -> str:
    """The reason as kept: every quoted value is replaced by 'de waarde'. Not only those of
    the personal columns: in a row whose columns shifted (a stray separator), a BSN or a
    birth date stands in the municipality, date or preference column and is quoted there."""
    return _QUOTED.sub(_("de waarde"), problem.message)


def entries(rows) -> list[dict]:
    """The kept form of rejected ``registrations.Row`` objects."""
    return [
        {
            "rij": row.number,
            "klantnummer": row.values.get("klantnummer", "").strip()[:40],
            "fouten": [{"kolom": p.field, "fout": reason(p)} for p in row.problems],
        }
        for row in rows
    ]


def visible(user: User, organisation: Organisation | None, *, now: datetime | None = None):
    """The reports this user, acting for this organisation, may download: their own only."""
    if user is None or not user.is_authenticated or organisation is None:
        return RejectedImport.objects.none()
    return RejectedImport.objects.filter(
        uploader=user, organisation=organisation, expires_at__gt=now or timezone.now()
    )


@transaction.atomic
def keep(
    *, user: User, organisation: Organisation, provider: Organisation, rows
) -> RejectedImport | None:
    """Keep the rejected rows of an import; replaces this uploader's earlier report."""
    purge_expired()
    RejectedImport.objects.filter(
        uploader=user, organisation=organisation, provider=provider
    ).delete()
    if not rows:
        return None
    now = timezone.now()
    return RejectedImport.objects.create(
        uploader=user,
        organisation=organisation,
        provider=provider,
        created_at=now,
        expires_at=now + timedelta(minutes=settings.REJECTED_ROWS_MINUTES),
        rows=entries(rows),
    )


def download(*, user: User, organisation: Organisation | None, report_id: int) -> str:
    """The report as CSV for its uploader, logged as an export; anyone else: NotFound.

    A refusal changes nothing (not even the clean-up); an expired report is refused because
    ``visible`` leaves it out, and deleted by the next clean-up.
    """
    with transaction.atomic():
        body = _export(user, organisation, report_id)
    purge_expired()
    return body


def _export(user: User, organisation: Organisation | None, report_id: int) -> str:
    found = visible(user, organisation).select_related("provider").filter(pk=report_id).first()
    if found is None:
        raise errors.NotFound(
            _("Deze afgekeurde rijen bestaan niet (meer). Importeer het bestand opnieuw."),
            code="afgekeurde-rijen-verlopen",
        )
    audit.record(
        AuditAction.EXPORT,
        found.provider,
        detail={"soort": "afgekeurde rijen", "import": found.pk, "rijen": len(found.rows)},
    )
    return as_csv(found.rows)


def as_csv(rows: list[dict]) -> str:
    """One line per problem; a cell a spreadsheet would read as a formula stays text."""
    return tabular.write_csv(
        [
            ["rij", "klantnummer", "kolom", "fout"],
            *(
                [entry["rij"], entry["klantnummer"], problem["kolom"], problem["fout"]]
                for entry in rows
                for problem in entry["fouten"]
            ),
        ]
    )


def purge_expired(*, now: datetime | None = None) -> int:
    """Delete every report past its time; the number deleted. Safe to call at any moment."""
    with audit.acting_as(None, channel=AuditChannel.SYSTEM), transaction.atomic():
        deleted, _per_model = RejectedImport.objects.filter(
            expires_at__lte=now or timezone.now()
        ).delete()
    return deleted
