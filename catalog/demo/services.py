"""Education and health services: MINEDUC and MSPAS datasets."""

from __future__ import annotations

from catalog.demo import fields as f
from catalog.demo.model import SAMPLE, Dataset, Table
from catalog.demo.places import (
    DEPARTMENT_POPULATION,
    at_least,
    departments,
    municipal_population,
    municipalities,
    rng,
)

LEVELS = {"Preprimaria": 0.07, "Primaria": 0.16, "Básico": 0.07, "Diversificado": 0.045}
SECTORS = {"Oficial": 0.72, "Privado": 0.22, "Cooperativa": 0.04, "Municipal": 0.02}
SEXES = ["Mujer", "Hombre"]
SIRE = {"title": "Sistema de Registros Educativos (SIRE), MINEDUC"}
SIGSA = {"title": "Sistema de Información Gerencial de Salud (SIGSA), MSPAS"}


def matricula() -> Dataset:
    draw, rows = rng("matricula"), []
    for year in (2023, 2024):
        for dept in departments():
            people = DEPARTMENT_POPULATION[dept] * 1000
            private = 1.6 if dept == "01" else 1.0  # private schools concentrate in the capital
            for level, rate in LEVELS.items():
                for sector, share in SECTORS.items():
                    weight = share * (private if sector == "Privado" else 1.0)
                    for sex in SEXES:
                        n = people * rate * weight / 2 * draw.uniform(0.9, 1.1)
                        rows.append([year, dept, level, sector, sex, at_least(n)])
    table = Table(
        "matricula",
        "Estudiantes inscritos por departamento",
        "Matrícula inicial por año, departamento, nivel, sector y sexo.",
        [
            f.year(2023, 2024),
            f.department(),
            f.text("nivel", "Nivel educativo.", "Nivel", enum=list(LEVELS)),
            f.text("sector", "Sector del establecimiento.", "Sector", enum=list(SECTORS)),
            f.text("sexo", "Sexo del estudiante.", "Sexo", enum=SEXES),
            f.count(
                "estudiantes", "Estudiantes inscritos al inicio del ciclo escolar.", "Estudiantes"
            ),
        ],
        rows,
        primary_key=["anio", "departamento", "nivel", "sector", "sexo"],
        privacy={"countFields": ["estudiantes"], "minCellSize": 5},
    )
    return Dataset(
        "mineduc",
        "matricula-escolar",
        f"Matrícula escolar por departamento, nivel y sector ({SAMPLE})",
        "Datos de ejemplo: estudiantes inscritos al inicio del ciclo escolar por departamento, "
        "nivel educativo, sector y sexo.",
        ["matrícula", "educación", "estudiantes", "ciclo escolar", "inscripción"],
        ["EDUC"],
        "annual",
        [table],
        methodology="Matrícula inicial reportada por los establecimientos en el SIRE.",
        caveats="Conteos menores de 5 se publican como 0.",
        sources=[SIRE],
        temporal={"start": "2023-01-01", "end": "2024-12-31"},
        spatial={"country": "GT"},
        queries={
            "matricula_por_nivel": {
                "title": "Matrícula total por nivel y año",
                "sql": (
                    "select anio, nivel, sum(estudiantes) as estudiantes from matricula "
                    "group by anio, nivel order by anio, estudiantes desc"
                ),
            },
            "paridad_por_departamento": {
                "title": "Mujeres por cada 100 hombres inscritos, 2024",
                "sql": (
                    "select departamento, round(100.0 * sum(case when sexo = 'Mujer' then "
                    "estudiantes end) / sum(case when sexo = 'Hombre' then estudiantes end), "
                    "1) as indice from matricula where anio = 2024 group by departamento "
                    "order by indice"
                ),
            },
        },
    )


def establecimientos() -> Dataset:
    draw, rows = rng("establecimientos"), []
    for muni in municipalities():
        people = municipal_population()[muni]
        for level, rate in LEVELS.items():
            schools = people * rate / 180 * draw.uniform(0.8, 1.2)
            rows.append(
                [
                    2024,
                    muni[:2],
                    muni,
                    level,
                    int(schools * 0.7) + 1,
                    int(schools * 0.25 * draw.uniform(0, 2)),
                    int(draw.random() < 0.2),
                    int(draw.random() < 0.1),
                ]
            )
    table = Table(
        "establecimientos",
        "Establecimientos educativos por municipio",
        "Establecimientos abiertos por municipio, nivel y sector.",
        [
            f.year(2024, 2024),
            f.department(),
            f.municipality(),
            f.text("nivel", "Nivel educativo.", "Nivel", enum=list(LEVELS)),
            f.count("oficiales", "Establecimientos del sector oficial.", "Oficiales"),
            f.count("privados", "Establecimientos privados.", "Privados"),
            f.count("cooperativa", "Institutos por cooperativa.", "Por cooperativa"),
            f.count("municipales", "Establecimientos municipales.", "Municipales"),
        ],
        rows,
        primary_key=["anio", "municipio", "nivel"],
    )
    return Dataset(
        "mineduc",
        "establecimientos-educativos",
        f"Establecimientos educativos por municipio ({SAMPLE})",
        "Datos de ejemplo: número de establecimientos educativos abiertos por municipio, nivel "
        "y sector.",
        ["establecimientos", "escuelas", "institutos", "educación", "infraestructura escolar"],
        ["EDUC", "REGI"],
        "annual",
        [table],
        methodology="Establecimientos con estado 'abierto' en el directorio del MINEDUC.",
        caveats="Un edificio con dos jornadas cuenta como dos establecimientos.",
        sources=[{"title": "Directorio de establecimientos educativos, MINEDUC"}],
        temporal={"start": "2024-01-01", "end": "2024-12-31"},
        spatial={"country": "GT"},
    )


def indicadores_educativos() -> Dataset:
    draw, rows = rng("indicadores-educativos"), []
    for dept in departments():
        base = draw.uniform(70, 95)
        for year in range(2019, 2024):
            trend = (year - 2019) * 0.6
            rows.append(
                [
                    year,
                    dept,
                    min(base + trend, 99.0),
                    base * 0.55 + trend,
                    draw.uniform(84, 94),
                    draw.uniform(2, 7),
                ]
            )
    table = Table(
        "indicadores",
        "Indicadores educativos por departamento",
        "Tasas de cobertura, promoción y deserción por año y departamento.",
        [
            f.year(2019, 2023),
            f.department(),
            f.percent(
                "cobertura_neta_primaria",
                "Tasa neta de cobertura en primaria.",
                "Cobertura neta primaria",
            ),
            f.percent(
                "cobertura_neta_basico",
                "Tasa neta de cobertura en ciclo básico.",
                "Cobertura neta básico",
            ),
            f.percent(
                "promocion_primaria", "Estudiantes de primaria promovidos.", "Promoción primaria"
            ),
            f.percent(
                "desercion_primaria",
                "Estudiantes de primaria que abandonan el ciclo.",
                "Deserción primaria",
            ),
        ],
        rows,
        primary_key=["anio", "departamento"],
    )
    return Dataset(
        "mineduc",
        "indicadores-educativos",
        f"Indicadores educativos por departamento ({SAMPLE})",
        "Datos de ejemplo: cobertura neta, promoción y deserción escolar por departamento, "
        "2019-2023.",
        ["indicadores", "cobertura educativa", "deserción", "promoción", "PISI"],
        ["EDUC", "SOCI"],
        "annual",
        [table],
        methodology=(
            "Tasa neta de cobertura: inscritos en la edad del nivel entre la población de esa "
            "edad (proyecciones del INE). Promoción y deserción: sobre la matrícula inicial."
        ),
        caveats="Las tasas dependen de las proyecciones de población, que se revisan.",
        sources=[SIRE, {"title": "Proyecciones de población, INE"}],
        temporal={"start": "2019-01-01", "end": "2023-12-31"},
        spatial={"country": "GT"},
    )


def servicios_salud() -> Dataset:
    draw, rows = rng("servicios-salud"), []
    for muni in municipalities():
        people = municipal_population()[muni]
        head = muni.endswith("01")
        rows.append(
            [
                muni[:2],
                muni,
                max(1, int(people / 4000 * draw.uniform(0.7, 1.3))),
                1 if people < 150000 else int(people / 100000),
                int(draw.random() < 0.25),
                1 if head and muni[:2] != "01" else 0,
            ]
        )
    rows[0][5] = 8  # the capital's large hospitals
    table = Table(
        "servicios",
        "Servicios de salud por municipio",
        "Servicios de la red pública de salud por municipio y tipo.",
        [
            f.department(),
            f.unique(f.municipality()),
            f.count("puestos_de_salud", "Puestos de salud (primer nivel).", "Puestos de salud"),
            f.count("centros_de_salud", "Centros de salud (segundo nivel).", "Centros de salud"),
            f.count("caps", "Centros de atención permanente (CAP).", "CAP"),
            f.count("hospitales", "Hospitales nacionales y departamentales.", "Hospitales"),
        ],
        rows,
        primary_key=["municipio"],
    )
    return Dataset(
        "mspas",
        "servicios-de-salud",
        f"Red de servicios públicos de salud por municipio ({SAMPLE})",
        "Datos de ejemplo: puestos, centros de salud, CAP y hospitales de la red del MSPAS en "
        "cada municipio.",
        ["salud", "puestos de salud", "hospitales", "red de servicios", "primer nivel"],
        ["HEAL", "REGI"],
        "annual",
        [table],
        methodology="Inventario de servicios habilitados según el registro de establecimientos.",
        caveats="No incluye servicios del IGSS, privados ni de ONG.",
        sources=[SIGSA],
        temporal={"start": "2024-12-31", "end": "2024-12-31"},
        spatial={"country": "GT"},
    )


CAUSES = {
    "Infección respiratoria aguda": 9.0,
    "Enfermedad diarreica aguda": 3.5,
    "Parasitosis intestinal": 2.5,
    "Infección del tracto urinario": 2.0,
    "Gastritis": 1.8,
    "Desnutrición": 0.2,
}


def morbilidad() -> Dataset:
    draw, rows = rng("morbilidad"), []
    for month in f.MONTHS:
        rainy = 1.3 if month in (5, 6, 7, 8, 9, 10) else 1.0
        for dept in departments():
            for cause, rate in CAUSES.items():
                n = DEPARTMENT_POPULATION[dept] * rate * rainy * draw.uniform(0.8, 1.2)
                rows.append([2024, month, dept, cause, at_least(n)])
    table = Table(
        "consultas",
        "Primeras consultas por causa",
        "Primeras consultas por mes, departamento y grupo de causa.",
        [
            f.year(2024, 2024),
            f.month(),
            f.department(),
            f.text("causa", "Grupo de causa de consulta.", "Causa", enum=list(CAUSES)),
            f.count("casos", "Primeras consultas registradas.", "Casos"),
        ],
        rows,
        primary_key=["anio", "mes", "departamento", "causa"],
        privacy={"countFields": ["casos"], "minCellSize": 5},
    )
    return Dataset(
        "mspas",
        "morbilidad-consultas",
        f"Morbilidad: primeras consultas por causa ({SAMPLE})",
        "Datos de ejemplo: primeras consultas en servicios del MSPAS por mes, departamento y "
        "seis grupos de causas frecuentes.",
        ["morbilidad", "consultas", "salud", "enfermedades", "epidemiología"],
        ["HEAL"],
        "monthly",
        [table],
        methodology="Registro diario de consultas (SIGSA 3) agregado por mes y departamento.",
        caveats="Conteos menores de 5 se publican como 0.",
        sources=[SIGSA],
        temporal={"start": "2024-01-01", "end": "2024-12-31"},
        spatial={"country": "GT"},
    )


VACCINES = ["BCG", "Hepatitis B", "Pentavalente 3", "Polio 3", "Neumococo 3", "SPR"]


def vacunacion() -> Dataset:
    draw, rows = rng("vacunacion"), []
    for year in (2021, 2022, 2023):
        for dept in departments():
            target = int(DEPARTMENT_POPULATION[dept] * 1000 * 0.024)
            for vaccine in VACCINES:
                doses = int(target * draw.uniform(0.62, 1.04))
                rows.append([year, dept, vaccine, target, doses, 100 * doses / target])
    table = Table(
        "cobertura",
        "Cobertura de vacunación en menores de 1 año",
        "Población objetivo, dosis aplicadas y cobertura por año, departamento y vacuna.",
        [
            f.year(2021, 2023),
            f.department(),
            f.text("vacuna", "Vacuna o dosis.", "Vacuna", enum=VACCINES),
            f.count(
                "poblacion_objetivo",
                "Niñas y niños de la edad de vacunación.",
                "Población objetivo",
            ),
            f.count("dosis_aplicadas", "Dosis aplicadas en el año.", "Dosis aplicadas"),
            f.number(
                "cobertura",
                "Dosis aplicadas entre población objetivo, por cien. Puede "
                "pasar de 100 cuando se vacuna población de otros departamentos.",
                "Cobertura",
                decimals=1,
            ),
        ],
        rows,
        primary_key=["anio", "departamento", "vacuna"],
    )
    return Dataset(
        "mspas",
        "cobertura-vacunacion",
        f"Cobertura de vacunación infantil por departamento ({SAMPLE})",
        "Datos de ejemplo: cobertura del esquema de vacunación en menores de un año por "
        "departamento y vacuna, 2021-2023.",
        ["vacunación", "inmunizaciones", "niñez", "cobertura", "salud pública"],
        ["HEAL"],
        "annual",
        [table],
        methodology="Dosis del Programa Nacional de Inmunizaciones entre población objetivo.",
        caveats="La población objetivo proviene de proyecciones y puede subestimarse.",
        sources=[SIGSA, {"title": "Programa Nacional de Inmunizaciones, MSPAS"}],
        temporal={"start": "2021-01-01", "end": "2023-12-31"},
        spatial={"country": "GT"},
    )


def datasets() -> list[Dataset]:
    return [
        matricula(),
        establecimientos(),
        indicadores_educativos(),
        servicios_salud(),
        morbilidad(),
        vacunacion(),
    ]
