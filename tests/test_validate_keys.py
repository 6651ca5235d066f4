"""Keys past CATALOG_KEYS_IN_MEMORY rows go to disk (catalog/keystore.py): the same findings.

Every test validates a package with the keys held in memory, then with a threshold of a
few rows (the keys spill to Parquet files and DuckDB compares them), in one batch and in
blocks of a few hundred bytes, and compares the findings: type, row, field and message.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from catalog import keystore, validate
from catalog.content import DatasetRef
from catalog.validate import LIMIT_ERRORS, validate_dataset

SMALL = 200  # bytes per block: a few rows per batch


def package(folder: Path, fields: list[dict], text: str, **schema: object) -> DatasetRef:
    (folder / "data").mkdir(parents=True, exist_ok=True)
    resource = {"name": "t", "path": "data/t.csv", "schema": {"fields": fields, **schema}}
    (folder / "datapackage.json").write_text(
        json.dumps({"name": folder.name, "resources": [resource]}), encoding="utf-8"
    )
    (folder / "data" / "t.csv").write_text(text, encoding="utf-8")
    return DatasetRef("claves", folder.name, folder)


def findings(ref: DatasetRef, **options: object) -> list[tuple]:
    report = validate_dataset(ref, **options)  # type: ignore[arg-type]
    return [
        (f.type, f.rowNumber, f.fieldName, f.message("en"))
        for f in report.findings
        if f.type != "metadata-error"
    ]


def same_on_disk(ref: DatasetRef, monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """The findings with the keys in memory, asserted equal with the keys on disk."""
    stores: list[keystore.KeyStore] = []
    made = keystore.KeyStore

    def tracked() -> keystore.KeyStore:
        store = made()
        stores.append(store)
        return store

    in_memory = findings(ref)
    assert findings(ref, batch_bytes=SMALL) == in_memory
    monkeypatch.setattr(validate, "KeyStore", tracked)
    monkeypatch.setattr(validate, "KEYS_IN_MEMORY", 3)
    assert findings(ref) == in_memory
    assert findings(ref, batch_bytes=SMALL) == in_memory
    assert findings(ref, fast=False, batch_bytes=SMALL) == in_memory
    assert stores, "the keys never went to disk"
    assert all(store.files for store in stores)
    assert not any(store.folder.exists() for store in stores)  # always removed
    return in_memory


def test_a_repeated_primary_key_across_blocks_is_found_on_disk(tmp_path, monkeypatch):
    lines = ["id,nombre"] + [f"{n},n{n}" for n in range(1, 80)]
    lines[40] = "7,otro"  # a repeat far from its first occurrence, in a later block
    lines[70] = "7,otro más"
    lines[75] = "12,x"
    ref = package(
        tmp_path / "p",
        [{"name": "id", "type": "integer"}, {"name": "nombre", "type": "string"}],
        "\n".join(lines) + "\n",
        primaryKey=["id"],
    )
    found = same_on_disk(ref, monkeypatch)
    assert [(kind, row) for kind, row, _f, _m in found] == [
        ("primary-key", 41),
        ("primary-key", 71),
        ("primary-key", 76),
    ]


def test_empty_and_repeated_composite_keys_are_found_on_disk(tmp_path, monkeypatch):
    lines = ["a,b,v"] + [f"{n % 9},{n // 9},{n}" for n in range(60)]
    lines[10] = ",,10"  # empty key
    lines[30] = ",,30"  # empty again: never a repeat
    lines[20] = ",3,20"  # part empty: compared with nulls equal
    lines[50] = ",3,50"
    lines[55] = "1,0,55"  # repeats row 3 (1,0)
    ref = package(
        tmp_path / "p",
        [
            {"name": "a", "type": "integer"},
            {"name": "b", "type": "integer"},
            {"name": "v", "type": "integer"},
        ],
        "\n".join(lines) + "\n",
        primaryKey=["a", "b"],
    )
    found = same_on_disk(ref, monkeypatch)
    kinds = [(kind, row) for kind, row, _f, _m in found]
    assert ("primary-key", 11) in kinds and ("primary-key", 31) in kinds
    assert ("primary-key", 51) in kinds and ("primary-key", 56) in kinds
    assert any("1, 0" in message for _k, row, _f, message in found if row == 56)


def test_unique_fields_of_every_type_are_found_on_disk(tmp_path, monkeypatch):
    header = "codigo,fecha,monto,activo,texto"
    lines = [header] + [
        f"C{n},2024-01-{n % 28 + 1:02d},{n}.5,{'true' if n == 3 else 'false'},t{n}"
        for n in range(1, 50)
    ]
    lines[33] = "C5,2023-12-31,5.5,false,"  # repeats C5 and 5.5; an empty text is no repeat
    lines[44] = ",2023-12-30,99.5,false,"
    unique = {"unique": True}
    ref = package(
        tmp_path / "p",
        [
            {"name": "codigo", "type": "string", "constraints": unique},
            {"name": "fecha", "type": "date", "constraints": unique},
            {"name": "monto", "type": "number", "constraints": unique},
            {"name": "activo", "type": "boolean", "constraints": unique},
            {"name": "texto", "type": "string", "constraints": unique},
        ],
        "\n".join(lines) + "\n",
    )
    found = same_on_disk(ref, monkeypatch)
    fields = {(row, name) for kind, row, name, _m in found if kind == "unique-error"}
    assert (34, "codigo") in fields and (34, "monto") in fields
    assert (30, "fecha") in fields  # 2024-01-01 again, 28 rows on
    assert not any(name == "texto" for _row, name in fields)


def test_the_error_limit_is_the_same_on_disk(tmp_path, monkeypatch):
    count = LIMIT_ERRORS + 200
    lines = ["id"] + [str(n % 100) for n in range(count)]
    ref = package(
        tmp_path / "p",
        [{"name": "id", "type": "integer"}],
        "\n".join(lines) + "\n",
        primaryKey=["id"],
    )
    found = same_on_disk(ref, monkeypatch)
    assert len(found) == LIMIT_ERRORS + 1
    assert found[-1][0] == "error-limit"


def test_the_folder_is_removed_when_validation_stops(tmp_path, monkeypatch):
    monkeypatch.setattr(validate, "KEYS_IN_MEMORY", 1)
    before = set(Path(tempfile.gettempdir()).glob("catalog-keys-*"))

    def broken(self, *_args):  # a failure after the keys went to disk
        raise RuntimeError("stop")

    monkeypatch.setattr(validate._RowStream, "finish", broken)
    lines = ["id"] + [str(n) for n in range(20)]
    ref = package(
        tmp_path / "p",
        [{"name": "id", "type": "integer"}],
        "\n".join(lines) + "\n",
        primaryKey=["id"],
    )
    with pytest.raises(RuntimeError):
        validate_dataset(ref, batch_bytes=SMALL)
    assert set(Path(tempfile.gettempdir()).glob("catalog-keys-*")) == before
