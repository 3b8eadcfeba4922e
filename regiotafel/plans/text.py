"""Turning Dutch text into the units the lexical scorer compares.

Dutch glues words together ("mantelzorgondersteuning" = "mantelzorg" + "ondersteuning"), so
whole-word matching misses most of what a plan says. Every word becomes:

- the word itself after a light stemming (plural and inflection endings cut off), marked
  with a leading ``_`` so an exact word counts on its own, and
- its character n-grams of length 4 and 5 (no word-boundary markers, so the parts of a
  compound match the same parts inside other compounds).

Stop words (articles, pronouns, auxiliaries, the wording of the test questions) are dropped
before any of this. Everything here is pure and cached per distinct word.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

NGRAM_SIZES = (4, 5)


def _wordset(block: str) -> frozenset[str]:
    return frozenset(block.split())


STOP_WORDS = _wordset(
    """
    aan al alle alleen als altijd andere bij binnen da dan dat de deze die dit doen door
    dus een eens en enkele er eigen elk elke en enz etc ge geen had heb hebben heeft hem
    het hier hij hoe hun ieder iets ik in is ja je kan kon kunnen kunt let maar me meer men
    met mij mijn moet moeten na naar nee niet niets nog nu of om omdat ons onze ook op over
    te tegen toch toe tot u uit uw van veel voor want waren was wat we wel welk welke wie
    wij wil wilt worden wordt werd zal ze zei zelf zich zij zijn zo zonder zou zouden
    daarbij daarnaast hierbij hiervoor waarbij waarin zoals onder tussen via per vanuit
    oa bijv bijvoorbeeld etc ca nl
    """
)

# Words that carry the form of a test question ("Wordt in de plannen iets beschreven over…")
# rather than its subject. Dropped from queries only: a plan may well use them as content.
QUESTION_WORDS = _wordset(
    """
    regio regios plannen plan regioplan regioplannen beschreven beschrijven genoemd
    opgenomen aandacht thema sprake ingezet inzetten iets partijen werken
    """
)

_WORD = re.compile(r"[a-z0-9]+")
_APOSTROPHES = str.maketrans({"'": "", "’": "", "‘": "", "`": ""})


def normalise(text: str) -> str:
    """Lowercase, without diacritics ("patiënten" → "patienten") or apostrophes."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_APOSTROPHES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str, *, extra_stop: frozenset[str] = frozenset()) -> list[str]:
    """The content words of a text: normalised, without stop words or single characters."""
    return [
        word
        for word in _WORD.findall(normalise(text))
        if len(word) > 1 and word not in STOP_WORDS and word not in extra_stop
    ]


def word_count(text: str) -> int:
    return len(text.split())


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light Dutch stemmer: cut plural and inflection endings of longer words.

    "woningen" → "woning", "ouderen" → "ouder", "mantelzorgers" → "mantelzorger",
    "gemeente"/"gemeenten" → "gemeent". Consistency matters here, not linguistics.
    """
    if len(word) < 6 or word.isdigit():
        return word
    for ending in ("en", "s", "e"):
        if word.endswith(ending) and not word.endswith("ss"):
            return word[: -len(ending)]
    return word


@lru_cache(maxsize=200_000)
def units_of_word(word: str) -> tuple[str, ...]:
    """The sub-word units of one normalised word: "_" + its stem, and its n-grams."""
    base = stem(word)
    units = ["_" + base]
    for size in NGRAM_SIZES:
        if len(base) > size:
            units.extend(base[i : i + size] for i in range(len(base) - size + 1))
        elif len(base) == size:
            units.append(base)
    return tuple(units)


def units(text: str, *, query: bool = False) -> list[str]:
    """The sub-word units of a text, in order, with repeats (a passage's bag of units)."""
    extra = QUESTION_WORDS if query else frozenset()
    result: list[str] = []
    for word in words(text, extra_stop=extra):
        result.extend(units_of_word(word))
    return result
