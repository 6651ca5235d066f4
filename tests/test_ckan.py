"""The CKAN-compatible Action API, driven by the real ckanapi client against `catalog serve`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import ckanapi
import httpx
import pytest
from conftest import DEMO_DATASETS, free_port, serving

REPO = Path(__file__).resolve().parent.parent
CKANAPI = str(Path(sys.executable).with_name("ckanapi"))
BONO = "mides--bono-social-cobertura"


@pytest.fixture(scope="module")
def portal(demo_build: Path):
    """`catalog serve` in a subprocess, with its public base URL set to where it listens."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_API_")}
    env["CATALOG_BASE_URL"] = url
    with serving(demo_build, port, env=env, ready="/api/3/action/site_read"):
        yield url


@pytest.fixture(scope="module")
def ckan(portal: str) -> ckanapi.RemoteCKAN:
    return ckanapi.RemoteCKAN(portal, user_agent="catalog-tests")


def cli(*args: str) -> subprocess.CompletedProcess:
    # ckanapi dump starts its workers as "ckanapi" from PATH.
    env = {**os.environ, "PATH": f"{Path(CKANAPI).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run([CKANAPI, *args], capture_output=True, text=True, timeout=300, env=env)


def test_cli_action_package_search(portal: str):
    result = cli("action", "package_search", "q=salud", "rows=2", "-r", portal)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["count"] == 4 and len(found["results"]) == 2
    assert all(r["organization"]["name"] for r in found["results"])


def test_cli_dump_datasets_all(portal: str, tmp_path: Path):
    out = tmp_path / "datasets.jsonl"
    result = cli("dump", "datasets", "--all", "-O", str(out), "-q", "-r", portal)
    assert result.returncode == 0, result.stderr
    packages = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(packages) == DEMO_DATASETS
    assert {p["name"] for p in packages} >= {BONO, "ine--hechos-delictivos"}
    assert all(p["resources"] and p["type"] == "dataset" for p in packages)


def test_cli_search_datasets(portal: str):
    result = cli("search", "datasets", 'q:"educación"', "-r", portal)
    assert result.returncode == 0, result.stderr
    names = [json.loads(line)["name"] for line in result.stdout.splitlines()]
    assert names and all(n.count("--") == 1 for n in names)
    everything = cli("search", "datasets", "-r", portal)
    assert len(everything.stdout.splitlines()) == DEMO_DATASETS


def test_package_show_has_ckan_fields_and_real_downloads(ckan: ckanapi.RemoteCKAN, portal: str):
    package = ckan.action.package_show(id=BONO)
    for key in (
        "name", "title", "notes", "license_id", "license_title", "license_url", "organization",
        "owner_org", "tags", "groups", "resources", "num_resources", "num_tags",
        "metadata_created", "metadata_modified", "extras", "url", "version", "author",
        "maintainer", "maintainer_email",
    ):  # fmt: skip
        assert key in package, key
    assert package["id"] == package["name"] == BONO
    assert package["state"] == "active" and package["private"] is False
    assert package["organization"]["name"] == package["owner_org"] == "mides"
    assert package["tags"][0]["display_name"] and package["groups"][0]["title"]
    assert package["metadata_created"] <= package["metadata_modified"]
    resource = package["resources"][0]
    assert resource["package_id"] == BONO and resource["datastore_active"] is True
    assert resource["format"] == "CSV" and resource["url"].startswith(portal)
    download = httpx.get(resource["url"])
    assert download.status_code == 200 and len(download.content) == resource["size"]
    assert ckan.action.resource_show(id=resource["id"])["url"] == resource["url"]
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="mides--no-existe")


def test_harvester_queries(ckan: ckanapi.RemoteCKAN):
    """What a CKAN harvester sends: modified-since range, id order, paging with start/rows."""
    since = "metadata_modified:[2024-01-01T00:00:00Z TO *]"
    names = []
    for start in range(0, 40, 10):
        page = ckan.action.package_search(fq=since, sort="id asc", rows=10, start=start)
        assert page["count"] == DEMO_DATASETS
        names += [p["name"] for p in page["results"]]
    assert names == sorted(names) and len(set(names)) == DEMO_DATASETS
    future = ckan.action.package_search(fq="metadata_modified:[2999-01-01T00:00:00Z TO *]")
    assert future["count"] == 0 and future["results"] == []


def test_package_search_facets_as_ckan_shapes_them(ckan: ckanapi.RemoteCKAN):
    found = ckan.action.package_search(
        q="*:*", rows=0, **{"facet.field": ["organization", "groups", "tags"], "facet.limit": 3}
    )
    assert found["count"] == DEMO_DATASETS and found["results"] == []
    orgs = found["search_facets"]["organization"]
    assert orgs["title"] == "organization" and len(orgs["items"]) == 3
    item = orgs["items"][0]
    assert set(item) == {"name", "display_name", "count"} and item["display_name"] != item["name"]
    assert found["facets"]["organization"][item["name"]] == item["count"]
    mspas = ckan.action.package_search(fq="organization:mspas", sort="title_string asc")
    assert mspas["count"] == 3
    titles = [p["title"] for p in mspas["results"]]
    assert titles == sorted(titles)
    negated = ckan.action.package_search(q="-organization:mspas", rows=0)
    assert negated["count"] == DEMO_DATASETS - 3


def test_organizations_groups_tags_licences(ckan: ckanapi.RemoteCKAN):
    orgs = ckan.action.organization_list()
    assert len(orgs) == 12 and "mides" in orgs
    full = ckan.action.organization_list(all_fields=True)
    assert sum(o["package_count"] for o in full) == DEMO_DATASETS
    mides = ckan.action.organization_show(id="mides", include_datasets=True)
    assert mides["package_count"] == len(mides["packages"]) > 0
    groups = ckan.action.group_list(all_fields=True)
    heal = next(g for g in groups if g["name"] == "heal")
    assert heal["title"] == "Salud" and heal["package_count"] >= 3
    assert ckan.action.group_show(id="HEAL")["name"] == "heal"
    tags = ckan.action.tag_list()
    assert "salud" in tags
    assert [t for t in ckan.action.tag_list(query="salud") if "salud" not in t.lower()] == []
    licences = {lic["id"]: lic for lic in ckan.action.license_list()}
    assert licences["CC-BY-4.0"]["url"].startswith("https://creativecommons.org")
    status = ckan.action.status_show()
    assert status["ckan_version"].startswith("2.") and "datastore" in status["extensions"]
    assert len(ckan.action.package_list()) == DEMO_DATASETS
    current = ckan.action.current_package_list_with_resources(limit=5)
    assert len(current) == 5 and current[0]["resources"]


def test_datastore_search(ckan: ckanapi.RemoteCKAN):
    resource = ckan.action.package_show(id=BONO)["resources"][0]
    page = ckan.action.datastore_search(resource_id=resource["id"], limit=3)
    assert page["total"] == resource["rows"] and len(page["records"]) == 3
    assert page["fields"][0] == {"id": "_id", "type": "int"}
    column = page["fields"][1]["id"]
    value = page["records"][0][column]
    filtered = ckan.action.datastore_search(
        resource_id=resource["id"], filters={column: value}, fields=[column], sort=f"{column} desc"
    )
    assert filtered["total"] >= 1 and all(r == {column: value} for r in filtered["records"])
    lists = ckan.action.datastore_search(
        resource_id=resource["id"], limit=2, records_format="lists"
    )
    assert isinstance(lists["records"][0], list)
    as_csv = ckan.action.datastore_search(resource_id=resource["id"], limit=2, records_format="csv")
    assert len(as_csv["records"].splitlines()) == 2
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id=resource["id"], filters={"nope": 1})
    with pytest.raises(ckanapi.NotFound):
        ckan.action.datastore_search(resource_id="no_such_table")


def test_datastore_search_sql_reads_but_never_writes(ckan: ckanapi.RemoteCKAN):
    resource = ckan.action.package_show(id=BONO)["resources"][0]
    found = ckan.action.datastore_search_sql(sql=f'SELECT count(*) AS n FROM "{resource["id"]}"')
    assert found["records"] == [{"n": resource["rows"]}]
    joined = ckan.action.datastore_search_sql(
        sql="SELECT d.id, count(r.name) AS n FROM datasets d JOIN resources r ON r.dataset = d.id "
        "GROUP BY d.id ORDER BY d.id"
    )
    assert len(joined["records"]) == DEMO_DATASETS
    for sql in (
        "DELETE FROM datasets",
        "UPDATE datasets SET title = 'x'",
        "DROP TABLE datasets",
        "ATTACH DATABASE '/tmp/x.db' AS x",
        "PRAGMA writable_schema = 1",
        "CREATE TABLE t (x)",
    ):
        with pytest.raises(ckanapi.NotAuthorized):
            ckan.action.datastore_search_sql(sql=sql)
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search_sql(sql="SELECT 1; DELETE FROM datasets")
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search_sql(sql="SELEC nonsense")
    assert ckan.action.package_search(rows=0)["count"] == DEMO_DATASETS


def test_get_and_post_give_the_same_answer(portal: str):
    get = httpx.get(portal + "/api/3/action/package_search", params={"q": "salud", "rows": "3"})
    post = httpx.post(portal + "/api/action/package_search", json={"q": "salud", "rows": 3})
    assert get.status_code == post.status_code == 200
    assert get.json()["result"] == post.json()["result"]
    assert get.json()["help"].endswith("help_show?name=package_search")
    ignored = httpx.post(
        portal + "/api/3/action/package_show", json={"id": BONO, "use_default_schema": True}
    )
    assert ignored.json()["success"] is True


def test_a_forged_host_header_never_reaches_a_link(portal: str):
    forged = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    for action in ("package_search?rows=1", "package_show?id=no-such-dataset", "no_such_action"):
        response = httpx.get(f"{portal}/api/3/action/{action}", headers=forged)
        assert response.json()["help"].startswith(portal + "/api/3/action/help_show?name=")
        assert "evil.example" not in response.text


def test_hostile_values_get_ckan_errors_not_crashes(ckan: ckanapi.RemoteCKAN):
    resource = ckan.action.package_show(id=BONO)["resources"][0]["id"]
    for value in (10**30, [[1]], {"a": 1}):
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.datastore_search(resource_id=resource, filters={"departamento": value})
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(fq="metadata_modified:[NOW-99999999999YEARS TO NOW]")
    blobs = ckan.action.datastore_search_sql(sql="SELECT x'00ff' AS b")
    assert blobs["records"] == [{"b": "AP8="}] and blobs["fields"][0]["type"] == "bytea"
