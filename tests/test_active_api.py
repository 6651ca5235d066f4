"""The active-transparency API on the one compliance computation: the obligations with
their template URLs, a body's month with the officers' approved records, months out
of the window, CSV, and bad input."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from test_fulfilment import DATASETS, GENERATED, PUBLISHERS
from test_serve import AppClient

from catalog import clock, urls
from catalog.api import create_api
from catalog.api.limits import LimitSettings
from catalog.api.transparency import CSV_COLUMNS, compliance_csv
from catalog.release.layout import ReleaseFolder
from catalog.release.reader import Release
from catalog.transparency.compliance import Declaration
from catalog.transparency.obligations import obligations

COMPLIANCE = "/api/v1/publishers/minfin/compliance"


class Active:
    """What ``Workspace.active`` gives the API: the approved records and their stamp."""

    def __init__(self, records: list[Declaration]) -> None:
        self.records = records
        self.version = 1

    def declarations(self) -> list[Declaration]:
        return list(self.records)

    def stamp(self) -> str:
        return str(self.version)


class Workspace:
    def __init__(self, active: Active) -> None:
        self.active = active


@pytest.fixture
def release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Release:
    monkeypatch.setattr(clock, "now", lambda: datetime(2024, 7, 1, 18, 0, tzinfo=UTC))
    return Release(
        folder=ReleaseFolder(tmp_path / "r1"),
        index={"generated": GENERATED, "datasets": DATASETS, "publishers": PUBLISHERS},
    )


@pytest.fixture
def active() -> Active:
    return Active(
        [
            Declaration(
                "minfin",
                "GT-LAIP-10.8",
                "2024-05",
                "not-applicable",
                date(2024, 6, 3),
                reason="Sin ejecución nueva",
            ),
            Declaration(
                "minfin",
                "GT-LAIP-10.2",
                "*",
                "link",
                date(2024, 2, 1),
                url="https://minfin.example/directorio",
            ),
        ]
    )


@pytest.fixture
def client(release: Release, active: Active) -> AppClient:
    workspace: Any = Workspace(active)
    return AppClient(create_api(lambda: release, limits=LimitSettings(None), workspace=workspace))


def items_of(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["obligation"]: i for i in body["items"]}


def test_obligations_give_their_template_url_or_null(client: AppClient):
    for code in ("GT", "CL", "PY"):
        body = client.get("/api/v1/transparency/obligations", params={"jurisdiction": code}).json()
        expected = {
            o.id: urls.absolute(f"/api/v1/transparency/templates/{o.id}") if o.template else None
            for o in obligations(code)
        }
        assert {i["id"]: i["template"] for i in body["items"]} == expected
        assert all(set(i) == {"id", "title", "frequency", "applies_to", "due", "reference",
                              "lawyer_check", "template"} for i in body["items"])  # fmt: skip


def test_compliance_counts_the_approved_records(client: AppClient, active: Active):
    body = client.get(COMPLIANCE, params={"period": "2024-05"}).json()
    assert set(body) == {"publisher", "period", "score", "items"}
    found = items_of(body)
    assert found["GT-LAIP-10.8"]["state"] == "not-applicable"
    link = found["GT-LAIP-10.2"]
    assert link["state"] == "on-time" and link["evidence"] == "https://minfin.example/directorio"
    assert link["published"] == "2024-02-01"
    assert set(link) == {"obligation", "title", "period", "state", "due", "published", "evidence"}
    # A record approved later shows at once: the stamp changes, the cache is recomputed.
    active.records = []
    active.version = 2
    again = items_of(client.get(COMPLIANCE, params={"period": "2024-05"}).json())
    assert again["GT-LAIP-10.8"]["state"] == "overdue"


def test_without_a_workspace_there_are_no_records(release: Release):
    plain = AppClient(create_api(lambda: release, limits=LimitSettings(None)))
    found = items_of(plain.get(COMPLIANCE, params={"period": "2024-05"}).json())
    assert found["GT-LAIP-10.8"]["state"] == "overdue"
    assert found["GT-LAIP-10.4"]["state"] == "on-time"  # the dataset still counts


def test_a_month_before_the_window_is_computed_for_the_body_alone(client: AppClient):
    old = client.get(COMPLIANCE, params={"period": "2022-03"})
    assert old.status_code == 200
    body = old.json()
    assert body["period"] == "2022-03"
    pay = items_of(body)["GT-LAIP-10.4"]
    assert pay["state"] == "overdue" and pay["due"] == "2022-04-30"
    too_old = client.get(COMPLIANCE, params={"period": "1990-01"})
    assert too_old.status_code == 400 and too_old.json()["error"]["fields"]["period"]


def test_compliance_as_csv(client: AppClient):
    answer = client.get(COMPLIANCE, params={"period": "2024-05", "format": "csv"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="minfin-2024-05.csv"' in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    json_body = client.get(COMPLIANCE, params={"period": "2024-05"}).json()
    assert len(rows) == len(json_body["items"])
    pay = next(r for r in rows if r["obligation"] == "GT-LAIP-10.4")
    assert (pay["month"], pay["state"], pay["published"]) == ("2024-05", "on-time", "2024-06-14")
    by_accept = client.get(COMPLIANCE, params={"period": "2024-05"}, headers={"Accept": "text/csv"})
    assert by_accept.text == answer.text
    asked_json = client.get(
        COMPLIANCE, params={"period": "2024-05", "format": "json"}, headers={"Accept": "text/csv"}
    )
    assert asked_json.json()["publisher"] == "minfin"
    bad = client.get(COMPLIANCE, params={"format": "xml"})
    assert bad.status_code == 400


def test_csv_cells_never_start_a_formula():
    body = {
        "publisher": "x",
        "period": "2024-05",
        "items": [
            {
                "obligation": "=cmd()",
                "title": "@SUM(A1)",
                "period": "2024-05",
                "state": "due",
                "due": "2024-06-30",
                "published": None,
                "evidence": "+1",
            }
        ],
    }
    row = list(csv.reader(io.StringIO(compliance_csv(body).decode())))[1]
    assert row[2] == "'=cmd()" and row[3] == "'@SUM(A1)" and row[8] == "'+1" and row[7] == ""


def test_the_csv_is_in_the_openapi_document(client: AppClient):
    operation = client.get("/api/openapi.json").json()["paths"][
        "/api/v1/publishers/{slug}/compliance"
    ]["get"]
    assert "text/csv" in operation["responses"]["200"]["content"]
    assert "format" in {p["name"] for p in operation["parameters"]}
    assert "CSV" in operation["description"]


def test_errors_stay_clear(client: AppClient):
    assert client.get("/api/v1/publishers/nadie/compliance").status_code == 404
    future = client.get(COMPLIANCE, params={"period": "2024-08"})
    assert future.status_code == 400 and "2024-08" in future.json()["error"]["message"]
    assert client.get(COMPLIANCE, params={"period": "2024-Q2"}).status_code == 400
    assert client.get(COMPLIANCE).json()["period"] == "2024-07"  # the current month by default
