"""The fast duplicate finder proposes exactly what the original one proposed.

``reference_duplicates`` below is a frozen copy of the finder as it was before issue 14 (two
SequenceMatchers and all reasons for every pair of a block, no early rejection). The pure
finder is compared with it on the benchmark's generated data and on hand-made edge cases,
without a database; tests/waitlist/test_duplicates_equivalence.py does the same through the
importer and the database, against the proposals the original code saved.
"""

from __future__ import annotations

import importlib.util
import random
import re
import unicodedata
from collections import defaultdict
from datetime import date, timedelta
from difflib import SequenceMatcher
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regiotafel.waitlist import identity
from regiotafel.waitlist.identity import Identity, Match

pytestmark = pytest.mark.unit

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "waitlist_import.py"

# ---------------------------------------------------------------- the frozen reference

_PREFIXES = frozenset(  # identity.PREFIXES
    {"van", "de", "der", "den", "het", "ten", "ter", "te", "in", "t", "op", "la", "le", "du",
     "da", "vd", "v"}
)  # fmt: skip
_WEIGHTS = {"birth_date": 0.35, "surname": 0.35, "postcode": 0.15, "initials": 0.15}


def _surname_key(surname: str) -> str:
    plain = unicodedata.normalize("NFKD", surname).encode("ascii", "ignore").decode().lower()
    words = [w for w in re.split(r"[^a-z]+", plain) if w]
    kept = [w for w in words if w not in _PREFIXES] or words
    return "".join(kept)


def _postcode_key(postcode: str) -> str:
    return re.sub(r"\s", "", postcode).upper()


def _birth_date_score(a: date, b: date) -> tuple[float, str]:
    if a == b:
        return 1.0, "zelfde geboortedatum"
    if a.year == b.year and (a.month, a.day) == (b.day, b.month):
        return 0.7, "dag en maand omgewisseld"
    if a.year == b.year and a.month == b.month and abs(a.day - b.day) <= 1:
        return 0.6, "geboortedatum scheelt een dag"
    if (a.month, a.day) == (b.month, b.day) and abs(a.year - b.year) == 1:
        return 0.6, "geboortejaar scheelt een jaar"
    return 0.0, ""


def _name_similarity(a: str, b: str) -> float:
    return max(SequenceMatcher(None, a, b).ratio(), SequenceMatcher(None, b, a).ratio())


def reference_similarity(a: Identity, b: Identity) -> Match:
    reasons = []
    born, why = _birth_date_score(a.birth_date, b.birth_date)
    if why:
        reasons.append(why)
    surname = _name_similarity(_surname_key(a.surname), _surname_key(b.surname))
    reasons.append(f"achternaam {round(surname * 100)}% gelijk")
    pa, pb = _postcode_key(a.postcode), _postcode_key(b.postcode)
    postcode = 1.0 if pa and pa == pb else 0.7 if pa[:4] and pa[:4] == pb[:4] else 0.0
    if postcode:
        reasons.append("zelfde postcode" if postcode == 1.0 else "zelfde postcodegebied")
    ia, ib = a.initials.replace(".", "").upper(), b.initials.replace(".", "").upper()
    initials = 1.0 if ia and ia == ib else 0.6 if ia[:1] and ia[:1] == ib[:1] else 0.0
    if initials:
        reasons.append("zelfde voorletters" if initials == 1.0 else "zelfde eerste voorletter")
    score = (
        _WEIGHTS["birth_date"] * born
        + _WEIGHTS["surname"] * surname
        + _WEIGHTS["postcode"] * postcode
        + _WEIGHTS["initials"] * initials
    )
    if a.gender and b.gender and a.gender != b.gender:
        score -= 0.2
        reasons.append("ander geslacht")
    low, high = sorted((a.key, b.key))
    return Match(low, high, round(max(score, 0.0), 3), tuple(reasons))


def reference_duplicates(identities, threshold=0.80, *, involving=None) -> list[Match]:
    """The original finder, followed by the original caller's filters (``involving``: the
    clients an import touched; two clients with a BSN each are never proposed)."""
    found = defaultdict(list)
    for person in identities:
        found[("born", person.birth_date)].append(person)
        area = _postcode_key(person.postcode)[:4]
        if area:
            found[("name", _surname_key(person.surname)[:4], area)].append(person)
    seen = {}
    for members in found.values():
        for a, b in combinations(members, 2):
            pair = tuple(sorted((a.key, b.key)))
            if a.key == b.key or pair in seen:
                continue
            match = reference_similarity(a, b)
            if match.score >= threshold:
                seen[pair] = match
    by_key = {person.key: person for person in identities}
    return [
        m
        for m in sorted(seen.values(), key=lambda m: (-m.score, m.a, m.b))
        if (involving is None or m.a in involving or m.b in involving)
        and not (by_key[m.a].has_bsn and by_key[m.b].has_bsn)
    ]


# ---------------------------------------------------------------- the benchmark's data


def _benchmark():
    spec = importlib.util.spec_from_file_location("waitlist_benchmark", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def benchmark_identities(registrations: int, providers: int = 40) -> list[Identity]:
    """The clients the importer makes from the benchmark's files: one per BSN, one per row
    without a BSN; their keys in file order, as the database would number them."""
    import csv
    import io

    bench = _benchmark()
    codes = bench.provider_codes(providers)
    files, _planted = bench.make_files(
        registrations, codes, bench.location_names(providers), random.Random(7)
    )
    people, by_bsn = [], {}
    for code in codes:
        for row in csv.DictReader(io.StringIO(files[code].decode())):
            if row["bsn"] and row["bsn"] in by_bsn:
                continue
            person = Identity(
                len(people) + 1,
                row["achternaam"],
                row["voorletters"],
                date.fromisoformat(row["geboortedatum"]),
                row["postcode"],
                row["geslacht"],
                has_bsn=bool(row["bsn"]),
            )
            people.append(person)
            if row["bsn"]:
                by_bsn[row["bsn"]] = person
    return people


def _hide_bsns(people: list[Identity]) -> list[Identity]:
    return [
        Identity(p.key, p.surname, p.initials, p.birth_date, p.postcode, p.gender) for p in people
    ]


@pytest.fixture(scope="module")
def benchmark_people() -> list[Identity]:
    return benchmark_identities(10_000)


@pytest.fixture(scope="module")
def reference(benchmark_people) -> list[Match]:
    return reference_duplicates(benchmark_people)


def test_the_benchmarks_data_gives_the_same_proposals_as_the_original_finder(
    benchmark_people, reference
):
    assert len(reference) >= 150  # the planted near-duplicates are in it
    assert identity.probable_duplicates(benchmark_people) == reference


def test_without_any_bsn_every_pair_of_a_block_is_scored_the_same_way(benchmark_people):
    people = _hide_bsns(benchmark_people[:2_000])
    expected = reference_duplicates(people)
    assert expected
    assert identity.probable_duplicates(people) == expected


def test_an_incremental_search_gives_the_same_proposals_for_the_touched_clients(
    benchmark_people, reference
):
    touched = {p.key for p in benchmark_people if p.key % 7 == 0}
    # (the original filtered the finder's answer afterwards: the same as reference_duplicates
    # with ``involving``, without comparing every pair again)
    expected = [m for m in reference if m.a in touched or m.b in touched]
    assert expected
    assert identity.probable_duplicates(benchmark_people, involving=touched) == expected


@pytest.mark.parametrize("threshold", [0.5, 0.65, 0.9])
def test_other_thresholds_give_the_same_proposals(benchmark_people, threshold):
    people = _hide_bsns(benchmark_people[:1_000])
    expected = reference_duplicates(people, threshold)
    assert identity.probable_duplicates(people, threshold) == expected


def test_stored_name_keys_give_the_same_proposals(benchmark_people, reference):
    people = [
        Identity(
            p.key,
            p.surname,
            p.initials,
            p.birth_date,
            p.postcode,
            p.gender,
            has_bsn=p.has_bsn,
            name_key=identity.surname_key(p.surname),
        )
        for p in benchmark_people
    ]
    assert identity.probable_duplicates(people) == reference


# ---------------------------------------------------------------- edge cases

surnames = st.sampled_from(
    ["Jansen", "Janssen", "Jasnen", "van der Berg", "Berg", "Bergh", "de Vries", "Vries-Bos",
     "Çelik", "Celik", "-", "Smit", "Smits", "Tims", "ab", "ba", "Aabba", "Baaab"]
)  # fmt: skip
dates = st.sampled_from(
    [date(1936, 4, 12), date(1936, 12, 4), date(1936, 4, 13), date(1937, 4, 12),
     date(1935, 4, 12), date(1936, 4, 4), date(1936, 1, 1), date(1940, 2, 29)]
)  # fmt: skip
postcodes = st.sampled_from(["2334 AB", "2334AB", "2334 XY", "1234 AB", "", "2334"])
initials = st.sampled_from(["A.", "A.M.", "AM", "B.", "", "a."])
genders = st.sampled_from(["v", "m", "", "x"])
people = st.lists(
    st.tuples(surnames, initials, dates, postcodes, genders, st.booleans()),
    min_size=2,
    max_size=10,
)


@settings(max_examples=150, deadline=None)
@given(people, st.sampled_from([0.3, 0.6, 0.8, 0.95]))
def test_hand_made_people_give_the_same_proposals(rows, threshold):
    persons = [
        Identity(n, surname, init, born, postcode, gender, has_bsn=bsn)
        for n, (surname, init, born, postcode, gender, bsn) in enumerate(rows, start=1)
    ]
    assert identity.probable_duplicates(persons, threshold) == reference_duplicates(
        persons, threshold
    )


@given(st.text(alphabet="abcdeijnrs", max_size=9), st.text(alphabet="abcdeijnrs", max_size=9))
def test_the_symmetric_name_similarity_is_the_larger_of_both_orders(a, b):
    assert identity.name_similarity(a, b) == _name_similarity(a, b)


def test_the_similarity_of_two_identities_is_unchanged(benchmark_people):
    rng = random.Random(3)
    sample = rng.sample(benchmark_people, 400)
    for a, b in zip(sample, sample[1:], strict=False):
        b = Identity(b.key, b.surname, b.initials, a.birth_date + timedelta(days=1), b.postcode)
        assert identity.similarity(a, b) == reference_similarity(a, b)
