"""Recognising one person without keeping the BSN: pure functions, no database."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regiotafel.waitlist import identity
from regiotafel.waitlist.identity import Identity

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("bsn", ["111222333", "123456782"])
def test_valid_bsns_pass_the_eleven_test(bsn):
    assert identity.bsn_is_valid(bsn)


@pytest.mark.parametrize("bsn", ["111222334", "12345678", "000000000", "12345678a", ""])
def test_invalid_bsns_fail(bsn):
    assert not identity.bsn_is_valid(bsn)


def test_a_bsn_in_other_scripts_digits_fails_the_eleven_test():
    arabic_indic = "111222333".translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    full_width = "123456782".translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert not identity.bsn_is_valid(arabic_indic)
    assert not identity.bsn_is_valid(full_width)


def test_a_bsn_written_with_dots_or_without_its_leading_zero_is_normalised():
    assert identity.normalise_bsn("123.456.782") == "123456782"
    assert identity.normalise_bsn("12345678") == "012345678"


def test_the_hash_is_keyed_and_never_the_bsn_itself():
    a = identity.hash_bsn("111222333", key=b"regio-a")
    assert a == identity.hash_bsn("111222333", key=b"regio-a")
    assert a != identity.hash_bsn("111222333", key=b"regio-b")
    assert "111222333" not in a and len(a) == 64


def test_surname_keys_ignore_prefixes_case_and_accents():
    assert identity.surname_key("van der Berg") == identity.surname_key("Berg") == "berg"
    assert identity.surname_key("Çelik") == "celik"


def person(
    key, surname="Jansen", born=date(1936, 4, 12), postcode="2334 AB", initials="A.", gender="v"
):
    return Identity(key, surname, initials, born, postcode, gender)


def test_a_typo_in_the_surname_is_still_a_probable_duplicate():
    match = identity.similarity(person(1), person(2, surname="Jasnen"))
    assert match.score >= identity.CANDIDATE_THRESHOLD
    assert "zelfde geboortedatum" in match.reasons


def test_day_and_month_swapped_is_recognised():
    match = identity.similarity(person(1), person(2, born=date(1936, 12, 4)))
    assert match.score >= identity.CANDIDATE_THRESHOLD
    assert "dag en maand omgewisseld" in match.reasons


def test_two_different_people_born_the_same_day_are_not_duplicates():
    match = identity.similarity(
        person(1), person(2, surname="Bakker", postcode="2201 XK", initials="P.", gender="m")
    )
    assert match.score < identity.CANDIDATE_THRESHOLD


def test_blocking_finds_a_pair_whose_birth_date_was_mistyped():
    found = identity.probable_duplicates(
        [
            person(1),
            person(2, born=date(1936, 12, 4)),
            person(3, surname="Bakker", born=date(1940, 1, 1)),
        ]
    )
    assert [(m.a, m.b) for m in found] == [(1, 2)]


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=20)
dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31))


@given(names, names, dates, dates)
def test_similarity_is_symmetric_and_between_zero_and_one(s1, s2, d1, d2):
    a, b = person(1, surname=s1, born=d1), person(2, surname=s2, born=d2)
    ab, ba = identity.similarity(a, b), identity.similarity(b, a)
    assert ab.score == ba.score
    assert 0.0 <= ab.score <= 1.0
