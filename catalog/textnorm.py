"""The one normalisation of search text: what a query and a dataset are reduced to.

The rule (docs/architecture.md, "Search text"), applied alike by the API's dataset
search, the static site's search index and, for the query, ``site/assets/search.js``:

1. lower case, then compatibility decomposition (NFKD) with every nonspacing mark
   dropped: ``Educación`` -> ``educacion``, ``PINGÜINO`` -> ``pinguino``, and
   ``niño`` -> ``nino`` (``ñ`` folds to ``n``, as SQLite's FTS ``unicode61
   remove_diacritics 2`` tokenizer folds it);
2. words are the runs of letters and digits (``_``, ``-`` and punctuation split:
   the column ``familias_usuarias`` gives ``familias`` and ``usuarias``);
3. a few Spanish and English stop words are dropped (``de``, ``la``, ``the``...);
4. each word (of ASCII letters and digits, as every folded Spanish word is) is
   reduced by the Snowball Spanish stemmer: ``municipios`` and ``Municipio`` both
   become ``municipi``.

A query matches a dataset when every one of its stems is among the dataset's stems
(AND); ``*`` and ``?`` in a query word match any stems of the dataset they fit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import snowballstemmer

WORD = re.compile(r"[^\W_]+")
STOPWORDS = frozenset(
    "a al con de del el en la las los o para por se su sus un una y e u the of and or to in "
    "for on by".split()
)
# How much a stem weighs in ranking, by the part of the dataset it is found in.
WEIGHTS = {"title": 3.0, "tags": 2.0, "description": 1.0, "other": 0.5}
# The SQLite FTS5 tokenizer closest to the rule: same case and diacritic folding
# (ñ -> n included) and the same word boundaries; it does not stem nor drop stop words.
SQLITE_TOKENIZE = "unicode61 remove_diacritics 2"
_STEMMER = snowballstemmer.stemmer("spanish")


def fold(text: str) -> str:
    """Lower case without diacritics: ``Año de Educación`` -> ``ano de educacion``."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball Spanish stem of a folded word; a word with letters outside ASCII (not
    Spanish once folded: ``ß``, ``ø``, Greek...) is kept whole."""
    return _STEMMER.stemWord(word) if word.isascii() else word


def words(text: str) -> list[str]:
    """The folded words of ``text``, stop words dropped."""
    return [w for w in WORD.findall(fold(text)) if w not in STOPWORDS]


def terms(text: str) -> list[str]:
    """The stems of ``text``: what a query or a dataset is searched by."""
    return [stem(w) for w in words(text)]


def dataset_texts(
    *,
    title: str,
    keywords: Iterable[Any],
    description: str,
    publisher: Mapping[str, Any] | None,
    resources: Iterable[Mapping[str, Any]],
) -> dict[str, str]:
    """What search reads of a dataset, by part (the keys of ``WEIGHTS``).

    ``resources`` give their ``title``, ``description`` and ``fields`` (each with
    ``name`` and ``title``): a column's name finds its dataset as well as its title.
    """
    publisher = publisher or {}
    other = [str(publisher.get("name") or ""), str(publisher.get("acronym") or "")]
    for resource in resources:
        other += [str(resource.get("title") or ""), str(resource.get("description") or "")]
        for column in resource.get("fields") or []:
            if isinstance(column, Mapping):
                other += [str(column.get("name") or ""), str(column.get("title") or "")]
    return {
        "title": title or "",
        "tags": " ".join(k for k in keywords if isinstance(k, str)),
        "description": description or "",
        "other": " ".join(other),
    }


def weighted_terms(texts: Mapping[str, str]) -> dict[str, float]:
    """Each stem of a dataset and its weight: the sum of ``WEIGHTS`` of the parts holding it."""
    found: dict[str, float] = {}
    for part, content in texts.items():
        weight = WEIGHTS.get(part, WEIGHTS["other"])
        for term in set(terms(content or "")):
            found[term] = found.get(term, 0.0) + weight
    return found
