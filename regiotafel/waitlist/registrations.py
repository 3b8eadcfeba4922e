"""Importing a provider's waiting list: every row checked, nothing half-written.

The columns are documented in docs/waitlist.md; ``TEMPLATE_COLUMNS`` is the template a
provider downloads. A row is matched on (provider, klantnummer), so importing the same file
again changes nothing. A BSN is checked (elfproef) and only its keyed hash is kept: the same
BSN from two providers is one client at once. Without a BSN a new client is made and the
duplicate finder proposes matches for a person to review.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection, models, transaction
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core import audit, permissions, tabular
from regiotafel.core.models import (
    AuditAction,
    Gender,
    Location,
    Municipality,
    Organisation,
    User,
)
from regiotafel.waitlist import duplicates, identity
from regiotafel.waitlist.models import (
    CareProfile,
    Client,
    Preference,
    Registration,
    StatusChange,
    TargetGroup,
    WaitingStatus,
)

TEMPLATE_COLUMNS = [
    "klantnummer",
    "bsn",
    "achternaam",
    "voorletters",
    "geboortedatum",
    "geslacht",
    "postcode",
    "woongemeente",
    "zorgprofiel",
    "doelgroep",
    "wachtstatus",
    "statusdatum",
    "statusreden",
    "indicatiedatum",
    "voorkeur_1",
    "voorkeur_2",
    "voorkeur_3",
]
REQUIRED = [
    "klantnummer",
    "achternaam",
    "geboortedatum",
    "woongemeente",
    "zorgprofiel",
    "doelgroep",
    "wachtstatus",
    "statusdatum",
    "indicatiedatum",
]
EXAMPLE_ROW = [
    "K-0001",
    "",
    "Jansen",
    "A.M.",
    "1936-04-12",
    "v",
    "2334 AB",
    "GM0546",
    "VV5",
    "pg",
    "actief",
    "2026-09-01",
    "",
    "2026-08-15",
    "Rijnhof Leiden",
    "",
    "",
]
LENGTHS = {  # file column -> the field that stores it (core.tabular.refuse_long_cells)
    "klantnummer": (Registration, "external_id"),
    "achternaam": (Client, "surname"),
    "voorletters": (Client, "initials"),
    "statusreden": (Registration, "status_reason"),
}
STATUS_WORDS = {
    **{s.value: s.value for s in WaitingStatus},
    **{s.label.lower(): s.value for s in WaitingStatus},
}
PROFILES = {p.value.lower(): p.value for p in CareProfile}
POSTCODE = re.compile(r"^\d{4}\s?[A-Za-z]{2}$")
GENDERS = {**{g.value: g.value for g in Gender}, "": ""}
TARGET_GROUPS = {t.value: t.value for t in TargetGroup}
DATE_PATTERNS = [  # JJJJ-MM-DD, DD-MM-JJJJ ("/" read as "-")
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})$"), True),
    (re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})$"), False),
]


@dataclass
class Row:
    number: int
    values: dict[str, str]
    problems: list[errors.FieldError] = field(default_factory=list)
    clean: dict = field(default_factory=dict)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Row] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)

    def rejected_csv(self) -> str:
        """The rejected rows with a column 'fouten', to correct and upload again."""
        out = io.StringIO()
        writer = tabular.csv_writer(out)
        writer.writerow([*self.columns, "fouten"])
        for row in self.rejected:
            writer.writerow(
                [row.values.get(c, "") for c in self.columns]
                + ["; ".join(f"{p.field}: {p.message}" for p in row.problems)]
            )
        return out.getvalue()


def template_csv() -> str:
    out = io.StringIO()
    writer = tabular.csv_writer(out)
    writer.writerow(TEMPLATE_COLUMNS)
    writer.writerow(EXAMPLE_ROW)
    return out.getvalue()


def import_registrations(
    *, user: User | None, provider: Organisation, source, name=None, valid_only: bool = False
) -> ImportReport:
    """Import a CSV/XLSX list for a provider. Any bad row: nothing is written, unless
    ``valid_only``, in which case the valid rows are written and the rest reported. The
    duplicate finder then runs for the clients the file added or changed, in the same
    transaction (an ordinary upload: page, API, one file on the command line)."""
    return _import_file(user, provider, source, name, valid_only, find_duplicates=True)[0]


@dataclass
class BulkReport:
    """What a bulk load did: a report per imported file, the files refused (each with the
    error naming its rows and columns) and the duplicates proposed by the one search."""

    imported: list[tuple[str, ImportReport]] = field(default_factory=list)
    failed: list[tuple[str, errors.InvalidInput]] = field(default_factory=list)
    candidates: int = 0

    @property
    def created(self) -> int:
        return sum(report.created for _name, report in self.imported)


def import_many(*, user: User | None, files, valid_only: bool = False) -> BulkReport:
    """A bulk load: several lists (``files``: (provider, source, name) triples), e.g. every
    provider's list at the start of a region or a national load.

    Each file is checked and written in its own transaction, all or nothing per file exactly
    as :func:`import_registrations` (a refused file is reported and the load goes on with the
    next one). The duplicate finder runs ONCE at the end, over every client the load added or
    changed, instead of after each file; it proposes the same pairs."""
    result = BulkReport()
    touched: set[int] = set()
    try:
        for provider, source, name in files:
            try:
                report, ids = _import_file(
                    user, provider, source, name, valid_only, find_duplicates=False
                )
            except errors.InvalidInput as exc:
                result.failed.append((str(name or source), exc))
                continue
            result.imported.append((str(name or source), report))
            touched.update(ids)
    finally:  # also after an unexpected error: what was committed gets its duplicate search
        if touched:
            result.candidates = duplicates.refresh_candidates(client_ids=touched)
    return result


def _import_file(
    user, provider, source, name, valid_only: bool, *, find_duplicates: bool
) -> tuple[ImportReport, set[int]]:
    if user is not None:
        permissions.check(user, "wachtlijst.beheren", provider)
    table = tabular.read_table(source, name=name)
    tabular.require_columns(table, REQUIRED)
    tabular.refuse_long_cells(table, LENGTHS)
    rows = _validate(table, provider)
    rejected = [row for row in rows if row.problems]
    if rejected and not valid_only:
        raise errors.InvalidInput(
            _("Bestand %(name)s: %(bad)s van %(total)s rijen kloppen niet; er is niets ingelezen.")
            % {"name": table.name, "bad": len(rejected), "total": len(rows)},
            code="bestand-bevat-fouten",
            errors=[p for row in rejected for p in row.problems],
        )
    report = ImportReport(rejected=rejected, columns=table.columns)
    with transaction.atomic(), audit.batched():
        touched = _write([row for row in rows if not row.problems], provider, user, report)
        if touched and find_duplicates:
            duplicates.refresh_candidates(client_ids=touched)
    return report, touched


def _validate(table, provider) -> list[Row]:
    municipalities = dict(Municipality.objects.values_list("cbs_code", "pk"))
    locations = {
        name.lower(): pk
        for name, pk in Location.objects.filter(
            organisation__region_id=provider.region_id
        ).values_list("name", "pk")
    }
    rows, seen = [], {}
    for number, values in table.rows:
        row = Row(number, values)
        _check(row, municipalities, locations)
        number_in_file = values.get("klantnummer", "")
        if number_in_file in seen:
            row.problems.append(
                errors.FieldError(
                    "klantnummer",
                    _("staat ook al in rij %(row)s") % {"row": seen[number_in_file]},
                    number,
                )
            )
        seen.setdefault(number_in_file, number)
        rows.append(row)
    return rows


def _check(row: Row, municipalities, locations) -> None:
    v, clean, n = row.values, row.clean, row.number

    def bad(name: str, message: str) -> None:
        row.problems.append(errors.FieldError(name, message, n))

    for name in REQUIRED:
        if not v.get(name, "").strip():
            bad(name, _("is verplicht"))
    clean["external_id"] = v.get("klantnummer", "").strip()
    bsn = identity.normalise_bsn(v.get("bsn", ""))
    if bsn and not identity.bsn_is_valid(bsn):
        bad("bsn", _("is geen geldig BSN (elfproef)"))
    clean["bsn"] = bsn
    clean["surname"] = v.get("achternaam", "").strip()
    clean["initials"] = v.get("voorletters", "").strip()
    clean["gender"] = GENDERS.get(v.get("geslacht", "").strip().lower())
    if clean["gender"] is None:
        bad("geslacht", _("kies v, m, x of o"))
    postcode = v.get("postcode", "").strip().upper()
    if postcode and not POSTCODE.match(postcode):
        bad("postcode", _("'%(value)s' is geen postcode (1234 AB)") % {"value": postcode})
    clean["postcode"] = postcode
    for column, key in [
        ("geboortedatum", "birth_date"),
        ("statusdatum", "status_date"),
        ("indicatiedatum", "indication_date"),
    ]:
        clean[key] = _date(v.get(column, ""), column, bad)
    municipality = v.get("woongemeente", "").strip().upper()
    if municipality and municipality not in municipalities:
        bad(
            "woongemeente",
            _("'%(value)s' is geen bekende CBS-gemeentecode") % {"value": municipality},
        )
    clean["municipality_id"] = municipalities.get(municipality)
    _choice(v, clean, bad, "zorgprofiel", "care_profile", PROFILES, lambda: _("kies VV4 t/m VV10"))
    _choice(
        v,
        clean,
        bad,
        "doelgroep",
        "target_group",
        TARGET_GROUPS,
        lambda: _("kies somatisch of pg"),
    )
    _choice(
        v,
        clean,
        bad,
        "wachtstatus",
        "status",
        STATUS_WORDS,
        lambda: _("kies urgent, actief, voorkeur of voorzorg"),
    )
    clean["status_reason"] = v.get("statusreden", "").strip()[:200]
    clean["preferences"] = []
    for rank in (1, 2, 3):
        wanted = v.get(f"voorkeur_{rank}", "").strip()
        if wanted and wanted.lower() not in locations:
            bad(
                f"voorkeur_{rank}",
                _("locatie '%(name)s' bestaat niet in deze regio") % {"name": wanted},
            )
        elif wanted:
            clean["preferences"].append(locations[wanted.lower()])


def _choice(values, clean, bad, column, key, allowed, message) -> None:
    """``message``: a callable, so the sentence is only translated for a wrong value."""
    raw = values.get(column, "").strip().lower()
    clean[key] = allowed.get(raw)
    if raw and clean[key] is None:
        bad(column, message())


def _date(raw: str, column: str, bad) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    for pattern, year_first in DATE_PATTERNS:
        match = pattern.match(raw.replace("/", "-"))
        if match:
            parts = [int(p) for p in match.groups()]
            year, month, day = parts if year_first else parts[::-1]
            try:
                return date(year, month, day)
            except ValueError:
                break
    bad(column, _("'%(value)s' is geen datum (JJJJ-MM-DD of DD-MM-JJJJ)") % {"value": raw})
    return None


# Lookups by many values go in chunks: SQLite refuses a statement with more than 32,766
# parameters, and a list may hold up to MAX_IMPORT_ROWS rows.
LOOKUP_CHUNK = 5_000


def _chunks(values: list) -> list[list]:
    return [values[i : i + LOOKUP_CHUNK] for i in range(0, len(values), LOOKUP_CHUNK)]


def _write(rows: list[Row], provider: Organisation, user, report: ImportReport) -> set[int]:
    """Write the valid rows; returns the ids of the clients added or changed."""
    key = settings.BSN_HASH_KEY
    existing = {}
    for numbers in _chunks([row.clean["external_id"] for row in rows]):
        existing.update(
            (r.external_id, r)
            for r in Registration.objects.filter(provider=provider, external_id__in=numbers)
            .select_related("client")
            .prefetch_related("preferences")
        )
    fresh, touched = [], set()
    for row in rows:
        c = row.clean
        c["bsn_hash"] = identity.hash_bsn(c["bsn"], key=key) if c["bsn"] else None
        registration = existing.get(c["external_id"])
        if registration is None:
            fresh.append(c)
        elif _update(registration, c, c["bsn_hash"], user):
            report.updated += 1
            touched.add(registration.client_id)
        else:
            report.unchanged += 1
    created = _create_all(fresh, provider, user)
    report.created = len(created)
    touched.update(r.client_id for r in created)
    return touched


IDENTITY_FIELDS = ("surname", "initials", "birth_date", "gender", "postcode")


def _client_for(c: dict, bsn_hash: str | None) -> Client:
    client = Client.objects.filter(bsn_hash=bsn_hash).first() if bsn_hash else None
    if client is None:  # (the import runs in one transaction; the unique index guards races)
        return Client.objects.create(bsn_hash=bsn_hash, **{k: c[k] for k in IDENTITY_FIELDS})
    return _live(client)


def _live(client: Client) -> Client:
    while client.merged_into_id:
        client = client.merged_into
    return client


REGISTRATION_FIELDS = (
    "care_profile",
    "target_group",
    "status",
    "status_date",
    "status_reason",
    "indication_date",
    "municipality_id",
)


def _create_all(fresh: list[dict], provider: Organisation, user) -> list[Registration]:
    """New registrations in a few multi-row INSERTs; a known BSN joins its existing client.

    Bulk inserts send no model signals, so the audit events are recorded here (collected by
    ``audit.batched``): ONE event per registration (its data subject names the client), and
    for the rows made with them one event per kind for the whole file: the new clients (their
    ids in the detail), the first status of each registration and the preferences."""
    hashes = sorted({c["bsn_hash"] for c in fresh if c["bsn_hash"]})
    known = {}
    for chunk in _chunks(hashes):
        known.update((cl.bsn_hash, _live(cl)) for cl in Client.objects.filter(bsn_hash__in=chunk))
    new_clients = []
    for c in fresh:
        if c["bsn_hash"] in known:
            c["client"] = known[c["bsn_hash"]]
            continue
        c["client"] = Client(bsn_hash=c["bsn_hash"], **{k: c[k] for k in IDENTITY_FIELDS})
        c["client"].set_keys()  # no save(): the keys are set here
        new_clients.append(c["client"])
        if c["bsn_hash"]:
            known[c["bsn_hash"]] = c["client"]  # the same person twice in one file
    insert_objects(new_clients)
    created = [
        Registration(
            client=c["client"],
            provider=provider,
            external_id=c["external_id"],
            **{k: c[k] for k in REGISTRATION_FIELDS},
        )
        for c in fresh
    ]
    insert_objects(created)
    changes = insert_rows(
        StatusChange,
        [
            {
                "registration_id": r.pk,
                "to_status": c["status"],
                "status_date": c["status_date"],
                "reason": c["status_reason"],
                "by_id": user.pk if user is not None else None,
            }
            for r, c in zip(created, fresh, strict=True)
        ],
    )
    preferences = insert_rows(
        Preference,
        [
            {"registration_id": r.pk, "location_id": loc, "rank": rank}
            for r, c in zip(created, fresh, strict=True)
            for rank, loc in enumerate(c["preferences"], start=1)
        ],
    )
    audit.record_many(AuditAction.CREATE, created)
    audit.record_bulk(
        AuditAction.CREATE,
        Client,
        count=len(new_clients),
        parent=provider,
        detail={"ids": [client.pk for client in new_clients]},
    )
    audit.record_bulk(AuditAction.CREATE, StatusChange, count=changes, parent=provider)
    audit.record_bulk(AuditAction.CREATE, Preference, count=preferences, parent=provider)
    return created


# ---------------------------------------------------------------- multi-row inserts
#
# ``bulk_create`` spends most of a large import preparing each value through the query
# compiler (about 5 µs a value, 30 values a registration). These write the same rows with
# the same statements (INSERT … VALUES (…), (…) RETURNING id, batches sized by the backend)
# and convert each value with its field's own ``get_db_prep_save``, only where a plain
# string or number would not do. Like ``bulk_create`` they send no signals: the caller
# records the audit events.

_PLAIN_FIELDS = (models.CharField, models.IntegerField, models.ForeignKey, models.BooleanField)


def _columns(model) -> list:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _insert(model, fields: list, rows: list[list], *, returning: bool) -> list:
    if not rows:
        return []
    ops, quote = connection.ops, connection.ops.quote_name
    plain = [isinstance(f, _PLAIN_FIELDS) and not isinstance(f, models.JSONField) for f in fields]
    prepared: list[dict] = [{} for _field in fields]  # dates and times repeat: convert once
    for row in rows:
        for i, value in enumerate(row):
            if value is None or plain[i]:
                continue
            if isinstance(value, date):  # (datetime is a date too)
                done = prepared[i].get(value, prepared)
                if done is prepared:
                    done = prepared[i][value] = fields[i].get_db_prep_save(value, connection)
                row[i] = done
            else:
                row[i] = fields[i].get_db_prep_save(value, connection)
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 - names from the model
    tail = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, min(ops.bulk_batch_size(fields, rows), 1000))
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            params = [value for row in batch for value in row]
            cursor.execute(head + ", ".join([one] * len(batch)) + tail, params)  # noqa: S608
            if returning:
                ids += [found[0] for found in cursor.fetchall()]
    return ids


def insert_objects(objects: list) -> None:
    """Insert unsaved model instances of one model and give them their primary keys (fields
    with a default that were not set get it, as in ``save``)."""
    if not objects:
        return
    model = type(objects[0])
    if not connection.features.can_return_rows_from_bulk_insert:
        model.objects.bulk_create(objects, batch_size=1000)
        return
    fields = _columns(model)
    rows = [[getattr(obj, f.attname) for f in fields] for obj in objects]
    for obj, pk in zip(objects, _insert(model, fields, rows, returning=True), strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias


def insert_rows(model, rows: list[dict]) -> int:
    """Insert rows given as {attname: value} (the other fields get their defaults, computed
    once for the batch); returns how many."""
    if not rows:
        return 0
    fields = _columns(model)
    defaults = {f.attname: f.get_default() for f in fields if f.attname not in rows[0]}
    _insert(
        model,
        fields,
        [[row.get(f.attname, defaults.get(f.attname)) for f in fields] for row in rows],
        returning=False,
    )
    return len(rows)


def _update(registration: Registration, c: dict, bsn_hash: str | None, user) -> bool:
    changed = [k for k in REGISTRATION_FIELDS if getattr(registration, k) != c[k]]
    preferences = [p.location_id for p in registration.preferences.all()]
    client = registration.client
    identity_changed = [
        k
        for k in ("surname", "initials", "birth_date", "gender", "postcode")
        if getattr(client, k) != c[k]
    ]
    new_hash = bsn_hash and client.bsn_hash != bsn_hash
    if not (changed or identity_changed or new_hash or preferences != c["preferences"]):
        return False
    if "status" in changed or "status_date" in changed:
        StatusChange.objects.create(
            registration=registration,
            from_status=registration.status,
            to_status=c["status"],
            status_date=c["status_date"],
            reason=c["status_reason"],
            by=user,
        )
    for k in changed:
        setattr(registration, k, c[k])
    if new_hash:
        registration.client = _client_for(c, bsn_hash)
    registration.save()
    if identity_changed and not new_hash:
        for k in identity_changed:
            setattr(client, k, c[k])
        client.save()
    if preferences != c["preferences"]:
        registration.preferences.all().delete()
        ranked = Preference.objects.bulk_create(
            Preference(registration=registration, location_id=loc, rank=rank)
            for rank, loc in enumerate(c["preferences"], start=1)
        )
        audit.record_many(AuditAction.CREATE, ranked)
    return True
