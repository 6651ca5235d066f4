"""The indicator pages (``/indicadores/``, ``/indicadores/<id>/``), what a territory's
ficha says about each indicator, and the maps of both.

The indicators are computed once per build from the release (catalog/indicators);
each page's key is the data it shows, so an unchanged indicator's pages are reused.
Files written besides the pages: ``indicadores/<id>/valores.csv`` (the values, for
download), ``indicadores/datos.json`` (every computed indicator: the API serves it)
and a locator map per territory (``territories/<code>/mapa.svg``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

from catalog import territories, urls
from catalog.i18n import translate
from catalog.indicators import maps
from catalog.indicators.compute import profile, ranking, series_of
from catalog.indicators.published import DATA_FILE, INDICATORS, values_rows
from catalog.site.charts import bar_chart
from catalog.site.render import number
from catalog.vocabularies import label

CSV_FILE = "valores.csv"
MAP_FILE = "mapa.svg"
DATABASE = "catalogo"


def indicator_path(ident: str) -> str:
    return f"{INDICATORS}{ident}/"


def sql_url(sql: str) -> str:
    return f"/sql/{DATABASE}?sql={quote_plus(sql)}"


def fmt(value: float | None, lang: str) -> str:
    return "" if value is None else number(value, lang, 1)


def _signed(value: float, lang: str) -> str:
    return ("+" if value > 0 else "") + fmt(value, lang) if value else fmt(0.0, lang)


def words(indicator: dict[str, Any], found: dict[str, Any], lang: str) -> list[str]:
    """A territory's comparison in plain sentences, in ``lang``."""
    unit = indicator["unit"][lang]
    out = []
    level = found["level"]
    # What the territory's country calls its peers: municipios, comunas, distritos.
    country = territories.country_of(found["code"])
    peers_word = territories.level_name(country, level, lang)
    if found["rank"]:
        out.append(
            translate(
                "Rank {rank} of {peers} {peers_word} with data (1 is the best).",
                lang,
                rank=found["rank"],
                peers=found["peers"],
                peers_word=peers_word,
            )
        )
    national = found["national_value"]
    if national is not None:
        better = (found["value"] > national) == (indicator["polarity"] == "higher-better")
        if found["value"] == national:
            key = "Equal to the national value ({value} {unit})."
        elif better:
            key = "Better than the national value ({value} {unit})."
        else:
            key = "Worse than the national value ({value} {unit})."
        out.append(translate(key, lang, value=fmt(national, lang), unit=unit))
    if found["department_value"] is not None:
        out.append(
            translate(
                "Its {level}, {name}: {value} {unit}.",
                lang,
                level=territories.level_label(country, "department", lang).lower(),
                name=territories.name(found["department"]) or found["department"],
                value=fmt(found["department_value"], lang),
                unit=unit,
            )
        )
    trend = found["trend"]
    if trend:
        key = {
            "improving": "Improving since {since} ({change}).",
            "worsening": "Worsening since {since} ({change}).",
            "stable": "Stable since {since} ({change}).",
        }[trend["direction"]]
        out.append(
            translate(key, lang, since=trend["since"], change=_signed(trend["change"], lang))
        )
    target = found["target"]
    if target:
        if target["met"]:
            out.append(
                translate(
                    "The target of {target} by {year} is met.",
                    lang,
                    target=fmt(target["target"], lang),
                    year=target["year"],
                )
            )
        else:
            out.append(
                translate(
                    "{gap} short of the target of {target} by {year}.",
                    lang,
                    gap=fmt(abs(target["gap"]), lang),
                    target=fmt(target["target"], lang),
                    year=target["year"],
                )
            )
    for gap in found["gaps"]:
        (low_name, low), (high_name, high) = gap["low"], gap["high"]
        out.append(
            translate(
                "Gap by {field}: {high_name} {high}, {low_name} {low} (a difference of {gap}).",
                lang,
                field=gap["field"],
                high_name=high_name,
                high=fmt(high, lang),
                low_name=low_name,
                low=fmt(low, lang),
                gap=fmt(gap["gap"], lang),
            )
        )
    return out


def ficha(indicators: list[dict[str, Any]], code: str, lang: str) -> list[dict[str, Any]]:
    """What a territory's page shows of each indicator that has a value for it."""
    found = []
    for indicator in indicators:
        seen = profile(indicator, code)
        if seen is None:
            continue
        found.append(
            {
                "id": indicator["id"],
                "name": indicator["name"][lang],
                "unit": indicator["unit"][lang],
                "url": indicator_path(indicator["id"]),
                "period": seen["period"],
                "value": fmt(seen["value"], lang),
                "words": words(indicator, seen, lang),
                "dataset": indicator["dataset"],
            }
        )
    return found


def _values_csv(indicator: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    rows = values_rows(indicator)
    writer.writerow(
        [
            "indicador",
            "nivel",
            "codigo",
            "territorio",
            "periodo",
            "valor",
            "rango",
            "valor_departamento",
            "valor_nacional",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                indicator["id"],
                row["level"],
                row["code"],
                row["name"],
                row["period"],
                row["value"],
                row["rank"] or "",
                row["department_value"] if row["department_value"] is not None else "",
                row["national_value"] if row["national_value"] is not None else "",
            ]
        )
    return out.getvalue().encode("utf-8")


def _map(
    indicator: dict[str, Any], level: str, lang: str, page_url: Callable[[str], str]
) -> dict[str, Any]:
    rows = ranking(indicator, level)
    values = {r["code"]: r["value"] for r in rows}
    unit = indicator["unit"][lang]
    period = rows[0]["period"] if rows else indicator["latest"]
    title = translate(
        "{name}, by {level}, {period}",
        lang,
        name=indicator["name"][lang],
        level=translate("department" if level == "department" else "municipality", lang),
        period=period,
    )

    def describe(code: str, value: float | None) -> str:
        shown = f"{fmt(value, lang)} {unit}" if value is not None else translate("no data", lang)
        return f"{territories.name(code)}: {shown}"

    # Boundaries ship for Guatemala only: elsewhere the ranking table stands alone.
    mapped = (indicator.get("country") or territories.DEFAULT_COUNTRY) in maps.COUNTRIES
    svg = (
        maps.choropleth(
            level,
            values,
            title=title,
            describe=describe,
            link=lambda code: page_url(urls.territory(code).lstrip("/")),
            legend=lambda low, high: f"{fmt(low, lang)} – {fmt(high, lang)}",
            no_data=translate("No data", lang),
            ident=f"map-{level}",
        )
        if mapped
        else ""
    )
    return {
        "level": level,
        "title": title,
        "svg": svg,
        "rows": [{**r, "shown": fmt(r["value"], lang)} for r in rows],
        "period": period,
    }


def indicator_view(
    indicator: dict[str, Any], lang: str, page_url: Callable[[str], str]
) -> dict[str, Any]:
    """The context of an indicator's page."""
    levels = ["department"]
    if indicator["level"] == "municipality":
        levels.append("municipality")
    national = series_of(indicator, "national", "")
    unit = indicator["unit"][lang]
    publisher, _sep, name = indicator["dataset"].partition("/")
    return {
        "indicator": indicator,
        "name": indicator["name"][lang],
        "definition": indicator["definition"][lang],
        "unit": unit,
        "theme": label("themes", indicator["theme"], lang),
        "maps": [_map(indicator, level, lang, page_url) for level in levels],
        "national": [{"period": p, "value": fmt(v, lang)} for p, v in national],
        "chart": bar_chart(
            [(p, float(v)) for p, v in national],
            translate("National value by period, {unit}", lang, unit=unit),
            lambda v: fmt(v, lang),
        )
        if len(national) > 1
        else "",
        "csv": "/" + indicator_path(indicator["id"]) + CSV_FILE,
        "sql": indicator["sql"],
        "sql_url": sql_url(indicator["sql"]),
        "dataset_url": urls.dataset(publisher, name, lang),
        "baseline": indicator["baseline"],
        "target": indicator["target"],
        "target_shown": fmt(indicator["target"]["value"], lang) if indicator["target"] else "",
        "baseline_shown": fmt(indicator["baseline"]["value"], lang)
        if indicator["baseline"]
        else "",
        "polarity": translate(
            "Higher is better" if indicator["polarity"] == "higher-better" else "Lower is better",
            lang,
        ),
    }


def by_theme(indicators: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    themes: dict[str, list[dict[str, Any]]] = {}
    for indicator in indicators:
        themes.setdefault(indicator["theme"], []).append(
            {
                "id": indicator["id"],
                "name": indicator["name"][lang],
                "definition": indicator["definition"][lang],
                "url": indicator_path(indicator["id"]),
                "latest": indicator["latest"],
                "national": fmt(indicator["national"][-1][1], lang)
                if indicator["national"]
                else "",
                "unit": indicator["unit"][lang],
            }
        )
    return [
        {"code": code, "label": label("themes", code, lang), "items": items}
        for code, items in sorted(themes.items())
    ]


def data_file(indicators: list[dict[str, Any]]) -> str:
    return json.dumps({"indicators": indicators}, ensure_ascii=False, separators=(",", ":"))


FILES = {"data": INDICATORS + DATA_FILE, "csv": CSV_FILE, "map": MAP_FILE}
csv_of = _values_csv
