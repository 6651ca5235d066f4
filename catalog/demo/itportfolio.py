"""The demo's IT portfolio: ``segeplan/proyectos-ti``, following the IT-portfolio standard.

Ten bodies, 24 investments, 50 projects (the social information system, the RENAP
identity integration, the school and health information systems, SICOIN, Guatecompras,
...), eight quarterly reporting periods from 2025-03 to 2026-12: most on track, some
drifting, some overrunning cost or schedule; a few investments join the portfolio late.
Deterministic (seeded streams, no clock). ``sample_ratings()`` gives CIO ratings for
seeding the workspace; the content root holds none (the workspace exports them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from catalog.demo.model import SAMPLE, Column, Dataset, Table
from catalog.demo.places import rng
from catalog.itportfolio.compute import CioRating
from catalog.itportfolio.standard import MARKER, TABLES, schema

PERIODS = [f"{y}-{m:02d}" for y in (2025, 2026) for m in (3, 6, 9, 12)]
# body, investment name, type, funding, [project names]
INVESTMENTS: list[tuple[str, str, str, str, list[str]]] = [
    (
        "mides",
        "Sistema Nacional de Información Social (SNIS)",
        "Desarrollo de sistemas",
        "Préstamo BID",
        ["Registro Social de Hogares", "Tablero de focalización", "Módulo de programas sociales"],
    ),
    (
        "mides",
        "Integración con el Registro Nacional de las Personas (RENAP)",
        "Interoperabilidad",
        "Préstamo BID",
        ["Servicio de verificación de identidad", "Bus de interoperabilidad"],
    ),
    (
        "mides",
        "Centro de datos del ministerio",
        "Infraestructura",
        "Fondos propios",
        ["Renovación de servidores", "Respaldo en sitio alterno"],
    ),
    (
        "mineduc",
        "Sistema de Registros Educativos (SIRE)",
        "Desarrollo de sistemas",
        "Préstamo Banco Mundial",
        ["Inscripción en línea", "Expediente del estudiante", "Boleta de calificaciones digital"],
    ),
    (
        "mineduc",
        "Conectividad de escuelas",
        "Infraestructura",
        "Fondos propios",
        ["Enlaces de fibra en cabeceras", "Enlaces satelitales rurales"],
    ),
    (
        "mspas",
        "Sistema de Información Gerencial de Salud (SIGSA)",
        "Desarrollo de sistemas",
        "Donación",
        ["Registro de vacunación nominal", "Tablero epidemiológico", "Ficha clínica electrónica"],
    ),
    (
        "mspas",
        "Seguridad de la información en hospitales",
        "Seguridad de la información",
        "Fondos propios",
        ["Centro de operaciones de seguridad", "Gestión de identidades"],
    ),
    (
        "minfin",
        "Sistema de Contabilidad Integrada (SICOIN)",
        "Desarrollo de sistemas",
        "Préstamo BID",
        [
            "Migración a la nube del SICOIN",
            "Módulo de ejecución por resultados",
            "Firma electrónica de documentos",
        ],
    ),
    (
        "minfin",
        "Sistema de adquisiciones Guatecompras",
        "Desarrollo de sistemas",
        "Préstamo Banco Mundial",
        ["Subasta electrónica inversa", "Catálogo electrónico", "Datos abiertos de contrataciones"],
    ),
    (
        "minfin",
        "Licencias de software institucional",
        "Licenciamiento",
        "Fondos propios",
        ["Renovación de licencias de bases de datos"],
    ),
    (
        "segeplan",
        "Sistema Nacional de Inversión Pública (SNIP)",
        "Desarrollo de sistemas",
        "Fondos propios",
        ["Banco de proyectos en línea", "Georreferenciación de obras"],
    ),
    (
        "segeplan",
        "Portal nacional de datos abiertos",
        "Servicios en la nube",
        "Donación",
        ["Catálogo de datos abiertos", "Tablero de proyectos TI"],
    ),
    (
        "sesan",
        "Sistema de Información de Seguridad Alimentaria (SIINSAN)",
        "Desarrollo de sistemas",
        "Donación",
        ["Vigilancia nutricional", "Sala situacional"],
    ),
    (
        "sesan",
        "Mesa de servicio institucional",
        "Operación y mantenimiento",
        "Fondos propios",
        ["Mesa de ayuda"],
    ),
    (
        "sosep",
        "Gestión de programas sociales de SOSEP",
        "Desarrollo de sistemas",
        "Fondos propios",
        ["Registro de beneficiarios de hogares comunitarios", "Aplicación móvil de visitas"],
    ),
    (
        "ine",
        "Plataforma del Sistema Estadístico Nacional",
        "Servicios en la nube",
        "Préstamo Banco Mundial",
        ["Recolección con tabletas", "Portal de microdatos anonimizados"],
    ),
    (
        "ine",
        "Cartografía digital censal",
        "Infraestructura",
        "Donación",
        ["Actualización cartográfica", "Servidor de mapas"],
    ),
    (
        "muni-guatemala",
        "Ventanilla única municipal en línea",
        "Desarrollo de sistemas",
        "Fondos propios",
        ["Licencias de construcción en línea", "Pagos electrónicos"],
    ),
    (
        "muni-guatemala",
        "Catastro multifinalitario",
        "Desarrollo de sistemas",
        "Préstamo BID",
        ["Levantamiento catastral", "Sistema de gestión catastral"],
    ),
    (
        "muni-quetzaltenango",
        "Modernización de la recaudación municipal",
        "Desarrollo de sistemas",
        "Fondos propios",
        ["Sistema de cobro de arbitrios", "Portal del contribuyente"],
    ),
    (
        "mineduc",
        "Plataforma de aprendizaje en línea",
        "Servicios en la nube",
        "Donación",
        ["Aulas virtuales", "Biblioteca digital"],
    ),
    (
        "mspas",
        "Telemedicina en puestos de salud",
        "Infraestructura",
        "Préstamo BID",
        ["Equipamiento de telemedicina", "Plataforma de teleconsulta"],
    ),
    (
        "minfin",
        "Interoperabilidad con la SAT",
        "Interoperabilidad",
        "Fondos propios",
        ["Servicio de consulta de NIT"],
    ),
    (
        "segeplan",
        "Firma electrónica avanzada del Ejecutivo",
        "Seguridad de la información",
        "Fondos propios",
        ["Infraestructura de clave pública"],
    ),
]
LATE_JOINERS = {20, 21, 22, 23}  # investments that first appear in the fifth period
# How a project fares: (share of projects, cost drift range, schedule drift range) as a
# fraction of the baseline reached by the end.
PROFILES = [
    ("on-track", 0.5, (-0.04, 0.07), (0.0, 0.06)),
    ("drifting", 0.3, (0.1, 0.25), (0.08, 0.25)),
    ("overrunning", 0.2, (0.35, 0.8), (0.3, 0.7)),
]
SUPPLIERS = [
    "Soluciones Informáticas de Centroamérica, S.A.",
    "Redes y Telecomunicaciones del Altiplano, S.A.",
    "Consultores en Sistemas Públicos, S.A.",
    "Tecnología Educativa Maya, S.A.",
    "Nube Segura Guatemala, S.A.",
]


@dataclass
class _Project:
    investment: str
    id: str
    name: str
    start: date
    end: date
    cost: float
    cost_drift: float
    time_drift: float


def _period_end(period: str) -> date:
    year, month = int(period[:4]), int(period[5:7])
    return date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)


def _month_of(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def _months(first: date, last: date) -> list[str]:
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(f"{y}-{m:02d}")
        y, m = (y + (m == 12), m % 12 + 1)
    return out


def _plan() -> tuple[list[dict[str, Any]], list[_Project]]:
    draw = rng("cartera-proyectos-ti")
    investments, projects = [], []
    for number, (body, name, kind, funding, names) in enumerate(INVESTMENTS, start=1):
        code = f"TI-{body.upper().replace('MUNI-', 'M')[:6]}-{number:02d}"
        first = date(2024, 7, 1) + timedelta(days=draw.randint(0, 420))
        if number - 1 in LATE_JOINERS:
            first = date(2026, 1, 1) + timedelta(days=draw.randint(0, 90))
        total = 0.0
        last = first
        for index, title in enumerate(names, start=1):
            start = first + timedelta(days=draw.randint(0, 120))
            end = start + timedelta(days=draw.randint(270, 720))
            cost = round(draw.uniform(0.4, 18) * 1e6, -3)
            roll, acc = draw.random(), 0.0
            profile = PROFILES[-1]
            for candidate in PROFILES:
                acc += candidate[1]
                if roll < acc:
                    profile = candidate
                    break
            projects.append(
                _Project(
                    code,
                    f"{code}-P{index}",
                    title,
                    start,
                    end,
                    cost,
                    round(draw.uniform(*profile[2]), 3),
                    round(draw.uniform(*profile[3]), 3),
                )
            )
            total += cost
            last = max(last, end)
        investments.append(
            {
                "id": code,
                "body": body,
                "name": name,
                "kind": kind,
                "funding": funding,
                "start": first,
                "end": last,
                "cost": round(total * 1.05, -3),
                "late": number - 1 in LATE_JOINERS,
            }
        )
    return investments, projects


def _rows() -> dict[str, list[list[Any]]]:
    investments, projects = _plan()
    by_investment: dict[str, list[_Project]] = {}
    for p in projects:
        by_investment.setdefault(p.investment, []).append(p)
    rows: dict[str, list[list[Any]]] = {t.name: [] for t in TABLES}
    for k, period in enumerate(PERIODS):
        cut = _period_end(period)
        for inv in investments:
            if inv["late"] and k < 4:
                continue
            mine = by_investment[inv["id"]]
            started = [p for p in mine if p.start <= cut]
            projected = None
            if started:
                projected = round(sum(_estimate(p, cut)[0] for p in mine) * 1.05, -3)
            rows["inversiones"].append(
                [
                    period,
                    inv["id"],
                    inv["body"],
                    inv["name"],
                    inv["kind"],
                    inv["funding"],
                    f"Inversión de ejemplo: {inv['name'].lower()}.",
                    inv["start"].isoformat(),
                    inv["end"].isoformat(),
                    inv["cost"],
                    projected,
                    "Unidad de Tecnología",
                ]
            )
            for p in mine:
                _project_rows(rows, period, cut, p)
            rows["contratos"].append(
                [
                    period,
                    f"{inv['id']}-C1",
                    inv["id"],
                    mine[0].id,
                    f"NOG-{20000000 + int(inv['id'][-2:]) * 7919}",
                    SUPPLIERS[int(inv["id"][-2:]) % len(SUPPLIERS)],
                    round(mine[0].cost * 0.6, -3),
                    mine[0].start.isoformat(),
                    mine[0].end.isoformat(),
                ]
            )
            rows["metricas"].append(
                [
                    period,
                    inv["id"],
                    "M1",
                    "Trámites o registros atendidos en línea",
                    "Resultado",
                    "porcentaje",
                    10.0,
                    80.0,
                    round(
                        10
                        + 70
                        * min(
                            1.0,
                            max(
                                0.0,
                                (cut - inv["start"]).days
                                / max(1, (inv["end"] - inv["start"]).days),
                            ),
                        ),
                        1,
                    ),
                    cut.isoformat(),
                ]
            )
    return rows


def _progress(p: _Project, cut: date, end: date) -> float:
    return min(1.0, max(0.0, (cut - p.start).days / max(1, (end - p.start).days)))


def _estimate(p: _Project, cut: date) -> tuple[float, date, float]:
    """(projected cost, projected end, progress) of a project as known at ``cut``."""
    seen = _progress(p, cut, p.end)  # how far in the drift shows
    cost = round(p.cost * (1 + p.cost_drift * seen), -3)
    duration = (p.end - p.start).days
    end = p.end + timedelta(days=round(duration * p.time_drift * seen))
    return cost, end, _progress(p, cut, end)


def _project_rows(rows: dict[str, list[list[Any]]], period: str, cut: date, p: _Project) -> None:
    cost, end, progress = _estimate(p, cut)
    started = p.start <= cut
    finished = end <= cut
    state = "Finalizado" if finished else "En ejecución" if started else "Planificación"
    actual = round(cost * progress, 2) if started else 0.0
    rows["proyectos"].append(
        [
            period,
            p.id,
            p.investment,
            p.name,
            state,
            p.start.isoformat(),
            None if started else p.start.isoformat(),
            p.start.isoformat() if started else None,
            p.end.isoformat(),
            None if finished else end.isoformat(),
            end.isoformat() if finished else None,
            p.cost,
            None if finished else cost,
            actual if started else None,
        ]
    )
    if started:
        months = _months(p.start, min(cut, end))
        share = round(actual / len(months), 2)
        planned = round(p.cost / len(_months(p.start, p.end)), 2)
        for i, month in enumerate(months):
            value = share if i < len(months) - 1 else round(actual - share * (len(months) - 1), 2)
            rows["costos_mensuales"].append([period, p.id, month, planned, value])
    duration = (p.end - p.start).days
    for n, (label, share_of) in enumerate(
        [("Diseño aprobado", 0.2), ("Primera entrega", 0.55), ("Puesta en producción", 1.0)],
        start=1,
    ):
        planned_day = p.start + timedelta(days=round(duration * share_of))
        moved = p.start + timedelta(days=round((end - p.start).days * share_of))
        done = moved <= cut
        rows["hitos"].append(
            [
                period,
                p.id,
                f"H{n}",
                label,
                planned_day.isoformat(),
                None if done else moved.isoformat(),
                moved.isoformat() if done else None,
                round(p.cost * 0.1, -3),
                round(cost * 0.1, -3) if done else None,
            ]
        )


def _columns(name: str) -> list[Column]:
    out = []
    for fld in schema(name)["fields"]:
        out.append(
            Column(
                fld["name"],
                fld["type"],
                fld["description"],
                title=fld.get("title"),
                constraints=fld.get("constraints") or {},
            )
        )
    return out


def proyectos_ti() -> Dataset:
    rows = _rows()
    tables = [
        Table(
            t.name,
            t.title,
            t.description,
            _columns(t.name),
            rows[t.name],
            primary_key=list(schema(t.name)["primaryKey"]),
        )
        for t in TABLES
    ]
    return Dataset(
        "segeplan",
        "proyectos-ti",
        f"Cartera de proyectos de tecnología del Estado ({SAMPLE})",
        "Datos de ejemplo: inversiones y proyectos de tecnología de diez instituciones, con "
        "fechas y costos planificados, proyectados y reales, hitos, costos mensuales, métricas "
        "y contratos, en ocho periodos de reporte trimestrales (2025-03 a 2026-12). Sigue el "
        "estándar de cartera de proyectos TI (conformsTo: it-portfolio).",
        ["gobierno electrónico", "tecnología", "proyectos TI", "transformación digital", "tablero"],
        ["TECH", "GOVE"],
        "quarterly",
        tables,
        methodology=(
            "Cada institución reporta cada trimestre sus inversiones y proyectos de tecnología "
            "con el estándar de cartera de proyectos TI del portal; SEGEPLAN consolida. Los "
            "nombres se inspiran en los planes institucionales; las cifras son ficticias."
        ),
        caveats=(
            "Cada periodo de reporte repite la cartera completa: compare periodos con la "
            "columna periodo_reporte. Los montos están en quetzales."
        ),
        sources=[{"title": "Programas institucionales de gobierno electrónico 2021-2026"}],
        temporal={"start": "2024-07-01", "end": "2026-12-31"},
        spatial={"country": "GT"},
        queries={
            "ejecucion_por_institucion": {
                "title": "Costo planificado y ejecutado por institución (último periodo)",
                "sql": (
                    "select i.institucion, count(distinct i.id_inversion) as inversiones, "
                    "sum(p.costo_planificado) as planificado, sum(p.costo_real) as ejecutado "
                    "from inversiones i join "
                    "proyectos p on p.id_inversion = i.id_inversion "
                    "and p.periodo_reporte = i.periodo_reporte where i.periodo_reporte = "
                    "(select max(periodo_reporte) from inversiones) "
                    "group by i.institucion order by planificado desc"
                ),
            },
        },
        conforms_to=MARKER,
    )


def datasets() -> list[Dataset]:
    return [proyectos_ti()]


def sample_ratings() -> list[CioRating]:
    """CIO ratings for the demo investments (to seed the workspace): one per quarter
    from 2025-04, some lower than the figures say, a few left to go stale."""
    draw = rng("calificaciones-cio")
    investments, _projects = _plan()
    found = []
    for inv in investments:
        for k, period in enumerate(PERIODS[:-1]):
            if inv["late"] and k < 4:
                continue
            if k >= 5 and draw.random() < 0.25:
                break  # this CIO stopped rating: the rating goes stale
            day = _period_end(period) + timedelta(days=draw.randint(5, 40))
            found.append(
                CioRating(
                    inv["body"],
                    inv["id"],
                    draw.choice([2, 3, 3, 4, 4, 5]),
                    "Calificación de ejemplo.",
                    day,
                    f"cio@{inv['body']}.gob.gt",
                )
            )
    return found
