"""The static search index: small files per language, read by ``assets/search.js``.

A query fetches only what it needs, so search stays light at 50,000 datasets
(docs/architecture.md, "Static search"):

- ``index.json``: the number of datasets, the facets, the labels of their values,
  the stop words and the list of term shards;
- ``terms/<xxx>.json``: the postings of every stem beginning with ``xxx`` (its
  first three letters or digits; ``_`` for the rest): which datasets hold the stem
  and its weight there. A query loads the shards of its words only;
- ``facets/<facet>.json``: for each facet value, the datasets that have it (or,
  when shorter, a packed column of each dataset's first value, ``_facet``). The
  keyword facet keeps its ``KEYWORD_TOP`` most used values there; the others are
  in ``facets/keyword-<h>.json`` (``h`` a hash of the keyword), loaded only when
  a reader filters by one of them;
- ``modified.json``: the datasets by date of update (for that sort only);
- ``docs/<n>.json``: what a result shows (title, short description, date,
  quality, publisher, formats) of ``BLOCK`` datasets at a time.

Datasets are numbered in title order (``pages.sort_key``), so sorting by title
(and breaking ties of relevance) is sorting by number. Lists of dataset numbers
are written compactly as text (``encode_docs``): gaps as base-64 variable-length
numbers, or a bitmap when that is shorter. Each dataset's stems and weights come
from its title, keywords, description, publisher, resources and columns by
``catalog.textnorm``, the rule the API's search uses; ``search.js`` normalises and
stems the query by the same rule. No server is needed.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from catalog import territories, textnorm
from catalog.release.manifest import Manifest
from catalog.site.render import page_url
from catalog.vocabularies import label

FACETS = ("publisher", "theme", "keyword", "format", "license", "territory", "frequency")
BLOCK = 8  # datasets per docs/<n>.json
KEYWORD_TOP = 25  # keyword values whose counts every query shows
RARE_SHARDS = 64  # files of the other keyword values
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_SHARD = re.compile(r"[a-z0-9]{1,3}")


def search_texts(manifest: Manifest, publisher: dict[str, Any] | None) -> dict[str, str]:
    """What search reads of a published dataset (``textnorm.dataset_texts``)."""
    package = manifest["package"]
    resources = [r for r in package.get("resources") or [] if isinstance(r, dict)]
    return textnorm.dataset_texts(
        title=str(package.get("title") or ""),
        keywords=package.get("keywords") or [],
        description=str(package.get("description") or ""),
        publisher=publisher,
        resources=[
            {
                "title": r.get("title"),
                "description": r.get("description"),
                "fields": r["schema"].get("fields") if isinstance(r.get("schema"), dict) else None,
            }
            for r in resources
        ],
    )


def dataset_terms(manifest: Manifest, publishers: dict[str, dict]) -> dict[str, float]:
    """A dataset's stems and their weights (the same in every language)."""
    texts = search_texts(manifest, publishers.get(manifest["publisher"]))
    return textnorm.weighted_terms(texts)


# ------------------------------------------------------------- encoding


def varint(value: int) -> str:
    """``value`` >= 0 in base 64: five bits a character, low bits first; a character
    of 32 or more says another follows."""
    out = []
    while value >= 32:
        out.append(ALPHABET[32 + (value & 31)])
        value >>= 5
    out.append(ALPHABET[value])
    return "".join(out)


def read_varints(text: str) -> list[int]:
    values, value, shift = [], 0, 0
    for char in text:
        digit = ALPHABET.index(char)
        value |= (digit & 31) << shift
        if digit >= 32:
            shift += 5
        else:
            values.append(value)
            value, shift = 0, 0
    return values


def encode_docs(docs: list[int], count: int) -> str:
    """Sorted dataset numbers: gaps as varints, or ``!`` and a bitmap of ``count`` bits
    (six a character) when that is shorter."""
    gaps = "".join(varint(d - p) for d, p in zip(docs, [0, *docs], strict=False))
    if len(gaps) * 6 <= count:
        return gaps
    bits = [0] * ((count + 5) // 6)
    for d in docs:
        bits[d // 6] |= 1 << (d % 6)
    return "!" + "".join(ALPHABET[b] for b in bits)


def decode_docs(text: str) -> list[int]:
    if text.startswith("!"):
        return [
            6 * i + bit
            for i, char in enumerate(text[1:])
            for bit in range(6)
            if ALPHABET.index(char) >> bit & 1
        ]
    docs, previous = [], 0
    for gap in read_varints(text):
        previous += gap
        docs.append(previous)
    return docs


def encode_column(values: list[int], bits: int) -> str:
    """One small number per dataset (``bits`` bits each), packed six bits a character."""
    packed = [0] * ((len(values) * bits + 5) // 6)
    for doc, value in enumerate(values):
        for j in range(bits):
            if value >> j & 1:
                k = doc * bits + j
                packed[k // 6] |= 1 << (k % 6)
    return "".join(ALPHABET[c] for c in packed)


def decode_column(text: str, bits: int, count: int) -> list[int]:
    digits = [ALPHABET.index(c) for c in text]
    return [
        sum(1 << j for j in range(bits) if digits[(d * bits + j) // 6] >> ((d * bits + j) % 6) & 1)
        for d in range(count)
    ]


def facet_docs(content: dict[str, Any], count: int) -> dict[str, list[int]]:
    """A facet file read back: value -> dataset numbers."""
    if "column" not in content:
        return {v: decode_docs(d) for v, d in content["values"].items()}
    found: dict[str, list[int]] = defaultdict(list)
    for doc, value in enumerate(decode_column(content["column"], content["bits"], count)):
        if value:
            found[content["names"][value - 1]].append(doc)
    for value, docs in content["extra"].items():
        found[value] = sorted(found[value] + decode_docs(docs))
    return dict(found)


def encode_postings(postings: list[tuple[int, float]]) -> str:
    """``[(dataset number, weight)]`` in order: gap and twice the weight (weights are
    sums of halves, ``textnorm.WEIGHTS``), as varints."""
    out, previous = [], 0
    for doc, weight in postings:
        out.append(varint(doc - previous) + varint(round(2 * weight)))
        previous = doc
    return "".join(out)


def decode_postings(text: str) -> dict[int, float]:
    values = read_varints(text)
    found, doc = {}, 0
    for gap, twice in zip(values[::2], values[1::2], strict=True):
        doc += gap
        found[doc] = twice / 2
    return found


def shard(term: str) -> str:
    """The file of a stem's postings: its first three characters, ``_`` if not [a-z0-9]."""
    prefix = term[:3]
    return prefix if _SHARD.fullmatch(prefix) else "_"


def rare_shard(value: str) -> int:
    """The file of a keyword outside the top ones (``search.js`` hashes alike)."""
    h = 5381
    for char in value:
        h = (h * 33 + ord(char)) % 4294967296
    return h % RARE_SHARDS


# ---------------------------------------------------------------- files


def _facet(values: dict[str, list[int]], count: int) -> dict[str, Any]:
    """A facet file, in the shorter of two forms: each value's datasets (``values``), or
    a column of one value a dataset (``names``, each dataset's number in ``bits`` bits,
    0 for none; the most used values first) with the datasets of their other values
    (``extra``): a facet of mostly one value a dataset costs a few bits a dataset."""
    names = sorted(values, key=lambda v: (-len(values[v]), v))
    lists = {"values": {v: encode_docs(values[v], count) for v in sorted(values)}}
    column = [0] * count
    extra: dict[str, list[int]] = defaultdict(list)
    for n, name in enumerate(names, start=1):
        for doc in values[name]:
            if column[doc]:
                extra[name].append(doc)
            else:
                column[doc] = n
    bits = max(1, len(names).bit_length())
    packed = {
        "names": names,
        "bits": bits,
        "column": encode_column(column, bits),
        "extra": {v: encode_docs(d, count) for v, d in sorted(extra.items())},
    }
    return min(lists, packed, key=lambda form: len(json.dumps(form, ensure_ascii=False)))


def _values(item: dict[str, Any]) -> dict[str, list[str]]:
    return {
        "publisher": [item["publisher"]],
        "theme": item["themes"],
        "keyword": item["keywords"],
        "format": item["formats"],
        "license": [item["license"]] if item["license"] else [],
        "territory": item["territories"],
        "frequency": [item["frequency"]] if item["frequency"] else [],
    }


def files(
    items: list[dict[str, Any]],
    manifests: dict[str, Manifest],
    publishers: dict[str, dict],
    lang: str,
    terms: Callable[[dict[str, Any]], dict[str, float]] | None = None,
) -> dict[str, str]:
    """The index of one language: file path (under ``search/``) -> content. ``items``
    come in title order (their numbers); ``manifests`` maps each id to its manifest;
    ``terms`` gives an item's weighted stems (``dataset_terms``; the site keeps them
    between builds)."""
    count = len(items)
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    facets: dict[str, dict[str, list[int]]] = {f: defaultdict(list) for f in FACETS}
    modified: dict[str, list[int]] = defaultdict(list)
    docs: list[list[Any]] = []
    for n, item in enumerate(items):
        found = terms(item) if terms else dataset_terms(manifests[item["id"]], publishers)
        for term, weight in found.items():
            postings[term].append((n, weight))
        for facet, values in _values(item).items():
            for value in dict.fromkeys(values):
                facets[facet][value].append(n)
        modified[item["modified"]].append(n)
        docs.append(
            [
                item["id"],
                page_url(item["path"], lang),
                item["title"],
                item["description"],
                item["modified"],
                item["quality"],
                item["publisher"],
                item["formats"],
            ]
        )
    out: dict[str, Any] = {}
    shards: dict[str, dict[str, str]] = defaultdict(dict)
    for term in sorted(postings):
        shards[shard(term)][term] = encode_postings(postings[term])
    for name, stems in shards.items():
        out[f"terms/{name}.json"] = stems
    keywords = facets["keyword"]
    top = {v for v, _ in Counter({v: len(d) for v, d in keywords.items()}).most_common(KEYWORD_TOP)}
    rare: dict[int, dict[str, str]] = defaultdict(dict)
    for value in sorted(set(keywords) - top):
        rare[rare_shard(value)][value] = encode_docs(keywords[value], count)
    for h, those in rare.items():
        out[f"facets/keyword-{h}.json"] = those
    for facet in FACETS:
        kept = {v: d for v, d in facets[facet].items() if facet != "keyword" or v in top}
        out[f"facets/{facet}.json"] = _facet(kept, count)
    out["modified.json"] = {
        date: encode_docs(d, count) for date, d in sorted(modified.items(), reverse=True)
    }
    for start in range(0, count, BLOCK):
        out[f"docs/{start // BLOCK}.json"] = docs[start : start + BLOCK]
    seen = {f: set(facets[f]) for f in FACETS}
    out["index.json"] = {
        "version": 2,
        "count": count,
        "block": BLOCK,
        "facets": list(FACETS),
        "shards": sorted(shards),
        "rare": bool(set(keywords) - top),
        "rareShards": RARE_SHARDS,
        "labels": {
            "publisher": {
                s: str((publishers.get(s) or {}).get("name") or s) for s in seen["publisher"]
            },
            "theme": {c: label("themes", c, lang) for c in seen["theme"]},
            "license": {c: label("licenses", c, lang) for c in seen["license"]},
            "frequency": {c: label("frequencies", c, lang) for c in seen["frequency"]},
            "territory": {c: territories.name(c) or c for c in seen["territory"]},
            "format": {c: c.upper() for c in seen["format"]},
        },
        "stopwords": sorted(textnorm.STOPWORDS),
    }
    return {
        path: json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        for path, content in out.items()
    }
