"""Fulfilment from the catalogue, and the two read APIs of active transparency, over a
small hand-made release index."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from test_serve import AppClient

from catalog import clock, urls
from catalog.api import create_api
from catalog.api.limits import LimitSettings
from catalog.errors import CatalogError
from catalog.release.index import DatasetEntry
from catalog.release.layout import ReleaseFolder
from catalog.release.reader import Release
from catalog.transparency.compliance import compute
from catalog.transparency.fulfilment import Evidence, country_of, fulfilments

GENERATED = "2024-07-20T12:00:00+00:00"
PUBLISHERS: dict[str, dict[str, Any]] = {
    "minfin": {
        "name": "Ministerio de Finanzas",
        "kind": "ministry",
        "jurisdiction": {"country": "GT"},
    },
    "muni-x": {"name": "Municipalidad X", "kind": "municipality"},  # GT by default
    "lejos": {"name": "Otro país", "kind": "ministry", "jurisdiction": {"country": "MX"}},
    "hacienda": {
        "name": "Ministerio de Hacienda",
        "kind": "ministry",
        "jurisdiction": {"country": "PY"},
    },
}


def entry(publisher: str, name: str, **fields: Any) -> DatasetEntry:
    """A release-index entry with every key a build writes."""
    base: dict[str, Any] = {
        "id": f"{publisher}/{name}",
        "publisher": publisher,
        "name": name,
        "title": name,
        "description": None,
        "keywords": [],
        "themes": [],
        "license": None,
        "license_url": None,
        "license_id": None,
        "frequency": "monthly",
        "version": "1.0.0",
        "issued": "2024-01-01",
        "modified": "2024-06-01",
        "temporal_start": None,
        "temporal_end": None,
        "spatial": None,
        "obligations": None,
        "contact_name": None,
        "contact_email": None,
        "url": urls.dataset(publisher, name),
        "status": "published",
        "tables": [],
        "readme": None,
        "sources": [],
        "published_at": None,
        "zip": urls.package_zip(publisher, name),
        "resources": [],
    }
    base.update(fields)
    return base  # type: ignore[return-value]


DATASETS = [
    # GT pay (10.4, monthly) and advisers (10.27): January to May 2024, published
    # June 15 (UTC 03:00 is still June 14 in Guatemala).
    entry(
        "minfin",
        "planilla",
        obligations=["GT-LAIP-10.4", "GT-LAIP-10.27", "GT-LAIP-10.99"],
        temporal_start="2024-01-01",
        temporal_end="2024-05-31",
        published_at="2024-06-15T03:00:00+00:00",
    ),
    # The same item again, published earlier for February only: the earliest counts.
    entry(
        "minfin",
        "planilla-febrero",
        obligations=["GT-LAIP-10.4"],
        temporal_start="2024-02-10",
        temporal_end="2024-02-29",
        published_at="2024-03-05T15:00:00+00:00",
    ),
    # A permanent item (10.1, structure) published once: it stands for every period.
    entry(
        "minfin",
        "organigrama",
        obligations=["GT-LAIP-10.1"],
        published_at="2024-02-10T12:00:00+00:00",
    ),
    # Monthly without a coverage: proves no period.
    entry("muni-x", "sin-cobertura", obligations=["GT-LAIP-10.8"]),
    # A coverage into the far future is walked only to the year after its publication.
    entry(
        "muni-x",
        "presupuesto",
        obligations=["GT-LAIP-10.7"],
        temporal_start="2024-01-01",
        temporal_end="9999-12-31",
        published_at="2024-01-10T12:00:00+00:00",
    ),
    # Paraguay's Ley 5189 pay for May, published on the release's day (no published_at).
    entry(
        "hacienda",
        "remuneraciones",
        obligations=["PY-5189-1"],
        temporal_start="2024-05-01",
        temporal_end="2024-05-31",
    ),
]


def test_a_dataset_marks_the_periods_it_covers_with_itself_as_evidence():
    found = fulfilments(DATASETS, GENERATED)
    page = urls.absolute(urls.dataset("minfin", "planilla"))
    june14 = Evidence("minfin/planilla", page, date(2024, 6, 14))
    for month in ("2024-01", "2024-03", "2024-04", "2024-05"):
        assert found[("minfin", "GT-LAIP-10.4", month)] == june14
        assert found[("minfin", "GT-LAIP-10.27", month)] == june14
    assert found[("minfin", "GT-LAIP-10.4", "2024-02")].dataset == "minfin/planilla-febrero"
    assert found[("minfin", "GT-LAIP-10.4", "2024-02")].published == date(2024, 3, 5)
    assert ("minfin", "GT-LAIP-10.4", "2024-06") not in found
    assert ("minfin", "GT-LAIP-10.1", "*") in found
    budget = sorted(k[2] for k in found if k[0] == "muni-x")
    assert budget == ["2024", "2025"]  # none from the dataset without a coverage
    assert found[("hacienda", "PY-5189-1", "2024-05")].published == date(2024, 7, 20)
    assert not [k for k in found if k[1] == "GT-LAIP-10.99"]  # unknown ids are ignored


def compliance(slug: str, month: str, today: date, lang: str = "es") -> dict[str, Any]:
    """One body's month in the API's shape, computed for that body alone from the month on."""
    found = compute(
        PUBLISHERS, DATASETS, [], today, generated=GENERATED, only=slug, first_month=month
    )
    return found.for_month(slug, month, lang)


def test_compliance_of_one_body_for_a_month():
    today = date(2024, 7, 1)
    body = compliance("minfin", "2024-05", today, "en")
    items = {i["obligation"]: i for i in body["items"]}
    applicable = compute(PUBLISHERS, [], [], today, only="minfin").items_of("minfin")
    assert list(items) == [item.id for item in applicable]  # every item that applies, in order
    assert body["publisher"] == "minfin" and body["period"] == "2024-05"
    # May's pay: due 30 days after May 31 (June 30), published June 14: on time.
    pay = items["GT-LAIP-10.4"]
    assert pay["state"] == "on-time" and pay["due"] == "2024-06-30"
    assert pay["published"] == "2024-06-14"
    assert pay["evidence"] == urls.absolute(urls.dataset("minfin", "planilla"))
    # The structure, published February 10: on time for May.
    assert items["GT-LAIP-10.1"]["state"] == "on-time"
    # May's budget execution: not published, due June 30, today July 1: overdue.
    assert items["GT-LAIP-10.8"]["state"] == "overdue" and items["GT-LAIP-10.8"]["evidence"] is None
    # The annual plan of 2024 is still open.
    assert items["GT-LAIP-10.5"]["period"] == "2024" and items["GT-LAIP-10.5"]["state"] == "due"
    # January's pay was published June 14, after its due date (March 1): late.
    january = compliance("minfin", "2024-01", today)
    assert {i["obligation"]: i["state"] for i in january["items"]}["GT-LAIP-10.4"] == "late"
    # The structure too, for January: it appeared on February 10, within 30 days of the month's end.
    assert {i["obligation"]: i["state"] for i in january["items"]}["GT-LAIP-10.1"] == "on-time"
    states = [i["state"] for i in body["items"]]
    counted = [s for s in states if s != "due"]
    expected = round(100 * sum(s == "on-time" for s in counted) / len(counted), 1)
    assert body["score"] == expected


def test_paraguay_pay_published_after_fifteen_days_is_late():
    body = compliance("hacienda", "2024-05", date(2024, 7, 25))
    pay = {i["obligation"]: i for i in body["items"]}["PY-5189-1"]
    assert (pay["due"], pay["published"], pay["state"]) == ("2024-06-15", "2024-07-20", "late")


def test_compliance_refuses_a_future_or_malformed_month():
    for month in ("2024-08", "2024", "2024-Q2", "mayo"):
        with pytest.raises(CatalogError):
            compliance("minfin", month, date(2024, 7, 1))
    assert country_of(PUBLISHERS["muni-x"]) == "GT" and country_of(None) == "GT"


# ------------------------------------------------------------------ the API


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppClient:
    monkeypatch.setattr(clock, "now", lambda: datetime(2024, 7, 1, 18, 0, tzinfo=UTC))
    release = Release(
        folder=ReleaseFolder(tmp_path / "r1"),
        index={"generated": GENERATED, "datasets": DATASETS, "publishers": PUBLISHERS},
    )
    return AppClient(create_api(lambda: release, limits=LimitSettings(None)))


def test_api_lists_the_obligations_of_a_jurisdiction(client: AppClient):
    body = client.get("/api/v1/transparency/obligations", params={"jurisdiction": "CL"}).json()
    assert len(body["items"]) == 13
    first = body["items"][0]
    assert first["id"] == "CL-20285-7.a" and first["title"] == "Estructura orgánica"
    assert first["frequency"] == "monthly" and first["applies_to"] == ["all"]
    assert first["template"] is None
    english = client.get(
        "/api/v1/transparency/obligations", params={"jurisdiction": "py", "lang": "en"}
    ).json()
    assert english["items"][-1]["id"] == "PY-5189-1"
    assert english["items"][0]["title"] == "Organisational structure"


def test_api_refuses_an_unknown_jurisdiction(client: AppClient):
    answer = client.get("/api/v1/transparency/obligations", params={"jurisdiction": "MX"})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["message"] == "No hay perfil de jurisdicción para MX."
    assert "GT" in error["hint"] and error["fields"]["jurisdiction"]
    missing = client.get("/api/v1/transparency/obligations")
    assert missing.status_code == 400


def test_api_compliance_of_a_publisher(client: AppClient):
    answer = client.get("/api/v1/publishers/minfin/compliance", params={"period": "2024-05"})
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"publisher", "period", "score", "items"}
    pay = {i["obligation"]: i for i in body["items"]}["GT-LAIP-10.4"]
    assert {k: pay[k] for k in ("period", "state", "due", "published")} == {
        "period": "2024-05",
        "state": "on-time",
        "due": "2024-06-30",
        "published": "2024-06-14",
    }
    assert answer.headers["cache-control"] == "no-store"  # the states change with the days
    current = client.get("/api/v1/publishers/minfin/compliance").json()
    assert current["period"] == "2024-07"


def test_api_compliance_errors(client: AppClient):
    unknown = client.get("/api/v1/publishers/nadie/compliance", params={"period": "2024-05"})
    assert unknown.status_code == 404
    future = client.get(
        "/api/v1/publishers/minfin/compliance",
        params={"period": "2024-08"},
        headers={"Accept-Language": "en"},
    )
    assert future.status_code == 400
    assert future.json()["error"]["message"] == "The period 2024-08 has not started yet."
    assert future.json()["error"]["fields"]["period"]
    abroad = client.get("/api/v1/publishers/lejos/compliance", params={"period": "2024-05"})
    assert abroad.status_code == 404 and "MX" in abroad.json()["error"]["message"]
    bad = client.get("/api/v1/publishers/minfin/compliance", params={"period": "2024-13"})
    assert bad.status_code == 400 and "AAAA-MM" in bad.json()["error"]["hint"]


def test_the_routes_are_in_the_openapi_document(client: AppClient):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/v1/transparency/obligations" in paths
    assert "/api/v1/publishers/{slug}/compliance" in paths


def test_the_demo_build_fulfils_mides_pay_for_the_month_its_data_covers(demo_build: Path):
    from test_api import api_client

    client = api_client(demo_build)
    body = client.get("/api/v1/publishers/mides/compliance", params={"period": "2026-05"}).json()
    items = {i["obligation"]: i for i in body["items"]}
    pay = items["GT-LAIP-10.4"]  # personal-y-salarios covers December 2025 to November 2026
    assert pay["evidence"].endswith("/datasets/mides/personal-y-salarios/")
    # The demo is built today, after June 30, 2026: late, but published.
    assert pay["state"] == "late" and pay["due"] == "2026-06-30"
    november = client.get("/api/v1/publishers/mides/compliance", params={"period": "2025-11"})
    states = {i["obligation"]: i["state"] for i in november.json()["items"]}
    assert states["GT-LAIP-10.4"] == "overdue"
