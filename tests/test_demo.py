"""The demo catalogue: reproducible, big enough, valid, and honest about privacy."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import frictionless
import pytest

from catalog import metadata, territories, vocabularies
from catalog.content import discover, read_json, read_yaml
from catalog.demo import generate
from catalog.demo.publishers import PUBLISHERS

REPO = Path(__file__).resolve().parent.parent
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"(?<![\d.,])(\+502 ?)?[2-7]\d{3}[- ]\d{4}(?![\d.,])")


def _content(path: Path) -> object:
    """A file's bytes; for XLSX its cell values, because openpyxl writes the same
    workbook with slightly different XML depending on whether lxml is installed."""
    if path.suffix != ".xlsx":
        return path.read_bytes()
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def _files(root: Path) -> dict[str, object]:
    return {
        p.relative_to(root).as_posix(): _content(p)
        for folder in ("publishers", "datasets")
        for p in sorted((root / folder).rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def refs() -> list:
    return discover(REPO)


@pytest.fixture(scope="module")
def packages(refs: list) -> dict[str, dict]:
    return {ref.id: read_json(ref.descriptor_path) for ref in refs}


def test_regenerating_gives_the_committed_files(tmp_path: Path):
    generate(tmp_path)
    fresh, committed = _files(tmp_path), _files(REPO)
    assert sorted(fresh) == sorted(committed), "run: python -m catalog.demo ."
    changed = [name for name in fresh if fresh[name] != committed[name]]
    assert not changed, f"regenerate the demo (python -m catalog.demo .): {changed[:5]}"


def test_generation_is_deterministic(tmp_path: Path):
    generate(tmp_path / "a")
    generate(tmp_path / "b")
    generate(tmp_path / "b")  # a second run over existing output changes nothing
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_size_of_the_catalogue(refs: list, packages: dict):
    publishers = metadata.load_publishers(REPO)
    assert len(publishers) >= 10
    assert sum(p["kind"] == "municipality" for p in publishers.values()) >= 4
    assert {"mides", "mineduc", "mspas", "minfin", "segeplan"} <= set(publishers)
    assert len(refs) >= 25
    themes = {t for p in packages.values() for t in p["themes"]}
    assert themes == set(vocabularies.codes("themes"))
    total = sum(p.stat().st_size for p in (REPO / "datasets").rglob("*") if p.is_file())
    assert total < 3 * 1024 * 1024


def test_every_publisher_passes_check_publisher():
    for slug, data in metadata.load_publishers(REPO).items():
        assert metadata.check_publisher(data, slug) == [], slug
    assert metadata.check_publishers(REPO) == []


def test_every_dataset_passes_check_dataset(refs: list, packages: dict):
    for ref in refs:
        findings = metadata.check_dataset(packages[ref.id], ref, REPO)
        assert findings == [], (ref.id, [f.message("en") for f in findings])


def test_every_package_passes_frictionless(refs: list):
    for ref in refs:
        report = frictionless.validate(str(ref.descriptor_path))
        assert report.valid, (ref.id, report.flatten(["rowNumber", "fieldName", "type", "note"]))


def test_everything_is_labelled_as_sample_data(refs: list, packages: dict):
    for ref in refs:
        package = packages[ref.id]
        assert "datos de ejemplo" in package["title"].lower(), ref.id
        assert "datos de ejemplo" in (ref.folder / "README.md").read_text("utf-8").lower()


def _resources(packages: dict) -> list[tuple[str, dict]]:
    return [(name, r) for name, p in packages.items() for r in p["resources"]]


def test_the_formats_and_dialects_publishers_meet_are_all_there(packages: dict):
    resources = [r for _, r in _resources(packages)]
    formats = Counter(r["format"] for r in resources)
    assert formats["csv"] > formats["xlsx"] >= 1 and formats["json"] >= 1
    decimal_comma = [r for r in resources if r.get("dialect", {}).get("delimiter") == ";"]
    assert decimal_comma and any(
        f.get("decimalChar") == "," for r in decimal_comma for f in r["schema"]["fields"]
    )
    legacy = [r for r in resources if r.get("encoding") == "windows-1252"]
    assert legacy
    assert any(any(f.get("description") for f in r["schema"]["fields"]) for r in resources)
    assert all(all(f.get("description") for f in r["schema"]["fields"]) for r in resources)
    assert any(r["schema"].get("foreignKeys") for r in resources)
    assert any(r["schema"].get("primaryKey") for r in resources)


def test_the_windows_1252_file_really_is_windows_1252(refs: list, packages: dict):
    for ref in refs:
        for resource in packages[ref.id]["resources"]:
            if resource.get("encoding") == "windows-1252":
                raw = (ref.folder / resource["path"]).read_bytes()
                with pytest.raises(UnicodeDecodeError):
                    raw.decode("utf-8")
                assert "Construcción" in raw.decode("windows-1252")


def test_territory_fields_hold_real_ine_codes(refs: list, packages: dict):
    check = {"department": territories.is_department, "municipality": territories.is_municipality}
    for ref in refs:
        package = frictionless.Package(str(ref.descriptor_path))
        for resource in package.resources:
            fields = [f for f in resource.schema.fields if f.custom.get("territory")]
            if not fields:
                continue
            with resource:
                for row in resource.row_stream:
                    for f in fields:
                        assert check[f.custom["territory"]](row[f.name]), (ref.id, row[f.name])


def _rows(ref, name: str) -> list[dict]:
    package = frictionless.Package(str(ref.descriptor_path))
    with package.get_resource(name) as resource:
        return [row.to_dict() for row in resource.row_stream]


def test_privacy_declarations_hold_in_the_data(refs: list, packages: dict):
    declared = 0
    for ref in refs:
        for resource in packages[ref.id]["resources"]:
            privacy = resource.get("privacy")
            if not privacy:
                continue
            declared += 1
            rows = _rows(ref, resource["name"])
            if "quasiIdentifiers" in privacy:
                groups = Counter(tuple(r[q] for q in privacy["quasiIdentifiers"]) for r in rows)
                assert min(groups.values()) >= privacy["k"], ref.id
            for name in privacy.get("countFields", []):
                small = [r[name] for r in rows if 0 < r[name] < privacy["minCellSize"]]
                assert not small, (ref.id, name, small[:5])
    assert declared >= 5


def test_only_the_staff_dataset_has_personal_data_and_it_declares_it(refs: list, packages: dict):
    public = [
        (name, r["privacy"]["publicPersonalData"])
        for name, r in _resources(packages)
        if r.get("privacy", {}).get("publicPersonalData")
    ]
    assert public == [
        (
            "mides/personal-y-salarios",
            [{"field": "nombre", "legalBasis": "Decreto 57-2008, art. 10, num. 4"}],
        )
    ]
    assert "GT-LAIP-10.4" in packages["mides/personal-y-salarios"]["obligations"]
    for ref in refs:
        for resource in packages[ref.id]["resources"]:
            raw = (ref.folder / resource["path"]).read_bytes()
            text = raw.decode(resource.get("encoding", "utf-8"), errors="replace")
            if resource["format"] == "xlsx":
                continue  # numbers and entity names only; checked through frictionless above
            assert not EMAIL.search(text), ref.id
            assert not PHONE.search(text), (ref.id, PHONE.search(text))


def test_queries_files_name_their_tables_and_have_titles(refs: list, packages: dict):
    with_queries = [ref for ref in refs if (ref.folder / "queries.yaml").exists()]
    assert len(with_queries) >= 5
    for ref in with_queries:
        queries = read_yaml(ref.folder / "queries.yaml")
        names = {r["name"] for r in packages[ref.id]["resources"]}
        for query in queries.values():
            assert query["title"] and query["sql"].startswith("select")
            assert any(f" {name} " in query["sql"] + " " for name in names), ref.id


def test_publishers_module_matches_the_committed_files():
    assert sorted(PUBLISHERS) == sorted(p.stem for p in (REPO / "publishers").glob("*.yaml"))
