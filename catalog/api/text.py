"""Text analysis for the dataset search: fold case and accents, split words, stem.

``municipios``, ``Municipio`` and ``MUNICIPIOS`` all become ``municip``, so a
citizen finds a dataset whatever the form of the word. Spanish is the
catalogue's language; the Snowball Spanish stemmer also leaves most English
words usable.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

WORD = re.compile(r"[0-9a-zñ]+")
STOPWORDS = frozenset(
    "a al con de del el en la las los o para por se su sus un una y e u the of and or to in "
    "for on by".split()
)
_STEMMER = snowballstemmer.stemmer("spanish")


def fold(text: str) -> str:
    """Lower case without accents (``ñ`` kept apart from ``n``)."""
    text = text.lower().replace("ñ", "\x00")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("\x00", "ñ")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def words(text: str) -> list[str]:
    """The folded words of ``text``, stop words dropped."""
    return [w for w in WORD.findall(fold(text)) if w not in STOPWORDS]


def terms(text: str) -> list[str]:
    """The stemmed search terms of ``text``."""
    return [stem(w) for w in words(text)]
