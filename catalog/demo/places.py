"""Places and people-sized numbers for the demo: populations, seeded randomness, small helpers.

Department populations are the 2018 census counts (rounded to thousands); the split
among municipalities is invented but stable, so every dataset agrees with the others.
"""

from __future__ import annotations

import random
import zlib
from functools import lru_cache

from catalog import territories

# 2018 census population by department, in thousands (INE, XII Censo de Población).
DEPARTMENT_POPULATION = {
    "01": 3015,
    "02": 177,
    "03": 330,
    "04": 616,
    "05": 733,
    "06": 397,
    "07": 422,
    "08": 419,
    "09": 799,
    "10": 555,
    "11": 327,
    "12": 1032,
    "13": 1171,
    "14": 949,
    "15": 299,
    "16": 1215,
    "17": 546,
    "18": 409,
    "19": 245,
    "20": 415,
    "21": 343,
    "22": 488,
}
# Departments where the demo's social programmes are said to operate (interior, high poverty).
PRIORITY_DEPARTMENTS = ["07", "08", "12", "13", "14", "15", "16", "17", "20"]


def rng(name: str) -> random.Random:
    """A random generator seeded by a name: each dataset draws its own, stable stream."""
    return random.Random(zlib.crc32(name.encode("utf-8")))


def departments() -> list[str]:
    return [d["code"] for d in territories.departments()]


def municipalities(department: str | None = None) -> list[str]:
    return [m["code"] for m in territories.municipalities(department)]


@lru_cache(maxsize=1)
def municipal_population() -> dict[str, int]:
    """Inhabitants per municipality: the department's census total split by stable weights."""
    draw = rng("poblacion-municipal")
    population: dict[str, int] = {}
    for dept, thousands in DEPARTMENT_POPULATION.items():
        codes = municipalities(dept)
        # The department's head town (xx01) is usually the largest.
        weights = [4.0 if c.endswith("01") else draw.uniform(0.4, 2.0) for c in codes]
        total = sum(weights)
        for code, weight in zip(codes, weights, strict=True):
            population[code] = int(thousands * 1000 * weight / total)
    return population


def at_least(value: float, floor: int = 5) -> int:
    """A count that is 0 or at least ``floor``: small cells never reach the published table."""
    value = int(round(value))
    return value if value >= floor else 0


def month_days(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 else 28
    return 30 if month in (4, 6, 9, 11) else 31
