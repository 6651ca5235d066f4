"""Parameters of the CKAN actions, validated by pydantic models.

CKAN clients send every value as a string in GET query strings and as JSON in
POST bodies; the models accept both (``"10"`` and ``10``, ``'["tags"]'`` and
``["tags"]``) and ignore keys they do not know, as CKAN does. Every list, dict
and text has a size cap, and JSON is parsed by ``loads``, which refuses deep
nesting and NaN/Infinity with a clear message instead of failing later.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Annotated, Any, Literal, NoReturn

from annotated_types import MaxLen
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo

from catalog.httperrors import Invalid
from catalog.i18n import _

# CKAN parameters are at most a dict of lists; deeper JSON can only be an attack
# (Python's parser recurses, and 200 KB of "[[[[" would exhaust the stack).
MAX_DEPTH = 8
MAX_NAMES = 200
MAX_NAME = 300
MAX_OFFSET = 10_000_000  # as package_search's start: past it a page is surely empty


def _too_deep(param: str) -> Invalid:
    return Invalid(
        _("The JSON in {param} is nested too deeply."),
        _("Parameters are texts, numbers, lists or objects of them: send flat JSON."),
        fields={param: _("The JSON in {param} is nested too deeply.")},
        param=param,
    )


def _constant(param: str, name: str) -> NoReturn:
    raise Invalid(
        _("{value} is not a number JSON allows (in {param})."),
        _("Send finite numbers; write NaN or Infinity as text if you mean it."),
        fields={param: _("{value} is not a number JSON allows (in {param}).")},
        value=name,
        param=param,
    )


def _depth(value: Any) -> int:
    """How deeply lists and dicts nest in ``value`` (walked without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                stack.extend((child, level + 1) for child in item)
    return deepest


def loads(text: str | bytes, param: str) -> Any:
    """JSON a client sent in ``param``: Invalid when too deep or holding NaN/Infinity;
    ValueError (as json.loads) when it is not JSON at all."""
    try:
        value = json.loads(text, parse_constant=partial(_constant, param))
    except RecursionError:
        raise _too_deep(param) from None
    if _depth(value) > MAX_DEPTH:
        raise _too_deep(param)
    return value


def _json_or_text(value: Any, info: ValidationInfo) -> Any:
    """A JSON-encoded list/dict in a query string, else the value as it came."""
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return loads(value, info.field_name or "params")
        except ValueError:
            return value
    return value


def _names(value: Any, info: ValidationInfo) -> Any:
    """A list of names given as a JSON list, a comma-separated text or a list."""
    value = _json_or_text(value, info)
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


Name = Annotated[str, MaxLen(MAX_NAME)]
Names = Annotated[list[Name], MaxLen(MAX_NAMES), BeforeValidator(_names)]
JsonDict = Annotated[dict[str, Any], MaxLen(MAX_NAMES), BeforeValidator(_json_or_text)]
Text = Annotated[str, MaxLen(1000)]
TextQuery = Annotated[
    Text | Annotated[dict[str, Text], MaxLen(MAX_NAMES)] | None, BeforeValidator(_json_or_text)
]


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class NoParams(Params):
    pass


class Paging(Params):
    limit: int | None = Field(None, ge=0, le=100000, description="How many to return.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many to skip.")


class CurrentList(Params):
    limit: int | None = Field(None, ge=0, le=1000, description="How many datasets (max 1000).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    page: int | None = Field(None, ge=1, le=MAX_OFFSET, description="Page number (with limit).")


class Show(Params):
    id: str = Field(..., min_length=1, max_length=300, description="Name or id.")
    include_datasets: bool = Field(
        False, description="Include the datasets (organizations, groups)."
    )


class PackageShow(Params):
    id: str = Field(
        ..., min_length=1, max_length=300, description="The dataset's name: publisher--dataset."
    )


class PackageSearch(Params):
    q: str | None = Field(
        None, max_length=2000, description="Solr-style query (words, field:value)."
    )
    fq: str | None = Field(
        None, max_length=2000, description="Filter query, e.g. organization:mides."
    )
    fq_list: (
        Annotated[list[Annotated[str, MaxLen(2000)]], MaxLen(50), BeforeValidator(_names)] | None
    ) = Field(None, description="Several filter queries (at most 50).")
    sort: str | None = Field(None, max_length=200, description='e.g. "metadata_modified desc".')
    rows: int = Field(10, ge=0, le=1000, description="Results per page (max 1000).")
    start: int = Field(0, ge=0, le=10_000_000, description="Offset of the first result.")
    facet: bool = Field(True, description="Whether to compute facets.")
    facet_field: Names | None = Field(
        None, alias="facet.field", description='JSON list of fields, e.g. ["organization","tags"].'
    )
    facet_limit: int = Field(50, alias="facet.limit", ge=-1, le=100000)
    facet_mincount: int = Field(1, alias="facet.mincount", ge=0)
    fl: str | None = Field(
        None, max_length=1000, description="Fields of each result, e.g. name,title."
    )
    include_private: bool = False
    include_drafts: bool = False


class ListParams(Params):
    all_fields: bool = Field(False, description="Whole dicts instead of names.")
    sort: str | None = Field(
        None, max_length=100, description='"name asc", "package_count desc"...'
    )
    limit: int | None = Field(None, ge=0, le=1000)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    include_dataset_count: bool = True


class TagList(Params):
    query: str | None = Field(None, max_length=200, description="Only tags containing this text.")
    all_fields: bool = False


class HelpShow(Params):
    name: str = Field(..., min_length=1, max_length=100, description="An action name.")


class DatastoreSearch(Params):
    resource_id: str = Field(..., min_length=1, max_length=300, alias="resource_id")
    filters: JsonDict | None = Field(None, description='{"column": "value" or ["a", "b"]}.')
    q: TextQuery = Field(None, description="Text to find in any text column, or {column: text}.")
    fields: Names | None = Field(None, description="Columns to return.")
    sort: Names | None = Field(None, description='"column asc, other desc".')
    limit: int = Field(100, ge=0, le=32000, description="Rows (max 32000).")
    offset: int = Field(0, ge=0, le=100_000_000)
    records_format: Literal["objects", "lists", "csv", "tsv"] = "objects"
    include_total: bool = True
    distinct: bool = False
    plain: bool = True
    language: str | None = Field(None, max_length=20)


class DatastoreSql(Params):
    sql: str = Field(..., min_length=1, max_length=20000, description="One SELECT statement.")
