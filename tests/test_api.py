"""The native API /api/v1/ over the built demo catalogue (in process, real SQLite)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import DEMO_DATASETS
from test_serve import AppClient

from catalog.api import create_api
from catalog.api.limits import LimitSettings
from catalog.serve import make_app

BONO = "/api/v1/datasets/mides/bono-social-cobertura"


def api_client(build: Path, limits: LimitSettings | None = None) -> AppClient:
    """The whole portal app, its API with the given rate limits (none by default)."""
    app = make_app(build)
    app.api = create_api(app.current, limits=limits or LimitSettings(None))
    return AppClient(app)


@pytest.fixture(scope="module")
def client(demo_build: Path) -> AppClient:
    return api_client(demo_build)


def test_status(client: AppClient):
    body = client.get("/api/v1/status").json()
    assert body["status"] == "ok" and body["datasets"] == DEMO_DATASETS and body["release"]


def test_dataset_list_searches_filters_and_counts_facets(client: AppClient):
    body = client.get(
        "/api/v1/datasets",
        params={"q": "salud", "facets": ["publisher", "theme"], "limit": 2},
    ).json()
    assert body["count"] == 4
    assert len(body["results"]) == 2
    publishers = {f["value"]: f for f in body["facets"]["publisher"]}
    assert publishers["mspas"]["count"] == 3
    assert publishers["mspas"]["label"] == "Ministerio de Salud Pública y Asistencia Social"
    assert {f["value"] for f in body["facets"]["theme"]} >= {"heal"}
    only = client.get("/api/v1/datasets", params={"publisher": "mspas", "limit": 100}).json()
    assert only["count"] == 3 and all(d["publisher"]["slug"] == "mspas" for d in only["results"])
    both = client.get("/api/v1/datasets", params={"publisher": ["mspas", "ine"]}).json()
    assert both["count"] == 3 + 4


def test_accent_and_plural_insensitive_search(client: AppClient):
    plain = client.get("/api/v1/datasets", params={"q": "educacion"}).json()
    accented = client.get("/api/v1/datasets", params={"q": "EDUCACIÓN"}).json()
    assert plain["count"] == accented["count"] > 0
    plural = client.get("/api/v1/datasets", params={"q": "municipios"}).json()
    singular = client.get("/api/v1/datasets", params={"q": "municipio"}).json()
    assert plural["count"] == singular["count"] > 0


def test_cursor_pagination_walks_every_dataset_once(client: AppClient):
    seen, url, params = [], "/api/v1/datasets", {"limit": 7, "sort": "name"}
    while True:
        body = client.get(url, params=params).json()
        seen += [d["id"] for d in body["results"]]
        if not body["cursor"]:
            break
        assert body["next"].endswith("cursor=" + body["cursor"])
        params = {"limit": 7, "sort": "name", "cursor": body["cursor"]}
    assert len(seen) == len(set(seen)) == DEMO_DATASETS
    assert seen == sorted(seen, key=lambda i: i.replace("/", "--"))


def test_a_cursor_from_another_query_is_refused(client: AppClient):
    body = client.get("/api/v1/datasets", params={"limit": 2}).json()
    wrong = client.get("/api/v1/datasets", params={"limit": 2, "q": "x", "cursor": body["cursor"]})
    assert wrong.status_code == 400
    assert wrong.json()["error"]["fields"]["cursor"]
    garbage = client.get("/api/v1/datasets", params={"cursor": "%%%not-base64"})
    assert garbage.status_code == 400


def test_one_dataset_with_resources_and_downloads(client: AppClient):
    body = client.get(BONO).json()
    assert body["ckan_id"] == "mides--bono-social-cobertura"
    assert body["license"]["id"] and body["themes"][0]["label"]
    resource = body["resources"][0]
    assert resource["table"].startswith("mides__bono_social_cobertura__")
    assert resource["fields"] and resource["rows"] > 0
    download = client.get(resource["downloads"]["csv"].removeprefix("http://127.0.0.1:8000"))
    assert download.status_code == 200
    assert resource["bytes"] == len(download.content)
    listed = client.get(BONO + "/resources").json()
    assert [r["name"] for r in listed] == [r["name"] for r in body["resources"]]
    one = client.get(f"{BONO}/resources/{resource['name']}").json()
    assert one["id"] == resource["id"]


def test_unknown_things_are_clear_404s_in_spanish_or_english(client: AppClient):
    missing = client.get("/api/v1/datasets/mides/no-existe")
    assert missing.status_code == 404
    assert missing.json()["error"]["type"] == "not-found"
    assert "no se encontró" in missing.json()["error"]["message"].lower()
    english = client.get("/api/v1/datasets/mides/no-existe", headers={"Accept-Language": "en"})
    assert "was not found" in english.json()["error"]["message"]
    assert client.get(BONO + "/resources/nada").status_code == 404
    assert client.get("/api/v1/nothing-here").json()["error"]["type"] == "not-found"


def test_bad_parameters_are_400_with_the_field_named(client: AppClient):
    for params, field in (
        ({"limit": "muchos"}, "limit"),
        ({"limit": 100000}, "limit"),
        ({"sort": "random"}, "sort"),
        ({"facets": "colour"}, "facets.0"),
        ({"modified_since": "ayer"}, "modified_since"),
    ):
        response = client.get("/api/v1/datasets", params=params)
        assert response.status_code == 400, params
        assert field in response.json()["error"]["fields"], response.json()


def test_modified_since_filters_by_metadata_date(client: AppClient):
    everything = client.get("/api/v1/datasets", params={"modified_since": "2024-01-01"}).json()
    nothing = client.get("/api/v1/datasets", params={"modified_since": "2999-01-01"}).json()
    assert everything["count"] == DEMO_DATASETS and nothing["count"] == 0


def test_rows_json_with_filters_sort_fields_and_paging(client: AppClient):
    dataset = client.get(BONO).json()
    resource = dataset["resources"][0]
    columns = [f["name"] for f in resource["fields"]]
    url = f"{BONO}/resources/{resource['name']}/rows"
    body = client.get(url, params={"limit": 5}).json()
    assert body["total"] == resource["rows"] and len(body["rows"]) == 5
    assert body["next"] and "offset=5" in body["next"]
    first = columns[0]
    value = body["rows"][0][first]
    filtered = client.get(
        url, params={"filter": f"{first}:{value}", "fields": first, "sort": f"-{first}"}
    ).json()
    assert filtered["total"] >= 1
    assert all(list(row) == [first] and row[first] == value for row in filtered["rows"])
    assert client.get(url, params={"fields": "no_such_column"}).status_code == 400
    assert client.get(url, params={"filter": "sin-dos-puntos"}).status_code == 400


def test_rows_as_csv_and_ndjson_stream_the_whole_table(client: AppClient):
    dataset = client.get(BONO).json()
    resource = dataset["resources"][0]
    url = f"{BONO}/resources/{resource['name']}/rows"
    response = client.get(url, params={"format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == [f["name"] for f in resource["fields"]]
    assert len(rows) - 1 == resource["rows"]
    lines = client.get(url, params={"format": "ndjson", "limit": 3}).text.splitlines()
    assert len(lines) == 3 and set(json.loads(lines[0])) == set(rows[0])


def test_publishers_themes_and_territories(client: AppClient):
    publishers = client.get("/api/v1/publishers").json()
    assert len(publishers) == 12 and sum(p["datasets"] for p in publishers) == DEMO_DATASETS
    mides = client.get("/api/v1/publishers/mides").json()
    assert mides["datasets"] == len(mides["dataset_list"]) > 0
    themes = client.get("/api/v1/themes", headers={"Accept-Language": "en"}).json()
    heal = next(t for t in themes if t["code"] == "HEAL")
    assert heal["label"] == "Health" and heal["datasets"] >= 3
    assert client.get("/api/v1/themes/heal").json()["label"] == "Salud"
    departments = client.get("/api/v1/territories").json()
    assert len(departments) == 22 and departments[0]["code"] == "01"
    alta_verapaz = client.get("/api/v1/territories/16").json()
    assert alta_verapaz["name"] == "Alta Verapaz" and len(alta_verapaz["municipalities"]) == 17
    assert alta_verapaz["datasets"] == len(alta_verapaz["dataset_list"]) > 0
    assert client.get("/api/v1/territories/99").status_code == 404


def test_caching_headers_and_304(client: AppClient):
    first = client.get("/api/v1/datasets")
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public")
    assert first.headers["last-modified"].endswith("GMT")
    again = client.get("/api/v1/datasets", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/api/v1/datasets", headers={"If-None-Match": '"old"'})
    assert other.status_code == 200
    english = client.get("/api/v1/datasets", headers={"Accept-Language": "en"})
    assert english.headers["etag"] != etag
    since = client.get(
        "/api/v1/status", headers={"If-Modified-Since": first.headers["last-modified"]}
    )
    assert since.status_code == 304


def test_cors_is_open_for_get(client: AppClient):
    response = client.get("/api/v1/status", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.request(
        "OPTIONS",
        "/api/v1/datasets",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert (
        preflight.status_code == 200 and "GET" in preflight.headers["access-control-allow-methods"]
    )


def test_docs_page_works_offline(client: AppClient):
    page = client.get("/api/")
    assert page.status_code == 200
    assert "/api/assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower() and "https://" not in page.text.replace(
        "https://fastapi.tiangolo.com", ""
    )
    script = client.get("/api/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
    assert client.get("/api/assets/../../etc/passwd").status_code == 404
    spec = client.get("/api/openapi.json").json()
    for path in (
        "/api/v1/datasets",
        "/api/v1/datasets/{publisher}/{name}/resources/{resource}/rows",
        "/api/3/action/package_search",
        "/api/3/action/datastore_search_sql",
    ):
        assert path in spec["paths"], path
    schemas = spec["components"]["schemas"]
    assert "Dataset" in schemas and "resources" in schemas["Dataset"]["properties"]


def test_before_the_first_build(tmp_path: Path):
    client = api_client(tmp_path / "nothing")
    assert client.get("/api/v1/status").json()["status"] == "no-build"
    response = client.get("/api/v1/datasets")
    assert response.status_code == 503
    assert "catalog build" in response.json()["error"]["hint"]
    ckan = client.get("/api/3/action/package_list")
    assert ckan.status_code == 503 and ckan.json()["success"] is False


# ------------------------------------------------------------------ hostile input

TABLE = "mides__bono_social_cobertura__cobertura"
SEARCH = "/api/3/action/datastore_search"
SQL = "/api/3/action/datastore_search_sql"
EN = {"Accept-Language": "en"}


def _ckan_error(response, status: int) -> dict:
    assert response.status_code == status, response.text[:300]
    body = response.json()
    assert body["success"] is False and "Traceback" not in response.text
    return body["error"]


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (str(10**30), "out of range"),
        (str(-(10**30)), "out of range"),
        (str(2**63), "out of range"),
        ("1e400", "out of range"),
        ("NaN", "not a number JSON allows"),
        ("-Infinity", "not a number JSON allows"),
        ('{"a": 1}', "texts or numbers"),
        ("[[1], [2]]", "texts or numbers"),
        ('"\\ud800"', "not valid text"),
        ('[[[[[[[[[["deep"]]]]]]]]]]', "nested too deeply"),
    ],
)
def test_filters_out_of_range_or_of_the_wrong_shape_are_409(client: AppClient, raw: str, says):
    body = '{"resource_id": "' + TABLE + '", "filters": {"departamento": ' + raw + "}}"
    response = client.post(SEARCH, content=body, headers={"Content-Type": "application/json", **EN})
    assert says in _ckan_error(response, 409)["message"]


def test_filters_within_range_still_match(client: AppClient):
    body = {"resource_id": TABLE, "filters": {"anio": [2**63 - 1, 2023]}, "limit": 1}
    found = client.post(SEARCH, json=body).json()["result"]
    assert found["total"] > 0 and found["records"][0]["anio"] == 2023


@pytest.mark.parametrize(
    "fq",
    [
        "metadata_modified:[NOW-99999999999YEARS TO NOW]",
        "metadata_modified:[NOW+99999999999YEARS TO *]",
        "metadata_modified:[* TO NOW-99999999999999999999999999999DAYS]",
        "metadata_modified:NOW-99999999999YEARS",
        "metadata_created:{NOW/DAY-9999999999MONTHS TO NOW}",
        'metadata_modified:["9999-12-31T23:59:59-05:00" TO *]',
        'metadata_modified:["0001-01-01T00:00:00+05:00" TO *]',
    ],
)
def test_date_math_and_dates_past_the_calendar_are_400(client: AppClient, fq: str):
    response = client.get("/api/3/action/package_search", params={"fq": fq}, headers=EN)
    error = _ckan_error(response, 400)
    assert error["__type"] == "Search Query Error" and "(in fq)" in error["message"]


def test_date_math_within_the_calendar_still_works(client: AppClient):
    for fq in ("metadata_modified:[NOW-10YEARS TO NOW]", "metadata_modified:[NOW/DAY-1DAY TO *]"):
        found = client.get("/api/3/action/package_search", params={"fq": fq}).json()
        assert found["result"]["count"] == DEMO_DATASETS
    future = "metadata_modified:[NOW+1000YEARS TO *]"
    assert client.get("/api/3/action/package_search", params={"fq": future}).json()["success"]
    since = client.get("/api/v1/datasets", params={"modified_since": "9999-12-31T23:59:59-05:00"})
    assert since.status_code == 400 and since.json()["error"]["fields"]["modified_since"]


def test_deeply_nested_json_is_a_409_not_a_crash(client: AppClient):
    nested = "[" * 100_000 + "]" * 100_000
    headers = {"Content-Type": "application/json", **EN}
    body = _ckan_error(
        client.post("/api/3/action/package_search", content=nested, headers=headers), 409
    )
    assert "nested too deeply" in body["message"]
    in_query = client.get(SEARCH, params={"resource_id": TABLE, "filters": "[" * 3000}, headers=EN)
    assert "nested too deeply" in _ckan_error(in_query, 409)["message"]
    for name in ("fields", "sort", "q"):
        deep = client.get(SEARCH, params={"resource_id": TABLE, name: "[" * 3000})
        assert deep.status_code == 409


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/3/action/package_search", {"rows": "99999999999999999999"}),
        ("/api/3/action/package_search", {"start": "99999999999999999999"}),
        ("/api/3/action/current_package_list_with_resources", {"page": "99999999999999999999"}),
        ("/api/3/action/package_list", {"offset": "99999999999999999999"}),
        ("/api/3/action/package_list", {"limit": "99999999999999999999"}),
        (SEARCH, {"resource_id": TABLE, "offset": "99999999999999999999"}),
        (SEARCH, {"resource_id": TABLE, "limit": "99999999999999999999"}),
        ("/api/v1/datasets", {"limit": "99999999999999999999"}),
        ("/api/v1/datasets", {"cursor": "eyJvIjoxZTQwMCwiayI6IngifQ"}),  # {"o":1e400,"k":"x"}
        ("/api/v1/datasets", {"cursor": "W1tbW1tbW1tbW1tbW1tbW1tbW1tbW10"}),
        ("/api/v1/datasets", {"cursor": "%%%"}),
        (f"{BONO}/resources/cobertura/rows", {"offset": "99999999999999999999"}),
        (f"{BONO}/resources/cobertura/rows", {"limit": "99999999999999999999"}),
    ],
)
def test_huge_paging_numbers_and_cursor_garbage_are_4xx(client: AppClient, path: str, params):
    response = client.get(path, params=params)
    assert 400 <= response.status_code < 500, response.text[:300]
    assert "Traceback" not in response.text


def test_lists_where_texts_are_expected_are_409(client: AppClient):
    json_body = {"Content-Type": "application/json"}
    for body in ('{"id": ["a", "b"]}', '{"id": {"a": 1}}', '{"id": "\\ud800"}'):
        response = client.post("/api/3/action/package_show", content=body, headers=json_body)
        assert _ckan_error(response, 409)["__type"] == "Validation Error"
    sql = client.post(SQL, json={"sql": ["SELECT 1"]})
    assert _ckan_error(sql, 409)["sql"]


def test_too_many_wildcards_are_refused_before_they_cost(client: AppClient):
    q = " ".join(f"*{chr(97 + i)}*" for i in range(11))
    response = client.get("/api/3/action/package_search", params={"q": q}, headers=EN)
    assert "Too many wildcard words (11)" in _ckan_error(response, 400)["message"]
    assert (
        client.get("/api/3/action/package_search", params={"q": "educ* salud"}).status_code == 200
    )


def test_sql_blobs_come_back_as_base64(client: AppClient):
    sql = "SELECT x'00ff' AS b, randomblob(10) AS r, zeroblob(5) AS z, 1 AS n"
    result = client.post(SQL, json={"sql": sql}).json()["result"]
    record = result["records"][0]
    assert record["b"] == "AP8=" and record["z"] == "AAAAAAA=" and len(record["r"]) == 16
    types = {f["id"]: f["type"] for f in result["fields"]}
    assert types == {"b": "bytea", "r": "bytea", "z": "bytea", "n": "int"}
    fts = client.post(SQL, json={"sql": "SELECT * FROM datasets_fts_data LIMIT 2"})
    assert fts.status_code == 200 and fts.json()["result"]["records"]


def test_sql_answers_are_capped_in_bytes_per_value_and_in_total(client: AppClient, monkeypatch):
    big = f'SELECT hex(zeroblob(600000)) AS big FROM "{TABLE}" LIMIT 100'  # 1.2 MB each
    error = _ckan_error(client.post(SQL, json={"sql": big}, headers=EN), 409)
    assert error["message"].startswith("The query builds a value larger than 1 MiB")
    # printf itself answers NULL past the limit instead of failing: still nothing built.
    huge = f"SELECT printf('%.*c', 9000000, 'x') AS big FROM \"{TABLE}\" LIMIT 100"
    records = client.post(SQL, json={"sql": huge}).json()["result"]["records"]
    assert len(records) == 100 and records[0] == {"big": None}
    many = f"SELECT printf('%.*c', 1000000, 'x') AS big FROM \"{TABLE}\""
    error = _ckan_error(client.post(SQL, json={"sql": many}, headers=EN), 409)
    assert "larger than 16 MiB" in error["message"] and "Add a LIMIT" in error["message"]
    monkeypatch.setenv("CATALOG_API_ROWS_MAX_BYTES", "2k")
    rows = client.post(SEARCH, json={"resource_id": TABLE, "limit": 1000}, headers=EN)
    assert "larger than 2 KiB" in _ckan_error(rows, 409)["message"]
    few = client.post(SEARCH, json={"resource_id": TABLE, "limit": 2})
    assert few.status_code == 200 and len(few.json()["result"]["records"]) == 2
    native = client.get(f"{BONO}/resources/cobertura/rows", params={"limit": 1000})
    assert native.status_code == 400 and native.json()["error"]["fields"]["limit"]


def test_sql_can_be_turned_off(client: AppClient, monkeypatch):
    monkeypatch.setenv("CATALOG_API_SQL", "off")
    error = _ckan_error(client.post(SQL, json={"sql": "SELECT 1"}, headers=EN), 403)
    assert error["__type"] == "Authorization Error" and "turned off" in error["message"]
    assert client.post(SEARCH, json={"resource_id": TABLE, "limit": 1}).status_code == 200


def test_absolute_urls_come_from_the_configured_base_not_the_host_header(
    client: AppClient, demo_build: Path, monkeypatch
):
    from limits import parse

    monkeypatch.setenv("CATALOG_BASE_URL", "https://datos.example.gob.gt")
    forged = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    for path in ("/api/3/action/package_list", "/api/3/action/package_show?id=nope"):
        response = client.get(path, headers=forged)
        assert response.json()["help"].startswith("https://datos.example.gob.gt/api/3/action/")
        assert "evil" not in response.text
    slash = client.get("/api/v1/datasets/?q=salud", headers=forged, follow_redirects=False)
    assert slash.status_code == 307 and slash.headers["location"] == "/api/v1/datasets?q=salud"
    native = client.get("/api/v1/datasets", params={"limit": 1}, headers=forged).json()
    assert native["next"].startswith("https://datos.example.gob.gt/api/v1/datasets?")
    limited = api_client(demo_build, LimitSettings(parse("1/minute")))
    refused = [limited.get("/api/3/action/package_list", headers=forged) for _ in range(2)][-1]
    assert refused.status_code == 429 and "evil" not in refused.text
    assert refused.json()["help"].startswith("https://datos.example.gob.gt/")
