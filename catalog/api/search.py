"""One dataset search for both faces of the API: full text, filters, facets, sort, paging.

The index is the release's search file (searchfile.py: written once per release,
read by every worker from disk, shared through the operating system's page cache);
a worker keeps in memory only what every search reads and is small:

- ``order`` / ``rank``: each sortable field's presorted order of positions and each
  position's place in it, so sorting compares small integers;
- ``ranges``: the sorted values of dates and counts, so ``metadata_modified:[X TO *]``
  is two binary searches;
- the facet fields' value ids of each position (``_Counts``), so counting facets over
  a set of matches is one pass.

From the file, per search: the postings of a stem (``text``: stemmed term -> positions
and weights over titles (3), keywords (2), descriptions (1) and publisher, resources
and columns (0.5), the text normalised and weighed by ``catalog.textnorm`` as the
static site's search is), and of a keyword value (``keyword``: field -> folded value
-> positions, for exact filters: ``organization``, ``tags``, ``groups``,
``res_format``, ``license_id``, ...).

Queries use the Lucene/Solr syntax of CKAN (query.py); the native API builds the
same queries from its plain parameters. A plain word matches its stem in the
text; several words must all match (AND), as do several ``fq`` clauses.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import chain, compress
from typing import Any

from luqum import tree

from catalog import clock, textnorm
from catalog.api.query import parse
from catalog.api.searchfile import LEVELS, Forward, Postings, SearchFile, date_number
from catalog.httperrors import Invalid, QueryError
from catalog.i18n import _

# Field names a query may use -> the index field (CKAN names first, native aliases after).
KEYWORD_FIELDS = {
    "name": "name",
    "id": "name",
    "dataset": "dataset",
    "organization": "organization",
    "owner_org": "organization",
    "publisher": "organization",
    "tags": "tags",
    "tag": "tags",
    "keyword": "tags",
    "keywords": "tags",
    "groups": "groups",
    "group": "groups",
    "theme": "groups",
    "themes": "groups",
    "license_id": "license_id",
    "license": "license_id",
    "res_format": "res_format",
    "format": "res_format",
    "res_name": "res_name",
    "frequency": "frequency",
    "version": "version",
    "status": "status",
    "obligations": "obligations",
    "obligation": "obligations",
    "state": "state",
    "type": "type",
    "capacity": "capacity",
    "department": "territory",
    "municipality": "territory",
    "territory": "territory",
}
TEXT_FIELDS = {"text": "text", "title": "title", "notes": "text", "description": "text"}
DATE_FIELDS = ("metadata_modified", "metadata_created", "modified", "issued")
NUMBER_FIELDS = ("num_resources", "num_tags")
SORT_FIELDS = {
    "metadata_modified": "metadata_modified",
    "metadata_created": "metadata_created",
    "modified": "modified",
    "issued": "issued",
    "name": "name",
    "id": "name",
    "title_string": "title",
    "title": "title",
    "num_resources": "num_resources",
    "num_tags": "num_tags",
}
FACET_FIELDS = (
    "organization",
    "groups",
    "tags",
    "res_format",
    "license_id",
    "frequency",
    "obligations",
)
DEFAULT_SORT = "score desc, metadata_modified desc"
FEW_SCORES = 32  # distinct scores counted one by one (more: a heap finds the page's last)
# Other fields than FACET_FIELDS counted as facets stay in memory up to so many values
# (name, dataset and res_name have about one per dataset: read again each time).
KEEP_VALUES = 5000
DATE_MATH = re.compile(
    r"^NOW(?:/DAYS?)?(?:([+-])(\d+)(SECONDS?|MINUTES?|HOURS?|DAYS?|MONTHS?|YEARS?))?$"
)
# A wildcard word is matched against every term of the index: a few are cheap, hundreds
# in one request (2000 characters of "*a* *b* ...", or 50 fq clauses) take seconds.
MAX_WILDCARDS = 10
UNITS = {
    "SECOND": 1,
    "MINUTE": 60,
    "HOUR": 3600,
    "DAY": 86400,
    "MONTH": 86400 * 30,
    "YEAR": 86400 * 365,
}


@dataclass
class Document:
    """What the index knows of one dataset."""

    keywords: dict[str, list[str]]
    texts: dict[str, str]  # "title", "tags", "description", "other"
    dates: dict[str, str | None]
    numbers: dict[str, int]
    levels: set[str] = field(default_factory=set)  # territory levels its tables break down by


@dataclass
class Result:
    count: int
    positions: list[int]
    sort: str
    facets: dict[str, list[tuple[str, int]]]


def normalize_date(value: str | None) -> str | None:
    """An ISO date or datetime as ``YYYY-MM-DDTHH:MM:SS`` in UTC (None when unreadable)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace(" ", "T"))
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):  # 9999-12-31T23:59-05:00 is past year 9999 in UTC
        return None
    return parsed.isoformat(timespec="seconds")


def _date_bound(value: str, param: str) -> str | None:
    if value == "*":
        return None
    match = DATE_MATH.match(value.upper())
    if match:
        return _date_math(value, match, param)
    found = normalize_date(value)
    if found is None:
        raise QueryError(
            _("{value} is not a date the query understands (in {param})."),
            _("Write dates as 2024-01-01 or 2024-01-01T00:00:00Z, or use * or NOW-30DAYS."),
            value=value[:100],
            param=param,
        )
    return found


def _date_math(value: str, match: re.Match[str], param: str) -> str:
    """``NOW``, ``NOW/DAY``, ``NOW-30DAYS``...; 400 when it leaves the calendar (years 1-9999)."""
    moment = clock.now().replace(tzinfo=None)
    if "/DAY" in value.upper():
        moment = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if match.group(1):
        try:
            seconds = int(match.group(2)) * UNITS[match.group(3).rstrip("S")]
            moment += timedelta(seconds=seconds if match.group(1) == "+" else -seconds)
        except (OverflowError, ValueError):
            raise QueryError(
                _("{value} is outside the dates the query can use (in {param})."),
                _("Date math must stay between the years 1 and 9999, e.g. NOW-10YEARS."),
                value=value[:60],
                param=param,
            ) from None
    return moment.isoformat(timespec="seconds")


def _number_bound(value: str, param: str) -> int | None:
    if value == "*":
        return None
    try:
        return int(value)
    except ValueError:
        raise QueryError(
            _("{value} is not a whole number (in {param})."),
            _("Use whole numbers or * in ranges over counts."),
            value=value[:100],
            param=param,
        ) from None


def _check_wildcards(texts: list[str]) -> None:
    words = [w for t in texts for w in t.split() if ("*" in w or "?" in w)]
    found = [w for w in words if w.strip("*?:()[]{}")]  # not "*:*" nor "[X TO *]"
    if len(found) > MAX_WILDCARDS:
        raise QueryError(
            _("Too many wildcard words ({count}); the most one search may use is {limit}."),
            _("Write whole words, or fewer words with * or ?."),
            count=len(found),
            limit=MAX_WILDCARDS,
        )


_BITS = [1 << i for i in range(8)]
# A facet value held by at least 1/64 of the datasets is counted with a bitmap (one AND
# over size/8 bytes) once the matches are that many too: fewer, each match's values are.
BITMAP_SHARE = 64


class _Subset:
    """The positions facets count over: the matches, or the rest when they are more than
    half (counts are then the totals less the rest's); their bitmap made once, if asked."""

    def __init__(self, matches: Any, everything: frozenset[int], size: int) -> None:
        self.size = size
        self.complement = len(matches) * 2 > size
        self.positions = everything - matches if self.complement else matches
        self._bits: int | None = None

    @property
    def bits(self) -> int:
        if self._bits is None:
            found = bytearray((self.size + 7) // 8)
            for p in self.positions:
                found[p >> 3] |= _BITS[p & 7]
            self._bits = int.from_bytes(found, "little")
        return self._bits


class _Counts:
    """A keyword field's values and, for each position, the ids of its values: what a
    facet counts over a set of matches. Values many datasets hold also have a bitmap of
    their positions, and each position the tuple of its other values (``small``)."""

    def __init__(self, forward: Forward, size: int) -> None:
        self.originals = forward.originals
        offsets, ids = forward.offsets, forward.ids
        self.totals = Counter(ids)
        self.size = size
        self.single: array | None = None
        self.multiple: list[tuple[int, ...]] = []
        shared: dict[tuple[int, ...], tuple[int, ...]] = {}
        if all(offsets[p + 1] - offsets[p] <= 1 for p in range(size)):
            self.single = array("i", [-1]) * size
            for p in range(size):
                if offsets[p + 1] > offsets[p]:
                    self.single[p] = ids[offsets[p]]
        else:
            for p in range(size):
                found = tuple(ids[offsets[p] : offsets[p + 1]])
                self.multiple.append(shared.setdefault(found, found))
        edge = max(size // BITMAP_SHARE, 1)
        maps = {v: bytearray((size + 7) // 8) for v, n in self.totals.items() if n >= edge}
        self.bitmaps: dict[int, int] = {}
        self.small: list[tuple[int, ...]] | None = None
        if not maps:
            return
        small = []
        for p in range(size):
            rest = []
            for v in ids[offsets[p] : offsets[p + 1]]:
                bitmap = maps.get(v)
                if bitmap is None:
                    rest.append(v)
                else:
                    bitmap[p >> 3] |= _BITS[p & 7]
            found = tuple(rest)
            small.append(shared.setdefault(found, found))
        self.bitmaps = {v: int.from_bytes(m, "little") for v, m in maps.items()}
        if len(maps) < len(self.totals):
            self.small = small

    def _count(self, positions: Any) -> Counter[int]:
        if self.single is not None:
            counted = Counter(map(self.single.__getitem__, positions))
            counted.pop(-1, None)
            return counted
        return Counter(chain.from_iterable(map(self.multiple.__getitem__, positions)))

    def count(self, subset: _Subset) -> Counter[int]:
        """Matches of each value id."""
        positions = subset.positions
        if not self.bitmaps or len(positions) * BITMAP_SHARE < self.size:
            counted = self._count(positions)
        else:
            bits = subset.bits
            counted = Counter({v: (m & bits).bit_count() for v, m in self.bitmaps.items()})
            if self.small is not None:
                counted.update(chain.from_iterable(map(self.small.__getitem__, positions)))
        if subset.complement:
            total = Counter(self.totals)
            total.subtract(counted)
            return total
        return counted


class SearchIndex:
    """The search of one release's datasets (positions index its search file's datasets)."""

    def __init__(self, store: SearchFile) -> None:
        self.store = store
        self.size = store.size
        self.all = frozenset(range(self.size))
        self.ranges: dict[str, tuple[array, array]] = {}
        self.rank: dict[str, array] = {}
        self.rank_desc: dict[str, array] = {}
        self.order: dict[str, array] = {}
        for name in (*DATE_FIELDS, *NUMBER_FIELDS, "name", "title"):
            order = store.column(f"order:{name}")
            rank = array("i", [0]) * self.size
            for i, pos in enumerate(order):
                rank[pos] = i
            self.order[name] = order
            self.rank[name] = rank
            self.rank_desc[name] = array("i", (-r for r in rank))
        for name in (*DATE_FIELDS, *NUMBER_FIELDS):
            self.ranges[name] = (store.column(f"values:{name}", "q"), self.order[name])
        self.counts = {name: _Counts(store.forward(name), self.size) for name in FACET_FIELDS}
        self._levels: dict[str, frozenset[int]] = {}

    # ------------------------------------------------------------- matching

    def match(self, q: str | None, fq: list[str]) -> tuple[frozenset[int] | set[int], list[str]]:
        """Positions matching ``q`` and every ``fq``, and the text terms to score by."""
        return _Query(self).match(q, fq)

    def level(self, name: str) -> frozenset[int]:
        """Datasets whose tables break down by a territory level (department, municipality)."""
        found = self._levels.get(name)
        if found is None:
            found = self._levels[name] = frozenset(self.store.key(LEVELS, name))
        return found

    def _between(self, name: str, low: Any, high: Any, inc_low: bool, inc_high: bool) -> Any:
        values, positions = self.ranges[name]
        dates = name in DATE_FIELDS
        if dates:
            low = None if low is None else date_number(low)
            high = None if high is None else date_number(high)
        # Datasets without the date sort first (as 0), and no range matches them.
        start = bisect.bisect_right(values, 0) if dates else 0
        if low is not None:
            found = (bisect.bisect_left if inc_low else bisect.bisect_right)(values, low)
            start = max(start, found)
        end = len(values)
        if high is not None:
            end = (bisect.bisect_right if inc_high else bisect.bisect_left)(values, high)
        return set(positions[start:end])

    # -------------------------------------------------------------- ranking

    def _sort_keys(self, sort: str) -> list[tuple[str, bool]]:
        keys = []
        for clause in sort.split(","):
            parts = clause.split()
            if not parts:
                continue
            if len(parts) > 2 or (len(parts) == 2 and parts[1].lower() not in ("asc", "desc")):
                raise QueryError(
                    _('The sort "{sort}" is not valid.'),
                    _('Write a field and a direction, e.g. "metadata_modified desc, name asc".'),
                    sort=sort,
                )
            name = parts[0]
            if name != "score" and name not in SORT_FIELDS:
                raise QueryError(
                    _("Cannot sort by {field}."),
                    _("Sort by one of: {allowed}."),
                    field=name,
                    allowed=", ".join(["score", *SORT_FIELDS]),
                )
            descending = len(parts) == 2 and parts[1].lower() == "desc"
            keys.append((SORT_FIELDS.get(name, "score"), descending))
        return keys or [("score", True), ("metadata_modified", True)]

    def _page(self, query: _Query, matches: Any, sort: str, start: int, rows: int) -> list[int]:
        """Positions of the requested page; ties fall back to the name (positions follow names)."""
        keys = self._sort_keys(sort)
        if not query.terms:
            keys = [k for k in keys if k[0] != "score"]  # every score is equal
        wanted = start + rows
        if rows == 0 or not matches:
            return []
        if not keys:
            keys = [("name", False)]
        if len(keys) == 1 and keys[0][0] != "score":
            return self._scan(matches, *keys[0], start, wanted)
        scores = query.scores(matches) if any(k == "score" for k, _d in keys) else {}
        if len(keys) == 2 and keys[0][0] == "score" and keys[1][0] != "score":
            return self._by_score(matches, scores, keys[0][1], *keys[1], wanted)[start:]
        key = self._key(keys, scores)
        return heapq.nsmallest(wanted, matches, key=key)[start:]

    def _by_score(
        self,
        matches: Any,
        scores: dict[int, float],
        desc: bool,
        name: str,
        then_desc: bool,
        wanted: int,
    ) -> list[int]:
        """The first ``wanted`` matches by score (a match without one scores 0.0), then by
        the rank of ``name``: what ``heapq.nsmallest`` over (score, rank, position) gives,
        without a tuple per match. A score is a sum of idf x weights, so few matches score
        better than the ``wanted``-th (``edge``); those are sorted, and the ties at the
        edge are picked by rank alone (ranks differ: no position ties)."""
        then = self.rank_desc[name] if then_desc else self.rank[name]
        if len(scores) < len(matches):
            scores = dict.fromkeys(matches, 0.0) | scores
        values = scores.values()  # (in the order of scores.keys())
        edge = _edge(list(values), desc, wanted)
        reaches = edge.__le__ if desc else edge.__ge__  # the score is at least as good
        near = list(compress(scores.keys(), map(reaches, values)))
        ahead = sorted(
            (-scores[p] if desc else scores[p], then[p], p)
            for p in compress(near, map(edge.__ne__, map(scores.__getitem__, near)))
        )
        need = wanted - len(ahead)
        tied = list(compress(near, map(edge.__eq__, map(scores.__getitem__, near))))
        if len(tied) * 16 > self.size and need * 64 < len(tied):  # walk the ranks' order
            among, rest = set(tied), []
            order = self.order[name]
            for p in reversed(order) if then_desc else order:
                if p in among:
                    rest.append(p)
                    if len(rest) == need:
                        break
        else:
            rest = sorted(tied, key=then.__getitem__)[:need]
        return [p for _s, _t, p in ahead] + rest

    def _key(self, keys: list[tuple[str, bool]], scores: dict[int, float]) -> Any:
        """The sort key of a position: direct lambdas for the usual one or two keys."""
        # (a score dict, read with .get, or a rank array, indexed; True for the dict)
        columns: list[tuple[Any, bool]] = []
        for name, desc in keys:
            if name == "score":
                column = {p: -v for p, v in scores.items()} if desc else scores
                columns.append((column, True))
            else:
                columns.append((self.rank_desc[name] if desc else self.rank[name], False))
        if len(columns) == 1:
            ((first, is_dict),) = columns
            return (lambda p: (first.get(p, 0.0), p)) if is_dict else (lambda p: (first[p], p))
        if len(columns) == 2 and columns[0][1] and not columns[1][1]:
            first, second = columns[0][0], columns[1][0]
            return lambda p: (first.get(p, 0.0), second[p], p)

        def key(pos: int) -> tuple:
            return (*(c.get(pos, 0.0) if d else c[pos] for c, d in columns), pos)

        return key

    def _scan(self, matches: Any, name: str, desc: bool, start: int, wanted: int) -> list[int]:
        """Walk a presorted order, keeping matching positions, until the page is full."""
        order = self.order[name][::-1] if desc else self.order[name]
        if len(matches) == self.size:
            return list(order[start:wanted])
        picked = []
        for pos in order:
            if pos in matches:
                picked.append(pos)
                if len(picked) == wanted:
                    break
        return picked[start:]

    # --------------------------------------------------------------- facets

    def facets(
        self, matches: Any, names: list[str], limit: int, mincount: int
    ) -> dict[str, list[tuple[str, int]]]:
        out = {}
        everything = len(matches) == self.size
        subset = _Subset(matches, self.all, self.size) if names and not everything else None
        for name in names:
            index_field = KEYWORD_FIELDS.get(name)
            if index_field is None or index_field == "territory":
                raise Invalid(
                    _("{field} cannot be used as a facet."),
                    _("Facet fields: {allowed}."),
                    fields={"facet.field": _("{field} cannot be used as a facet.")},
                    field=name,
                    allowed=", ".join(FACET_FIELDS),
                )
            values = self.counts.get(index_field)
            if values is None:  # a field facets seldom count: kept when it has few values
                values = _Counts(self.store.forward(index_field), self.size)
                if len(values.originals) <= KEEP_VALUES:
                    self.counts[index_field] = values
            counted = values.totals if subset is None else values.count(subset)
            originals = values.originals
            if mincount > 0:
                counts = [(originals[i], n) for i, n in counted.items() if n >= mincount]
            else:
                counts = [(value, counted.get(i, 0)) for i, value in enumerate(originals)]
            counts.sort(key=lambda item: (-item[1], item[0]))
            out[name] = counts if limit < 0 else counts[:limit]
        return out

    # --------------------------------------------------------------- search

    def search(
        self,
        q: str | None = None,
        fq: list[str] | None = None,
        sort: str | None = None,
        start: int = 0,
        rows: int = 10,
        facet_fields: list[str] | None = None,
        facet_limit: int = 50,
        facet_mincount: int = 1,
    ) -> Result:
        query = _Query(self)
        matches, _terms = query.match(q, fq or [])
        sort = sort or DEFAULT_SORT
        positions = self._page(query, matches, sort, start, rows)
        facets = self.facets(matches, facet_fields or [], facet_limit, facet_mincount)
        return Result(len(matches), positions, sort, facets)


class _Query:
    """One search's evaluation of ``q`` and ``fq`` (the postings it read, kept for scoring)."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self.store = index.store
        self.all = index.all
        self.terms: list[str] = []
        self._postings: dict[str, Postings | None] = {}

    def _positions(self, postings: Postings, where: str) -> Any:
        """A stem's positions anywhere in the text, or in titles only."""
        if where == "text":
            return postings.positions
        return compress(postings.positions, map(self.store.titled.__getitem__, postings.codes))

    def postings(self, term: str) -> Postings | None:
        if term not in self._postings:
            self._postings[term] = self.store.term(term)
        return self._postings[term]

    def match(self, q: str | None, fq: list[str]) -> tuple[frozenset[int] | set[int], list[str]]:
        matches: frozenset[int] | set[int] = self.all
        _check_wildcards([q or "", *fq])
        if q and q.strip() and q.strip() != "*:*":
            matches = self._eval(parse(q, "q"), None, self.terms, "q")
        for clause in fq:
            if clause and clause.strip() and clause.strip() != "*:*":
                matches = matches & self._eval(parse(clause, "fq"), None, [], "fq")
        return matches, self.terms

    def _eval(self, node: Any, name: str | None, terms: list[str], param: str) -> Any:
        if isinstance(node, tree.SearchField):
            if node.name == "*":
                return self.all
            return self._eval(node.expr, node.name, terms, param)
        if isinstance(node, (tree.Group, tree.FieldGroup)):
            return self._eval(node.expr, name, terms, param)
        if isinstance(node, tree.AndOperation | tree.UnknownOperation):
            result: frozenset[int] | set[int] = self.all
            for operand in node.children:
                result = result & self._eval(operand, name, terms, param)
            return result
        if isinstance(node, tree.OrOperation):
            result = set()
            for operand in node.children:
                result = result | self._eval(operand, name, terms, param)
            return result
        if isinstance(node, (tree.Not, tree.Prohibit)):
            return self.all - self._eval(node.a, name, [], param)
        if isinstance(node, tree.Plus):
            return self._eval(node.a, name, terms, param)
        if isinstance(node, tree.Boost):
            return self._eval(node.expr, name, terms, param)
        if isinstance(node, (tree.Fuzzy, tree.Proximity)):
            return self._eval(node.term, name, terms, param)
        if isinstance(node, tree.Range):
            return self._range(name, node, param)
        if isinstance(node, tree.Phrase):
            return self._value(name, node.value[1:-1], terms, param, phrase=True)
        if isinstance(node, tree.Word):
            return self._value(name, node.value.replace("\\", ""), terms, param, phrase=False)
        raise QueryError(
            _("This kind of query is not supported: {query}."),
            _("Use words, phrases in quotes, field:value and ranges [X TO Y]."),
            query=str(node)[:100],
        )

    def _value(self, name: str | None, value: str, terms: list[str], param: str, phrase: bool):
        if name is None or name in TEXT_FIELDS:
            return self._text(value, TEXT_FIELDS.get(name or "text", "text"), terms, phrase)
        if name in KEYWORD_FIELDS:
            return self._keyword(KEYWORD_FIELDS[name], value)
        if name in DATE_FIELDS or name in NUMBER_FIELDS:
            bound = _date_bound if name in DATE_FIELDS else _number_bound
            low = bound(value, param)
            return self.index._between(name, low, low, True, True)
        raise QueryError(
            _("Unknown field {field} in {param}."),
            _("Fields you can search: {allowed}."),
            field=str(name)[:100],
            param=param,
            allowed=", ".join(
                sorted({*KEYWORD_FIELDS, *TEXT_FIELDS, *DATE_FIELDS, *NUMBER_FIELDS})
            ),
        )

    def _text(self, value: str, where: str, terms: list[str], phrase: bool) -> Any:
        if value == "*":
            return self.all
        if not phrase and ("*" in value or "?" in value):
            matched = self.store.terms_matching(textnorm.fold(value))
            return set(self._positions(matched, where))
        stems = textnorm.terms(value)
        if not stems:
            return self.all  # only stop words: they restrict nothing
        result: Any = None
        for stem in stems:
            postings = self.postings(stem)
            positions = self._positions(postings, where) if postings is not None else ()
            result = set(positions) if result is None else result.intersection(positions)
            if not result:
                return set()
        terms.extend(stems)
        if phrase and len(stems) > 1:
            needle = " ".join(textnorm.words(value))
            result = self.store.holding(needle, result)
        return result

    def _keyword(self, index_field: str, value: str) -> Any:
        key = textnorm.fold(value).strip()
        if index_field == "territory":
            return self._territory(key)
        if "*" in key or "?" in key:
            return set(self.store.keys_matching(index_field, key))
        return set(self.store.key(index_field, key))

    def _territory(self, code: str) -> Any:
        """Datasets about a territory: listed in their coverage, or broken down by its level."""
        from catalog import territories

        found = set(self.store.key("territory", code))
        if territories.is_department(code):
            found |= self.index.level("department") | self.index.level("municipality")
        elif territories.is_municipality(code):
            found |= self.index.level("municipality")
        return found

    def _range(self, name: str | None, node: Any, param: str) -> Any:
        if name not in DATE_FIELDS and name not in NUMBER_FIELDS:
            raise QueryError(
                _("Ranges work only on dates and counts, not on {field} (in {param})."),
                _("Use a range on one of: {allowed}."),
                field=str(name)[:100],
                param=param,
                allowed=", ".join((*DATE_FIELDS, *NUMBER_FIELDS)),
            )
        bound = _date_bound if name in DATE_FIELDS else _number_bound
        low = bound(str(node.low).strip('"'), param)
        high = bound(str(node.high).strip('"'), param)
        return self.index._between(name, low, high, node.include_low, node.include_high)

    def scores(self, matches: Any) -> dict[int, float]:
        """Each match's score: the sum over the query's stems of idf x the stem's weight."""
        scores: dict[int, float] = {}
        for term in dict.fromkeys(self.terms):
            postings = self.postings(term)
            found = len(postings.positions) if postings is not None else 0
            idf = math.log(1 + self.index.size / (1 + found))
            if postings is None:
                continue
            # idf x weight at each position holding the stem (the loops in C: zip, map)
            weighed = [idf * weight for weight in self.store.weights]  # by code
            scored = dict(
                zip(postings.positions, map(weighed.__getitem__, postings.codes), strict=True)
            )
            if not matches.issuperset(scored):
                scored = {p: scored[p] for p in matches.intersection(scored)}
            if not scores:  # the first stem's (0.0 + x is x)
                scores = scored
                continue
            for pos, score in scored.items():
                scores[pos] = scores.get(pos, 0.0) + score
        return scores


def _edge(values: list[float], desc: bool, wanted: int) -> float:
    """The ``wanted``-th best of ``values`` (the last, when there are fewer). Scores take
    few values (sums of idf x weights): counted per value, in C, when there are few."""
    distinct = set(values)
    if len(distinct) > FEW_SCORES:
        return (heapq.nlargest if desc else heapq.nsmallest)(wanted, values)[-1]
    seen = 0
    for edge in sorted(distinct, reverse=desc):
        seen += values.count(edge)
        if seen >= wanted:
            break
    return edge
