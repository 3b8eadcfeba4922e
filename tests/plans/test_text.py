"""Dutch text into sub-word units: compounds match their parts, stop words do not count."""

import pytest

from regiotafel.plans import text

pytestmark = pytest.mark.unit


def test_it_lowercases_and_drops_diacritics_and_apostrophes():
    assert text.normalise("Patiëntenstromen in regio's") == "patientenstromen in regios"


def test_stop_words_and_single_letters_do_not_count():
    assert text.words("Wordt er in de regio ingezet op de ondersteuning van mantelzorgers?") == [
        "regio",
        "ingezet",
        "ondersteuning",
        "mantelzorgers",
    ]


def test_queries_also_drop_the_wording_of_the_test_question():
    assert "regio" not in " ".join(text.units("Wordt er in de regio ingezet?", query=True))
    assert "_regio" in text.units("in de regio", query=False)


def test_the_stemmer_makes_singular_and_plural_meet():
    assert text.stem("woningen") == text.stem("woning")
    assert text.stem("gemeenten") == text.stem("gemeente")
    assert text.stem("mantelzorgers") == text.stem("mantelzorger")
    assert text.stem("zorg") == "zorg"


def test_a_compound_shares_units_with_each_of_its_parts():
    compound = set(text.units("mantelzorgondersteuning"))
    first, second = set(text.units("mantelzorg")), set(text.units("ondersteuning"))
    assert first - {"_mantelzorg"} <= compound
    assert len(second & compound) >= len(second) - 3  # all but the stemmed-off ending
    assert not compound & set(text.units("begroting"))


def test_a_word_becomes_itself_and_its_four_and_five_letter_pieces():
    assert text.units_of_word("visie") == ("_visie", "visi", "isie", "visie")
    assert text.units_of_word("wlz") == ("_wlz",)
