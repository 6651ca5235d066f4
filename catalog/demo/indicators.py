"""The social indicators the demo datasets declare (``indicators`` in datapackage.json).

Each declaration says what the indicator means and how it is computed from the
dataset's rows (docs/indicators.md). Baselines and targets are sample data: they
are not the official goals of any plan.
"""

from __future__ import annotations

from typing import Any

POPULATION = "ine/proyecciones-poblacion"
SAMPLE_TARGET = "Meta de ejemplo (datos de ejemplo), no es una meta oficial."


def _text(es: str, en: str) -> dict[str, str]:
    return {"es": es, "en": en}


DECLARED: dict[str, list[dict[str, Any]]] = {
    "sesan/desnutricion-aguda": [
        {
            "id": "desnutricion-aguda",
            "name": _text(
                "Casos de desnutrición aguda por 10 000 niños menores de 5 años",
                "Acute malnutrition cases per 10,000 children under 5",
            ),
            "definition": _text(
                "Casos de desnutrición aguda (moderada y severa) notificados en el año por cada "
                "10 000 niñas y niños de 0 a 4 años.",
                "Acute malnutrition cases (moderate and severe) notified in the year for every "
                "10,000 children aged 0 to 4.",
            ),
            "unit": _text("casos por 10 000 niños", "cases per 10,000 children"),
            "theme": "HEAL",
            "resource": "casos",
            "computation": {
                "numerator": "total",
                "per": 10000,
                "population": {
                    "dataset": POPULATION,
                    "resource": "poblacion",
                    "field": "personas",
                    "filter": {"grupo_edad": ["0-4"]},
                },
            },
            "polarity": "lower-better",
            "territory": {"field": "departamento", "level": "department"},
            "period": "anio",
            "baseline": {"value": 30, "year": 2023},
            "target": {"value": 15, "year": 2032, "note": SAMPLE_TARGET},
            "source": "SESAN, Sistema de Información Nacional de Seguridad Alimentaria y "
            "Nutricional (SIINSAN); INE, proyecciones de población.",
            "method": "Suma de los casos mensuales del año entre la población de 0 a 4 años "
            "del mismo año (o del año más cercano publicado), por 10 000.",
        }
    ],
    "mspas/cobertura-vacunacion": [
        {
            "id": "cobertura-vacunacion-spr",
            "name": _text(
                "Cobertura de vacunación SPR (sarampión, paperas y rubéola)",
                "MMR vaccination coverage (measles, mumps and rubella)",
            ),
            "definition": _text(
                "Porcentaje de la población objetivo que recibió la dosis de la vacuna SPR.",
                "Percentage of the target population that received the MMR vaccine dose.",
            ),
            "unit": _text("% de la población objetivo", "% of the target population"),
            "theme": "HEAL",
            "resource": "cobertura",
            "filter": {"vacuna": ["SPR"]},
            "computation": {
                "numerator": "dosis_aplicadas",
                "denominator": "poblacion_objetivo",
                "scale": 100,
            },
            "polarity": "higher-better",
            "territory": {"field": "departamento", "level": "department"},
            "period": "anio",
            "baseline": {"value": 80, "year": 2021},
            "target": {"value": 95, "year": 2030, "note": SAMPLE_TARGET},
            "source": "MSPAS, Sistema de Información Gerencial de Salud (SIGSA).",
            "method": "Dosis aplicadas entre la población objetivo, por 100; el agregado "
            "departamental y nacional suma dosis y población objetivo.",
        }
    ],
    "mineduc/indicadores-educativos": [
        {
            "id": "cobertura-neta-primaria",
            "name": _text("Tasa neta de cobertura en primaria", "Net enrolment rate in primary"),
            "definition": _text(
                "Porcentaje de la población en edad de cursar primaria (7 a 12 años) inscrita "
                "en primaria.",
                "Percentage of the population of primary-school age (7 to 12) enrolled in primary.",
            ),
            "unit": _text("%", "%"),
            "theme": "EDUC",
            "resource": "indicadores",
            "computation": {"value": "cobertura_neta_primaria", "aggregate": "mean"},
            "polarity": "higher-better",
            "territory": {"field": "departamento", "level": "department"},
            "period": "anio",
            "baseline": {"value": 78, "year": 2019},
            "target": {"value": 90, "year": 2030, "note": SAMPLE_TARGET},
            "source": "MINEDUC, Anuario Estadístico de la Educación.",
            "method": "Tasa publicada por departamento; el valor nacional es el promedio "
            "simple de los departamentos.",
        }
    ],
    "mineduc/matricula-escolar": [
        {
            "id": "matricula-primaria",
            "name": _text(
                "Estudiantes de primaria por 100 niños de 5 a 14 años",
                "Primary students per 100 children aged 5 to 14",
            ),
            "definition": _text(
                "Estudiantes inscritos en primaria por cada 100 niñas y niños de 5 a 14 años; "
                "se desagrega por sexo.",
                "Students enrolled in primary for every 100 children aged 5 to 14, by sex.",
            ),
            "unit": _text("estudiantes por 100 niños", "students per 100 children"),
            "theme": "EDUC",
            "resource": "matricula",
            "filter": {"nivel": ["Primaria"]},
            "computation": {
                "numerator": "estudiantes",
                "per": 100,
                "population": {
                    "dataset": POPULATION,
                    "resource": "poblacion",
                    "field": "personas",
                    "filter": {"grupo_edad": ["5-9", "10-14"]},
                },
            },
            "polarity": "higher-better",
            "territory": {"field": "departamento", "level": "department"},
            "period": "anio",
            "disaggregations": [{"field": "sexo", "kind": "sex", "population": "sexo"}],
            "baseline": {"value": 60, "year": 2023},
            "target": {"value": 70, "year": 2030, "note": SAMPLE_TARGET},
            "source": "MINEDUC, Sistema de Registro Educativo (SIRE); INE, proyecciones de "
            "población.",
            "method": "Estudiantes de primaria (sectores oficial, privado y cooperativa) entre "
            "la población de 5 a 14 años del mismo sexo y año (o del año más cercano), por 100.",
        }
    ],
    "mides/bono-social-cobertura": [
        {
            "id": "bono-social-cobertura",
            "name": _text(
                "Familias usuarias del Bono Social por 1 000 habitantes",
                "Bono Social user families per 1,000 inhabitants",
            ),
            "definition": _text(
                "Familias que recibieron al menos una transferencia del Bono Social en el año "
                "por cada 1 000 habitantes.",
                "Families that received at least one Bono Social transfer in the year for every "
                "1,000 inhabitants.",
            ),
            "unit": _text("familias por 1 000 habitantes", "families per 1,000 inhabitants"),
            "theme": "SOCI",
            "resource": "cobertura",
            "computation": {
                "numerator": "familias_usuarias",
                "per": 1000,
                "population": {
                    "dataset": POPULATION,
                    "resource": "poblacion_municipal",
                    "field": "personas",
                },
            },
            "polarity": "higher-better",
            "territory": {"field": "municipio", "level": "municipality"},
            "period": "anio",
            "disaggregations": [{"field": "modalidad", "kind": "other"}],
            "baseline": {"value": 20, "year": 2023},
            "target": {"value": 40, "year": 2028, "note": SAMPLE_TARGET},
            "source": "MIDES, Sistema Integrado de Programas Sociales (SIPS); INE, proyecciones "
            "de población.",
            "method": "Familias usuarias (suma de las modalidades) entre la población del "
            "municipio del mismo año (o del año más cercano), por 1 000. Una familia con dos "
            "modalidades cuenta dos veces.",
        }
    ],
}


def declared(dataset_id: str) -> list[dict[str, Any]]:
    """The indicators a demo dataset declares (none for most)."""
    return DECLARED.get(dataset_id, [])
