"""The privacy gate (interface stub; being written)."""

from __future__ import annotations

from typing import Any

import polars as pl

from catalog.findings import Finding


def check_resource(
    frame: pl.DataFrame, resource: dict[str, Any], dataset_id: str, row_numbers: pl.Series | None = None
) -> list[Finding]:
    """Privacy findings for one resource's rows (raw cell strings, one column per label)."""
    return []
