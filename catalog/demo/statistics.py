"""Official statistics: INE datasets (territorial codes, population, prices, crime)."""

from __future__ import annotations

from catalog import territories
from catalog.demo import fields as f
from catalog.demo.model import SAMPLE, Column, Dataset, Table
from catalog.demo.places import (
    DEPARTMENT_POPULATION,
    at_least,
    departments,
    municipal_population,
    rng,
)

CENSUS = {
    "title": "XII Censo Nacional de Población y VII de Vivienda 2018, INE",
    "path": "https://www.censopoblacion.gt/",
}


def _code(column: Column) -> Column:
    column.name, column.description = "codigo", "Código INE. " + column.description
    return f.unique(column)


def territorios() -> Dataset:
    depts = [
        [d["code"], d["name"], DEPARTMENT_POPULATION[d["code"]]] for d in territories.departments()
    ]
    munis = [[m["code"], m["name"], m["department"]] for m in territories.municipalities()]
    names = Column(
        "nombre", "string", "Nombre oficial.", title="Nombre", constraints={"required": True}
    )
    return Dataset(
        "ine",
        "territorios",
        f"Departamentos y municipios de Guatemala con sus códigos INE ({SAMPLE})",
        "Los 22 departamentos y 340 municipios de Guatemala con su código INE, para unir "
        "cualquier tabla del catálogo que use esos códigos.",
        [
            "códigos INE",
            "departamentos",
            "municipios",
            "división político-administrativa",
            "geografía",
        ],
        ["REGI"],
        "irregular",
        [
            Table(
                "departamentos",
                "Departamentos",
                "Código, nombre y población censal.",
                [
                    _code(f.department()),
                    names,
                    f.count(
                        "poblacion_miles",
                        "Población del censo 2018, en miles.",
                        "Población (miles)",
                    ),
                ],
                depts,
                primary_key=["codigo"],
            ),
            Table(
                "municipios",
                "Municipios",
                "Código, nombre y departamento de cada municipio.",
                [_code(f.municipality()), Column(**{**vars(names)}), f.department()],
                munis,
                primary_key=["codigo"],
                foreign_keys=[
                    {
                        "fields": ["departamento"],
                        "reference": {"resource": "departamentos", "fields": ["codigo"]},
                    }
                ],
            ),
        ],
        methodology=(
            "Codificación oficial del INE: dos dígitos por departamento y cuatro por "
            "municipio (departamento más número). Incluye los municipios creados hasta 2015."
        ),
        caveats=(
            "Los códigos y nombres son reales; la población es la del censo 2018 "
            "redondeada a miles. Algunos nombres tienen variantes de uso común."
        ),
        sources=[CENSUS],
        spatial={"country": "GT"},
        version="2024.1",
        issued="2023-06-01",
        modified="2024-03-15",
        queries={
            "municipios_por_departamento": {
                "title": "Número de municipios por departamento",
                "sql": (
                    "select d.codigo, d.nombre, count(m.codigo) as municipios "
                    "from departamentos d join municipios m on m.departamento = d.codigo "
                    "group by d.codigo, d.nombre order by d.codigo"
                ),
            },
        },
    )


AGES = ["0-4", "5-9", "10-14", "15-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70 y más"]
AGE_SHARE = [0.115, 0.11, 0.105, 0.1, 0.18, 0.13, 0.1, 0.07, 0.05, 0.04]


def poblacion() -> Dataset:
    draw, rows = rng("poblacion"), []
    for year, growth in ((2024, 1.16), (2025, 1.18)):
        for dept in departments():
            people = DEPARTMENT_POPULATION[dept] * 1000 * growth
            for sex, share in (("Mujer", 0.513), ("Hombre", 0.487)):
                for ages, part in zip(AGES, AGE_SHARE, strict=True):
                    rows.append(
                        [
                            year,
                            dept,
                            sex,
                            ages,
                            at_least(people * share * part * draw.uniform(0.95, 1.05)),
                        ]
                    )
    table = Table(
        "poblacion",
        "Población proyectada por departamento, sexo y edad",
        "Personas proyectadas al 30 de junio de cada año.",
        [
            f.year(2024, 2025),
            f.department(),
            f.text("sexo", "Sexo.", "Sexo", enum=["Mujer", "Hombre"]),
            f.text("grupo_edad", "Grupo de edad en años.", "Grupo de edad", enum=AGES),
            f.count("personas", "Población proyectada.", "Personas"),
        ],
        rows,
        primary_key=["anio", "departamento", "sexo", "grupo_edad"],
        privacy={"countFields": ["personas"], "minCellSize": 5},
    )
    # Per municipality (no sex or age): the denominator of municipal rates per inhabitant.
    by_municipality = [
        [year, code[:2], code, int(people * growth)]
        for year, growth in ((2024, 1.16), (2025, 1.18))
        for code, people in sorted(municipal_population().items())
    ]
    municipal = Table(
        "poblacion_municipal",
        "Población proyectada por municipio",
        "Personas proyectadas al 30 de junio de cada año, por municipio.",
        [
            f.year(2024, 2025),
            f.department(),
            f.municipality(),
            f.count("personas", "Población proyectada.", "Personas"),
        ],
        by_municipality,
        primary_key=["anio", "municipio"],
    )
    return Dataset(
        "ine",
        "proyecciones-poblacion",
        f"Proyecciones de población por departamento, sexo y edad ({SAMPLE})",
        "Datos de ejemplo: población proyectada por departamento, sexo y grupo de edad para "
        "2024 y 2025, base de los indicadores sociales.",
        ["población", "proyecciones", "demografía", "edad", "sexo"],
        ["SOCI", "REGI"],
        "annual",
        [table, municipal],
        methodology="Método de componentes a partir del censo 2018.",
        caveats="Las cifras del demo aplican un crecimiento uniforme; no son las oficiales.",
        sources=[CENSUS],
        temporal={"start": "2024-01-01", "end": "2025-12-31"},
        spatial={"country": "GT"},
    )


REGIONS = [
    "República",
    "I Metropolitana",
    "II Norte",
    "III Nororiente",
    "IV Suroriente",
    "V Central",
    "VI Suroccidente",
    "VII Noroccidente",
    "VIII Petén",
]


def ipc() -> Dataset:
    draw, rows = rng("ipc"), []
    for region in REGIONS:
        index = 100.0 * draw.uniform(0.99, 1.01)
        history = []
        for year in (2022, 2023, 2024):
            for month in f.MONTHS:
                index *= 1 + draw.uniform(0.0, 0.009) - (0.002 if year == 2024 else 0)
                history.append(index)
                change = 100 * (index / history[-13] - 1) if len(history) > 12 else None
                rows.append([year, month, region, index, change])
    table = Table(
        "ipc",
        "Índice de precios al consumidor por región",
        "Índice mensual (base diciembre 2021 = 100) y variación interanual.",
        [
            f.year(2022, 2024),
            f.month(),
            f.text("region", "Región del país o total de la República.", "Región", enum=REGIONS),
            f.number(
                "indice", "Índice de precios al consumidor (base diciembre 2021 = 100).", "Índice"
            ),
            f.number(
                "variacion_interanual",
                "Variación respecto del mismo mes del año anterior, en porcentaje (vacía en 2022).",
                "Variación interanual",
                minimum=None,
            ),
        ],
        rows,
        primary_key=["anio", "mes", "region"],
    )
    return Dataset(
        "ine",
        "indice-precios-consumidor",
        f"Índice de precios al consumidor por región ({SAMPLE})",
        "Datos de ejemplo: índice de precios al consumidor mensual para la República y sus "
        "ocho regiones, con su variación interanual.",
        ["inflación", "IPC", "precios", "costo de vida"],
        ["ECON"],
        "monthly",
        [table],
        methodology="Índice de Laspeyres sobre la canasta de la encuesta de ingresos y gastos.",
        caveats="Serie del demo con base propia; no es comparable con la serie oficial.",
        sources=[{"title": "Índice de Precios al Consumidor, INE"}],
        temporal={"start": "2022-01-01", "end": "2024-12-31"},
        spatial={"country": "GT"},
    )


CRIMES = {
    "Homicidio": 0.14,
    "Lesiones": 0.2,
    "Robo y hurto": 0.9,
    "Extorsión": 0.5,
    "Violencia contra la mujer": 0.6,
    "Delitos sexuales": 0.25,
}


def hechos_delictivos() -> Dataset:
    draw, rows = rng("hechos-delictivos"), []
    for year in (2021, 2022, 2023):
        for dept in departments():
            urban = 2.0 if dept in ("01", "05", "18", "09") else 1.0
            for crime, rate in CRIMES.items():
                n = DEPARTMENT_POPULATION[dept] * rate * urban * draw.uniform(0.7, 1.3)
                rows.append([year, dept, crime, at_least(n)])
    table = Table(
        "denuncias",
        "Denuncias por tipo de hecho",
        "Hechos delictivos denunciados por año, departamento y tipo.",
        [
            f.year(2021, 2023),
            f.department(),
            f.text("tipo", "Tipo de hecho.", "Tipo", enum=list(CRIMES)),
            f.count("denuncias", "Denuncias registradas.", "Denuncias"),
        ],
        rows,
        primary_key=["anio", "departamento", "tipo"],
    )
    return Dataset(
        "ine",
        "hechos-delictivos",
        f"Hechos delictivos denunciados por departamento ({SAMPLE})",
        "Datos de ejemplo: denuncias de hechos delictivos por año, departamento y tipo, 2021-2023.",
        ["seguridad", "delitos", "denuncias", "violencia", "justicia"],
        ["JUST"],
        "annual",
        [table],
        methodology="Estadísticas de hechos delictivos con base en registros administrativos.",
        caveats="Las denuncias no equivalen a los hechos ocurridos: muchos no se denuncian.",
        sources=[{"title": "Estadísticas de hechos delictivos, INE"}],
        temporal={"start": "2021-01-01", "end": "2023-12-31"},
        spatial={"country": "GT"},
    )


def datasets() -> list[Dataset]:
    return [territorios(), poblacion(), ipc(), hechos_delictivos()]
