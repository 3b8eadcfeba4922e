"""Recognising one person across providers, without keeping the BSN.

Pure functions: BSN check (elfproef) and keyed hash, name normalisation, a similarity score
for two identities without a BSN, and blocking so that 100,000 registrations are compared in
seconds, not in 5·10⁹ pairs.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from itertools import combinations

from django.utils.translation import gettext as _

# Dutch surname prefixes (tussenvoegsels), ignored when comparing surnames.
PREFIXES = frozenset(
    {
        "van",
        "de",
        "der",
        "den",
        "het",
        "ten",
        "ter",
        "te",
        "in",
        "t",
        "op",
        "la",
        "le",
        "du",
        "da",
        "vd",
        "v",
    }
)
CANDIDATE_THRESHOLD = 0.80
WEIGHTS = {"birth_date": 0.35, "surname": 0.35, "postcode": 0.15, "initials": 0.15}


def bsn_is_valid(bsn: str) -> bool:
    """The eleven test: 9 digits, weights 9…2 and −1, sum divisible by 11, not all zeros."""
    # [0-9], not \d: \d also matches Arabic-Indic or full-width digits, which pass int() but
    # not the ASCII encoding of the hash.
    if not re.fullmatch(r"[0-9]{9}", bsn) or bsn == "000000000":
        return False
    digits = [int(d) for d in bsn]
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0


def normalise_bsn(raw: str) -> str:
    """Accept "123.456.782" or 8 digits (a leading zero lost in a spreadsheet)."""
    digits = re.sub(r"[\s.\-]", "", raw)
    return digits.zfill(9) if digits.isdigit() and len(digits) == 8 else digits


def hash_bsn(bsn: str, *, key: bytes) -> str:
    """HMAC-SHA256 of a valid BSN with the region's secret key (hex)."""
    return hmac.new(key, bsn.encode("ascii"), hashlib.sha256).hexdigest()


def surname_key(surname: str) -> str:
    """'van der Berg-Jansen' → 'bergjansen': lower case, no accents, no prefixes."""
    plain = unicodedata.normalize("NFKD", surname).encode("ascii", "ignore").decode().lower()
    words = [w for w in re.split(r"[^a-z]+", plain) if w]
    kept = [w for w in words if w not in PREFIXES] or words
    return "".join(kept)


def postcode_key(postcode: str) -> str:
    return re.sub(r"\s", "", postcode).upper()


@dataclass(frozen=True)
class Identity:
    key: int  # the client's primary key
    surname: str
    initials: str
    birth_date: date
    postcode: str
    gender: str = ""
    has_bsn: bool = False  # two clients that both have a (different) BSN are never a pair
    name_key: str = ""  # the stored ``surname_key(surname)``, when the caller has it


@dataclass(frozen=True)
class Match:
    a: int
    b: int
    score: float
    reasons: tuple[str, ...]


# ---------------------------------------------------------------- keys stored on a client


def name_block(surname: str, postcode: str) -> str:
    """The second blocking key: surname start and postcode area ('berg|2334'), or '' without
    a postcode. Stored on the client (``Client.name_block``, indexed) when it is written."""
    area = postcode_key(postcode)[:4]
    return f"{surname_key(surname)[:4]}|{area}" if area else ""


# ---------------------------------------------------------------- the score


def _birth_date_value(a: date, b: date) -> float:
    if a == b:
        return 1.0
    if a.year == b.year and (a.month, a.day) == (b.day, b.month):
        return 0.7
    if a.year == b.year and a.month == b.month and abs(a.day - b.day) <= 1:
        return 0.6
    if (a.month, a.day) == (b.month, b.day) and abs(a.year - b.year) == 1:
        return 0.6
    return 0.0


def _birth_date_reason(value: float, a: date, b: date) -> str:
    if value == 1.0:
        return _("zelfde geboortedatum")
    if value == 0.7:
        return _("dag en maand omgewisseld")
    if value == 0.6:
        if a.year == b.year:
            return _("geboortedatum scheelt een dag")
        return _("geboortejaar scheelt een jaar")
    return ""


def _postcode_value(pa: str, pb: str) -> float:
    return 1.0 if pa and pa == pb else 0.7 if pa[:4] and pa[:4] == pb[:4] else 0.0


def _initials_value(ia: str, ib: str) -> float:
    return 1.0 if ia and ia == ib else 0.6 if ia[:1] and ia[:1] == ib[:1] else 0.0


def _initials_key(initials: str) -> str:
    return initials.replace(".", "").upper()


def _total(born: float, surname: float, postcode: float, initials: float, other_gender: bool):
    """The score as stored: one expression, used for the bounds too, so a bound computed with
    an upper bound of the surname similarity is never below the score (rounding is monotone)."""
    score = (
        WEIGHTS["birth_date"] * born
        + WEIGHTS["surname"] * surname
        + WEIGHTS["postcode"] * postcode
        + WEIGHTS["initials"] * initials
    )
    if other_gender:
        score -= 0.2
    return round(max(score, 0.0), 3)


def name_similarity(a: str, b: str) -> float:
    """SequenceMatcher's ratio, made symmetric (on its own it depends on the order): the
    larger of both orders. The second order is only computed when it could be larger: both
    are at most ``quick_ratio`` (the shared letters, the same either way), so a first ratio
    that reaches it is the maximum."""
    if a == b:
        return 1.0
    first = SequenceMatcher(None, a, b)
    ratio = first.ratio()
    if ratio < first.quick_ratio():
        ratio = max(ratio, SequenceMatcher(None, b, a).ratio())
    return ratio


def _match(a: Identity, b: Identity, surname: float, pa: str, pb: str) -> Match:
    """The match with its Dutch reasons (built only for pairs that are proposed)."""
    reasons = []
    born = _birth_date_value(a.birth_date, b.birth_date)
    why = _birth_date_reason(born, a.birth_date, b.birth_date)
    if why:
        reasons.append(why)
    reasons.append(_("achternaam %(pct)s%% gelijk") % {"pct": round(surname * 100)})
    postcode = _postcode_value(pa, pb)
    if postcode:
        reasons.append(_("zelfde postcode") if postcode == 1.0 else _("zelfde postcodegebied"))
    initials = _initials_value(_initials_key(a.initials), _initials_key(b.initials))
    if initials:
        reasons.append(
            _("zelfde voorletters") if initials == 1.0 else _("zelfde eerste voorletter")
        )
    other_gender = bool(a.gender and b.gender and a.gender != b.gender)
    if other_gender:
        reasons.append(_("ander geslacht"))
    low, high = sorted((a.key, b.key))
    return Match(low, high, _total(born, surname, postcode, initials, other_gender), tuple(reasons))


def similarity(a: Identity, b: Identity) -> Match:
    """How likely two identities without BSN are one person (0–1), with the reasons in Dutch."""
    surname = name_similarity(
        a.name_key or surname_key(a.surname), b.name_key or surname_key(b.surname)
    )
    return _match(a, b, surname, postcode_key(a.postcode), postcode_key(b.postcode))


# ---------------------------------------------------------------- finding pairs


class _Person:
    """An identity with its comparison keys, computed once."""

    __slots__ = ("identity", "key", "born", "name", "postcode", "initials", "gender", "bsn")

    def __init__(self, identity: Identity) -> None:
        self.identity = identity
        self.key = identity.key
        self.born = identity.birth_date
        self.name = identity.name_key or surname_key(identity.surname)
        self.postcode = postcode_key(identity.postcode)
        self.initials = _initials_key(identity.initials)
        self.gender = identity.gender
        self.bsn = identity.has_bsn


def blocks(identities: Iterable[Identity]) -> dict[tuple, list[Identity]]:
    """Group identities that could be the same person: same birth date, or same surname
    start and postcode area (to catch a mistyped birth date)."""
    found: dict[tuple, list[Identity]] = defaultdict(list)
    for identity in identities:
        found[("born", identity.birth_date)].append(identity)
        area = postcode_key(identity.postcode)[:4]
        if area:
            found[("name", surname_key(identity.surname)[:4], area)].append(identity)
    return found


def _pairs(members: list[_Person]):
    """Every pair of a block that could be proposed: not two clients that both have a BSN."""
    without = [p for p in members if not p.bsn]
    if not without:
        return
    yield from combinations(without, 2)
    with_bsn = [p for p in members if p.bsn]
    for a in without:
        for b in with_bsn:
            yield a, b


def probable_duplicates(
    identities: Iterable[Identity],
    threshold: float = CANDIDATE_THRESHOLD,
    *,
    involving: set[int] | None = None,
) -> list[Match]:
    """Every pair scoring at least the threshold, each pair once, best first; with
    ``involving``, only pairs with at least one of those keys. Two identities that both have
    a BSN are never a pair (different BSNs are different people).

    Cheap checks first: the birth dates, postcodes, initials and genders give an upper bound
    of the score (the surname counted as equal); a pair whose bound stays below the threshold
    is dropped before any string comparison, then one bounded by the surnames' lengths. The
    surname similarity is computed once per pair of surname keys, and the Dutch reasons only
    for pairs that are proposed."""
    people = [_Person(i) for i in identities]
    by_born: dict[date, list[_Person]] = defaultdict(list)
    by_name: dict[tuple[str, str], list[_Person]] = defaultdict(list)
    for person in people:
        by_born[person.born].append(person)
        area = person.postcode[:4]
        if area:
            by_name[(person.name[:4], area)].append(person)
    names: dict[tuple[str, str], float] = {}
    seen: dict[tuple[int, int], Match] = {}
    birth_needed = _total(0.0, 1.0, 1.0, 1.0, False) < threshold

    def consider(a: _Person, b: _Person, born: float) -> None:
        if a.key == b.key:
            return
        if involving is not None and a.key not in involving and b.key not in involving:
            return
        pair = (a.key, b.key) if a.key < b.key else (b.key, a.key)
        if pair in seen:
            return
        pa, pb = a.postcode, b.postcode
        postcode = 1.0 if pa and pa == pb else 0.7 if pa[:4] and pa[:4] == pb[:4] else 0.0
        ia, ib = a.initials, b.initials
        initials = 1.0 if ia and ia == ib else 0.6 if ia[:1] and ia[:1] == ib[:1] else 0.0
        other_gender = bool(a.gender and b.gender and a.gender != b.gender)
        if _total(born, 1.0, postcode, initials, other_gender) < threshold:
            return
        na, nb = a.name, b.name
        length = len(na) + len(nb)
        longest = 2.0 * min(len(na), len(nb)) / length if length else 1.0
        if _total(born, longest, postcode, initials, other_gender) < threshold:
            return
        names_key = (na, nb) if na <= nb else (nb, na)
        surname = names.get(names_key)
        if surname is None:
            surname = names[names_key] = name_similarity(*names_key)
        if _total(born, surname, postcode, initials, other_gender) < threshold:
            return
        seen[pair] = _match(a.identity, b.identity, surname, pa, pb)

    for members in by_born.values():
        for a, b in _pairs(members):
            consider(a, b, 1.0)
    for members in by_name.values():
        for a, b in _pairs(members):
            if a.born == b.born:
                continue  # the pair shares a birth-date block: already considered
            born = _birth_date_value(a.born, b.born)
            if birth_needed and not born:
                continue
            consider(a, b, born)
    return sorted(
        (m for m in seen.values() if m.score >= threshold), key=lambda m: (-m.score, m.a, m.b)
    )
