"""The downloads for large data (gzip CSV, Parquet, NDJSON) in DCAT, data.json and CKAN."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCAT
from test_serve import AppClient

from catalog import urls
from catalog.api import create_api
from catalog.api.limits import LimitSettings
from catalog.serve import make_app
from catalog.standards import facts

BONO = ("mides", "bono-social-cobertura")


def manifest(rows: int) -> dict:
    return {
        "dataset": "mides/grande",
        "publisher": "mides",
        "name": "grande",
        "package": {"name": "grande", "title": "Grande", "resources": [{"name": "t"}]},
        "tables": [{"name": "mides__grande__t", "resource": "t", "rows": rows, "columns": []}],
    }


def test_facts_list_each_table_s_downloads_with_media_types():
    small = {d.url.rsplit(".", 1)[-1]: d for d in facts.downloads(manifest(10)) if d.resource}
    assert small["parquet"].media_type == "application/vnd.apache.parquet"
    assert small["gz"].media_type == "application/gzip" and small["gz"].url.endswith(".csv.gz")
    assert small["json"].media_type == "application/json" and "xlsx" in small
    big = [d.url for d in facts.downloads(manifest(2_000_000)) if d.resource]
    assert any(u.endswith(".ndjson") for u in big)
    assert not any(u.endswith((".json", ".xlsx")) for u in big)


@pytest.fixture(scope="module")
def client(demo_build: Path) -> AppClient:
    app = make_app(demo_build)
    app.api = create_api(app.current, limits=LimitSettings(None))
    return AppClient(app)


def test_dcat_lists_parquet_and_gzip_distributions(demo_build: Path):
    g = rdflib.Graph().parse(demo_build / "current" / "site" / "catalog.ttl", format="turtle")
    pub, name = BONO
    media = {}
    for kind in ("parquet", "csv.gz"):
        url = rdflib.URIRef(urls.absolute(urls.download(pub, name, "cobertura", kind)))
        [node] = list(g.subjects(DCAT.downloadURL, url))
        media[kind] = str(g.value(node, DCAT.mediaType))
    assert media["parquet"].endswith("/application/vnd.apache.parquet")
    assert media["csv.gz"].endswith("/application/gzip")


def test_data_json_lists_the_new_distributions(demo_build: Path):
    document = json.loads((demo_build / "current" / "site" / "data.json").read_text("utf-8"))
    types = {d["mediaType"] for dataset in document["dataset"] for d in dataset["distribution"]}
    assert {"application/vnd.apache.parquet", "application/gzip", "text/csv"} <= types


def test_ckan_resources_list_every_download_with_its_media_type(client: AppClient):
    pub, name = BONO
    body = client.get("/api/3/action/package_show", params={"id": f"{pub}--{name}"}).json()
    [resource] = [r for r in body["result"]["resources"] if r["resource_name"] == "cobertura"]
    listed = {d["format"]: d for d in resource["distributions"]}
    assert set(listed) == set(resource["downloads"]) >= {"csv", "csv.gz", "parquet"}
    assert listed["parquet"]["mimetype"] == "application/vnd.apache.parquet"
    assert listed["csv.gz"]["url"].endswith("/cobertura.csv.gz")
    site = client.get(urls.download(pub, name, "cobertura", "parquet"))
    assert site.status_code == 200 and site.content[:4] == b"PAR1"
