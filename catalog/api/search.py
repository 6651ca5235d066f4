"""One dataset search for both faces of the API: full text, filters, facets, sort, paging.

An in-memory index built once per release (10,000 datasets take about a second):

- ``text``: stemmed term -> {dataset position: weight} over titles (weight 3),
  keywords (2), descriptions (1) and publisher, resources and columns (0.5), the
  text normalised and weighed by ``catalog.textnorm`` as the static site's search is;
- ``keyword``: field -> folded value -> positions, for exact filters and facets
  (``organization``, ``tags``, ``groups``, ``res_format``, ``license_id``, ...);
- ``ranges``: sorted values of dates and counts, so ``metadata_modified:[X TO *]``
  is two binary searches;
- ``rank``: each sortable field's order, so sorting compares small integers.

Queries use the Lucene/Solr syntax of CKAN (query.py); the native API builds the
same queries from its plain parameters. A plain word matches its stem in the
text; several words must all match (AND), as do several ``fq`` clauses.
"""

from __future__ import annotations

import bisect
import heapq
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any

from luqum import tree

from catalog import clock, textnorm
from catalog.api.query import parse
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


class SearchIndex:
    """The index of one release's datasets (positions are indexes into its list)."""

    def __init__(self, docs: list[Document], labels: dict[str, dict[str, str]]) -> None:
        self.size = len(docs)
        self.all = frozenset(range(self.size))
        self.labels = labels
        self.keyword: dict[str, dict[str, set[int]]] = {}
        self.original: dict[str, dict[str, str]] = {}
        self.text: dict[str, dict[int, float]] = {}
        self.title: dict[str, set[int]] = {}
        self.folded: list[str] = []
        self.levels: dict[str, set[int]] = {"department": set(), "municipality": set()}
        for pos, doc in enumerate(docs):
            self._add(pos, doc)
        self.ranges: dict[str, tuple[list[Any], list[int]]] = {}
        self.rank: dict[str, list[int]] = {}
        self.rank_desc: dict[str, list[int]] = {}
        self.order: dict[str, list[int]] = {}
        for name in DATE_FIELDS:
            self._sortable(name, [d.dates.get(name) or "" for d in docs])
        for name in NUMBER_FIELDS:
            self._sortable(name, [d.numbers.get(name, 0) for d in docs])
        self._sortable("name", [d.keywords["name"][0] for d in docs])
        self._sortable("title", [textnorm.fold(d.texts.get("title") or "") for d in docs])

    # ------------------------------------------------------------ building

    def _add(self, pos: int, doc: Document) -> None:
        for name, values in doc.keywords.items():
            postings = self.keyword.setdefault(name, {})
            originals = self.original.setdefault(name, {})
            for value in values:
                key = textnorm.fold(value).strip()
                postings.setdefault(key, set()).add(pos)
                originals.setdefault(key, value)
        for term, weight in textnorm.weighted_terms(doc.texts).items():
            self.text.setdefault(term, {})[pos] = weight
        for term in textnorm.terms(doc.texts.get("title") or ""):
            self.title.setdefault(term, set()).add(pos)
        self.folded.append(" ".join(textnorm.words(" ".join(v or "" for v in doc.texts.values()))))
        for level in doc.levels:
            self.levels.setdefault(level, set()).add(pos)

    def _sortable(self, name: str, values: list[Any]) -> None:
        order = sorted(range(self.size), key=lambda p: (values[p], p))
        rank = [0] * self.size
        for i, pos in enumerate(order):
            rank[pos] = i
        self.order[name] = order
        self.rank[name] = rank
        self.rank_desc[name] = [-r for r in rank]
        self.ranges[name] = ([values[p] for p in order], order)

    # ------------------------------------------------------------- matching

    def match(self, q: str | None, fq: list[str]) -> tuple[frozenset[int] | set[int], list[str]]:
        """Positions matching ``q`` and every ``fq``, and the text terms to score by."""
        terms: list[str] = []
        matches: frozenset[int] | set[int] = self.all
        _check_wildcards([q or "", *fq])
        if q and q.strip() and q.strip() != "*:*":
            matches = self._eval(parse(q, "q"), None, terms, "q")
        for clause in fq:
            if clause and clause.strip() and clause.strip() != "*:*":
                matches = matches & self._eval(parse(clause, "fq"), None, [], "fq")
        return matches, terms

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
            return self._between(name, low, low, True, True)
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
            pattern = textnorm.fold(value)
            found: set[int] = set()
            for term, scored in self.text.items():
                if fnmatchcase(term, pattern):
                    found.update(scored if where == "text" else self.title.get(term, ()))
            return found
        stems = textnorm.terms(value)
        if not stems:
            return self.all  # only stop words: they restrict nothing
        result: Any = None
        for stem in stems:
            if where == "text":
                postings: Any = self.text.get(stem, {}).keys()
            else:
                postings = self.title.get(stem, set())
            result = set(postings) if result is None else result & postings
            if not result:
                return set()
        terms.extend(stems)
        if phrase and len(stems) > 1:
            needle = " ".join(textnorm.words(value))
            result = {p for p in result if needle in self.folded[p]}
        return result

    def _keyword(self, index_field: str, value: str) -> Any:
        key = textnorm.fold(value).strip()
        if index_field == "territory":
            return self._territory(key)
        postings = self.keyword.get(index_field, {})
        if "*" in key or "?" in key:
            found: set[int] = set()
            for candidate, positions in postings.items():
                if fnmatchcase(candidate, key):
                    found |= positions
            return found
        return postings.get(key, set())

    def _territory(self, code: str) -> Any:
        """Datasets about a territory: listed in their coverage, or broken down by its level."""
        from catalog import territories

        found = set(self.keyword.get("territory", {}).get(code, set()))
        if territories.is_department(code):
            found |= self.levels.get("department", set()) | self.levels.get("municipality", set())
        elif territories.is_municipality(code):
            found |= self.levels.get("municipality", set())
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
        return self._between(name, low, high, node.include_low, node.include_high)

    def _between(self, name: str, low: Any, high: Any, inc_low: bool, inc_high: bool) -> Any:
        values, positions = self.ranges[name]
        # Datasets without the date sort first (as ""), and no range matches them.
        start = bisect.bisect_right(values, "") if name in DATE_FIELDS else 0
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

    def _page(self, matches: Any, terms: list[str], sort: str, start: int, rows: int) -> list[int]:
        """Positions of the requested page; ties fall back to the name (positions follow names)."""
        keys = self._sort_keys(sort)
        if not terms:
            keys = [k for k in keys if k[0] != "score"]  # every score is equal
        wanted = start + rows
        if rows == 0 or not matches:
            return []
        if not keys:
            keys = [("name", False)]
        if len(keys) == 1 and keys[0][0] != "score":
            return self._scan(matches, *keys[0], start, wanted)
        scores = self._scores(matches, terms) if any(k == "score" for k, _d in keys) else {}
        key = self._key(keys, scores)
        return heapq.nsmallest(wanted, matches, key=key)[start:]

    def _key(self, keys: list[tuple[str, bool]], scores: dict[int, float]) -> Any:
        """The sort key of a position: direct lambdas for the usual one or two keys."""
        # (a score dict, read with .get, or a rank list, indexed; True for the dict)
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
            return order[start:wanted]
        picked = []
        for pos in order:
            if pos in matches:
                picked.append(pos)
                if len(picked) == wanted:
                    break
        return picked[start:]

    def _scores(self, matches: Any, terms: list[str]) -> dict[int, float]:
        import math

        scores: dict[int, float] = {}
        for term in dict.fromkeys(terms):
            postings = self.text.get(term, {})
            idf = math.log(1 + self.size / (1 + len(postings)))
            for pos, weight in postings.items():
                if pos in matches:
                    scores[pos] = scores.get(pos, 0.0) + idf * weight
        return scores

    # --------------------------------------------------------------- facets

    def facets(
        self, matches: Any, names: list[str], limit: int, mincount: int
    ) -> dict[str, list[tuple[str, int]]]:
        out = {}
        everything = len(matches) == self.size
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
            counts = []
            originals = self.original.get(index_field, {})
            for value, positions in self.keyword.get(index_field, {}).items():
                n = len(positions) if everything else len(positions & matches)
                if n >= mincount:
                    counts.append((originals[value], n))
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
        matches, terms = self.match(q, fq or [])
        sort = sort or DEFAULT_SORT
        positions = self._page(matches, terms, sort, start, rows)
        facets = self.facets(matches, facet_fields or [], facet_limit, facet_mincount)
        return Result(len(matches), positions, sort, facets)
