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
from functools import lru_cache
from urllib.parse import quote

from rdflib import RDF, Literal, URIRef

Term = URIRef | Literal
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

    # ------------------------------------------------------------ Turtle

    def turtle(self) -> str:
        """Turtle: prefixes, then one block per subject, everything sorted."""
        short = _shortener(tuple(self.prefixes.items()))
        lines = [f"@prefix {p}: <{ns}> ." for p, ns in sorted(self.prefixes.items())]
        for subject in sorted(self.subjects):
            lines.append("")
            lines.append(_block(subject, self.subjects[subject], short))
        return "\n".join(lines) + "\n"

    # ------------------------------------------------------------ JSON-LD

    def jsonld(self) -> str:
        """Compacted JSON-LD: one ``@graph`` of node objects, prefixes in ``@context``."""
        short = _shortener(tuple(self.prefixes.items()))
        nodes = [_node(subject, self.subjects[subject], short) for subject in sorted(self.subjects)]
        document = {"@context": dict(sorted(self.prefixes.items())), "@graph": nodes}
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def _block(subject: URIRef, predicates: dict[URIRef, dict[Term, None]], short) -> str:
    parts = []
    for predicate in _ordered(predicates):
        name = "a" if predicate == RDF.type else short(predicate)
        objects = sorted(_n3(value, short) for value in predicates[predicate])
        parts.append(f"{name} " + ",\n        ".join(objects))
    return f"{short(subject)}\n    " + " ;\n    ".join(parts) + " ."


def _node(subject: URIRef, predicates: dict[URIRef, dict[Term, None]], short) -> dict:
    node: dict = {"@id": str(subject)}
    for predicate in _ordered(predicates):
        values = sorted(predicates[predicate], key=str)
        if predicate == RDF.type:
            types = [short(v) for v in values]
            node["@type"] = types[0] if len(types) == 1 else types
            continue
        items = [_value(v, short) for v in values]
        node[short(predicate)] = items[0] if len(items) == 1 else items
    return node


def _ordered(predicates: dict[URIRef, dict[Term, None]]) -> list[URIRef]:
    """``rdf:type`` first, then predicates in IRI order."""
    return sorted(predicates, key=lambda p: (p != RDF.type, str(p)))


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
