"""The static search index: small files per language, read by ``assets/search.js``.

A query fetches only what it needs, so search stays light at 50,000 datasets
(docs/architecture.md, "Static search"):

- ``index.json``: the size of the numbering, its holes, the first datasets in title
  order, the facets, the labels of their values, the stop words and the list of term
  shards;
- ``terms/<xxx>.json``: the postings of every stem beginning with ``xxx`` (its
  first three letters or digits; ``_`` for the rest): which datasets hold the stem
  and its weight there; under the key ``""``, what results show of the datasets each
  stem ranks first (``Index.tops``), so that a query of one word needs this file only.
  A query loads the shards of its words; ``search.js`` fetches them as they are typed;
- ``facets/<facet>.json``: for each facet value, the datasets that have it (or,
  when shorter, a packed column of each dataset's first value, ``_facet``). The
  keyword facet keeps its ``KEYWORD_TOP`` most used values there; the others are
  in ``facets/keyword-<h>.json`` (``h`` a hash of the keyword), loaded only when
  a reader filters by one of them. Another facet keeps its ``FACET_TOP`` most used
  values there, the others in ``facets/<facet>-more.json``, loaded when a reader
  asks for all its values or filters by one of them;
- ``modified.json``: the datasets by date of update (for that sort only);
- ``order/<k>.json``: the title order, ``ORDER_CHUNK`` dataset numbers a file
  (``encode_order``), read
  only to list in title order beyond the first ``FIRST`` (which ``index.json`` holds);
- ``docs/<n>.json``: what a result shows (title, short description, date,
  quality, publisher, formats) of ``BLOCK`` dataset numbers at a time.

Numbers are stable (``numbering``): a dataset keeps its number from build to build
(the site keeps the map), a new one takes a removed one's number or the next; a site
built from nothing numbers in title order. So a change to one dataset rewrites the
files that hold it (its shards, facets, block, the title order's chunks it moves
across), not the whole index. Ties of relevance go by number. Lists of dataset numbers
are written compactly as text (``encode_docs``): gaps as base-64 variable-length
numbers, or a bitmap when that is shorter. Each dataset's stems and weights come
from its title, keywords, description, publisher, resources and columns by
``catalog.textnorm``, the rule the API's search uses; ``search.js`` normalises and
stems the query by the same rule. No server is needed.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Any

from catalog import territories, textnorm
from catalog.release.manifest import Manifest
from catalog.site.render import page_url
from catalog.vocabularies import label

FACETS = ("publisher", "theme", "keyword", "format", "license", "territory", "frequency")
BLOCK = 8  # dataset numbers per docs/<n>.json
TOP = 20  # datasets a stem ranks first, whose records its shard carries (a page)
FIRST = 20  # the title order's first datasets, in index.json (the first page)
ORDER_CHUNK = 5000  # dataset numbers per order/<k>.json
KEYWORD_TOP = 25  # keyword values whose counts every query shows
# Values of another facet whose datasets every search loads (the most used); the others
# are in facets/<facet>-more.json, loaded when a reader asks for all values or filters
# by one: 340 municipalities or 500 publishers would otherwise weigh on every search.
FACET_TOP = 25
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


def encode_docs(docs: list[int], count: int | None = None) -> str:
    """Sorted dataset numbers: gaps as varints, or ``!`` and a bitmap (six bits a
    character, up to the last number listed) when that is shorter. What it writes depends
    on the numbers only, not on how many datasets there are (``count``, ignored: so a
    dataset added at the end leaves the lists it is not in as they were)."""
    gaps = "".join(varint(d - p) for d, p in zip(docs, [0, *docs], strict=False))
    size = (docs[-1] + 6) // 6 if docs else 0
    if len(gaps) <= size:
        return gaps
    bits = [0] * size
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
    """``encode_column`` read back for ``count`` datasets (those past its end: 0)."""
    digits = [ALPHABET.index(c) for c in text]
    digits += [0] * ((count * bits + 5) // 6 - len(digits))
    return [
        sum(1 << j for j in range(bits) if digits[(d * bits + j) // 6] >> ((d * bits + j) % 6) & 1)
        for d in range(count)
    ]


def facet_docs(content: dict[str, Any], count: int) -> dict[str, list[int]]:
    """A facet file read back: value -> dataset numbers."""
    if "column" not in content:
        return {v: decode_docs(d) for v, d in content["values"].items()}
    found: dict[str, list[int]] = defaultdict(list)
    names = content["names"]
    sets = content.get("sets") or [[n] for n in range(len(names))]
    for doc, value in enumerate(decode_column(content["column"], content["bits"], count)):
        for n in sets[value - 1] if value else ():
            found[names[n]].append(doc)
    for value, docs in content.get("extra", {}).items():
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


# ------------------------------------------------------------- numbering


def numbering(ids: list[str], previous: Mapping[str, int] | None) -> dict[str, int]:
    """Each dataset's number. ``ids`` come in title order; ``previous`` is the numbering
    the previous build kept (None: the first build, numbered in title order). A dataset
    keeps its number; a new one takes the lowest free number (a removed dataset's, then
    the end), new ones in title order."""
    if not previous:
        return {d: n for n, d in enumerate(ids)}
    numbers = {d: previous[d] for d in ids if d in previous}
    used = set(numbers.values())
    end = max(used, default=-1) + 1
    free = iter([n for n in range(end) if n not in used])
    for d in ids:
        if d not in numbers:
            n = next(free, None)
            if n is None:
                n, end = end, end + 1
            numbers[d] = n
    return numbers


# ----------------------------------------------------------------- index


class Index:
    """What every language's files are made of, worked out once per build: the datasets
    by number (``None`` for a hole), their title order, the postings of each shard and
    the datasets of each facet value and date."""

    def __init__(
        self,
        items: list[dict[str, Any]],
        numbers: Mapping[str, int],
        terms: Callable[[dict[str, Any]], dict[str, float]],
    ) -> None:
        self.count = max(numbers.values(), default=-1) + 1
        self.by_number: list[dict[str, Any] | None] = [None] * self.count
        for item in items:
            self.by_number[numbers[item["id"]]] = item
        self.holes = [n for n, found in enumerate(self.by_number) if found is None]
        self.order = [numbers[i["id"]] for i in items]  # ``items`` are in title order
        self.shards: dict[str, dict[str, list[tuple[int, float]]]] = defaultdict(dict)
        self.facets: dict[str, dict[str, list[int]]] = {f: defaultdict(list) for f in FACETS}
        self.modified: dict[str, list[int]] = defaultdict(list)
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for n, dataset in enumerate(self.by_number):  # in number order: lists come sorted
            if dataset is None:
                continue
            for term, weight in terms(dataset).items():
                postings[term].append((n, weight))
            for facet, values in _values(dataset).items():
                for value in dict.fromkeys(values):
                    self.facets[facet][value].append(n)
            self.modified[dataset["modified"]].append(n)
        for term in sorted(postings):
            self.shards[shard(term)][term] = postings[term]
        self._tops: dict[str, list[int]] = {}
        self._texts: dict[tuple[str, str], str] = {}
        self._posting_keys: dict[str, str] = {}  # a shard's, once for both languages

    def tops(self, name: str) -> list[int]:
        """The datasets whose records shard ``name`` carries: for each of its stems, the
        ``TOP`` it ranks highest (weight, then number) and the ``TOP`` first by number
        (a wildcard's order), so that the first results of a query of one word need no
        other file."""
        if name not in self._tops:
            found: set[int] = set()
            for postings in self.shards[name].values():
                found.update(n for n, _ in postings[:TOP])
                if len(postings) > TOP:
                    ranked = sorted(postings, key=itemgetter(1), reverse=True)  # stable
                    found.update(n for n, _ in ranked[:TOP])
            self._tops[name] = sorted(found)
        return self._tops[name]


def _dump(content: Any) -> str:
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def key_of(*parts: Any) -> str:
    """A key of data (a file's, the numbering's): marshal is fast and exact for these
    types, in version 2, which writes equal values alike whatever objects they share;
    the site's key adds the code's version."""
    return hashlib.blake2b(marshal.dumps(parts, 2), digest_size=16).hexdigest()


def _record(item: dict[str, Any], lang: str) -> list[Any]:
    """What a result shows of a dataset."""
    return [
        item["id"],
        page_url(item["path"], lang),
        item["title"],
        item["description"],
        item["modified"],
        item["quality"],
        item["publisher"],
        item["formats"],
    ]


File = tuple[str, Callable[[], str]]  # a file's key (of its data) and what makes it


def language_files(index: Index, lang: str, publishers: dict[str, dict]) -> dict[str, File]:
    """The index of one language: file path (under ``search/``) -> (key, content maker).
    Keys come from the data, cheaply; content is made only for a file whose key changed
    (the site's keyed writer), and a term shard's postings are encoded once for both
    languages."""
    records = [None if i is None else _record(i, lang) for i in index.by_number]
    out: dict[str, File] = {}
    for name, stems in index.shards.items():
        out[f"terms/{name}.json"] = _shard_file(index, name, stems, records)
    out |= _facet_files(index)
    count = index.count
    dates = sorted(index.modified.items(), reverse=True)
    out["modified.json"] = (
        key_of("modified", dates),
        lambda: _dump({date: encode_docs(d) for date, d in dates}),
    )
    for start in range(0, count, BLOCK):
        block = records[start : start + BLOCK]
        out[f"docs/{start // BLOCK}.json"] = (key_of("docs", block), partial(_dump, block))
    for k, start in enumerate(range(0, len(index.order), ORDER_CHUNK)):
        chunk = index.order[start : start + ORDER_CHUNK]
        out[f"order/{k}.json"] = (key_of("order", chunk), partial(_order_text, chunk))
    head = _head(index, lang, publishers)
    out["index.json"] = (key_of("index", head), partial(_dump, head))
    return out


def encode_order(numbers: list[int]) -> str:
    """Dataset numbers in any order: each one's difference from the one before (the
    first: from 0), zigzag-mapped to a varint (0, -1, 1, -2 ... as 0, 1, 2, 3 ...). In
    title order, numbers given in title order follow each other: mostly ``C`` (+1),
    which gzip all but removes."""
    out, previous = [], 0
    for n in numbers:
        step = n - previous
        out.append(varint(2 * step if step >= 0 else -2 * step - 1))
        previous = n
    return "".join(out)


def decode_order(text: str) -> list[int]:
    numbers, previous = [], 0
    for value in read_varints(text):
        previous += value // 2 if value % 2 == 0 else -(value + 1) // 2
        numbers.append(previous)
    return numbers


def _order_text(numbers: list[int]) -> str:
    return _dump(encode_order(numbers))


def _shard_file(
    index: Index, name: str, stems: dict[str, list[tuple[int, float]]], records: list[Any]
) -> File:
    tops = index.tops(name)
    shown = {str(n): records[n] for n in tops}
    postings = list(stems.items())

    def make() -> str:
        # The postings' text is the same in both languages: encoded once a build.
        if (name, "") not in index._texts:
            index._texts[name, ""] = ",".join(
                _dump(term) + ":" + _dump(encode_postings(p)) for term, p in postings
            )
        return "{" + index._texts[name, ""] + "," + _dump("") + ":" + _dump(shown) + "}"

    if name not in index._posting_keys:
        index._posting_keys[name] = key_of("postings", postings)
    return key_of("shard", index._posting_keys[name], [shown[str(n)] for n in tops]), make


def _facet_files(index: Index) -> dict[str, File]:
    count, facets = index.count, index.facets
    keywords = facets["keyword"]
    top = {v for v, _ in Counter({v: len(d) for v, d in keywords.items()}).most_common(KEYWORD_TOP)}
    rare: dict[int, dict[str, list[int]]] = defaultdict(dict)
    for value in sorted(set(keywords) - top):
        rare[rare_shard(value)][value] = keywords[value]
    out: dict[str, File] = {}
    for h, those in rare.items():
        out[f"facets/keyword-{h}.json"] = (
            key_of("rare", sorted(those.items())),
            partial(_rare_text, those),
        )
    for facet in FACETS:
        first, more = split_facet(facets[facet]) if facet != "keyword" else (top, set())
        kept = {v: d for v, d in facets[facet].items() if v in first}
        out[f"facets/{facet}.json"] = (
            key_of("facet", sorted(kept.items())),
            partial(_facet_text, kept, count),
        )
        if more:
            rest = {v: facets[facet][v] for v in sorted(more)}
            out[f"facets/{facet}-more.json"] = (
                key_of("facet-more", sorted(rest.items())),
                partial(_rare_text, rest),
            )
    return out


def split_facet(values: dict[str, list[int]]) -> tuple[set[str], set[str]]:
    """A facet's values every search loads (its ``FACET_TOP`` most used) and the others."""
    if len(values) <= FACET_TOP:
        return set(values), set()
    ranked = sorted(values, key=lambda v: (-len(values[v]), v))
    return set(ranked[:FACET_TOP]), set(ranked[FACET_TOP:])


def _rare_text(values: dict[str, list[int]]) -> str:
    return _dump({v: encode_docs(d) for v, d in values.items()})


def _facet_text(values: dict[str, list[int]], count: int) -> str:
    return _dump(_facet(values, count))


def _head(index: Index, lang: str, publishers: dict[str, dict]) -> dict[str, Any]:
    """``index.json``: what every search reads first."""
    seen = {f: sorted(index.facets[f]) for f in FACETS}
    keywords = index.facets["keyword"]
    return {
        "version": 3,
        "count": index.count,
        "live": index.count - len(index.holes),
        "holes": encode_docs(index.holes),
        "first": encode_order(index.order[:FIRST]),
        "order": {"chunk": ORDER_CHUNK, "files": -(-len(index.order) // ORDER_CHUNK)},
        "block": BLOCK,
        "facets": list(FACETS),
        "shards": sorted(index.shards),
        "rare": len(keywords) > KEYWORD_TOP,
        # How many values of each facet are in facets/<facet>-more.json.
        "more": {f: len(split_facet(index.facets[f])[1]) for f in FACETS if f != "keyword"},
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


MAX_SETS = 4095  # distinct sets of values a facet's ``sets`` form numbers (12 bits)


def _facet(values: dict[str, list[int]], count: int) -> dict[str, Any]:
    """A facet file, in the shortest of three forms: each value's datasets (``values``);
    a column of one value a dataset (``names``, each dataset's number in ``bits`` bits,
    0 for none; the most used values first) with the datasets of their other values
    (``extra``): a facet of mostly one value a dataset costs a few bits a dataset; or a
    column of each dataset's set of values (``sets``: the distinct sets, as positions
    in ``names``): datasets covering the same five departments, or all of them, cost a
    few bits each rather than a few bytes a department (the territory facet of 50,000
    datasets: 114 KB gzip as lists)."""
    found: list[dict[str, Any] | None] = [_facet_lists(values, count)]
    found += [_facet_column(values, count), _facet_sets(values, count)]
    return min(
        (form for form in found if form is not None),
        key=lambda form: len(json.dumps(form, ensure_ascii=False)),
    )


def _facet_sets(values: dict[str, list[int]], count: int) -> dict[str, Any] | None:
    names = sorted(values, key=lambda v: (-len(values[v]), v))
    held: list[list[int]] = [[] for _ in range(count)]
    for n, name in enumerate(names):
        for doc in values[name]:
            held[doc].append(n)
    numbers: dict[tuple[int, ...], int] = {}
    column = [0] * count
    for doc, those in enumerate(held):
        if those:
            column[doc] = numbers.setdefault(tuple(those), len(numbers) + 1)
            if len(numbers) > MAX_SETS:
                return None
    bits = max(1, len(numbers).bit_length())
    return {
        "names": names,
        "sets": [list(s) for s in numbers],
        "bits": bits,
        "column": encode_column(column, bits).rstrip(ALPHABET[0]),
    }


def _facet_lists(values: dict[str, list[int]], count: int) -> dict[str, Any]:
    return {"values": {v: encode_docs(values[v]) for v in sorted(values)}}


def _facet_column(values: dict[str, list[int]], count: int) -> dict[str, Any]:
    names = sorted(values, key=lambda v: (-len(values[v]), v))
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
        # Up to the last dataset with a value: unchanged by a dataset added without one.
        "column": encode_column(column, bits).rstrip(ALPHABET[0]),
        "extra": {v: encode_docs(d) for v, d in sorted(extra.items())},
    }
    return packed


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
    numbers: Mapping[str, int] | None = None,
) -> dict[str, str]:
    """The whole index of one language at once: file path -> content (the bench's
    search site, tests). ``items`` in title order; ``numbers`` as ``numbering`` gives
    them (title order when None); ``terms`` an item's weighted stems."""

    def found(item: dict[str, Any]) -> dict[str, float]:
        return terms(item) if terms else dataset_terms(manifests[item["id"]], publishers)

    index = Index(items, numbers or numbering([i["id"] for i in items], None), found)
    return {name: make() for name, (_key_, make) in language_files(index, lang, publishers).items()}


def read_back(folder: Path) -> dict[str, Any]:
    """A language's index read back with dataset ids for numbers: what two numberings of
    the same datasets must agree on (tests)."""
    head = json.loads((folder / "index.json").read_text())
    count = head["count"]
    ids: dict[int, str] = {}
    records = {}
    for path in folder.glob("docs/*.json"):
        start = int(path.stem) * head["block"]
        for n, row in enumerate(json.loads(path.read_text())):
            if row is not None:
                ids[start + n] = row[0]
                records[row[0]] = row
    postings: dict[str, dict[str, float]] = {}
    for name in head["shards"]:
        content = json.loads((folder / f"terms/{name}.json").read_text())
        for term, text in content.items():
            if term:
                postings[term] = {ids[n]: w for n, w in decode_postings(text).items()}
            else:
                assert all(ids[int(n)] == r[0] for n, r in text.items())
    facets = {}
    for facet in head["facets"]:
        content = json.loads((folder / f"facets/{facet}.json").read_text())
        facets[facet] = {
            v: sorted(ids[n] for n in d) for v, d in facet_docs(content, count).items()
        }
    for path in folder.glob("facets/keyword-*.json"):
        for value, docs in json.loads(path.read_text()).items():
            facets["keyword"][value] = sorted(ids[n] for n in decode_docs(docs))
    modified = {
        date: sorted(ids[n] for n in decode_docs(d))
        for date, d in json.loads((folder / "modified.json").read_text()).items()
    }
    order = [
        ids[n]
        for k in range(head["order"]["files"])
        for n in decode_order(json.loads((folder / f"order/{k}.json").read_text()))
    ]
    assert [ids[n] for n in decode_order(head["first"])] == order[:FIRST]
    assert sorted(set(range(count)) - set(ids)) == decode_docs(head["holes"])
    return {
        "records": records,
        "postings": postings,
        "facets": facets,
        "modified": modified,
        "order": order,
        "labels": head["labels"],
        "live": head["live"],
    }
