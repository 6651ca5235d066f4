"""The dashboard's figures, computed from the IT-portfolio tables: pure and columnar.

``compute(portfolio, ratings, settings, today)`` takes the standard's tables (every
reporting period at once, as polars frames), the CIO ratings (plain ``CioRating``
records, from wherever they are kept) and the jurisdiction's settings, and returns a
``Dashboard``: investments and projects of the latest period with their variances,
colours, ratings and overall rating; the same per period (the history); what changed
since the previous period; spending by body, type, funding source and year; totals.
Nothing here reads files or the clock. The formulas are in docs/it-dashboard.md:

* the estimate of a project's cost is its actual cost once it finished, else its
  projected cost, else the larger of its actual cost so far and its planned cost;
  its end is the actual end, else the projected end, else the planned end;
* cost variance = estimate - planned (positive: over budget), in amount and in percent
  of the planned cost; schedule variance = estimated end - planned end in days (positive:
  late), in percent of the planned duration; percents are rounded to two decimals;
* colours on the absolute percent: under ``green`` (10) green, under ``red`` (30)
  yellow, else red;
* points: green 5, yellow 3, red 1; overall = the mean of the cost points, the schedule
  points and the CIO rating (1-5), except that a CIO rating lower than both points takes
  over; without a CIO rating, the mean of the two points. Overall colour: under 2.5 red,
  under 3.5 yellow, else green.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from catalog.itportfolio.standard import PERIOD, schema

COLOURS = ("green", "yellow", "red")
POINTS = {"green": 5, "yellow": 3, "red": 1}
OVERALL_RED, OVERALL_GREEN = 2.5, 3.5  # overall under 2.5 is red, 3.5 or more green
STALE_PORTFOLIO_MONTHS = 2


# ---------------------------------------------------------------- settings and inputs


@dataclass(frozen=True)
class Bands:
    """Colour bands on the absolute variance percent: under ``green`` green, under ``red``
    yellow, ``red`` or more red."""

    green: float = 10.0
    red: float = 30.0

    def colour(self, percent: float | None, amount: float = 0.0) -> str:
        """The colour of a variance; an undefined percent (nothing planned) is green when
        nothing varies and red otherwise."""
        if percent is None:
            return "green" if amount <= 0 else "red"
        size = abs(percent)
        return "green" if size < self.green else "yellow" if size < self.red else "red"


@dataclass(frozen=True)
class Settings:
    """What the jurisdiction profile's ``it_dashboard`` says (defaults: 10/30 %, 90 days)."""

    bands: Bands = field(default_factory=Bands)
    stale_rating_days: int = 90
    stale_portfolio_months: int = STALE_PORTFOLIO_MONTHS

    @classmethod
    def of(cls, profile: dict[str, Any] | None) -> Settings:
        """From a jurisdiction profile (``catalog.jurisdictions.jurisdiction(code)``)."""
        section = (profile or {}).get("it_dashboard") or {}
        bands = section.get("bands") or {}
        return cls(
            Bands(float(bands.get("green", 10)), float(bands.get("red", 30))),
            int(section.get("stale_rating_days", 90)),
        )

    @classmethod
    def of_jurisdiction(cls, code: str) -> Settings:
        from catalog.jurisdictions import jurisdiction

        return cls.of(jurisdiction(code))


@dataclass(frozen=True)
class CioRating:
    """One rating a body's CIO gave an investment: 1 (high risk) to 5 (low risk)."""

    publisher: str
    investment_id: str
    rating: int
    comment: str
    date: date
    author: str


@dataclass
class Portfolio:
    """The standard's tables, every reporting period (``typed`` frames)."""

    investments: pl.DataFrame
    projects: pl.DataFrame
    monthly_costs: pl.DataFrame | None = None
    milestones: pl.DataFrame | None = None


# ---------------------------------------------------------------- scalar formulas


def cost_variance(planned: float, estimate: float) -> tuple[float, float | None]:
    """(amount, percent): estimate - planned, and that in percent of planned (None when
    nothing was planned). Positive is over budget."""
    amount = estimate - planned
    return amount, (round(amount / planned * 100, 2) if planned > 0 else None)


def schedule_variance(
    planned_start: date, planned_end: date, estimated_end: date
) -> tuple[int, float | None]:
    """(days, percent): estimated end - planned end in days, and that in percent of the
    planned duration (None for a duration of zero days). Positive is late."""
    days = (estimated_end - planned_end).days
    duration = (planned_end - planned_start).days
    return days, (round(days / duration * 100, 2) if duration > 0 else None)


def overall_rating(cost: str, schedule: str, cio: int | None) -> float:
    """The overall rating, 1-5 (rounded to one decimal), from the two colours and the CIO's."""
    points = (POINTS[cost], POINTS[schedule])
    if cio is None:
        return round(sum(points) / 2, 1)
    if cio < min(points):
        return float(cio)
    return round((sum(points) + cio) / 3, 1)


def overall_colour(overall: float) -> str:
    return "red" if overall < OVERALL_RED else "yellow" if overall < OVERALL_GREEN else "green"


def months_between(earlier: str, later: str) -> int:
    """Whole months from period ``earlier`` to ``later`` (YYYY-MM each)."""
    y1, m1 = int(earlier[:4]), int(earlier[5:7])
    y2, m2 = int(later[:4]), int(later[5:7])
    return (y2 - y1) * 12 + (m2 - m1)


# ---------------------------------------------------------------- typing the tables


_TYPES: dict[str, pl.DataType] = {"date": pl.Date(), "number": pl.Float64(), "string": pl.Utf8()}


def typed(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """``frame`` with the standard's columns of ``table`` in their types (text cells are
    parsed, an empty text is null, a missing optional column is all null); other columns
    are kept as they are."""
    columns = []
    for fld in schema(table)["fields"]:
        name, kind = fld["name"], _TYPES.get(fld["type"], pl.Utf8())
        if name not in frame.columns:
            columns.append(pl.lit(None, dtype=kind).alias(name))
            continue
        col = pl.col(name)
        dtype = frame.schema[name]
        if dtype == kind:
            columns.append(col)
        elif dtype in (pl.Utf8, pl.String):
            text = pl.when(col.str.strip_chars() == "").then(None).otherwise(col.str.strip_chars())
            if kind == pl.Date():
                columns.append(text.str.to_date("%Y-%m-%d", strict=False).alias(name))
            else:
                columns.append(text.cast(kind, strict=False).alias(name))
        else:
            columns.append(col.cast(kind, strict=False))
    return frame.with_columns(columns)


def _bands(amount: pl.Expr, percent: pl.Expr, bands: Bands) -> pl.Expr:
    size = percent.abs()
    return (
        pl.when(percent.is_null())
        .then(pl.when(amount.fill_null(0) <= 0).then(pl.lit("green")).otherwise(pl.lit("red")))
        .when(size < bands.green)
        .then(pl.lit("green"))
        .when(size < bands.red)
        .then(pl.lit("yellow"))
        .otherwise(pl.lit("red"))
    )


def _points(colour: pl.Expr) -> pl.Expr:
    return colour.replace_strict(POINTS, default=None, return_dtype=pl.Int64)


# ---------------------------------------------------------------- projects


def projects_table(projects: pl.DataFrame, bands: Bands) -> pl.DataFrame:
    """Every project row (every period) with its estimates, variances and colours."""
    finished = pl.col("fin_real").is_not_null()
    estimate = (
        pl.when(finished)
        .then(pl.coalesce("costo_real", "costo_proyectado", "costo_planificado"))
        .otherwise(
            pl.coalesce("costo_proyectado", pl.max_horizontal("costo_real", "costo_planificado"))
        )
    )
    end = pl.coalesce("fin_real", "fin_proyectado", "fin_planificado")
    frame = projects.with_columns(
        estimate.alias("costo_estimado"), end.alias("fin_estimado")
    ).with_columns(
        (pl.col("costo_estimado") - pl.col("costo_planificado")).alias("variacion_costo"),
        (pl.col("fin_estimado") - pl.col("fin_planificado"))
        .dt.total_days()
        .alias("variacion_plazo_dias"),
        (pl.col("fin_planificado") - pl.col("inicio_planificado"))
        .dt.total_days()
        .alias("duracion_planificada_dias"),
    )
    frame = frame.with_columns(
        _percent(pl.col("variacion_costo"), pl.col("costo_planificado")).alias(
            "variacion_costo_pct"
        ),
        _percent(
            pl.col("variacion_plazo_dias").cast(pl.Float64),
            pl.col("duracion_planificada_dias").cast(pl.Float64),
        ).alias("variacion_plazo_pct"),
    )
    return frame.with_columns(
        _bands(pl.col("variacion_costo"), pl.col("variacion_costo_pct"), bands).alias(
            "color_costo"
        ),
        _bands(
            pl.col("variacion_plazo_dias").cast(pl.Float64), pl.col("variacion_plazo_pct"), bands
        ).alias("color_plazo"),
    )


def _percent(amount: pl.Expr, base: pl.Expr) -> pl.Expr:
    return pl.when(base > 0).then((amount / base * 100).round(2)).otherwise(None)


# ---------------------------------------------------------------- investments


def investments_table(
    investments: pl.DataFrame, projects: pl.DataFrame, ratings: pl.DataFrame, bands: Bands
) -> pl.DataFrame:
    """Every investment row (every period) with the sums of its projects, its variances,
    colours, the CIO rating in force at the end of the period and the overall rating."""
    keys = [PERIOD, "id_inversion"]
    sums = projects.group_by(keys).agg(
        pl.len().alias("proyectos"),
        pl.col("costo_planificado").sum().alias("_planned"),
        pl.col("costo_estimado").sum().alias("_estimate"),
        pl.col("costo_real").sum().alias("_actual"),
        pl.col("inicio_planificado").min().alias("_start"),
        pl.col("fin_planificado").max().alias("_end"),
        pl.col("fin_estimado").max().alias("_estimated_end"),
        (pl.col("color_costo") == "red").sum().alias("_red_projects"),
    )
    frame = investments.join(sums, on=keys, how="left").with_columns(
        pl.col("proyectos").fill_null(0)
    )
    has = pl.col("proyectos") > 0
    frame = frame.with_columns(
        pl.when(has).then("_planned").otherwise("costo_planificado").alias("costo_base"),
        pl.when(has)
        .then("_estimate")
        .otherwise(pl.coalesce("costo_proyectado", "costo_planificado"))
        .alias("costo_estimado"),
        pl.when(has).then("_actual").otherwise(None).alias("costo_real"),
        pl.when(has).then("_start").otherwise("fecha_inicio").alias("_s"),
        pl.when(has).then("_end").otherwise("fecha_fin").alias("_e"),
        pl.when(has).then("_estimated_end").otherwise("fecha_fin").alias("fin_estimado"),
    ).with_columns(
        (pl.col("costo_estimado") - pl.col("costo_base")).alias("variacion_costo"),
        (pl.col("fin_estimado") - pl.col("_e")).dt.total_days().alias("variacion_plazo_dias"),
        (pl.col("_e") - pl.col("_s")).dt.total_days().cast(pl.Float64).alias("_duration"),
    )
    frame = frame.with_columns(
        _percent(pl.col("variacion_costo"), pl.col("costo_base")).alias("variacion_costo_pct"),
        _percent(pl.col("variacion_plazo_dias").cast(pl.Float64), pl.col("_duration")).alias(
            "variacion_plazo_pct"
        ),
    ).with_columns(
        _bands(pl.col("variacion_costo"), pl.col("variacion_costo_pct"), bands).alias(
            "color_costo"
        ),
        _bands(
            pl.col("variacion_plazo_dias").cast(pl.Float64), pl.col("variacion_plazo_pct"), bands
        ).alias("color_plazo"),
        pl.col(PERIOD).str.to_date("%Y-%m", strict=False).dt.month_end().alias("_period_end"),
    )
    frame = _with_ratings(frame, ratings)
    cost, sched, cio = (
        _points(pl.col("color_costo")),
        _points(pl.col("color_plazo")),
        pl.col("calificacion_cio"),
    )
    two = ((cost + sched).cast(pl.Float64) / 2).round(1)
    three = ((cost + sched + cio).cast(pl.Float64) / 3).round(1)
    overall = (
        pl.when(cio.is_null())
        .then(two)
        .when(cio < pl.min_horizontal(cost, sched))
        .then(cio.cast(pl.Float64))
        .otherwise(three)
    )
    frame = frame.with_columns(overall.alias("calificacion_general")).with_columns(
        pl.when(pl.col("calificacion_general") < OVERALL_RED)
        .then(pl.lit("red"))
        .when(pl.col("calificacion_general") < OVERALL_GREEN)
        .then(pl.lit("yellow"))
        .otherwise(pl.lit("green"))
        .alias("color_general")
    )
    return (
        frame.rename({"_s": "inicio_planificado", "_e": "fin_planificado"})
        .drop("_planned", "_estimate", "_actual", "_start", "_end", "_estimated_end")
        .drop("_duration", "_period_end", "_red_projects")
    )


RATING_SCHEMA = {
    "institucion": pl.Utf8,
    "id_inversion": pl.Utf8,
    "calificacion_cio": pl.Int64,
    "comentario_cio": pl.Utf8,
    "fecha_calificacion_cio": pl.Date,
    "autor_calificacion_cio": pl.Utf8,
}


def ratings_frame(ratings: Iterable[CioRating]) -> pl.DataFrame:
    """The ratings as a frame, oldest first (of one day, in the order given)."""
    rows = [
        (r.publisher, r.investment_id, int(r.rating), r.comment, r.date, r.author)
        for r in ratings
        if 1 <= int(r.rating) <= 5
    ]
    frame = pl.DataFrame(rows, schema=RATING_SCHEMA, orient="row")
    return frame.sort("fecha_calificacion_cio", maintain_order=True)


def _with_ratings(frame: pl.DataFrame, ratings: pl.DataFrame) -> pl.DataFrame:
    """The latest rating dated on or before the end of each row's period."""
    left = frame.with_row_index("_row").sort("_period_end")
    right = ratings.with_columns(pl.col("fecha_calificacion_cio").alias("_period_end"))
    joined = left.join_asof(
        right.sort("_period_end"),
        on="_period_end",
        by=["institucion", "id_inversion"],
        strategy="backward",
        check_sortedness=False,
    )
    return joined.sort("_row").drop("_row")


# ---------------------------------------------------------------- spending, changes


AGGREGATE_DIMENSIONS = {
    "institucion": "institucion",
    "tipo": "tipo",
    "fuente_financiamiento": "fuente_financiamiento",
}
SPENDING_COLUMNS = {
    "periodo_reporte": pl.Utf8,
    "dimension": pl.Utf8,
    "valor": pl.Utf8,
    "inversiones": pl.Int64,
    "costo_planificado": pl.Float64,
    "costo_estimado": pl.Float64,
    "costo_real": pl.Float64,
    "en_riesgo": pl.Int64,
    "costo_en_riesgo": pl.Float64,
}


def spending_table(
    latest: pl.DataFrame, monthly: pl.DataFrame | None, period: str | None
) -> pl.DataFrame:
    """Spending of the latest period by body, type and funding source (planned, estimated,
    actual, at risk) and by calendar year (planned and actual, from the monthly costs:
    each project's month as the latest period reporting it gives it)."""
    parts = []
    risky = pl.col("color_general") == "red"
    for dimension, column in AGGREGATE_DIMENSIONS.items():
        parts.append(
            latest.group_by(pl.col(column).fill_null("").alias("valor"))
            .agg(
                pl.len().cast(pl.Int64).alias("inversiones"),
                pl.col("costo_base").sum().alias("costo_planificado"),
                pl.col("costo_estimado").sum().alias("costo_estimado"),
                pl.col("costo_real").sum().alias("costo_real"),
                risky.sum().cast(pl.Int64).alias("en_riesgo"),
                pl.col("costo_base").filter(risky).sum().alias("costo_en_riesgo"),
            )
            .with_columns(pl.lit(dimension).alias("dimension"))
        )
    if monthly is not None and monthly.height and period is not None:
        months = (
            monthly.filter(pl.col(PERIOD) <= period)
            .sort(PERIOD)
            .group_by("id_proyecto", "mes")
            .agg(pl.col("costo_planificado").last(), pl.col("costo_real").last())
        )
        parts.append(
            months.group_by(pl.col("mes").str.slice(0, 4).alias("valor"))
            .agg(
                pl.lit(None, dtype=pl.Int64).alias("inversiones"),
                pl.col("costo_planificado").sum().alias("costo_planificado"),
                pl.lit(None, dtype=pl.Float64).alias("costo_estimado"),
                pl.col("costo_real").sum().alias("costo_real"),
                pl.lit(None, dtype=pl.Int64).alias("en_riesgo"),
                pl.lit(None, dtype=pl.Float64).alias("costo_en_riesgo"),
            )
            .with_columns(pl.lit("anio").alias("dimension"))
        )
    if not parts:
        return pl.DataFrame(schema=SPENDING_COLUMNS)
    frame = pl.concat(
        [
            p.select([pl.col(c).cast(t) for c, t in SPENDING_COLUMNS.items() if c != PERIOD])
            for p in parts
        ]
    )
    order = {d: i for i, d in enumerate([*AGGREGATE_DIMENSIONS, "anio"])}
    return (
        frame.with_columns(pl.lit(period, dtype=pl.Utf8).alias(PERIOD))
        .with_columns(pl.col("dimension").replace_strict(order, return_dtype=pl.Int64).alias("_o"))
        .sort("_o", "valor")
        .drop("_o")
        .select(list(SPENDING_COLUMNS))
    )


CHANGE_KEYS = ("color_costo", "color_plazo", "color_general", "calificacion_cio")
CHANGE_COLUMNS = {
    "institucion": pl.Utf8,
    "id_inversion": pl.Utf8,
    "nombre": pl.Utf8,
    "cambio": pl.Utf8,
    "periodo_anterior": pl.Utf8,
    "periodo_reporte": pl.Utf8,
    "color_general_anterior": pl.Utf8,
    "color_general": pl.Utf8,
    "calificacion_general_anterior": pl.Float64,
    "calificacion_general": pl.Float64,
    "costo_estimado_anterior": pl.Float64,
    "costo_estimado": pl.Float64,
    "variacion_costo_pct_anterior": pl.Float64,
    "variacion_costo_pct": pl.Float64,
    "variacion_plazo_dias_anterior": pl.Int64,
    "variacion_plazo_dias": pl.Int64,
    "calificacion_cio_anterior": pl.Int64,
    "calificacion_cio": pl.Int64,
}


def changes_table(history: pl.DataFrame, period: str | None, previous: str | None) -> pl.DataFrame:
    """What changed from ``previous`` to ``period``, one row per investment that changed:
    ``cambio`` is new, removed, worse (overall rating down), better (up) or changed
    (another figure or colour moved)."""
    if period is None or previous is None:
        return pl.DataFrame(schema=CHANGE_COLUMNS)
    keys = ["institucion", "id_inversion"]
    figures = ["nombre", "color_general", "calificacion_general", "costo_estimado"]
    figures += ["variacion_costo_pct", "variacion_plazo_dias", "calificacion_cio"]
    figures += ["color_costo", "color_plazo"]
    now = history.filter(pl.col(PERIOD) == period).select(keys + figures)
    before = history.filter(pl.col(PERIOD) == previous).select(keys + figures)
    joined = now.join(before, on=keys, how="full", suffix="_anterior", coalesce=True)
    gone = pl.col("color_general").is_null() & pl.col("color_general_anterior").is_not_null()
    new = pl.col("color_general_anterior").is_null() & pl.col("color_general").is_not_null()
    moved = pl.any_horizontal(
        [
            ~pl.col(c).eq_missing(pl.col(f"{c}_anterior"))
            for c in ("costo_estimado", "variacion_plazo_dias", *CHANGE_KEYS)
        ]
    )
    kind = (
        pl.when(new)
        .then(pl.lit("new"))
        .when(gone)
        .then(pl.lit("removed"))
        .when(pl.col("calificacion_general") < pl.col("calificacion_general_anterior"))
        .then(pl.lit("worse"))
        .when(pl.col("calificacion_general") > pl.col("calificacion_general_anterior"))
        .then(pl.lit("better"))
        .when(moved)
        .then(pl.lit("changed"))
        .otherwise(None)
    )
    return (
        joined.with_columns(
            kind.alias("cambio"),
            pl.coalesce("nombre", "nombre_anterior").alias("nombre"),
            pl.lit(previous).alias("periodo_anterior"),
            pl.lit(period).alias(PERIOD),
        )
        .filter(pl.col("cambio").is_not_null())
        .select([pl.col(c).cast(t) for c, t in CHANGE_COLUMNS.items()])
        .sort("institucion", "id_inversion")
    )


# ---------------------------------------------------------------- the dashboard


@dataclass
class Dashboard:
    """Everything the dashboard shows. ``history`` and ``project_history`` hold every
    period; ``investments`` and ``projects`` the latest one."""

    period: str | None  # the latest reporting period (YYYY-MM)
    previous: str | None  # the one before it
    periods: list[str]
    today: date
    settings: Settings
    investments: pl.DataFrame
    projects: pl.DataFrame
    history: pl.DataFrame
    project_history: pl.DataFrame
    changes: pl.DataFrame
    spending: pl.DataFrame
    ratings: pl.DataFrame  # every CIO rating, oldest first: the rating history

    @property
    def stale(self) -> bool:
        """The latest reporting period is more than two months before today's month."""
        if self.period is None:
            return True
        age = months_between(self.period, self.today.strftime("%Y-%m"))
        return age > self.settings.stale_portfolio_months

    def totals(self) -> dict[str, Any]:
        """Counts and sums of the latest period."""
        latest = self.investments
        red = latest.filter(pl.col("color_general") == "red")
        colours = {c: latest.filter(pl.col("color_general") == c).height for c in COLOURS}
        return {
            "period": self.period,
            "previous_period": self.previous,
            "stale": self.stale,
            "investments": latest.height,
            "projects": self.projects.height,
            "planned_cost": _sum(latest, "costo_base"),
            "estimated_cost": _sum(latest, "costo_estimado"),
            "actual_cost": _sum(latest, "costo_real"),
            "at_risk": red.height,
            "at_risk_cost": _sum(red, "costo_base"),
            "by_colour": colours,
            "stale_ratings": latest.filter(pl.col("calificacion_cio_vencida")).height,
            "without_rating": latest.filter(pl.col("calificacion_cio").is_null()).height,
        }


def _sum(frame: pl.DataFrame, column: str) -> float:
    value = frame.get_column(column).sum() if frame.height else 0.0
    return float(value or 0.0)


def compute(
    portfolio: Portfolio,
    ratings: Iterable[CioRating] = (),
    settings: Settings | None = None,
    today: date | None = None,
) -> Dashboard:
    """The dashboard of ``portfolio`` as of ``today`` (for the age of ratings and of the
    portfolio; by default the last day of the latest period)."""
    settings = settings or Settings()
    investments = typed(portfolio.investments, "inversiones")
    projects = typed(portfolio.projects, "proyectos")
    monthly = (
        typed(portfolio.monthly_costs, "costos_mensuales")
        if portfolio.monthly_costs is not None
        else None
    )
    periods = sorted(
        {p for p in investments.get_column(PERIOD).unique().to_list() if isinstance(p, str)}
    )
    period = periods[-1] if periods else None
    previous = periods[-2] if len(periods) > 1 else None
    if today is None:
        today = _month_end(period) if period else date(1970, 1, 1)
    rated = ratings_frame(ratings)
    project_history = projects_table(projects, settings.bands)
    project_history = project_history.join(
        investments.select(PERIOD, "id_inversion", "institucion"),
        on=[PERIOD, "id_inversion"],
        how="left",
    )
    history = investments_table(investments, project_history, rated, settings.bands)
    history = history.with_columns(
        (
            pl.col("fecha_calificacion_cio").is_not_null()
            & (
                (pl.lit(today) - pl.col("fecha_calificacion_cio")).dt.total_days()
                > settings.stale_rating_days
            )
        ).alias("calificacion_cio_vencida"),
        (pl.lit(today) - pl.col("fecha_calificacion_cio"))
        .dt.total_days()
        .alias("dias_calificacion_cio"),
    ).sort(PERIOD, "institucion", "id_inversion")
    latest = history.filter(pl.col(PERIOD) == period) if period else history.clear()
    latest_projects = (
        project_history.filter(pl.col(PERIOD) == period) if period else project_history.clear()
    ).sort("institucion", "id_inversion", "id_proyecto")
    return Dashboard(
        period=period,
        previous=previous,
        periods=periods,
        today=today,
        settings=settings,
        investments=latest,
        projects=latest_projects,
        history=history,
        project_history=project_history.sort(PERIOD, "institucion", "id_inversion", "id_proyecto"),
        changes=changes_table(history, period, previous),
        spending=spending_table(latest, monthly, period),
        ratings=rated,
    )


def _month_end(period: str) -> date:
    year, month = int(period[:4]), int(period[5:7])
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)
