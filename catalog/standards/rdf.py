"""A small, fast set of RDF statements written as Turtle or compacted JSON-LD.

rdflib's ``Graph`` indexes every triple three ways and its Turtle serialiser
re-sorts them all: for a catalogue of 5,000 datasets (half a million statements)
that takes about a minute. The catalogue needs neither queries nor inference: it
only writes statements grouped by subject. So statements are kept here as
subject -> predicate -> ordered set of rdflib terms, and written in one pass.
rdflib's terms still do what must be exact: escaping literals (``Literal.n3()``)
and checking IRIs; tests parse both outputs back with rdflib.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import quote

from rdflib import RDF, Literal, URIRef

Term = URIRef | Literal
# A statement as plain strings (kept between builds, marshal-able): subject, predicate
# and an IRI object, or subject, predicate, a literal's text, language and datatype.
Row = tuple[str, ...]
_TYPE = str(RDF.type)
# Characters Turtle forbids in an IRI (and spaces): percent-encoded by ``iri``.
_IRI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"
_LOCAL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def iri(address: str) -> URIRef:
    """An IRI safe to write anywhere: characters Turtle forbids are percent-encoded."""
    return URIRef(quote(address, safe=_IRI_SAFE))


class Vocabulary:
    """The terms of one namespace, each made once: an rdflib ``Namespace`` builds (and
    checks) a new ``URIRef`` on every attribute access, a measurable cost when a large
    catalogue writes half a million statements."""

    def __init__(self, base: str):
        self._base = str(base)

    def __str__(self) -> str:
        return self._base

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("_"):
            raise AttributeError(name)
        term = URIRef(self._base + name)
        setattr(self, name, term)
        return term


class Statements:
    """Statements grouped by subject and predicate, each value once, in insertion order."""

    def __init__(self, prefixes: dict[str, str]):
        self.prefixes = dict(prefixes)
        self.subjects: dict[URIRef, dict[URIRef, dict[Term, None]]] = {}

    def add(self, statement: tuple[URIRef, URIRef, Term]) -> None:
        subject, predicate, value = statement
        self.subjects.setdefault(subject, {}).setdefault(predicate, {})[value] = None

    def __contains__(self, statement: tuple[URIRef, URIRef, Term]) -> bool:
        subject, predicate, value = statement
        return value in self.subjects.get(subject, {}).get(predicate, {})

    def __len__(self) -> int:
        return sum(len(v) for p in self.subjects.values() for v in p.values())

    def values(self, subject: URIRef, predicate: URIRef) -> list[Term]:
        return list(self.subjects.get(subject, {}).get(predicate, {}))

    def only(self, subjects: Iterable[URIRef]) -> Statements:
        """The statements about ``subjects`` alone (sharing this set's values)."""
        found = Statements(self.prefixes)
        found.subjects = {s: self.subjects[s] for s in subjects}
        return found

    # ------------------------------------------------------------ rows

    def rows(self) -> list[Row]:
        """Every statement as plain strings (``add_rows`` reads them back)."""
        return [
            (str(s), str(p), *_row_value(v))
            for s, predicates in self.subjects.items()
            for p, values in predicates.items()
            for v in values
        ]

    def add_rows(self, rows: Iterable[Row]) -> None:
        # Each IRI made once: a dictionary finds an identical key without rdflib's
        # (slow) comparison of terms.
        made: dict[str, URIRef] = {}

        def term(text: str) -> URIRef:
            found = made.get(text)
            if found is None:
                found = made[text] = URIRef(text)
            return found

        for row in rows:
            if len(row) == 3:
                value: Term = term(row[2])
            else:
                value = Literal(row[2], lang=row[3] or None, datatype=row[4] or None)
            self.add((term(row[0]), term(row[1]), value))

    # ------------------------------------------------------------ Turtle

    def blocks(self) -> list[tuple[str, str]]:
        """Each subject and its Turtle block, in subject order: ``turtle`` is
        ``turtle_document`` of the blocks."""
        short = _shortener(tuple(self.prefixes.items()))
        return [(str(s), _block(s, self.subjects[s], short)) for s in _sorted(self.subjects)]

    def turtle(self) -> str:
        """Turtle: prefixes, then one block per subject, everything sorted."""
        return turtle_document(self.prefixes, [block for _, block in self.blocks()])

    # ------------------------------------------------------------ JSON-LD

    def nodes(self) -> list[tuple[str, str]]:
        """Each subject and its JSON-LD node object (as JSON text), in subject order:
        ``jsonld`` is ``jsonld_document`` of the nodes."""
        short = _shortener(tuple(self.prefixes.items()))
        return [
            (str(s), _compact(_node(s, self.subjects[s], short))) for s in _sorted(self.subjects)
        ]

    def jsonld(self) -> str:
        """Compacted JSON-LD: one ``@graph`` of node objects, prefixes in ``@context``."""
        return jsonld_document(self.prefixes, [node for _, node in self.nodes()])


def turtle_document(prefixes: dict[str, str], blocks: Iterable[str]) -> str:
    """A Turtle document of subject blocks already written (in subject order); a text
    of several blocks stands for them when they are separated by a blank line."""
    lines = [f"@prefix {p}: <{ns}> ." for p, ns in sorted(prefixes.items())]
    return "\n".join(lines) + "".join("\n\n" + block for block in blocks) + "\n"


def jsonld_document(prefixes: dict[str, str], nodes: Iterable[str]) -> str:
    """A compacted JSON-LD document of node objects already written (in subject order),
    byte for byte ``json.dumps`` of the whole; a text of several nodes stands for them
    when they are separated by commas."""
    context = _compact(dict(sorted(prefixes.items())))
    return '{"@context":' + context + ',"@graph":[' + ",".join(nodes) + "]}\n"


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _sorted(subjects: Iterable[URIRef]) -> list[URIRef]:
    # IRIs of one kind sort as their text (rdflib's order), which is cheaper to compare.
    return sorted(subjects, key=str)


def _row_value(value: Term) -> tuple[str, ...]:
    if isinstance(value, URIRef):
        return (str(value),)
    return (str(value), value.language or "", str(value.datatype or ""))


def _block(subject: URIRef, predicates: dict[URIRef, dict[Term, None]], short) -> str:
    parts = []
    for predicate in _ordered(predicates):
        name = "a" if str(predicate) == _TYPE else short(predicate)
        objects = sorted(_n3(value, short) for value in predicates[predicate])
        parts.append(f"{name} " + ",\n        ".join(objects))
    return f"{short(subject)}\n    " + " ;\n    ".join(parts) + " ."


def _node(subject: URIRef, predicates: dict[URIRef, dict[Term, None]], short) -> dict:
    node: dict = {"@id": str(subject)}
    for predicate in _ordered(predicates):
        values = sorted(predicates[predicate], key=str)
        if str(predicate) == _TYPE:
            types = [short(v) for v in values]
            node["@type"] = types[0] if len(types) == 1 else types
            continue
        items = [_value(v, short) for v in values]
        node[short(predicate)] = items[0] if len(items) == 1 else items
    return node


def _ordered(predicates: dict[URIRef, dict[Term, None]]) -> list[URIRef]:
    """``rdf:type`` first, then predicates in IRI order."""
    # Plain text comparisons: rdflib's ``==`` on terms is slow Python.
    return sorted(predicates, key=lambda p: (str(p) != _TYPE, str(p)))


def _value(value: Term, short) -> object:
    if isinstance(value, URIRef):
        return {"@id": str(value)}
    if value.language:
        return {"@value": str(value), "@language": value.language}
    if value.datatype:
        return {"@value": str(value), "@type": short(value.datatype)}
    return str(value)


def _n3(value: Term, short) -> str:
    if isinstance(value, URIRef):
        return short(value)
    if value.datatype:
        return f"{Literal(str(value)).n3()}^^{short(value.datatype)}"
    return value.n3()


@lru_cache(maxsize=8)
def _shortener(prefixes: tuple[tuple[str, str], ...]):
    """A function writing an IRI as ``prefix:local`` when it can, ``<iri>`` otherwise."""
    ordered = sorted(prefixes, key=lambda item: -len(item[1]))

    @lru_cache(maxsize=4096)
    def short(term: URIRef) -> str:
        text = str(term)
        for prefix, namespace in ordered:
            local = text[len(namespace) :]
            if text.startswith(namespace) and _LOCAL_NAME.match(local):
                return f"{prefix}:{local}"
        return term.n3()

    return short
