"""The demo region: Zuid-Holland Noord with its organisations and one user per role.

Everything here is deterministic except the passwords, which are new at every start unless
given. Demo accounts are only ever created in a database marked as a demo database.
The hospital, GP post, registration point and care office carry the names the regional plan
(seed 004) uses; the VVT providers are fictional. All AGB codes are fictional.
"""

from __future__ import annotations

import csv
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core import services
from regiotafel.core.models import (
    Installation,
    Membership,
    Municipality,
    Organisation,
    Region,
    Role,
    User,
)
from regiotafel.core.models import OrganisationType as T

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEMO_REGION = "Zuid-Holland Noord"

# name, type, AGB code (fictional), CBS code of the municipality it sits in
ORGANISATIONS = [
    ("Alrijne Ziekenhuis", T.ZIEKENHUIS, "06010001", "GM0547"),
    ("LUMC", T.ZIEKENHUIS, "06010002", "GM0546"),
    ("Huisartsenpost De LIMES", T.HUISARTSENPOST, "01090001", "GM0546"),
    ("Huisartsenpraktijk Stevenshof", T.HUISARTSENPRAKTIJK, "01010001", "GM0546"),
    ("Regionaal Aanmeldpunt Zuid-Holland Noord", T.AANMELDPUNT, None, "GM0546"),
    ("Zorgkantoor Zorg en Zekerheid", T.ZORGKANTOOR, None, "GM0546"),
    ("Gemeente Leiden", T.GEMEENTE, None, "GM0546"),
    ("Rijnhof Ouderenzorg", T.VVT, "73010001", "GM0546"),
    ("Zorggroep Duinrand", T.VVT, "73010002", "GM0575"),
    ("Katwijkse Zorgkring", T.VVT, "73010003", "GM0537"),
    ("Groene Rijn Zorg", T.VVT, "73010004", "GM0484"),
    ("Zorgcentrum Zijlhoeve", T.VVT, "73010005", "GM0547"),
    ("Bollenstreek Wonen en Zorg", T.VVT, "73010006", "GM0553"),
    ("Veenweide Zorg", T.VVT, "73010007", "GM0569"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    memberships: tuple[tuple[str, Role], ...]


USERS = [
    DemoUser("verwijzer", "Vera", "Verwijzer", (("Huisartsenpost De LIMES", Role.VERWIJZER),)),
    DemoUser(
        "triagist",
        "Tom",
        "Triagist",
        (("Regionaal Aanmeldpunt Zuid-Holland Noord", Role.TRIAGIST),),
    ),
    DemoUser("planner", "Petra", "Planner", (("Rijnhof Ouderenzorg", Role.CAPACITEITSBEHEERDER),)),
    DemoUser(
        "analist", "Anouk", "Analist", (("Zorgkantoor Zorg en Zekerheid", Role.REGIO_ANALIST),)
    ),
    DemoUser(
        "beheerder",
        "Bram",
        "Beheerder",
        (
            ("Regionaal Aanmeldpunt Zuid-Holland Noord", Role.BEHEERDER),
            ("Rijnhof Ouderenzorg", Role.BEHEERDER),
            ("Zorgkantoor Zorg en Zekerheid", Role.BEHEERDER),
        ),
    ),
]


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    roles: str
    extra: tuple[str, ...] = ()


def is_demo_database() -> bool:
    return Installation.objects.filter(is_demo=True).exists()


def ensure_demo_database() -> None:
    """Refuse to put demo accounts into a database that holds real data."""
    if is_demo_database():
        return
    if User.objects.exists() or Organisation.objects.exists():
        raise errors.Conflict(
            _(
                "Deze database bevat al gegevens en is geen demodatabase; de demo maakt hier geen "
                "accounts aan. Gebruik een lege database (bijvoorbeeld een ander DATABASE_URL)."
            ),
            code="geen-demodatabase",
        )


@transaction.atomic
def seed(*, password: str | None = None) -> list[Login]:
    """Create (or refresh) the demo region and return the demo logins with fresh passwords."""
    ensure_demo_database()
    Installation.objects.get_or_create(is_demo=True)
    services.ensure_regions(names=_region_names())
    region = Region.objects.get(name=DEMO_REGION)
    services.import_municipalities(source=DATA_DIR / "zhn_municipalities.csv", region=region)
    _seed_centres(region)
    organisations = _seed_organisations(region)
    logins = [_seed_user(spec, organisations, password) for spec in USERS]
    for extend in EXTENSIONS:
        extend(region=region, organisations=organisations)
    _give_addresses()  # after the seeded activity: only what happens live is e-mailed
    return [_with_extras(login, region) for login in logins]


def _give_addresses() -> None:
    """Demo accounts get an e-mail address in the reserved .invalid domain, so notification
    e-mails show on the console of `regiotafel demo` (docs/notifications.md)."""
    for spec in USERS:
        User.objects.filter(username=spec.username, email="").update(
            email=f"{spec.username}@demo.regiotafel.invalid"
        )


# Apps add lines under a demo login (accounts: the second-factor key of the demo
# administrator). Each is called as extra(user=..., region=...) and returns lines or [].
LOGIN_EXTRAS: list = []


def login_extra(extra) -> None:
    if extra not in LOGIN_EXTRAS:
        LOGIN_EXTRAS.append(extra)


def _with_extras(login: Login, region: Region) -> Login:
    user = User.objects.get(username=login.username)
    lines = [line for extra in LOGIN_EXTRAS for line in extra(user=user, region=region)]
    return replace(login, extra=tuple(lines))


# Capabilities add their demo data here (capacity: locations, beds, a day of activity).
# Each is called with the demo region and its organisations by name, and must be idempotent.
EXTENSIONS: list = []


def extend(seeder) -> None:
    """Add a capability's demo seeder (once, however often its app is made ready)."""
    if seeder not in EXTENSIONS:
        EXTENSIONS.append(seeder)


def _seed_centres(region: Region) -> None:
    with (DATA_DIR / "zhn_municipality_centres.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Municipality.objects.filter(region=region, cbs_code=row["gemeentecode"]).update(
                latitude=float(row["breedtegraad"]), longitude=float(row["lengtegraad"])
            )


def _region_names() -> list[str]:
    with (DATA_DIR / "regio_fasen_2020-10.csv").open(encoding="utf-8") as handle:
        return [row["zorgkantoorregio"] for row in csv.DictReader(handle)]


def _seed_organisations(region: Region) -> dict[str, Organisation]:
    municipalities = {m.cbs_code: m for m in Municipality.objects.filter(region=region)}
    found = {}
    for name, kind, agb, cbs in ORGANISATIONS:
        found[name], _created = Organisation.objects.get_or_create(
            region=region,
            name=name,
            defaults={"type": kind, "agb_code": agb, "municipality": municipalities[cbs]},
        )
    return found


def _seed_user(
    spec: DemoUser, organisations: dict[str, Organisation], password: str | None
) -> Login:
    user, _created = User.objects.get_or_create(
        username=spec.username,
        defaults={"first_name": spec.first_name, "last_name": spec.last_name},
    )
    for org_name, role in spec.memberships:
        Membership.objects.get_or_create(user=user, organisation=organisations[org_name], role=role)
    secret = password or _strong_password(user)
    _check_password(secret, user)
    user.set_password(secret)
    user.save(update_fields=["password"])
    roles = ", ".join(f"{role.label} ({org})" for org, role in spec.memberships)
    return Login(spec.username, secret, roles)


def _strong_password(user: User) -> str:
    while True:
        candidate = secrets.token_urlsafe(12)
        try:
            validate_password(candidate, user)
        except ValidationError:
            continue
        return candidate


def _check_password(password: str, user: User) -> None:
    """A demo password obeys the same rules as every other password."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise errors.InvalidInput(
            _("Het demowachtwoord voldoet niet aan de wachtwoordregels (gebruiker %(user)s): ")
            % {"user": user.get_username()}
            + " ".join(exc.messages),
            code="zwak-wachtwoord",
        ) from None


def describe_logins(logins: list[Login]) -> list[str]:
    lines = [_("Demoregio %(region)s staat klaar. Inloggen kan met:") % {"region": DEMO_REGION}]
    width = max(len(login.username) for login in logins)
    for login in logins:
        lines.append(
            f"  {login.username:<{width}}  {_('wachtwoord')}: {login.password}   {login.roles}"
        )
        lines.extend(f"  {'':<{width}}  {line}" for line in login.extra)
    return lines
