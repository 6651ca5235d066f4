"""Every public URL and identifier is built in catalog/urls.py, and only there."""

from __future__ import annotations

import ast
from pathlib import Path

from catalog import urls

REPO = Path(__file__).resolve().parent.parent


def test_the_ckan_id_of_a_dataset():
    assert urls.ckan_id("mides/bono-social") == "mides--bono-social"
    assert urls.package_show("mides/bono-social") == (
        "/api/3/action/package_show?id=mides--bono-social"
    )
    assert urls.dataset("mides", "bono-social") == "/datasets/mides/bono-social/"
    assert urls.dataset("mides", "bono-social", "en") == "/en/datasets/mides/bono-social/"


def _built_by_hand(node: ast.AST) -> bool:
    """An f-string that makes a dataset page path or a ``<publisher>--<dataset>`` id."""
    if not isinstance(node, ast.JoinedStr):
        return False
    parts = node.values
    texts = [p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str)]
    page = (
        bool(texts)
        and isinstance(parts[0], ast.Constant)
        and (texts[0].startswith(("/datasets/", "datasets/", "/en/datasets/")))
    )
    ckan = any(
        isinstance(parts[i], ast.FormattedValue)
        and isinstance(parts[i + 1], ast.Constant)
        and parts[i + 1].value == "--"
        and isinstance(parts[i + 2], ast.FormattedValue)
        for i in range(len(parts) - 2)
    )
    return page or ckan


def test_no_module_builds_a_dataset_path_or_a_ckan_id_by_hand():
    found = []
    for folder in ("catalog", "plugins"):
        for path in sorted((REPO / folder).rglob("*.py")):
            if path == REPO / "catalog" / "urls.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found += [
                f"{path.relative_to(REPO)}:{n.lineno}" for n in ast.walk(tree) if _built_by_hand(n)
            ]
    assert not found, "use catalog.urls: " + ", ".join(found)
