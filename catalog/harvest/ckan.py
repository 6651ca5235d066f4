"""Reading a CKAN portal through its Action API (CKAN 2.9, 2.10 and 2.11 alike).

``package_search`` is paged with ``rows``/``start``, sorted by ``metadata_modified`` then
``id`` so that pages are stable; an incremental run asks only for datasets modified since
the last good run (``fq=metadata_modified:[SINCE TO *]``, the boundary included: a
dataset seen again is recognised by its fingerprint and counted unchanged). A page that
brings nothing new (the source repeats or loops its pages), more pages than the count
announces, or anything that is not CKAN's JSON stops the listing with a ``SourceError``.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from catalog.harvest.mapping import PublisherRecord, Record, ResourceRecord, fold
from catalog.harvest.net import Fetcher, FetchError
from catalog.harvest.sources import SourceError, decode_json, text_of
from catalog.i18n import _

ROWS = 100
MAX_DATASETS = 1_000_000


def api_base(url: str) -> str:
    """``https://portal/`` or ``https://portal/api/3/action/package_search`` → the Action
    API's base, ``https://portal/api/3/action/``."""
    parts = urlsplit(url)
    path = re.sub(r"/+$", "", parts.path)
    path = re.sub(r"/(package_search|package_list|package_show)$", "", path)
    path = re.sub(r"/api(/3)?(/action)?$", "", path)
    return urlunsplit((parts.scheme, parts.netloc, f"{path}/api/3/action/", "", ""))


def solr_time(value: str) -> str:
    """CKAN's ``2024-03-01T10:11:12.123456`` as a Solr date, ``2024-03-01T10:11:12Z``."""
    found = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}:\d{2}))?", value)
    if not found:
        return ""
    return f"{found.group(1)}T{found.group(2) or '00:00:00'}Z"


def _page(fetcher: Fetcher, url: str) -> dict[str, Any]:
    try:
        body, kind, _final = fetcher.get_bytes(url, "application/json")
    except FetchError as exc:
        raise SourceError(exc.code, exc.text, **exc.params) from None
    data = decode_json(body, kind, url)
    if not isinstance(data, dict) or "success" not in data:
        raise SourceError("not-ckan", _("{url} did not answer as a CKAN Action API does."), url=url)
    if data.get("success") is not True:
        error: dict[str, Any] = data["error"] if isinstance(data.get("error"), dict) else {}
        raise SourceError(
            "ckan-error",
            _("The CKAN portal refused the search: {reason}."),
            reason=str(error.get("message") or error.get("__type") or "?")[:200],
        )
    result = data.get("result")
    if (
        not isinstance(result, dict)
        or not isinstance(result.get("results"), list)
        or not isinstance(result.get("count"), int)
    ):
        raise SourceError("not-ckan", _("{url} did not answer as a CKAN Action API does."), url=url)
    return result


def list_packages(fetcher: Fetcher, url: str, since: str = "") -> list[dict[str, Any]]:
    """Every package dict the portal lists (modified since ``since``, when given)."""
    base = api_base(url)
    params: dict[str, str | int] = {"rows": ROWS, "sort": "metadata_modified asc, id asc"}
    if since and solr_time(since):
        params["fq"] = f"metadata_modified:[{solr_time(since)} TO *]"
    packages: dict[str, dict[str, Any]] = {}
    start, count = 0, None
    while True:
        page_url = base + "package_search?" + urlencode({**params, "start": start})
        result = _page(fetcher, page_url)
        count = result["count"] if count is None else count
        results = [p for p in result["results"] if isinstance(p, dict) and p.get("id")]
        if not results:
            break
        new = [p for p in results if str(p["id"]) not in packages]
        if not new:
            raise SourceError(
                "pagination-loop",
                _(
                    "The source repeats its pages: the page from {start} brought only "
                    "datasets already seen."
                ),
                start=start,
            )
        for package in new:
            packages[str(package["id"])] = package
        start += len(results)
        if start >= count or len(packages) >= MAX_DATASETS:
            break
    return list(packages.values())


def _extras(package: dict[str, Any]) -> dict[str, str]:
    extras = package.get("extras")
    found: dict[str, str] = {}
    for item in extras if isinstance(extras, list) else []:
        if isinstance(item, dict) and isinstance(item.get("key"), str):
            found[item["key"]] = text_of(item.get("value"))
    return found


def _schema(value: object) -> dict[str, Any] | None:
    """A Table Schema carried by a resource (a dict, or JSON text as ckanext-scheming keeps
    it), cleaned of empty properties; None when there is none or it is not one."""
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if not isinstance(value, dict) or not isinstance(value.get("fields"), list):
        return None
    fields = []
    for item in value["fields"]:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            return None
        field = {k: v for k, v in item.items() if v not in (None, "", [], {})}
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields}
    key = value.get("primaryKey")
    if key:
        schema["primaryKey"] = key
    return schema if fields else None


def to_record(package: dict[str, Any]) -> Record:
    """A CKAN package dict as a source-neutral record."""
    extras = _extras(package)
    org = package.get("organization") if isinstance(package.get("organization"), dict) else {}
    org_extras = _extras(org or {})
    org_name = text_of((org or {}).get("name")) or text_of(package.get("owner_org"))
    publisher = PublisherRecord(
        key=org_name or text_of(package.get("author")) or "sin-organizacion",
        title=text_of((org or {}).get("title")) or text_of(package.get("author")) or org_name,
        email=org_extras.get("email") or text_of(package.get("author_email")),
        description=text_of((org or {}).get("description")),
        website=org_extras.get("website", ""),
        kind=org_extras.get("kind", ""),
    )
    name = text_of(package.get("name")) or text_of(package.get("id"))
    if org_name and name.startswith(f"{org_name}--"):  # this portal's ids: publisher--dataset
        name = name[len(org_name) + 2 :]
    groups: list[Any] = package["groups"] if isinstance(package.get("groups"), list) else []
    themes = [text_of(g.get(k)) for g in groups if isinstance(g, dict) for k in ("name", "title")]
    themes += [v for k, v in extras.items() if fold(k) in ("theme", "dcat_theme")]
    tags: list[Any] = package["tags"] if isinstance(package.get("tags"), list) else []
    resources = []
    for item in package.get("resources") or []:
        if not isinstance(item, dict) or not text_of(item.get("url")):
            continue
        resources.append(
            ResourceRecord(
                title=text_of(item.get("name")) or text_of(item.get("resource_name")),
                url=text_of(item.get("url")),
                format=text_of(item.get("format")),
                mediatype=text_of(item.get("mimetype")),
                description=text_of(item.get("description")),
                schema=_schema(item.get("schema")),
            )
        )
    licences = [text_of(package.get(k)) for k in ("license_id", "license_title", "license_url")]
    return Record(
        source_id=text_of(package.get("id")),
        name=name,
        title=text_of(package.get("title")) or name,
        publisher=publisher,
        description=text_of(package.get("notes")),
        keywords=[text_of(t.get("name")) for t in tags if isinstance(t, dict)],
        themes=[t for t in themes if t],
        licenses=[v for v in licences if v],
        frequency=extras.get("frequency") or extras.get("accrual_periodicity", ""),
        contact_name=text_of(package.get("maintainer")) or extras.get("contact_name", ""),
        contact_email=text_of(package.get("maintainer_email"))
        or extras.get("contact_email", "")
        or text_of(package.get("author_email")),
        version=text_of(package.get("version")),
        issued=extras.get("issued") or text_of(package.get("metadata_created")),
        modified=extras.get("modified") or text_of(package.get("metadata_modified")),
        landing_page=text_of(package.get("url")),
        source_modified=text_of(package.get("metadata_modified")),
        resources=resources,
    )
