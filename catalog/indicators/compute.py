"""Computing declared indicators from a release's tables, and comparing territories.

``compute_all`` reads the published SQLite tables (never the builder) and gives,
for each indicator, its value per territory and period at the declared level,
the department and national aggregates, and the gaps between the groups of each
disaggregation. Aggregates of a ratio or a rate are weighted: the sum of the
numerators over the sum of the denominators (or of the population), never the
mean of the rates. ``profile`` and ``ranking`` turn that into what a page or the
API shows: the latest value, its trend, rank among peers, the department and
national values beside it and the distance to the target. Pure and fast: plain
SQL grouped by territory and period, then dictionaries.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Protocol

from catalog import territories
from catalog.indicators.declaration import Indicator, declared
from catalog.release.manifest import Manifest, TablePlan
from catalog.release.naming import quote

DIGITS = 4
STABLE = 0.01  # a change under 1 % of the earlier value is "stable"
Series = list[list[Any]]  # [[period, value], ...] in period order
Cells = dict[str, dict[Any, tuple[float, float | None]]]  # code -> period -> (num, den)


def _period(value: Any) -> Any:
    """Years as integers (``"2024"`` → 2024); other periods as text."""
    if isinstance(value, int):
        return value
    text = str(value)
    return int(text) if text.isdigit() else text


def _where(filters: dict[str, list[Any]]) -> tuple[str, list[Any]]:
    parts, params = [], []
    for name, values in sorted(filters.items()):
        parts.append(f"{quote(name)} in ({', '.join('?' for _ in values)})")
        params += values
    return (" and " + " and ".join(parts)) if parts else "", params


def _column(plan: TablePlan, level: str) -> str | None:
    """The SQL expression of ``level`` codes in a table (a department from a municipality)."""
    found = {c["territory"]: c["name"] for c in plan["columns"] if c["territory"]}
    if level in found:
        return quote(found[level])
    if level == "department" and "municipality" in found:
        return f"substr({quote(found['municipality'])}, 1, 2)"
    return None


def _nearest(years: dict[Any, float], period: Any) -> float | None:
    """The value of ``period``, or of the nearest period that has one (earlier on a tie)."""
    if period in years:
        return years[period]
    numeric = [y for y in years if isinstance(y, int)]
    if not numeric or not isinstance(period, int):
        return None
    return years[min(numeric, key=lambda y: (abs(y - period), y))]


def _value(num: float, den: float | None, factor: float) -> float | None:
    if den is None:
        return round(num, DIGITS)
    return round(factor * num / den, DIGITS) if den else None


class People(Protocol):
    def people(self, level: str, code: str, period: Any, key: Any = None) -> float | None: ...


class _Population:
    """The population table a rate divides by: ``people(level, code, period)``."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        plan: TablePlan,
        spec: dict[str, Any],
        extra: str | None,
        country: str = territories.DEFAULT_COUNTRY,
    ):
        self.by: dict[tuple[str, str, Any], dict[Any, float]] = defaultdict(dict)
        self.total: dict[tuple[str, Any], dict[Any, float]] = defaultdict(dict)
        where, params = _where(spec["filter"])
        group = quote(extra) if extra else "null"
        field, period = quote(spec["field"]), quote(spec["period"])
        table = quote(plan["name"])
        for level in ("department", "municipality"):
            expr = _column(plan, level)
            if expr is None:
                continue
            sql = (
                f"select {expr}, {period}, {group}, sum({field}) from {table} "
                f"where {field} is not null{where} group by 1, 2, 3"
            )
            for code, when, key, people in conn.execute(sql, params):
                place = territories.key(str(code), country)
                self.by[(level, place, key)][_period(when)] = float(people)
                if level == "department":
                    years = self.total[("", key)]
                    years[_period(when)] = years.get(_period(when), 0.0) + float(people)

    def people(self, level: str, code: str, period: Any, key: Any = None) -> float | None:
        if level == "national":
            return _nearest(self.total.get(("", key), {}), period)
        return _nearest(self.by.get((level, code, key), {}), period)


def _cells(
    conn: sqlite3.Connection,
    ind: Indicator,
    plan: TablePlan,
    group: str | None,
    country: str = territories.DEFAULT_COUNTRY,
) -> dict[Any, Cells]:
    """``{group value: {key: {period: (numerator or value, denominator)}}}``; the codes of
    ``country`` as territory keys (``0101``, ``CL-13101``)."""
    comp, kind = ind["computation"], ind["kind"]
    where, params = _where(ind["filter"])
    place, period = quote(ind["territory"]["field"]), quote(ind["period"])
    by = quote(group) if group else "null"
    if kind == "value":
        agg = "avg" if comp["aggregate"] == "mean" else "sum"
        value = quote(comp["value"])
        measures, check = f"{agg}({value}), null", value
    elif kind == "ratio":
        num, den = quote(comp["numerator"]), quote(comp["denominator"])
        measures, check = f"sum({num}), sum({den})", num
    else:
        num = quote(comp["numerator"])
        measures, check = f"sum({num}), null", num
    sql = (
        f"select {place}, {period}, {by}, {measures} from {quote(plan['name'])} "
        f"where {check} is not null{where} group by 1, 2, 3"
    )
    out: dict[Any, Cells] = defaultdict(lambda: defaultdict(dict))
    for code, when, key, num_v, den_v in conn.execute(sql, params):
        if code is None or when is None or num_v is None:
            continue
        place = territories.key(str(code), country)
        out[key][place][_period(when)] = (float(num_v), None if den_v is None else float(den_v))
    return out


def _valid(level: str, code: str) -> bool:
    return (
        territories.is_department(code)
        if level == "department"
        else territories.is_municipality(code)
    )


def _series(
    ind: Indicator, cells: Cells, population: People | None, key: Any = None
) -> dict[str, dict[str, dict[Any, float]]]:
    """Values per level (the declared one, ``department``, ``national``) and period."""
    level, kind, comp = ind["territory"]["level"], ind["kind"], ind["computation"]
    factor = comp.get("scale") or comp.get("per") or 1
    cells = {code: periods for code, periods in cells.items() if _valid(level, code)}
    out: dict[str, dict[str, dict[Any, float]]] = {
        "department": {},
        "municipality": {},
        "national": {},
    }

    def rate(lvl: str, code: str, period: Any, num: float, den: float | None) -> float | None:
        if kind == "population":
            assert population is not None
            den = population.people(lvl, code, period, key)
            return _value(num, den, factor) if den is not None else None
        return _value(num, den, factor)

    for code, periods in cells.items():
        for period, (num, den) in periods.items():
            found = rate(level, code, period, num, den)
            if found is not None:
                out[level].setdefault(code, {})[period] = found
    # Aggregates: weighted sums for ratios and rates; a mean or a sum of values.
    groups: dict[tuple[str, str], dict[Any, list[tuple[float, float | None]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for code, by_period in cells.items():
        above = [("national", "")]
        if level == "municipality":
            above.append(("department", territories.department_of(code) or ""))
        for target in above:
            for period, pair in by_period.items():
                groups[target][period].append(pair)
    for (lvl, code), pairs_by_period in groups.items():
        for period, pairs in pairs_by_period.items():
            nums = [n for n, _d in pairs]
            if kind == "value":
                total = sum(nums)
                found = round(total / len(nums) if comp["aggregate"] == "mean" else total, DIGITS)
            elif kind == "ratio":
                found = _value(sum(nums), sum(d or 0.0 for _n, d in pairs), factor)
            else:
                found = rate(lvl, code, period, sum(nums), None)
            if found is not None:
                out[lvl].setdefault(code, {})[period] = found
    return out


def _sql(ind: Indicator, plan: TablePlan, population: TablePlan | None) -> str:
    """The query behind the values at the declared level, to run at /sql/."""
    comp, kind = ind["computation"], ind["kind"]
    place, period = quote(ind["territory"]["field"]), quote(ind["period"])
    table = quote(plan["name"])
    conditions = [
        f"{quote(k)} in ({', '.join(_literal(v) for v in vs)})"
        for k, vs in sorted(ind["filter"].items())
    ]
    where = (" where " + " and ".join(conditions)) if conditions else ""
    if kind == "value":
        agg = "avg" if comp["aggregate"] == "mean" else "sum"
        return (
            f"select {place} as territorio, {period} as periodo, "
            f"round({agg}({quote(comp['value'])}), 2) as valor\nfrom {table}{where}\n"
            "group by 1, 2 order by 2, 1"
        )
    if kind == "ratio":
        num, den = quote(comp["numerator"]), quote(comp["denominator"])
        return (
            f"select {place} as territorio, {period} as periodo, sum({num}) as numerador, "
            f"sum({den}) as denominador,\n  round({comp['scale']} * sum({num}) * 1.0 / "
            f"sum({den}), 2) as valor\nfrom {table}{where}\ngroup by 1, 2 order by 2, 1"
        )
    spec = comp["population"]
    if population is None:
        return ""  # no population table: no values, and no query behind them
    expr = _column(population, ind["territory"]["level"]) or "null"
    pop_conditions = [
        f"{quote(k)} in ({', '.join(_literal(v) for v in vs)})"
        for k, vs in sorted(spec["filter"].items())
    ]
    pop_where = (" where " + " and ".join(pop_conditions)) if pop_conditions else ""
    return (
        f"with n as (\n  select {place} as territorio, {period} as periodo, "
        f"sum({quote(comp['numerator'])}) as numerador\n  from {table}{where} group by 1, 2\n),\n"
        f"p as (\n  select {expr} as territorio, {quote(spec['period'])} as periodo, "
        f"sum({quote(spec['field'])}) as poblacion\n  from {quote(population['name'])}"
        f"{pop_where} group by 1, 2\n),\n"
        "y as (\n  select n.territorio, n.periodo, (select min(p.periodo) from p where "
        "p.territorio = n.territorio\n    and abs(p.periodo - n.periodo) = (select "
        "min(abs(q.periodo - n.periodo)) from p q\n    where q.territorio = n.territorio))"
        " as anio_poblacion\n  from n\n)\n"
        "select n.territorio, n.periodo, n.numerador, y.anio_poblacion, p.poblacion,\n"
        f"  round({comp['per']} * n.numerador * 1.0 / p.poblacion, 2) as valor\n"
        "from n join y using (territorio, periodo)\n"
        "left join p on p.territorio = n.territorio and p.periodo = y.anio_poblacion\n"
        "order by 2, 1"
    )


def _literal(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _pairs(values: dict[Any, float]) -> Series:
    return [[p, values[p]] for p in sorted(values, key=str)]


def compute(
    ind: Indicator,
    plan: TablePlan,
    tables: dict[tuple[str, str], TablePlan],
    conn: sqlite3.Connection,
    country: str = territories.DEFAULT_COUNTRY,
) -> dict[str, Any]:
    """One indicator's values, aggregates and gaps (JSON-ready); ``country`` is the
    country of the dataset's territory codes, which become keys (``CL-13101``)."""
    population_plan = None
    if ind["kind"] == "population":
        spec = ind["computation"]["population"]
        population_plan = tables.get((spec["dataset"], spec["resource"]))

    def population(extra: str | None) -> _Population | None:
        if population_plan is None:
            return None
        spec = ind["computation"]["population"]
        return _Population(conn, population_plan, spec, extra, country)

    base = population(None)
    values: dict[str, Any] = {"department": {}, "municipality": {}, "national": {}}
    if ind["kind"] != "population" or base is not None:
        cells = _cells(conn, ind, plan, None, country).get(None, {})
        values = _series(ind, cells, base)
    periods = sorted({p for by in values.values() for s in by.values() for p in s}, key=str)
    latest = periods[-1] if periods else None
    gaps = []
    for group in ind["disaggregations"]:
        by_field = group.get("population")
        people = population(by_field) if by_field and population_plan else base
        found: dict[str, dict[str, float]] = defaultdict(dict)
        for key, cells in _cells(conn, ind, plan, group["field"], country).items():
            if key is None:
                continue
            per_group: People | None = None
            if ind["kind"] == "population" and people is not None:
                per_group = _GroupPopulation(people, key) if by_field else people
            elif ind["kind"] == "population":
                continue
            series = _series(ind, cells, per_group)
            for level in ("department", "municipality", "national"):
                for code, by_period in series[level].items():
                    if latest in by_period:
                        found[f"{level}:{code}"][str(key)] = by_period[latest]
        gaps.append({**group, "period": latest, "values": dict(found)})
    return {
        "id": ind["id"],
        "dataset": ind["dataset"],
        "resource": ind["resource"],
        "table": plan["name"],
        "name": ind["name"],
        "definition": ind["definition"],
        "unit": ind["unit"],
        "theme": ind["theme"],
        "polarity": ind["polarity"],
        "level": ind["territory"]["level"],
        "country": country,
        "kind": ind["kind"],
        "baseline": ind["baseline"],
        "target": ind["target"],
        "source": ind["source"],
        "method": ind["method"],
        "periods": periods,
        "latest": latest,
        "values": {
            level: {code: _pairs(v) for code, v in sorted(by.items())}
            for level, by in values.items()
            if level != "national"
        },
        "national": _pairs(values["national"].get("", {})),
        "gaps": gaps,
        "sql": _sql(ind, plan, population_plan),
    }


class _GroupPopulation:
    """A population seen through one group (``sexo = Mujer``): the rate of a group
    divides by the population of the same group."""

    def __init__(self, population: _Population, key: Any) -> None:
        self.population, self.key = population, key

    def people(self, level: str, code: str, period: Any, key: Any = None) -> float | None:
        return self.population.people(level, code, period, self.key)


def compute_all(
    manifests: Iterable[Manifest],
    conn: sqlite3.Connection | None,
    publishers: dict[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Every indicator the datasets of a release declare, computed (first id wins).
    ``publishers`` gives each dataset's country when its ``spatial`` does not."""
    if conn is None:
        return []
    manifests = sorted(manifests, key=lambda m: m["dataset"])
    tables = {(m["dataset"], t["resource"]): t for m in manifests for t in m["tables"]}
    found: dict[str, dict[str, Any]] = {}
    for manifest in manifests:
        publisher = (publishers or {}).get(manifest["publisher"])
        country = territories.dataset_country(manifest["package"], publisher)
        if country not in territories.COUNTRIES:
            continue  # no code list: no territory to compare
        for ind in declared(manifest["package"], manifest["dataset"]):
            plan = tables.get((manifest["dataset"], ind["resource"]))
            if plan is None or ind["id"] in found:
                continue
            try:
                found[ind["id"]] = compute(ind, plan, tables, conn, country)
            except sqlite3.Error:
                continue  # a table missing from the database has nothing to say
    return list(found.values())


# ------------------------------------------------------------- comparisons


def series_of(indicator: dict[str, Any], level: str, code: str) -> Series:
    if level == "national":
        return list(indicator["national"])
    return list((indicator["values"].get(level) or {}).get(code) or [])


def value_at(indicator: dict[str, Any], level: str, code: str, period: Any) -> float | None:
    for when, value in series_of(indicator, level, code):
        if when == period:
            return float(value)
    return None


def ranks(values: dict[str, float], polarity: str) -> dict[str, int]:
    """Competition ranks (1 is best; equal values share a rank: 1, 2, 2, 4)."""
    better = (lambda v: -v) if polarity == "higher-better" else (lambda v: v)
    ordered = sorted(values.items(), key=lambda kv: (better(kv[1]), kv[0]))
    out: dict[str, int] = {}
    previous, rank = None, 0
    for position, (code, value) in enumerate(ordered, start=1):
        if value != previous:
            rank, previous = position, value
        out[code] = rank
    return out


def level_values(indicator: dict[str, Any], level: str, period: Any) -> dict[str, float]:
    """``{code: value}`` of every territory of ``level`` in ``period``."""
    found = {}
    for code, series in (indicator["values"].get(level) or {}).items():
        for when, value in series:
            if when == period:
                found[code] = float(value)
    return found


def trend(series: Series, polarity: str) -> dict[str, Any] | None:
    """The change from the previous period: ``improving``, ``worsening`` or ``stable``."""
    if len(series) < 2:
        return None
    (before, old), (_now, new) = series[-2], series[-1]
    change = float(new) - float(old)
    if abs(change) <= STABLE * abs(float(old)):
        direction = "stable"
    elif (change > 0) == (polarity == "higher-better"):
        direction = "improving"
    else:
        direction = "worsening"
    return {"since": before, "change": round(change, DIGITS), "direction": direction}


def distance(value: float, indicator: dict[str, Any]) -> dict[str, Any] | None:
    """How far a value is from the target: ``gap`` (target − value) and ``met``."""
    target = indicator.get("target")
    if not target:
        return None
    gap = round(float(target["value"]) - value, DIGITS)
    met = (
        value >= target["value"]
        if indicator["polarity"] == "higher-better"
        else value <= target["value"]
    )
    return {"target": target["value"], "year": target["year"], "gap": gap, "met": met}


def level_of(code: str) -> str | None:
    if territories.is_department(code):
        return "department"
    if territories.is_municipality(code):
        return "municipality"
    return None


def profile(indicator: dict[str, Any], code: str, period: Any = None) -> dict[str, Any] | None:
    """What a ficha says about one territory (None when it has no value)."""
    level = level_of(code)
    if level is None:
        return None
    series = series_of(indicator, level, code)
    if period is not None:
        series = [s for s in series if s[0] <= period] if isinstance(period, int) else series
    if not series:
        return None
    when, value = series[-1]
    peers = level_values(indicator, level, when)
    rank = ranks(peers, indicator["polarity"]).get(code)
    department = territories.department_of(code) if level == "municipality" else None
    groups = []
    for gap in indicator["gaps"]:
        if gap["period"] != when:
            continue
        shown = gap["values"].get(f"{level}:{code}") or {}
        if len(shown) >= 2:
            ordered = sorted(shown.items(), key=lambda kv: kv[1])
            groups.append(
                {
                    "field": gap["field"],
                    "kind": gap["kind"],
                    "values": dict(sorted(shown.items())),
                    "low": ordered[0],
                    "high": ordered[-1],
                    "gap": round(ordered[-1][1] - ordered[0][1], DIGITS),
                }
            )
    return {
        "code": code,
        "name": territories.name(code),
        "level": level,
        "period": when,
        "value": float(value),
        "series": series,
        "trend": trend(series, indicator["polarity"]),
        "rank": rank,
        "peers": len(peers),
        "department": department,
        "department_value": value_at(indicator, "department", department, when)
        if department
        else None,
        "national_value": value_at(indicator, "national", "", when),
        "target": distance(float(value), indicator),
        "gaps": groups,
    }


def ranking(indicator: dict[str, Any], level: str, period: Any = None) -> list[dict[str, Any]]:
    """Every territory of ``level`` in ``period`` (default: the latest it has), best first."""
    period = period if period is not None else _latest(indicator, level)
    values = level_values(indicator, level, period)
    ranked = ranks(values, indicator["polarity"])
    rows = [
        {
            "code": code,
            "name": territories.name(code),
            "level": level,
            "period": period,
            "value": values[code],
            "rank": ranked[code],
            "department_value": value_at(
                indicator, "department", territories.department_of(code) or "", period
            )
            if level == "municipality"
            else values[code],
            "national_value": value_at(indicator, "national", "", period),
        }
        for code in values
    ]
    return sorted(rows, key=lambda r: (r["rank"], r["code"]))


def _latest(indicator: dict[str, Any], level: str) -> Any:
    periods = {p for s in (indicator["values"].get(level) or {}).values() for p, _v in s}
    return max(periods, key=str) if periods else None
