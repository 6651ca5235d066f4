"""validate_dataset and validate_paths: findings for every kind of bad input, never a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from catalog.content import DatasetRef
from catalog.errors import ContentError
from catalog.tables import MAX_RESOURCE_BYTES
from catalog.validate import DatasetReport, ValidationRun, validate_dataset, validate_paths

SCHEMA = {
    "fields": [{"name": "id", "type": "integer"}, {"name": "nombre", "type": "string"}],
    "primaryKey": ["id"],
}


def dataset(
    tmp_path: Path, data: bytes | str | None = "id,nombre\n1,a\n2,b\n", **resource: object
) -> DatasetRef:
    folder = tmp_path / "datasets" / "prueba" / "tabla"
    (folder / "data").mkdir(parents=True)
    entry = {
        "name": "tabla",
        "path": "data/tabla.csv",
        "format": "csv",
        "schema": SCHEMA,
        **resource,
    }
    (folder / "datapackage.json").write_text(
        json.dumps({"name": "tabla", "resources": [entry]}), encoding="utf-8"
    )
    if data is not None:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        (folder / "data" / "tabla.csv").write_bytes(raw)
    return DatasetRef("prueba", "tabla", folder)


def data_findings(report: DatasetReport) -> list:
    return [f for f in report.findings if f.type != "metadata-error"]


def codes(report: DatasetReport) -> set[str]:
    return {f.type for f in data_findings(report) if f.blocking}


def test_a_good_table_has_no_data_findings(tmp_path):
    report = validate_dataset(dataset(tmp_path))
    assert data_findings(report) == []
    assert report.dataset == "prueba/tabla"
    assert report.package["resources"][0]["schema"] == SCHEMA
    assert report.tables == {}


def test_findings_name_dataset_resource_and_file(tmp_path):
    report = validate_dataset(dataset(tmp_path, "id,nombre\n1,a\nx,b\n"))
    # A key cell that is not an integer is null, so the key is empty too (as in Frictionless).
    finding, key = data_findings(report)
    assert (key.type, key.rowNumber, key.fieldName) == ("primary-key", 3, None)
    assert (finding.type, finding.rowNumber, finding.fieldName) == ("type-error", 3, "id")
    assert finding.dataset == "prueba/tabla"
    assert finding.resource == "tabla"
    assert finding.file == "data/tabla.csv"
    assert finding.value == "x"
    assert not report.valid


def test_keep_tables_returns_the_frames(tmp_path):
    report = validate_dataset(dataset(tmp_path), keep_tables=True)
    assert report.tables["tabla"].frame.height == 2


def test_malformed_json_descriptor_is_a_finding(tmp_path):
    ref = dataset(tmp_path)
    ref.descriptor_path.write_text('{"name": "tabla", "resources": [', encoding="utf-8")
    report = validate_dataset(ref)
    assert not report.valid
    [finding] = report.findings
    assert finding.type == "package-error"
    assert "JSON" in finding.message("en")


def test_descriptor_that_is_not_an_object(tmp_path):
    ref = dataset(tmp_path)
    ref.descriptor_path.write_text("[1, 2]", encoding="utf-8")
    report = validate_dataset(ref)
    assert [f.type for f in report.findings if f.type != "metadata-error"] == ["package-error"]


def test_invalid_schema_is_a_schema_finding_and_rows_are_not_read(tmp_path):
    ref = dataset(
        tmp_path, "id,nombre\nx,1\n", schema={"fields": [{"name": "id", "type": "integr"}]}
    )
    report = validate_dataset(ref)
    assert codes(report) == {"field-error"}


def test_bound_that_is_not_of_the_field_type_is_a_field_error(tmp_path):
    # Frictionless crashes with a TypeError on this descriptor; we report it.
    schema = {"fields": [{"name": "id", "type": "integer", "constraints": {"minimum": "abc"}}]}
    report = validate_dataset(dataset(tmp_path, "id\n1\n", schema=schema))
    assert codes(report) == {"field-error"}


def test_schema_that_does_not_match_the_file(tmp_path):
    report = validate_dataset(dataset(tmp_path, "fecha,monto,otro\n2024-01-01,5,x\n"))
    assert {"incorrect-label", "extra-label"} <= codes(report)


def test_binary_garbage_named_csv(tmp_path):
    report = validate_dataset(dataset(tmp_path, os.urandom(4096) + b"\x00"))
    [finding] = data_findings(report)
    assert finding.type == "source-error"
    assert "binary" in finding.message("en")


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "../tabla/../../x.csv"])
def test_path_tricks_are_refused(tmp_path, path):
    report = validate_dataset(dataset(tmp_path, path=path))
    assert not report.valid
    assert codes(report) == {"resource-error"}
    assert all("root:" not in (f.value or "") for f in report.findings)


def test_missing_data_file(tmp_path):
    report = validate_dataset(dataset(tmp_path, data=None))
    assert codes(report) == {"scheme-error"}


def test_empty_file(tmp_path):
    report = validate_dataset(dataset(tmp_path, ""))
    assert codes(report) == {"source-error"}


def test_huge_declared_size_is_a_byte_count_error(tmp_path):
    report = validate_dataset(dataset(tmp_path, bytes=2 * 1024**4))
    [finding] = data_findings(report)
    assert finding.type == "byte-count"
    assert "2199023255552" in finding.message("en")


def test_wrong_hash_is_a_hash_count_error(tmp_path):
    report = validate_dataset(dataset(tmp_path, hash="sha256:" + "0" * 64))
    assert codes(report) == {"hash-count"}


def test_file_over_the_size_limit_is_refused_without_reading_it(tmp_path, monkeypatch):
    import catalog.tables as tables

    # A CSV validated in blocks has no limit unless CATALOG_MAX_STREAMED_BYTES sets one.
    monkeypatch.setattr(tables, "MAX_STREAMED_BYTES", MAX_RESOURCE_BYTES)
    ref = dataset(tmp_path)
    with (ref.folder / "data" / "tabla.csv").open("r+b") as fh:
        fh.truncate(MAX_RESOURCE_BYTES + 1)  # sparse: no disk used
    report = validate_dataset(ref)
    [finding] = data_findings(report)
    assert finding.type == "source-error"
    assert "too large" in finding.message("en")


def test_undeclared_windows_1252_says_what_to_declare(tmp_path):
    report = validate_dataset(dataset(tmp_path, "id,nombre\n1,Cobán\n".encode("cp1252")))
    [finding] = data_findings(report)
    assert finding.type == "encoding-error"
    assert '"encoding": "windows-1252"' in finding.message("en")
    assert "UTF-8" in finding.message("es")


def test_xlsx_is_validated_by_frictionless(tmp_path):
    from openpyxl import Workbook

    ref = dataset(tmp_path, None, path="data/tabla.xlsx", format="xlsx")
    book = Workbook()
    for row in (["id", "nombre"], [1, "a"], ["x", "b"], [1, "c"]):
        book.active.append(row)
    book.save(ref.folder / "data" / "tabla.xlsx")
    report = validate_dataset(ref)
    found = {(f.type, f.rowNumber) for f in data_findings(report)}
    assert found == {("type-error", 3), ("primary-key", 3), ("primary-key", 4)}


def test_privacy_gate_runs_on_every_table(tmp_path, monkeypatch):
    from catalog import validate
    from catalog.findings import Finding

    seen = []

    def gate(frame, resource, dataset_id, row_numbers=None):
        seen.append((frame.columns, resource["name"], dataset_id, row_numbers.to_list()))
        return [
            Finding(
                type="privacy-direct-identifier",
                rowNumber=2,
                fieldName="nombre",
                text="An e-mail address.",
            )
        ]

    monkeypatch.setattr(validate.privacy, "check_resource", gate)
    report = validate_dataset(dataset(tmp_path, "id,nombre\nx,ana@correo.gt\n"))
    assert seen == [(["id", "nombre"], "tabla", "prueba/tabla", [2])]
    assert {"privacy-direct-identifier", "type-error"} <= codes(report)


def test_values_in_personal_columns_are_masked(tmp_path, monkeypatch):
    from catalog import validate
    from catalog.findings import Finding

    monkeypatch.setattr(
        validate.privacy,
        "check_resource",
        lambda *a, **k: [
            Finding(type="privacy-direct-identifier", rowNumber=2, fieldName="id", text="A CUI.")
        ],
    )
    report = validate_dataset(dataset(tmp_path, "id,nombre\n2547 12345 0101,a\n"))
    [error] = [f for f in report.findings if f.type == "type-error"]
    assert "12345" not in error.value and "12345" not in error.message("en")


def test_validate_paths_accepts_folders_and_descriptors(tmp_path):
    ref = dataset(tmp_path, "id,nombre\n1,a\n1,b\n")
    run = validate_paths([ref.folder, ref.descriptor_path])
    assert isinstance(run, ValidationRun)
    assert not run.valid
    assert [r.dataset for r in run.reports] == ["prueba/tabla", "prueba/tabla"]
    assert [f.type for f in run.findings if f.type == "primary-key"] == ["primary-key"] * 2


def test_validate_paths_raises_for_something_that_is_not_a_dataset(tmp_path):
    (tmp_path / "notes.txt").write_text("hola", encoding="utf-8")
    with pytest.raises(ContentError):
        validate_paths([tmp_path / "notes.txt"])
    with pytest.raises(ContentError):
        validate_paths([tmp_path / "nowhere"])


def test_a_crash_in_one_dataset_is_its_finding_and_the_others_still_run(tmp_path, monkeypatch):
    import catalog.validate as validate

    first = dataset(tmp_path / "a")
    second = dataset(tmp_path / "b", "id,nombre\n1,Ana\nx,Luis\n")
    real = validate.validate_dataset

    def flaky(ref, **options):
        if ref.folder == first.folder:
            raise RuntimeError("a library tripped over this file")
        return real(ref, **options)

    monkeypatch.setattr(validate, "validate_dataset", flaky)
    run = validate.validate_paths([first.folder, second.folder])
    assert [r.valid for r in run.reports] == [False, False]
    [crash] = run.reports[0].findings
    assert crash.type == "error" and "tripped over" in crash.message("en")
    assert "type-error" in codes(run.reports[1])
