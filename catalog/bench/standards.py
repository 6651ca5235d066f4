"""Benchmark of the open-metadata documents (catalog/standards) for a large catalogue.

Generates the build manifests of ``DATASETS`` datasets (50 publishers, every theme,
municipalities across the country, two tables each) in memory, then times
``write_documents`` as a whole and each document family alone, and the schema.org
JSON-LD of every dataset page.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

from catalog import standards, territories
from catalog.release.manifest import Manifest
from catalog.standards import datajson, dcat, feeds, sitemap
from catalog.vocabularies import codes

DATASETS = 5_000
PUBLISHERS = 50


def manifests(count: int = DATASETS) -> list[Manifest]:
    """``count`` manifests shaped like the build's, deterministic."""
    themes = codes("themes")
    places = [m["code"] for m in territories.municipalities()]
    return [_manifest(i, themes, places) for i in range(count)]


def publishers(count: int = PUBLISHERS) -> dict[str, dict[str, Any]]:
    return {
        f"pub-{i:02d}": {
            "name": f"Institución pública de ejemplo {i}",
            "acronym": f"IPE{i}",
            "kind": "ministry" if i % 5 else "municipality",
            "jurisdiction": {"country": "GT"},
            "website": f"https://pub{i}.gob.gt",
            "email": f"info@pub{i}.gob.gt",
        }
        for i in range(count)
    }


def _manifest(i: int, themes: list[str], places: list[str]) -> Manifest:
    pub, name = f"pub-{i % PUBLISHERS:02d}", f"conjunto-{i:05d}"
    modified = date(2020, 1, 1) + timedelta(days=i % 2000)
    fields = [{"name": f"campo_{k}", "type": "integer", "title": f"Campo {k}"} for k in range(8)]
    resources = [
        {
            "name": f"tabla{r}",
            "title": f"Tabla {r} del conjunto {i}",
            "path": f"data/t{r}.csv",
            "format": "csv",
            "schema": {"fields": fields},
        }
        for r in range(2)
    ]
    package = {
        "name": name,
        "title": f"Conjunto de datos de ejemplo número {i}",
        "description": f"Datos de ejemplo del conjunto {i}, generados para medir el portal.",
        "publisher": pub,
        "keywords": ["ejemplo", f"tema {i % 40}"],
        "themes": [themes[i % len(themes)], themes[(i * 7) % len(themes)]],
        "licenses": [{"name": "CC-BY-4.0"}],
        "frequency": "annual",
        "contactPoint": {"name": "Unidad de Información Pública", "email": "uip@ejemplo.gob.gt"},
        "version": "1.0.0",
        "issued": "2020-01-01",
        "modified": modified.isoformat(),
        "temporal": {"start": "2020-01-01", "end": "2024-12-31"},
        "spatial": {"country": "GT", "municipalities": [places[i % len(places)]]},
        "resources": resources,
    }
    # Table plans with what the documents read of one (name, resource, title, rows).
    return cast(
        Manifest,
        {
            "dataset": f"{pub}/{name}",
            "publisher": pub,
            "name": name,
            "package": package,
            "readme": f"# {package['title']}\n\n{package['description']}\n",
            "queries": {},
            "tables": [
                {
                    "name": f"{pub}__{name}__{r['name']}",
                    "resource": r["name"],
                    "title": r["title"],
                    "rows": 1000,
                }
                for r in resources
            ],
        },
    )


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(workdir: Path) -> dict[str, Any]:
    """Seconds to write every document for ``DATASETS`` datasets, and their sizes."""
    data, pubs = manifests(), publishers()
    site = workdir / "standards-site"
    written: list[Path] = []
    total = _timed(lambda: written.extend(standards.write_documents(site, data, pubs, "es")))
    graph = dcat.graph(data, pubs, "es")
    return {
        "datasets": len(data),
        "write_documents_s": total,
        "files_written": len(written),
        "dcat_graph_s": _timed(lambda: dcat.graph(data, pubs, "es")),
        "dcat_turtle_s": _timed(lambda: dcat.turtle(graph)),
        "dcat_jsonld_s": _timed(lambda: dcat.jsonld(graph)),
        "data_json_s": _timed(lambda: datajson.document(data, pubs, "es")),
        "feeds_s": _timed(lambda: feeds.write_feeds(site, data, pubs, "es")),
        "sitemap_s": _timed(lambda: sitemap.write_sitemaps(site, data, pubs)),
        "schema_org_all_pages_s": _timed(
            lambda: [standards.schema_org(m, pubs[m["publisher"]], "es") for m in data]
        ),
        "catalog_ttl_mb": (site / "catalog.ttl").stat().st_size / 2**20,
        "catalog_jsonld_mb": (site / "catalog.jsonld").stat().st_size / 2**20,
        "data_json_mb": (site / "data.json").stat().st_size / 2**20,
    }


if __name__ == "__main__":
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(run(Path(tmp)), indent=2))
