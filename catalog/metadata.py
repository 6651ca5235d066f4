"""Catalogue metadata of publishers and datasets (interface stub; being written)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catalog.content import DatasetRef
from catalog.findings import Finding


def check_dataset(descriptor: dict[str, Any], ref: DatasetRef, root: Path | None) -> list[Finding]:
    """Findings about the catalogue metadata of one dataset's descriptor."""
    return []


def load_publishers(root: Path) -> dict[str, dict[str, Any]]:
    """Every publisher under ``root/publishers``, by slug."""
    return {}
