"""The derived IT-dashboard dataset: its name, tables and columns.

Every build computes the dashboard (``compute``) from the IT-portfolio datasets that
passed validation and the CIO ratings, and publishes the result as one catalogue
dataset, ``<publisher>/tablero-proyectos-ti`` (CSV, JSON, XLSX, Datasette). The build
writes it (catalog/build/itportfolio.py); the API and the public pages read its tables
from the release database (catalog/api/itportfolio.py). Both take the names and columns
from here. Colours are ``green``, ``yellow``, ``red`` (as in the API).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from catalog.itportfolio.compute import Dashboard

NAME = "tablero-proyectos-ti"
RATINGS_DATASET = "calificaciones-cio"  # the workspace's export of the CIO ratings
RATINGS_FILE = "data/calificaciones.csv"
COLOUR_VALUES = ["green", "yellow", "red"]


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Table Schema type
    title: str
    description: str


def _c(name: str, kind: str, title: str, description: str) -> Column:
    return Column(name, kind, title, description)


PERIOD_COLUMN = _c("periodo_reporte", "string", "Periodo de reporte", "Mes del reporte, AAAA-MM.")
INVESTMENT_COLUMNS = [
    _c("institucion", "string", "Institución", "Institución responsable (identificador)."),
    _c("id_inversion", "string", "Inversión", "Identificador de la inversión."),
    _c("nombre", "string", "Nombre", "Nombre de la inversión."),
    _c("tipo", "string", "Tipo", "Tipo de inversión."),
    _c("fuente_financiamiento", "string", "Financiamiento", "Fuente de financiamiento."),
    PERIOD_COLUMN,
    _c("proyectos", "integer", "Proyectos", "Número de proyectos de la inversión."),
    _c("presupuesto", "number", "Presupuesto", "Costo planificado declarado de la inversión."),
    _c(
        "costo_planificado",
        "number",
        "Costo planificado",
        "Suma de los costos planificados de sus proyectos (o el de la inversión sin proyectos).",
    ),
    _c("costo_estimado", "number", "Costo estimado", "Costo real o proyectado (ver el método)."),
    _c("costo_real", "number", "Costo real", "Ejecutado a la fecha del reporte."),
    _c("variacion_costo", "number", "Variación de costo", "Estimado menos planificado."),
    _c("variacion_costo_pct", "number", "Variación de costo (%)", "En % del planificado."),
    _c("color_costo", "string", "Color de costo", "green, yellow o red."),
    _c("inicio_planificado", "date", "Inicio planificado", "Primer inicio planificado."),
    _c("fin_planificado", "date", "Fin planificado", "Último fin planificado."),
    _c("fin_estimado", "date", "Fin estimado", "Último fin real o proyectado."),
    _c(
        "variacion_plazo_dias",
        "integer",
        "Variación de plazo (días)",
        "Fin estimado menos fin planificado.",
    ),
    _c(
        "variacion_plazo_pct",
        "number",
        "Variación de plazo (%)",
        "En % de la duración planificada.",
    ),
    _c("color_plazo", "string", "Color de plazo", "green, yellow o red."),
    _c("calificacion_cio", "integer", "Calificación CIO", "1 (riesgo alto) a 5 (riesgo bajo)."),
    _c("comentario_cio", "string", "Comentario CIO", "Comentario de la calificación."),
    _c("fecha_calificacion_cio", "date", "Fecha de la calificación", "Cuándo se calificó."),
    _c("autor_calificacion_cio", "string", "Autor de la calificación", "Quién calificó."),
    _c("calificacion_cio_vencida", "boolean", "Calificación vencida", "Más antigua que el plazo."),
    _c("calificacion_general", "number", "Calificación general", "1 a 5: costo, plazo y CIO."),
    _c("color_general", "string", "Color general", "green, yellow o red."),
]
PROJECT_COLUMNS = [
    _c("institucion", "string", "Institución", "Institución responsable (identificador)."),
    _c("id_inversion", "string", "Inversión", "Identificador de la inversión."),
    _c("id_proyecto", "string", "Proyecto", "Identificador del proyecto."),
    _c("nombre", "string", "Nombre", "Nombre del proyecto."),
    _c("estado", "string", "Estado", "Estado del proyecto."),
    PERIOD_COLUMN,
    _c("inicio_planificado", "date", "Inicio planificado", "Inicio de la línea base."),
    _c("inicio_real", "date", "Inicio real", "Cuándo empezó."),
    _c("fin_planificado", "date", "Fin planificado", "Fin de la línea base."),
    _c("fin_proyectado", "date", "Fin proyectado", "Fin que hoy se espera."),
    _c("fin_real", "date", "Fin real", "Cuándo terminó."),
    _c("fin_estimado", "date", "Fin estimado", "Real, si no proyectado, si no planificado."),
    _c(
        "duracion_planificada_dias",
        "integer",
        "Duración planificada (días)",
        "Fin menos inicio planificados.",
    ),
    _c(
        "variacion_plazo_dias",
        "integer",
        "Variación de plazo (días)",
        "Fin estimado menos planificado.",
    ),
    _c(
        "variacion_plazo_pct",
        "number",
        "Variación de plazo (%)",
        "En % de la duración planificada.",
    ),
    _c("color_plazo", "string", "Color de plazo", "green, yellow o red."),
    _c("costo_planificado", "number", "Costo planificado", "Costo de la línea base."),
    _c("costo_proyectado", "number", "Costo proyectado", "Costo que hoy se espera."),
    _c("costo_real", "number", "Costo real", "Ejecutado a la fecha del reporte."),
    _c("costo_estimado", "number", "Costo estimado", "Real si terminó, si no proyectado."),
    _c("variacion_costo", "number", "Variación de costo", "Estimado menos planificado."),
    _c("variacion_costo_pct", "number", "Variación de costo (%)", "En % del planificado."),
    _c("color_costo", "string", "Color de costo", "green, yellow o red."),
]
SPENDING_COLUMNS = [
    PERIOD_COLUMN,
    _c("dimension", "string", "Dimensión", "institucion, tipo, fuente_financiamiento o anio."),
    _c("valor", "string", "Valor", "La institución, el tipo, la fuente o el año."),
    _c("inversiones", "integer", "Inversiones", "Número de inversiones."),
    _c("costo_planificado", "number", "Costo planificado", "Suma de lo planificado."),
    _c("costo_estimado", "number", "Costo estimado", "Suma de lo estimado."),
    _c("costo_real", "number", "Costo real", "Suma de lo ejecutado."),
    _c("en_riesgo", "integer", "En riesgo", "Inversiones con color general red."),
    _c(
        "costo_en_riesgo",
        "number",
        "Costo en riesgo",
        "Costo planificado de las que están en riesgo.",
    ),
]
CHANGE_COLUMNS = [
    _c("institucion", "string", "Institución", "Institución responsable."),
    _c("id_inversion", "string", "Inversión", "Identificador de la inversión."),
    _c("nombre", "string", "Nombre", "Nombre de la inversión."),
    _c("cambio", "string", "Cambio", "new, removed, worse, better o changed."),
    _c("periodo_anterior", "string", "Periodo anterior", "El periodo comparado."),
    PERIOD_COLUMN,
    _c("color_general_anterior", "string", "Color general anterior", "En el periodo anterior."),
    _c("color_general", "string", "Color general", "En el periodo de reporte."),
    _c("calificacion_general_anterior", "number", "Calificación general anterior", "1 a 5."),
    _c("calificacion_general", "number", "Calificación general", "1 a 5."),
    _c("costo_estimado_anterior", "number", "Costo estimado anterior", "En el periodo anterior."),
    _c("costo_estimado", "number", "Costo estimado", "En el periodo de reporte."),
    _c("variacion_costo_pct_anterior", "number", "Variación de costo anterior (%)", "Antes."),
    _c("variacion_costo_pct", "number", "Variación de costo (%)", "Ahora."),
    _c("variacion_plazo_dias_anterior", "integer", "Variación de plazo anterior (días)", "Antes."),
    _c("variacion_plazo_dias", "integer", "Variación de plazo (días)", "Ahora."),
    _c("calificacion_cio_anterior", "integer", "Calificación CIO anterior", "Antes."),
    _c("calificacion_cio", "integer", "Calificación CIO", "Ahora."),
]
RATING_COLUMNS = [
    _c("institucion", "string", "Institución", "Institución de la inversión."),
    _c("id_inversion", "string", "Inversión", "Identificador de la inversión."),
    _c("calificacion_cio", "integer", "Calificación", "1 (riesgo alto) a 5 (riesgo bajo)."),
    _c("comentario_cio", "string", "Comentario", "Comentario del CIO."),
    _c("fecha_calificacion_cio", "date", "Fecha", "Cuándo se calificó."),
    _c("autor_calificacion_cio", "string", "Autor", "Quién calificó."),
]
SUMMARY_COLUMNS = [
    PERIOD_COLUMN,
    _c("periodo_anterior", "string", "Periodo anterior", "El periodo de reporte previo."),
    _c("fecha_calculo", "date", "Fecha de cálculo", "Día del cálculo (edad de calificaciones)."),
    _c(
        "cartera_vencida", "boolean", "Cartera desactualizada", "Último periodo con más de 2 meses."
    ),
    _c("inversiones", "integer", "Inversiones", "Inversiones del último periodo."),
    _c("proyectos", "integer", "Proyectos", "Proyectos del último periodo."),
    _c("costo_planificado", "number", "Costo planificado", "Total planificado."),
    _c("costo_estimado", "number", "Costo estimado", "Total estimado."),
    _c("costo_real", "number", "Costo real", "Total ejecutado."),
    _c("en_riesgo", "integer", "En riesgo", "Inversiones con color general red."),
    _c("costo_en_riesgo", "number", "Costo en riesgo", "Planificado de las que están en riesgo."),
    _c("verdes", "integer", "Verdes", "Inversiones con color general green."),
    _c("amarillas", "integer", "Amarillas", "Inversiones con color general yellow."),
    _c("rojas", "integer", "Rojas", "Inversiones con color general red."),
    _c(
        "calificaciones_vencidas",
        "integer",
        "Calificaciones vencidas",
        "Más antiguas que el plazo.",
    ),
    _c("sin_calificacion", "integer", "Sin calificación", "Inversiones sin calificación CIO."),
]


@dataclass(frozen=True)
class DerivedTable:
    name: str  # the resource name
    title: str
    description: str
    columns: list[Column]
    primary_key: list[str]


TABLES = [
    DerivedTable(
        "resumen",
        "Resumen de la cartera",
        "Totales del último periodo de reporte y si la cartera está desactualizada.",
        SUMMARY_COLUMNS,
        ["periodo_reporte"],
    ),
    DerivedTable(
        "inversiones",
        "Inversiones del último periodo",
        "Cada inversión con sus variaciones de costo y plazo, colores y calificaciones.",
        INVESTMENT_COLUMNS,
        ["institucion", "id_inversion"],
    ),
    DerivedTable(
        "proyectos",
        "Proyectos del último periodo",
        "Cada proyecto con las cifras planificadas, proyectadas y reales de las que salen "
        "sus variaciones.",
        PROJECT_COLUMNS,
        ["institucion", "id_proyecto"],
    ),
    DerivedTable(
        "historial_inversiones",
        "Historial de las inversiones",
        "Las mismas cifras de cada inversión en cada periodo de reporte.",
        INVESTMENT_COLUMNS,
        ["periodo_reporte", "institucion", "id_inversion"],
    ),
    DerivedTable(
        "cambios",
        "Qué cambió desde el periodo anterior",
        "Inversiones nuevas, retiradas, que empeoraron, mejoraron o cambiaron de cifras.",
        CHANGE_COLUMNS,
        ["institucion", "id_inversion"],
    ),
    DerivedTable(
        "gasto",
        "Gasto por institución, tipo, financiamiento y año",
        "Sumas del último periodo por dimensión; el año sale de los costos mensuales.",
        SPENDING_COLUMNS,
        ["dimension", "valor"],
    ),
    DerivedTable(
        "calificaciones_cio",
        "Historial de calificaciones CIO",
        "Cada calificación con su fecha y autor, de la más antigua a la más reciente.",
        RATING_COLUMNS,
        [],
    ),
]


def frames(dashboard: Dashboard) -> dict[str, pl.DataFrame]:
    """The derived tables of a dashboard, each with exactly its columns, in order."""
    latest = dashboard.investments.rename({"costo_planificado": "presupuesto"}).rename(
        {"costo_base": "costo_planificado"}
    )
    history = dashboard.history.rename({"costo_planificado": "presupuesto"}).rename(
        {"costo_base": "costo_planificado"}
    )
    totals = dashboard.totals()
    summary = pl.DataFrame(
        [
            {
                "periodo_reporte": dashboard.period,
                "periodo_anterior": dashboard.previous,
                "fecha_calculo": dashboard.today,
                "cartera_vencida": totals["stale"],
                "inversiones": totals["investments"],
                "proyectos": totals["projects"],
                "costo_planificado": totals["planned_cost"],
                "costo_estimado": totals["estimated_cost"],
                "costo_real": totals["actual_cost"],
                "en_riesgo": totals["at_risk"],
                "costo_en_riesgo": totals["at_risk_cost"],
                "verdes": totals["by_colour"]["green"],
                "amarillas": totals["by_colour"]["yellow"],
                "rojas": totals["by_colour"]["red"],
                "calificaciones_vencidas": totals["stale_ratings"],
                "sin_calificacion": totals["without_rating"],
            }
        ]
        if dashboard.period
        else [],
        schema={c.name: _DTYPES[c.type] for c in SUMMARY_COLUMNS},
    )
    sources = {
        "resumen": summary,
        "inversiones": latest,
        "proyectos": dashboard.projects,
        "historial_inversiones": history,
        "cambios": dashboard.changes,
        "gasto": dashboard.spending,
        "calificaciones_cio": dashboard.ratings,
    }
    return {
        t.name: sources[t.name].select([pl.col(c.name).cast(_DTYPES[c.type]) for c in t.columns])
        for t in TABLES
    }


_DTYPES: dict[str, pl.DataType] = {
    "string": pl.Utf8(),
    "number": pl.Float64(),
    "integer": pl.Int64(),
    "date": pl.Date(),
    "boolean": pl.Boolean(),
}
