"""What a build of many small datasets reuses instead of redoing (issue 15): parsed
publisher files (content.read_yaml), and the typed columns validation made (Table.typed).
Whatever is reused must never hide a change."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from catalog import content
from catalog.bench.fullbuild import write_root
from catalog.build import build
from catalog.content import discover, read_yaml
from catalog.errors import ContentError
from catalog.tables import typed_frame
from catalog.validate import validate_dataset


def _rewrite_keeping_stat(path: Path, text: str) -> None:
    """Write ``text`` (as long as the old text) and put the old mtime back."""
    before = path.stat()
    assert len(text.encode()) == before.st_size
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_an_edited_yaml_file_is_read_anew_even_with_the_same_size_and_mtime(tmp_path: Path):
    path = tmp_path / "pub.yaml"
    path.write_text("name: Uno\nkind: ministry\n", encoding="utf-8")
    assert read_yaml(path) == {"name": "Uno", "kind": "ministry"}
    _rewrite_keeping_stat(path, "name: Dos\nkind: ministry\n")
    assert read_yaml(path) == {"name": "Dos", "kind": "ministry"}


def test_a_yaml_value_changed_by_its_reader_is_not_seen_by_the_next(tmp_path: Path):
    path = tmp_path / "pub.yaml"
    path.write_text("name: Uno\njurisdiction: {country: GT}\n", encoding="utf-8")
    first = read_yaml(path)
    first["jurisdiction"]["country"] = "CL"
    first["name"] = "changed"
    assert read_yaml(path) == {"name": "Uno", "jurisdiction": {"country": "GT"}}


def test_invalid_yaml_is_refused_every_time(tmp_path: Path):
    path = tmp_path / "pub.yaml"
    path.write_text("name: [Uno\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ContentError):
            read_yaml(path)
    assert "name: [Uno\n" not in content._PARSED_YAML


def test_the_parsed_files_kept_are_bounded(tmp_path: Path):
    for n in range(content.YAML_CACHE_ENTRIES + 10):
        path = tmp_path / f"p{n}.yaml"
        path.write_text(f"name: Publisher {n}\n", encoding="utf-8")
        assert read_yaml(path) == {"name": f"Publisher {n}"}
    assert len(content._PARSED_YAML) <= content.YAML_CACHE_ENTRIES
    big = tmp_path / "big.yaml"
    big.write_text("items:\n" + "  - x\n" * (content.YAML_CACHE_MAX_CHARS // 4), encoding="utf-8")
    assert len(read_yaml(big)["items"]) == content.YAML_CACHE_MAX_CHARS // 4
    assert big.read_text(encoding="utf-8") not in content._PARSED_YAML


def test_a_publisher_file_changed_between_two_builds_is_seen(tmp_path: Path):
    root = write_root(tmp_path / "root", 2)  # pub-000 and pub-001, one dataset each
    out = tmp_path / "out"
    first = build(root, out)
    assert [o.status for o in first.datasets] == ["published", "published"]
    publisher = root / "publishers" / "pub-000.yaml"
    text = publisher.read_text(encoding="utf-8")
    # Still YAML, no longer a publisher (a list): its dataset is refused this time.
    broken = "- " + text[2:].replace("\n", " ")
    _rewrite_keeping_stat(publisher, broken[: len(text) - 1] + "\n")
    second = build(root, out)
    statuses = {o.dataset: o.status for o in second.datasets}
    (dataset,) = [d for d in statuses if d.startswith("pub-000/")]
    assert statuses[dataset] == "kept-previous"
    (outcome,) = [o for o in second.datasets if o.dataset == dataset]
    assert [f.params.get("value") for f in outcome.findings] == ["pub-000"], outcome.findings
    assert all(s == "unchanged" for d, s in statuses.items() if d != dataset)


def test_validation_types_the_table_the_build_loads(tmp_path: Path):
    root = write_root(tmp_path / "root", 3)
    for ref in discover(root):
        report = validate_dataset(ref, root=root, keep_tables=True)
        assert report.valid and report.package is not None
        (resource,) = report.package["resources"]
        table = report.tables[resource["name"]]
        assert table.typed is not None
        again = typed_frame(table, resource["schema"])
        assert table.typed.schema == again.schema
        assert table.typed.equals(again)


def test_a_table_whose_columns_are_not_the_fields_in_order_is_typed_when_loaded(tmp_path: Path):
    root = write_root(tmp_path / "root", 1)
    (ref,) = discover(root)
    descriptor = json.loads(ref.descriptor_path.read_text(encoding="utf-8"))
    fields = descriptor["resources"][0]["schema"]["fields"]
    descriptor["resources"][0]["schema"]["fields"] = fields[:2]  # a third column, no field
    ref.descriptor_path.write_text(json.dumps(descriptor), encoding="utf-8")
    report = validate_dataset(ref, root=root, keep_tables=True)
    for table in report.tables.values():
        assert table.typed is None


def test_every_demo_table_validation_types_is_what_loading_would_type():
    """The demo's tables (dates, numbers, booleans, missing values, territory codes, keys
    ...): where validation kept their typed columns, they are typed_frame's exactly."""
    root = Path(__file__).resolve().parent.parent
    compared = 0
    for ref in discover(root):
        report = validate_dataset(ref, root=root, keep_tables=True)
        if report.package is None:
            continue
        for resource in report.package["resources"]:
            table = report.tables.get(resource["name"])
            if table is None or table.typed is None:
                continue
            again = typed_frame(table, resource["schema"])
            assert table.typed.schema == again.schema, (ref.id, resource["name"])
            assert table.typed.equals(again, null_equal=True), (ref.id, resource["name"])
            compared += 1
    assert compared >= 20
