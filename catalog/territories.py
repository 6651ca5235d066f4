"""Guatemala's territories and their INE codes: 22 departments and 340 municipalities.

Department codes are two digits (``01`` Guatemala … ``22`` Jutiapa); a municipality's
code is its department's code plus two digits (``0101`` Guatemala, ``1601`` Cobán).
The list lives in ``catalog/data/gt_territories.csv`` so it can be corrected
without touching code (a new municipality is created by law every few years).
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "gt_territories.csv"
DEPARTMENT = "departamento"
MUNICIPALITY = "municipio"


@lru_cache(maxsize=1)
def _rows() -> tuple[dict[str, str], ...]:
    with DATA.open(encoding="utf-8", newline="") as fh:
        return tuple(dict(row) for row in csv.DictReader(fh))


@lru_cache(maxsize=1)
def _by_code() -> dict[str, dict[str, str]]:
    return {row["codigo"]: row for row in _rows()}


def departments() -> list[dict[str, str]]:
    """Every department as ``{"code", "name"}``, in INE order."""
    return [{"code": r["codigo"], "name": r["nombre"]} for r in _rows() if r["nivel"] == DEPARTMENT]


def municipalities(department: str | None = None) -> list[dict[str, str]]:
    """Municipalities as ``{"code", "name", "department"}``, all or one department's."""
    return [
        {"code": r["codigo"], "name": r["nombre"], "department": r["departamento"]}
        for r in _rows()
        if r["nivel"] == MUNICIPALITY and department in (None, r["departamento"])
    ]


def name(code: str) -> str | None:
    """The name of a department or municipality, or None for an unknown code."""
    row = _by_code().get(code) if isinstance(code, str) else None
    return row["nombre"] if row else None


def is_department(code: object) -> bool:
    row = _by_code().get(code) if isinstance(code, str) else None
    return row is not None and row["nivel"] == DEPARTMENT


def is_municipality(code: object) -> bool:
    row = _by_code().get(code) if isinstance(code, str) else None
    return row is not None and row["nivel"] == MUNICIPALITY


def department_of(code: str) -> str | None:
    """The department code a municipality belongs to (None if not a municipality)."""
    return _by_code()[code]["departamento"] if is_municipality(code) else None
