"""The full-build benchmark (catalog/bench/fullbuild.py) at a tiny size: its content
passes, and it reports every figure. No timing is asserted."""

from __future__ import annotations

import json
from pathlib import Path

from catalog.bench import fullbuild
from catalog.validate import validate_paths

FIGURES = {
    "datasets",
    "write_s",
    "build_s",
    "build_s_per_1000_datasets",
    "cpu_s",
    "peak_mb",
    "peak_tree_mb",
    "published",
    "rejected",
    "release_mb",
}


def test_generated_datasets_are_valid(tmp_path: Path):
    root = fullbuild.write_root(tmp_path / "root", 12)
    folders = sorted(root.glob("datasets/*/*"))
    assert len(folders) == 12
    assert validate_paths(folders).valid
    package = json.loads((folders[0] / "datapackage.json").read_text("utf-8"))
    assert package["resources"][0]["schema"]["primaryKey"] == ["anio", "departamento"]


def test_run_reports_every_figure_and_publishes_every_dataset(tmp_path: Path):
    figures = fullbuild.run(tmp_path, datasets=20)
    sizes = fullbuild.sizes(20)
    assert sizes == [2, 5, 20]
    for count in sizes:
        at = figures[f"at_{count}"]
        assert FIGURES <= set(at), count
        assert at["datasets"] == at["published"] == count
        assert at["rejected"] == 0
        assert at["peak_mb"] > 0
        assert at["cpu_s"] > 0
    assert set(figures["growth_5_to_20"]) == {
        "peak_mb_per_1000_datasets",
        "build_s_per_1000_datasets",
    }
    assert "peak_mb_per_1000_datasets" in figures
    assert not (tmp_path / "fullbuild-bench").exists()  # cleaned up
