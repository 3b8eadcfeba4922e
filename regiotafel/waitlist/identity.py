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


@dataclass(frozen=True)
class Match:
    a: int
    b: int
    score: float
    reasons: tuple[str, ...]


def _birth_date_score(a: date, b: date) -> tuple[float, str]:
    if a == b:
        return 1.0, _("zelfde geboortedatum")
    if a.year == b.year and (a.month, a.day) == (b.day, b.month):
        return 0.7, _("dag en maand omgewisseld")
    if a.year == b.year and a.month == b.month and abs(a.day - b.day) <= 1:
        return 0.6, _("geboortedatum scheelt een dag")
    if (a.month, a.day) == (b.month, b.day) and abs(a.year - b.year) == 1:
        return 0.6, _("geboortejaar scheelt een jaar")
    return 0.0, ""


def name_similarity(a: str, b: str) -> float:
    """SequenceMatcher's ratio, made symmetric (on its own it depends on the order)."""
    return max(SequenceMatcher(None, a, b).ratio(), SequenceMatcher(None, b, a).ratio())


def similarity(a: Identity, b: Identity) -> Match:
    """How likely two identities without BSN are one person (0–1), with the reasons in Dutch."""
    reasons = []
    born, why = _birth_date_score(a.birth_date, b.birth_date)
    if why:
        reasons.append(why)
    surname = name_similarity(surname_key(a.surname), surname_key(b.surname))
    reasons.append(_("achternaam %(pct)s%% gelijk") % {"pct": round(surname * 100)})
    pa, pb = postcode_key(a.postcode), postcode_key(b.postcode)
    postcode = 1.0 if pa and pa == pb else 0.7 if pa[:4] and pa[:4] == pb[:4] else 0.0
    if postcode:
        reasons.append(_("zelfde postcode") if postcode == 1.0 else _("zelfde postcodegebied"))
    ia, ib = a.initials.replace(".", "").upper(), b.initials.replace(".", "").upper()
    initials = 1.0 if ia and ia == ib else 0.6 if ia[:1] and ia[:1] == ib[:1] else 0.0
    if initials:
        reasons.append(
            _("zelfde voorletters") if initials == 1.0 else _("zelfde eerste voorletter")
        )
    score = (
        WEIGHTS["birth_date"] * born
        + WEIGHTS["surname"] * surname
        + WEIGHTS["postcode"] * postcode
        + WEIGHTS["initials"] * initials
    )
    if a.gender and b.gender and a.gender != b.gender:
        score -= 0.2
        reasons.append(_("ander geslacht"))
    low, high = sorted((a.key, b.key))
    return Match(low, high, round(max(score, 0.0), 3), tuple(reasons))


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


def probable_duplicates(
    identities: Iterable[Identity], threshold: float = CANDIDATE_THRESHOLD
) -> list[Match]:
    """Every pair scoring at least the threshold, each pair once, best first."""
    seen: dict[tuple[int, int], Match] = {}
    for members in blocks(identities).values():
        for a, b in combinations(members, 2):
            pair = tuple(sorted((a.key, b.key)))
            if a.key == b.key or pair in seen:
                continue
            match = similarity(a, b)
            if match.score >= threshold:
                seen[pair] = match
    return sorted(seen.values(), key=lambda m: (-m.score, m.a, m.b))
