"""Benchmark of the IT-dashboard computation: 5,000 projects x 24 monthly snapshots.

Generates in memory (deterministic) 1,000 investments of five projects each, reported in
24 monthly periods, with one monthly-cost row per project and period and a CIO rating per
investment and quarter, then times ``catalog.itportfolio.compute`` and the derived tables.
Goal: at most 10 s.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from catalog.itportfolio import CioRating, Portfolio, Settings, compute
from catalog.itportfolio.derived import frames

PROJECTS = 5_000
PER_INVESTMENT = 5
PERIODS = [f"{2025 + m // 12}-{m % 12 + 1:02d}" for m in range(24)]


def portfolio(projects: int = PROJECTS) -> tuple[Portfolio, list[CioRating]]:
    draw = random.Random(9)
    investments = projects // PER_INVESTMENT
    base = [
        (
            f"I{i:05d}",
            f"pub-{i % 50:02d}",
            date(2024, 1, 1) + timedelta(days=draw.randint(0, 500)),
            draw.uniform(0.5, 20) * 1e6,
            draw.uniform(-0.05, 0.6),
        )
        for i in range(investments)
    ]
    inv: dict[str, list[Any]] = {k: [] for k in ("periodo_reporte", "id_inversion", "institucion")}
    inv |= {"nombre": [], "tipo": [], "fuente_financiamiento": [], "fecha_inicio": []}
    inv |= {"fecha_fin": [], "costo_planificado": []}
    prj: dict[str, list[Any]] = {k: [] for k in ("periodo_reporte", "id_proyecto", "id_inversion")}
    prj |= {"inicio_planificado": [], "fin_planificado": [], "fin_proyectado": []}
    prj |= {"costo_planificado": [], "costo_proyectado": [], "costo_real": []}
    months: dict[str, list[Any]] = {"periodo_reporte": [], "id_proyecto": [], "mes": []}
    months |= {"costo_real": []}
    for k, period in enumerate(PERIODS):
        seen = (k + 1) / len(PERIODS)
        for ident, pub, start, cost, drift in base:
            end = start + timedelta(days=540)
            inv["periodo_reporte"].append(period)
            inv["id_inversion"].append(ident)
            inv["institucion"].append(pub)
            inv["nombre"].append(f"Inversión {ident}")
            inv["tipo"].append("Desarrollo de sistemas")
            inv["fuente_financiamiento"].append("Fondos propios" if ord(ident[-1]) % 2 else "BID")
            inv["fecha_inicio"].append(start)
            inv["fecha_fin"].append(end)
            inv["costo_planificado"].append(cost * 1.1)
            for p in range(PER_INVESTMENT):
                pid = f"{ident}-{p}"
                prj["periodo_reporte"].append(period)
                prj["id_proyecto"].append(pid)
                prj["id_inversion"].append(ident)
                prj["inicio_planificado"].append(start)
                prj["fin_planificado"].append(end)
                prj["fin_proyectado"].append(end + timedelta(days=int(200 * drift * seen)))
                prj["costo_planificado"].append(cost / PER_INVESTMENT)
                prj["costo_proyectado"].append(cost / PER_INVESTMENT * (1 + drift * seen))
                prj["costo_real"].append(cost / PER_INVESTMENT * seen)
                months["periodo_reporte"].append(period)
                months["id_proyecto"].append(pid)
                months["mes"].append(period)
                months["costo_real"].append(cost / PER_INVESTMENT / len(PERIODS))
    ratings = [
        CioRating(pub, ident, 1 + (i + q) % 5, "", date(2025, 1 + 3 * q, 15), "cio")
        for i, (ident, pub, *_rest) in enumerate(base)
        for q in range(4)
    ]
    return (
        Portfolio(pl.DataFrame(inv), pl.DataFrame(prj), monthly_costs=pl.DataFrame(months)),
        ratings,
    )


def run(_work: Path) -> dict[str, Any]:
    started = time.perf_counter()
    data, ratings = portfolio()
    generated = time.perf_counter() - started
    started = time.perf_counter()
    dash = compute(data, ratings, Settings(), date(2026, 12, 1))
    computed = time.perf_counter() - started
    started = time.perf_counter()
    tables = frames(dash)
    derived = time.perf_counter() - started
    return {
        "projects": PROJECTS,
        "snapshots": len(PERIODS),
        "project rows": data.projects.height,
        "generate s": generated,
        "compute s": computed,
        "derived tables s": derived,
        "total s": computed + derived,
        "within 10 s": computed + derived <= 10,
        "investments at risk": int(tables["resumen"]["en_riesgo"][0]),
    }
