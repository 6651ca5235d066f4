"""``catalog harvest`` against a real ``catalog serve``: this portal's own CKAN Action API,
``/data.json``, ``/catalog.ttl`` and ``/catalog.jsonld`` are harvest sources. What is
harvested is then built with ``catalog build``, and the datasets are there."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, free_port, run_catalog, serving

from catalog.harvest.net import Limits
from catalog.harvest.run import HarvestReport, Options, harvest

LOCAL = Limits(allow_private=True, timeout=30)
# A few demo datasets (a CSV one, one of XLSX origin), and a directory of staff that the
# other portal publishes under a legal basis the source does not carry: harvested, the
# privacy gate must stop it.
CHOSEN = ["mides/bono-social-cobertura", "ine/hechos-delictivos", "minfin/ejecucion-presupuestaria"]
PUBLISHED = set(CHOSEN)
PERSONAL = "mides/directorio-de-enlaces"
GIVEN = ["María", "José", "Ana", "Juan", "Lucía", "Carlos", "Rosa", "Pedro", "Elena", "Luis"]
SURNAMES = ["García", "López", "Pérez", "Xicará", "Cux", "Tzoc", "Ramírez", "Morales", "Ajú"]


def _directory(folder: Path) -> None:
    """A directory of municipal liaisons: names, office phones and e-mails."""
    rows = ["nombre,telefono,correo,municipio"]
    for i in range(60):
        given, surname = GIVEN[i % len(GIVEN)], SURNAMES[(i * 7) % len(SURNAMES)]
        other = SURNAMES[(i * 3 + 1) % len(SURNAMES)]
        user = (
            f"{given[0]}{surname}{i}".lower().replace("í", "i").replace("é", "e").replace("ú", "u")
        )
        rows.append(
            f"{given} {surname} {other},+502 2{i:03d}-{4000 + i},{user}@mides.gob.gt,{101 + i % 17:04d}"
        )
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "enlaces.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    basis = "Decreto 57-2008, art. 10, num. 3"
    package = json.loads(
        (REPO / "datasets/mides/bono-social-cobertura/datapackage.json").read_text()
    )
    for key in ("temporal", "spatial", "sources", "obligations", "indicators"):
        package.pop(key, None)
    package.update(
        name="directorio-de-enlaces",
        title="Directorio de enlaces municipales (datos de ejemplo)",
        description="Datos de ejemplo: enlaces municipales del MIDES con teléfono y correo oficial.",
        keywords=["directorio", "enlaces"],
        themes=["GOVE"],
        resources=[
            {
                "name": "enlaces",
                "path": "data/enlaces.csv",
                "format": "csv",
                "schema": {
                    "fields": [
                        {"name": "nombre", "type": "string"},
                        {"name": "telefono", "type": "string"},
                        {"name": "correo", "type": "string"},
                        {"name": "municipio", "type": "string"},
                    ]
                },
                "privacy": {
                    "publicPersonalData": [
                        {"field": f, "legalBasis": basis} for f in ("nombre", "telefono", "correo")
                    ]
                },
            }
        ],
    )
    (folder / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False), "utf-8")


@pytest.fixture(scope="module")
def other_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Another portal: a content root of a few demo datasets, built with its own address
    (its DCAT documents carry absolute links) and served by ``catalog serve``."""
    root = tmp_path_factory.mktemp("other-portal")
    for dataset in CHOSEN:
        publisher = dataset.split("/")[0]
        shutil.copytree(REPO / "datasets" / dataset, root / "datasets" / dataset)
        (root / "publishers").mkdir(exist_ok=True)
        shutil.copy(REPO / "publishers" / f"{publisher}.yaml", root / "publishers")
    _directory(root / "datasets" / PERSONAL)
    port = free_port()
    env = {**os.environ, "CATALOG_BASE_URL": f"http://127.0.0.1:{port}"}
    import subprocess
    import sys

    built = subprocess.run(
        [sys.executable, "-m", "catalog", "build", "--root", str(root), "--lang", "en"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    with serving(root / "build", port, env=env):
        yield f"http://127.0.0.1:{port}"


def _run(url: str, root: Path, kind: str | None = None) -> HarvestReport:
    report = harvest(Options(url=url, root=root, kind=kind, limits=LOCAL))
    assert report.failure is None, report.failure_message("en")
    return report


def _by_event(report: HarvestReport) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for outcome in report.outcomes:
        found.setdefault(outcome.event, set()).add(outcome.dataset)
    return found


def test_harvest_the_ckan_api_then_build_it(other_portal, tmp_path):
    root = tmp_path / "harvested"
    report = _run(other_portal + "/", root)
    events = _by_event(report)
    assert events["created"] == PUBLISHED
    assert events["refused"] == {PERSONAL}  # published there under a legal basis; not here
    refused = next(o for o in report.outcomes if o.event == "refused")
    assert refused.code == "privacy" and refused.params["kind"] == "privacy-direct-identifier"
    assert not (root / "datasets" / PERSONAL).exists()
    package = json.loads(
        (root / "datasets/mides/bono-social-cobertura/datapackage.json").read_text("utf-8")
    )
    assert package["themes"] == ["SOCI"] and package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["frequency"] == "quarterly"
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert fields["departamento"]["type"] == "string"  # the source's schema, kept
    assert (root / "publishers" / "mides.yaml").is_file()

    again = _run(other_portal + "/", root)
    assert again.counts["created"] == again.counts["updated"] == 0
    assert again.counts["unchanged"] == 3

    built = run_catalog("build", "--root", str(root), "--lang", "en")
    assert built.returncode == 0, built.stdout + built.stderr
    result = json.loads((root / "build" / "report.json").read_text("utf-8"))
    published = {d["dataset"] for d in result["datasets"] if d["status"] == "published"}
    assert PUBLISHED <= published, result


@pytest.mark.parametrize(
    ("path", "kind", "slugs"),
    [
        (
            "/data.json",
            None,
            {"ministerio-de-desarrollo-social", "instituto-nacional-de-estadistica"},
        ),
        ("/catalog.ttl", None, {"mides", "ine", "minfin"}),
        ("/catalog.jsonld", "dcat", {"mides", "ine", "minfin"}),
    ],
)
def test_harvest_the_dcat_documents(other_portal, tmp_path, path, kind, slugs):
    report = _run(other_portal + path, tmp_path, kind)
    events = _by_event(report)
    created = events.get("created", set())
    assert {d.split("/")[1] for d in created} == {d.split("/")[1] for d in PUBLISHED}, report
    assert {d.split("/")[0] for d in created} <= slugs | {"ministerio-de-finanzas-publicas"}
    assert {d.split("/")[1] for d in events["refused"]} == {PERSONAL.split("/")[1]}
    for dataset in created:
        package = json.loads((tmp_path / "datasets" / dataset / "datapackage.json").read_text())
        assert package["resources"] and package["resources"][0]["path"].endswith(".csv")


def test_harvest_the_whole_demo_portal(demo_build, tmp_path):
    """Every demo dataset comes over or is refused with its reason (the demo's personal
    data was published under legal bases that a harvest does not carry). A server of its
    own that announces its own address (``make test`` exports CATALOG_BASE_URL for port
    8000, where the resources' links would otherwise point)."""
    port = free_port()
    env = {**os.environ, "CATALOG_BASE_URL": f"http://127.0.0.1:{port}"}
    with serving(demo_build, port, env=env):
        report = _run(f"http://127.0.0.1:{port}/api/3/action/", tmp_path / "root")
    tmp_path = tmp_path / "root"
    demo = {p.parent.relative_to(REPO / "datasets").as_posix() for p in
            (REPO / "datasets").glob("*/*/datapackage.json")}  # fmt: skip
    seen = {o.dataset for o in report.outcomes}
    assert demo <= seen
    assert report.counts["created"] >= 25
    refused = {o.dataset: o.code for o in report.outcomes if o.event == "refused"}
    assert set(refused.values()) <= {"privacy", "invalid", "no-tabular"}
    # The harvester downloads CSV and XLSX: a report published only as JSON is refused
    # with that reason (docs/harvesting.md).
    assert refused.get("segeplan/cooperacion-internacional") == "no-tabular"
    for outcome in report.outcomes:
        folder = tmp_path / "datasets" / outcome.dataset
        assert (folder / "datapackage.json").is_file() == (outcome.event == "created")
