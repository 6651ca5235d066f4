"""Field constructors shared by the demo datasets, so codes and units look the same everywhere."""

from __future__ import annotations

from typing import Any

from catalog.demo.model import Column

DEPARTMENT_PATTERN = "^(0[1-9]|1[0-9]|2[0-2])$"
MUNICIPALITY_PATTERN = "^(0[1-9]|1[0-9]|2[0-2])[0-9]{2}$"
MONTHS = list(range(1, 13))
# The recent window of the monthly transparency datasets: December 2025 to November 2026,
# the twelve months before the demo's "today" (fixed, so the output never changes).
RECENT_MONTHS = [(2025, 12)] + [(2026, m) for m in range(1, 12)]


def department(name: str = "departamento") -> Column:
    return Column(
        name,
        "string",
        "Código INE del departamento (dos dígitos, 01 a 22).",
        title="Departamento",
        constraints={"required": True, "pattern": DEPARTMENT_PATTERN},
        extra={"territory": "department"},
    )


def municipality(name: str = "municipio") -> Column:
    return Column(
        name,
        "string",
        "Código INE del municipio (cuatro dígitos: departamento y número).",
        title="Municipio",
        constraints={"required": True, "pattern": MUNICIPALITY_PATTERN},
        extra={"territory": "municipality"},
    )


def year(first: int, last: int, name: str = "anio") -> Column:
    return Column(
        name,
        "integer",
        "Año al que corresponde el dato.",
        title="Año",
        constraints={"required": True, "minimum": first, "maximum": last},
    )


def month(name: str = "mes") -> Column:
    return Column(
        name,
        "integer",
        "Mes (1 = enero … 12 = diciembre).",
        title="Mes",
        constraints={"required": True, "minimum": 1, "maximum": 12},
    )


def count(name: str, description: str, title: str | None = None) -> Column:
    return Column(name, "integer", description, title=title, constraints={"minimum": 0})


def number(
    name: str,
    description: str,
    title: str | None = None,
    decimals: int = 2,
    minimum: float | None = 0,
    maximum: float | None = None,
    **extra: Any,
) -> Column:
    constraints: dict[str, Any] = {}
    if minimum is not None:
        constraints["minimum"] = minimum
    if maximum is not None:
        constraints["maximum"] = maximum
    return Column(
        name,
        "number",
        description,
        title=title,
        constraints=constraints,
        extra=extra,
        decimals=decimals,
    )


def money(name: str, description: str, title: str | None = None, **extra: Any) -> Column:
    return number(name, description + " En quetzales (GTQ).", title=title, **extra)


def percent(name: str, description: str, title: str | None = None) -> Column:
    return number(
        name, description + " Porcentaje (0 a 100).", title=title, decimals=1, maximum=100
    )


def text(
    name: str,
    description: str,
    title: str | None = None,
    required: bool = True,
    enum: list[str] | None = None,
    pattern: str | None = None,
) -> Column:
    constraints: dict[str, Any] = {"required": True} if required else {}
    if enum:
        constraints["enum"] = enum
    if pattern:
        constraints["pattern"] = pattern
    return Column(name, "string", description, title=title, constraints=constraints)


def day(name: str, description: str, title: str | None = None, required: bool = True) -> Column:
    return Column(
        name, "date", description, title=title, constraints={"required": True} if required else {}
    )


def unique(column: Column) -> Column:
    column.constraints["unique"] = True
    return column


def required(column: Column) -> Column:
    """A column every row must fill (as the active-transparency templates ask)."""
    column.constraints = {"required": True, **column.constraints}
    return column
