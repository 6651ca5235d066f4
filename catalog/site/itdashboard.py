"""The public IT-project dashboard: static pages of the citizens' site.

Paths (Spanish at ``/``, English under ``/en/``), documented in docs/it-dashboard.md:

* ``tablero-ti/``: the portfolio: totals, investments at risk, spending by body, the
  risk distribution, the cost-variance chart, what changed since the previous period,
  stale-portfolio and stale-rating flags with their ages;
* ``tablero-ti/inversiones/`` and ``tablero-ti/inversiones/<filter>/<order>/``: the
  table of every investment, pre-rendered in each order and for each colour, so that
  sorting and filtering are plain links (no JavaScript);
* ``tablero-ti/instituciones/<publisher>/``: one body's investments;
* ``tablero-ti/<investment>/``: one investment: facts, milestone timeline and
  planned-vs-actual cost curve (SVG), projects, rating history, related procurement
  and datasets. An id that cannot be a folder, or one a second body reuses, gets
  ``tablero-ti/instituciones/<publisher>/<investment>/`` instead;
* ``tablero-ti/cambios.atom``: an Atom feed of CIO rating changes, investments
  turning red and projects turning red.

Each page's key is the data it shows (``Site.page``), so an unchanged dashboard is
reused from the previous release.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from feedgen.feed import FeedGenerator

from catalog import urls
from catalog.i18n import _, translate
from catalog.itportfolio.compute import months_between
from catalog.site import itcharts
from catalog.site.itdata import MAX_NAME, MAX_TEXT, DashboardData, day, flag, procurement_key
from catalog.site.render import LOCALES, long_date, number, render
from catalog.site.writer import key_of

if TYPE_CHECKING:
    from catalog.site.pages import Site

BASE = "tablero-ti/"
TABLE = BASE + "inversiones/"
BODIES = BASE + "instituciones/"
FEED = BASE + "cambios.atom"
FEED_SIZE = 100
RESERVED = {"instituciones", "inversiones", "cambios.atom", "assets", "en"}
ID_SHAPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
AT_RISK_SHOWN = 20
COLOURS = ("red", "yellow", "green")
FILTERS = {"todas": None, "rojo": "red", "amarillo": "yellow", "verde": "green"}
ORDERS = ("general", "costo", "plazo", "monto", "nombre", "institucion")
COLOUR_WORDS = {
    "green": _("Green: on track"),
    "yellow": _("Yellow: needs attention"),
    "red": _("Red: at risk"),
}
COLOUR_SHORT = {"green": _("Green"), "yellow": _("Yellow"), "red": _("Red")}
SYMBOLS = {"green": "●", "yellow": "▲", "red": "■"}
RATING_WORDS = {
    1: _("1: high risk"),
    2: _("2: moderately high risk"),
    3: _("3: medium risk"),
    4: _("4: moderately low risk"),
    5: _("5: low risk"),
}
CHANGE_WORDS = {
    "new": _("New in the portfolio"),
    "removed": _("No longer reported"),
    "worse": _("Worse"),
    "better": _("Better"),
    "changed": _("Figures changed"),
}
ORDER_WORDS = {
    "general": _("Overall rating, worst first"),
    "costo": _("Cost variance, largest first"),
    "plazo": _("Schedule variance, largest first"),
    "monto": _("Planned cost, largest first"),
    "nombre": _("Name, A to Z"),
    "institucion": _("Body, A to Z"),
}
FILTER_WORDS = {
    "todas": _("All"),
    "rojo": _("Red: at risk"),
    "amarillo": _("Yellow: needs attention"),
    "verde": _("Green: on track"),
}


def _symbols(lang: str) -> tuple[str, str, str]:
    from babel import Locale

    found = Locale.parse(LOCALES[lang]).number_symbols
    symbols = found.get("latn", found)
    return symbols["group"], symbols["decimal"], symbols["minusSign"]


_PLAIN = {lang: _symbols(lang) == (",", ".", "-") for lang in LOCALES}


def fast_number(value: float, lang: str, digits: int = 0) -> str:
    """``render.number`` (Babel's ``#,##0.##``, half-even) without Babel's per-call cost:
    a dashboard of thousands of investments formats hundreds of thousands of figures."""
    if not _PLAIN.get(lang):
        return number(value, lang, digits)
    exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_EVEN)
    text = f"{exact:,.{digits}f}"
    if digits:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def table_path(filter_: str = "todas", order: str = "general") -> str:
    if filter_ == "todas" and order == "general":
        return TABLE
    return f"{TABLE}{filter_}/{order}/"


def body_path(publisher: str) -> str:
    return f"{BODIES}{publisher}/"


def _f(value: Any) -> float | None:
    try:
        return float(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def _i(value: Any) -> int | None:
    number_ = _f(value)
    return int(number_) if number_ is not None else None


class Dashboard:
    """The dashboard's pages for a ``Site``, from the release's ``DashboardData``."""

    def __init__(self, site: Site, data: DashboardData) -> None:
        self.site = site
        self.data = data
        self.computed = day(data.summary.get("fecha_calculo")) or site.today
        from catalog.site.itdata import _settings

        self.settings = _settings(data.dataset.split("/")[0], site.publishers)
        self.paths = self._paths()
        self.ratings = _group(data.ratings, "institucion", "id_inversion")
        self.history = _group(data.history, "institucion", "id_inversion")
        self.projects = _group(data.projects, "institucion", "id_inversion")

    # ------------------------------------------------------------ helpers

    def _paths(self) -> dict[tuple[str, str], str]:
        found: dict[tuple[str, str], str] = {}
        taken: set[str] = set()
        for row in sorted(
            self.data.investments, key=lambda r: (str(r["institucion"]), str(r["id_inversion"]))
        ):
            pub, ident = str(row["institucion"]), str(row["id_inversion"])
            if ID_SHAPE.match(ident) and ident.lower() not in RESERVED and ident not in taken:
                found[(pub, ident)] = f"{BASE}{ident}/"
                taken.add(ident)
            elif ID_SHAPE.match(ident) and ID_SHAPE.match(pub):
                found[(pub, ident)] = f"{BODIES}{pub}/{ident}/"
        return found

    def name_of(self, slug: str) -> str:
        info = self.site.publishers.get(slug) or {}
        return str(info.get("name") or slug)

    def _colour(self, colour: Any, lang: str) -> dict[str, str]:
        return _colour_of(colour if colour in SYMBOLS else "green", lang)

    def _rating(self, value: Any, lang: str) -> str:
        rating = _i(value)
        return translate(RATING_WORDS[rating], lang) if rating in RATING_WORDS else ""

    def _pct(self, value: Any, lang: str) -> str:
        found = _f(value)
        if found is None:
            return "—"
        return ("+" if found > 0 else "") + fast_number(found, lang, 2) + " %"

    def _money(self, value: Any, lang: str) -> str:
        found = _f(value)
        return "—" if found is None else fast_number(round(found), lang, 0)

    def _days(self, value: Any, lang: str) -> str:
        found = _i(value)
        if found is None:
            return "—"
        return _days_text(found, lang)

    def investment_view(self, row: dict[str, Any], lang: str) -> dict[str, Any]:
        pub, ident = str(row["institucion"]), str(row["id_inversion"])
        rated = day(row.get("fecha_calificacion_cio"))
        path = self.paths.get((pub, ident))
        return {
            "id": ident,
            "publisher": pub,
            "publisher_name": self.name_of(pub),
            "body_url": "/" + _lang(body_path(pub), lang),
            "url": "/" + _lang(path, lang) if path else None,
            "name": str(row.get("nombre") or ident)[:MAX_NAME],
            "type": str(row.get("tipo") or "")[:MAX_NAME],
            "funding": str(row.get("fuente_financiamiento") or "")[:MAX_NAME],
            "period": row.get("periodo_reporte"),
            "projects": _i(row.get("proyectos")) or 0,
            "budget": self._money(row.get("presupuesto"), lang),
            "planned": self._money(row.get("costo_planificado"), lang),
            "estimated": self._money(row.get("costo_estimado"), lang),
            "actual": self._money(row.get("costo_real"), lang),
            "cost_variance": self._money(row.get("variacion_costo"), lang),
            "cost_pct": self._pct(row.get("variacion_costo_pct"), lang),
            "cost_colour": self._colour(row.get("color_costo"), lang),
            "planned_start": day(row.get("inicio_planificado")),
            "planned_end": day(row.get("fin_planificado")),
            "estimated_end": day(row.get("fin_estimado")),
            "schedule_days": self._days(row.get("variacion_plazo_dias"), lang),
            "schedule_pct": self._pct(row.get("variacion_plazo_pct"), lang),
            "schedule_colour": self._colour(row.get("color_plazo"), lang),
            "cio": _i(row.get("calificacion_cio")),
            "cio_words": self._rating(row.get("calificacion_cio"), lang),
            "cio_comment": str(row.get("comentario_cio") or "")[:MAX_TEXT],
            "cio_date": rated,
            "cio_author": str(row.get("autor_calificacion_cio") or "")[:MAX_NAME],
            "cio_age": (self.computed - rated).days if rated else None,
            "cio_stale": flag(row.get("calificacion_cio_vencida")),
            "overall": fast_number(_f(row.get("calificacion_general")) or 0, lang, 1),
            "overall_value": _f(row.get("calificacion_general")) or 0.0,
            "overall_colour": self._colour(row.get("color_general"), lang),
            "_cost": abs(_f(row.get("variacion_costo_pct")) or 0.0),
            "_days": abs(_i(row.get("variacion_plazo_dias")) or 0),
            "_planned": _f(row.get("costo_planificado")) or 0.0,
        }

    def totals(self, lang: str) -> dict[str, Any]:
        s = self.data.summary
        period = self.data.period
        age = months_between(period, self.computed.strftime("%Y-%m")) if period else None
        return {
            "period": period,
            "previous": s.get("periodo_anterior"),
            "computed": self.computed,
            "stale": flag(s.get("cartera_vencida")) or period is None,
            "age_months": age,
            "investments": _i(s.get("inversiones")) or 0,
            "projects": _i(s.get("proyectos")) or 0,
            "planned": self._money(s.get("costo_planificado"), lang),
            "estimated": self._money(s.get("costo_estimado"), lang),
            "actual": self._money(s.get("costo_real"), lang),
            "at_risk": _i(s.get("en_riesgo")) or 0,
            "at_risk_cost": self._money(s.get("costo_en_riesgo"), lang),
            "green": _i(s.get("verdes")) or 0,
            "yellow": _i(s.get("amarillas")) or 0,
            "red": _i(s.get("rojas")) or 0,
            "stale_ratings": _i(s.get("calificaciones_vencidas")) or 0,
            "without_rating": _i(s.get("sin_calificacion")) or 0,
            "stale_rating_days": self._stale_days(),
        }

    def _stale_days(self) -> int:
        return self.settings.stale_rating_days

    def common(self, lang: str) -> dict[str, Any]:
        publisher, name = self.data.dataset.split("/", 1)
        return {
            "dataset_url": urls.dataset(publisher, name, lang),
            "feed_url": "/" + _lang(FEED, lang),
            "table_url": "/" + _lang(TABLE, lang),
            "home_url": "/" + _lang(BASE, lang),
            "api_url": "/api/v1/it/investments",
            "bands": dict(zip(("green", "red"), self._bands(), strict=True)),
            "colour_words": {k: self._colour(k, lang) for k in COLOURS},
        }

    # ------------------------------------------------------------ pages

    def write(self, lang: str) -> None:
        views = [self.investment_view(r, lang) for r in self.data.investments]
        self.portfolio(views, lang)
        self.tables(views, lang)
        self.bodies(views, lang)
        for row in self.data.investments:
            self.investment(row, lang)
        self.feed(lang)

    def portfolio(self, views: list[dict[str, Any]], lang: str) -> None:
        totals = self.totals(lang)
        at_risk = sorted(
            (v for v in views if v["overall_colour"]["key"] == "red"),
            key=lambda v: (v["overall_value"], v["name"]),
        )
        spending = self.spending(lang)
        distribution = [
            (translate(COLOUR_SHORT[c], lang), totals[c]) for c in ("green", "yellow", "red")
        ]
        from catalog.site.charts import bar_chart

        risk_chart = bar_chart(
            distribution, translate(_("Investments by overall colour"), lang), str
        )
        chart = self.variance_chart(views, lang)
        changes = self.changes(lang)
        stale = sorted((v for v in views if v["cio_stale"]), key=lambda v: -(v["cio_age"] or 0))
        unrated = [v for v in views if v["cio"] is None]
        data = [totals, at_risk, spending, changes, stale, unrated, self.common(lang), str(chart)]
        self.site.page(
            BASE,
            lang,
            "tablero_ti.html",
            data,
            totals=totals,
            at_risk=at_risk[:AT_RISK_SHOWN],
            at_risk_more=max(0, len(at_risk) - AT_RISK_SHOWN),
            spending=spending,
            risk_chart=risk_chart,
            variance_chart=chart,
            changes=changes,
            stale=stale,
            unrated=unrated,
            **self.common(lang),
        )

    def variance_chart(self, views: list[dict[str, Any]], lang: str) -> Any:
        rows = [
            (v["name"], _f(r.get("variacion_costo_pct")), v["cost_colour"])
            for v, r in zip(views, self.data.investments, strict=True)
        ]
        bars = sorted(
            ((n, p, c) for n, p, c in rows if p is not None), key=lambda b: (-abs(b[1]), b[0])
        )[: itcharts.MAX_BARS]
        settings = self._bands()
        return itcharts.variance_chart(
            [(n, p, c["key"], c["short"]) for n, p, c in bars],
            translate(_("Cost variance of the investments, in percent of the planned cost"), lang),
            settings,
            lambda v: number(v, lang, 1),
        )

    def _bands(self) -> tuple[float, float]:
        return self.settings.bands.green, self.settings.bands.red

    def spending(self, lang: str) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in self.data.spending:
            dimension = str(row.get("dimension"))
            value = str(row.get("valor") or "")[:MAX_NAME]
            item = {
                "value": value,
                "label": self.name_of(value) if dimension == "institucion" else value,
                "url": "/" + _lang(body_path(value), lang) if dimension == "institucion" else None,
                "investments": _i(row.get("inversiones")),
                "planned": self._money(row.get("costo_planificado"), lang),
                "estimated": self._money(row.get("costo_estimado"), lang),
                "actual": self._money(row.get("costo_real"), lang),
                "at_risk": _i(row.get("en_riesgo")),
                "at_risk_cost": self._money(row.get("costo_en_riesgo"), lang),
                "sort": _f(row.get("costo_planificado")) or 0.0,
            }
            found[dimension].append(item)
        if "institucion" in found:
            found["institucion"].sort(key=lambda i: (-i["sort"], i["label"]))
        return dict(found)

    def changes(self, lang: str, publisher: str | None = None) -> list[dict[str, Any]]:
        out = []
        for row in self.data.changes:
            pub = str(row.get("institucion"))
            if publisher is not None and pub != publisher:
                continue
            kind = str(row.get("cambio"))
            path = self.paths.get((pub, str(row.get("id_inversion"))))
            out.append(
                {
                    "kind": kind,
                    "word": translate(CHANGE_WORDS.get(kind, _("Figures changed")), lang),
                    "name": str(row.get("nombre") or row.get("id_inversion"))[:MAX_NAME],
                    "url": "/" + _lang(path, lang) if path else None,
                    "publisher_name": self.name_of(pub),
                    "before": self._colour(row.get("color_general_anterior"), lang)
                    if row.get("color_general_anterior")
                    else None,
                    "after": self._colour(row.get("color_general"), lang)
                    if row.get("color_general")
                    else None,
                    "overall_before": _f(row.get("calificacion_general_anterior")),
                    "overall_after": _f(row.get("calificacion_general")),
                    "cost_before": self._pct(row.get("variacion_costo_pct_anterior"), lang),
                    "cost_after": self._pct(row.get("variacion_costo_pct"), lang),
                    "days_before": self._days(row.get("variacion_plazo_dias_anterior"), lang),
                    "days_after": self._days(row.get("variacion_plazo_dias"), lang),
                    "cio_before": _i(row.get("calificacion_cio_anterior")),
                    "cio_after": _i(row.get("calificacion_cio")),
                }
            )
        order = {"worse": 0, "new": 1, "changed": 2, "better": 3, "removed": 4}
        return sorted(out, key=lambda c: (order.get(c["kind"], 5), c["name"]))

    def tables(self, views: list[dict[str, Any]], lang: str) -> None:
        digest = key_of("it-views", views)
        for filter_, colour in FILTERS.items():
            chosen = [v for v in views if colour is None or v["overall_colour"]["key"] == colour]
            for order in ORDERS:
                rows = sorted(chosen, key=_ORDER_KEYS[order])
                path = table_path(filter_, order)
                links = {
                    "orders": [
                        {
                            "url": "/" + _lang(table_path(filter_, o), lang),
                            "label": translate(ORDER_WORDS[o], lang),
                            "current": o == order,
                        }
                        for o in ORDERS
                    ],
                    "filters": [
                        {
                            "url": "/" + _lang(table_path(f, order), lang),
                            "label": translate(FILTER_WORDS[f], lang),
                            "current": f == filter_,
                            "count": sum(
                                1 for v in views if c is None or v["overall_colour"]["key"] == c
                            ),
                        }
                        for f, c in FILTERS.items()
                    ],
                }
                self.site.page(
                    path,
                    lang,
                    "tablero_ti_inversiones.html",
                    # The rows follow from the views, the filter and the order.
                    [digest, links, filter_, order, self.common(lang)],
                    items=rows,
                    links=links,
                    order_label=translate(ORDER_WORDS[order], lang),
                    filter_label=translate(FILTER_WORDS[filter_], lang),
                    total=len(views),
                    period=self.data.period,
                    **self.common(lang),
                )

    def bodies(self, views: list[dict[str, Any]], lang: str) -> None:
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for view in views:
            grouped[view["publisher"]].append(view)
        for slug, items in sorted(grouped.items()):
            if not ID_SHAPE.match(slug):
                continue
            items = sorted(items, key=_ORDER_KEYS["general"])
            red = [v for v in items if v["overall_colour"]["key"] == "red"]
            totals = {
                "investments": len(items),
                "projects": sum(v["projects"] for v in items),
                "planned": self._money(
                    sum(_f(r.get("costo_planificado")) or 0 for r in self._rows_of(slug)), lang
                ),
                "actual": self._money(
                    sum(_f(r.get("costo_real")) or 0 for r in self._rows_of(slug)), lang
                ),
                "at_risk": len(red),
                "stale_ratings": sum(1 for v in items if v["cio_stale"]),
                "without_rating": sum(1 for v in items if v["cio"] is None),
            }
            publisher = {"slug": slug, **(self.site.publishers.get(slug) or {})}
            changes = self.changes(lang, slug)
            self.site.page(
                body_path(slug),
                lang,
                "tablero_ti_institucion.html",
                [publisher, items, totals, changes, self.data.period, self.common(lang)],
                publisher=publisher,
                name=self.name_of(slug),
                items=items,
                totals=totals,
                changes=changes,
                period=self.data.period,
                **self.common(lang),
            )

    def _rows_of(self, slug: str) -> list[dict[str, Any]]:
        return [r for r in self.data.investments if r.get("institucion") == slug]

    def investment(self, row: dict[str, Any], lang: str) -> None:
        pub, ident = str(row["institucion"]), str(row["id_inversion"])
        path = self.paths.get((pub, ident))
        if path is None:
            return
        view = self.investment_view(row, lang)
        projects = [self.project_view(p, lang) for p in self.projects.get((pub, ident), [])]
        project_ids = [p["id"] for p in projects]
        milestones = self.milestones(project_ids, projects, lang)
        months = self.months(project_ids)
        ratings = [
            {
                "date": day(r.get("fecha_calificacion_cio")),
                "rating": _i(r.get("calificacion_cio")),
                "words": self._rating(r.get("calificacion_cio"), lang),
                "comment": str(r.get("comentario_cio") or "")[:MAX_TEXT],
                "author": str(r.get("autor_calificacion_cio") or "")[:MAX_NAME],
            }
            for r in self.ratings.get((pub, ident), [])
        ]
        ratings.reverse()  # newest first
        history = [
            {
                "period": h.get("periodo_reporte"),
                "estimated": self._money(h.get("costo_estimado"), lang),
                "cost_pct": self._pct(h.get("variacion_costo_pct"), lang),
                "cost_colour": self._colour(h.get("color_costo"), lang),
                "schedule_days": self._days(h.get("variacion_plazo_dias"), lang),
                "schedule_colour": self._colour(h.get("color_plazo"), lang),
                "cio": _i(h.get("calificacion_cio")),
                "overall": fast_number(_f(h.get("calificacion_general")) or 0, lang, 1),
                "overall_colour": self._colour(h.get("color_general"), lang),
            }
            for h in sorted(
                self.history.get((pub, ident), []), key=lambda h: str(h.get("periodo_reporte"))
            )
        ]
        contracts = [
            {
                "id": str(c.get("id_contrato") or "")[:100],
                "project": str(c.get("id_proyecto") or "")[:100],
                "procurement": str(c.get("id_adquisicion") or "")[:100],
                "procurement_url": self.data.procurement.get(
                    procurement_key(c.get("id_adquisicion")) or ""
                ),
                "supplier": str(c.get("proveedor") or "")[:MAX_NAME],
                "amount": self._money(c.get("monto"), lang),
                "start": day(c.get("fecha_inicio")),
                "end": day(c.get("fecha_fin")),
            }
            for c in self.data.contracts.get(ident, [])
        ]
        related = self.related(ident, lang)
        context = {
            "investment": view,
            "projects": projects,
            "milestones": milestones,
            "months": months,
            "ratings": ratings,
            "history": history,
            "contracts": contracts,
            "related": related,
            "totals_period": self.data.period,
            "stale_rating_days": self._stale_days(),
            **self.common(lang),
        }
        # The charts derive from the data in the key: drawn only when the page is written.
        template = "tablero_ti_inversion.html"
        self.site.writer.page(
            _lang(path, lang) + "index.html",
            key_of(template, path, lang, context),
            partial(self._investment_page, template, path, lang, context),
        )

    def _investment_page(self, template: str, path: str, lang: str, context: dict[str, Any]) -> str:
        milestones, months = context["milestones"], context["months"]
        words = {
            "planned": translate(_("Planned"), lang),
            "projected": translate(_("Projected"), lang),
            "actual": translate(_("Actual"), lang),
        }
        timeline = itcharts.timeline(
            milestones,
            translate(_("Milestones: planned and expected or actual dates"), lang),
            words,
            lambda d: long_date(d, lang),
        )
        curve = itcharts.cost_curve(
            [(m["month"], m["planned_total"], m["actual_total"]) for m in months],
            translate(_("Cumulative cost by month: planned and actual"), lang),
            words,
            lambda v: number(round(v), lang, 0),
        )
        return render(template, lang, path=path, timeline=timeline, curve=curve, **context)

    def project_view(self, row: dict[str, Any], lang: str) -> dict[str, Any]:
        return {
            "id": str(row.get("id_proyecto") or "")[:100],
            "name": str(row.get("nombre") or row.get("id_proyecto"))[:MAX_NAME],
            "status": str(row.get("estado") or "")[:100],
            "planned_start": day(row.get("inicio_planificado")),
            "planned_end": day(row.get("fin_planificado")),
            "estimated_end": day(row.get("fin_estimado")),
            "actual_end": day(row.get("fin_real")),
            "schedule_days": self._days(row.get("variacion_plazo_dias"), lang),
            "schedule_pct": self._pct(row.get("variacion_plazo_pct"), lang),
            "schedule_colour": self._colour(row.get("color_plazo"), lang),
            "planned": self._money(row.get("costo_planificado"), lang),
            "projected": self._money(row.get("costo_proyectado"), lang),
            "actual": self._money(row.get("costo_real"), lang),
            "estimated": self._money(row.get("costo_estimado"), lang),
            "cost_pct": self._pct(row.get("variacion_costo_pct"), lang),
            "cost_colour": self._colour(row.get("color_costo"), lang),
        }

    def milestones(
        self, project_ids: list[str], projects: list[dict[str, Any]], lang: str
    ) -> list[dict[str, Any]]:
        names = {p["id"]: p["name"] for p in projects}
        found = []
        for pid in project_ids:
            for m in self.data.milestones.get(pid, []):
                planned = day(m.get("fecha_planificada"))
                projected = day(m.get("fecha_proyectada"))
                actual = day(m.get("fecha_real"))
                estimate = actual or projected
                found.append(
                    {
                        "project": names.get(pid, pid),
                        "name": f"{names.get(pid, pid)[:40]}: {str(m.get('nombre') or '')[:60]}",
                        "milestone": str(m.get("nombre") or m.get("id_hito") or "")[:MAX_NAME],
                        "planned": planned,
                        "projected": projected,
                        "actual": actual,
                        "estimate": estimate,
                        "slip": (estimate - planned).days if estimate and planned else None,
                        "done": actual is not None,
                    }
                )
        return sorted(found, key=lambda m: (m["planned"] or date.max, m["name"]))

    def months(self, project_ids: list[str]) -> list[dict[str, Any]]:
        planned: dict[str, float] = defaultdict(float)
        actual: dict[str, float] = {}
        for pid in project_ids:
            for m in self.data.monthly.get(pid, []):
                month = str(m.get("mes") or "")[:7]
                planned[month] += _f(m.get("costo_planificado")) or 0.0
                spent = _f(m.get("costo_real"))
                if spent is not None:
                    actual[month] = actual.get(month, 0.0) + spent
        out = []
        planned_total, actual_total = 0.0, 0.0
        period = self.data.period or "9999-12"
        for month in sorted(planned):
            planned_total += planned[month]
            row: dict[str, Any] = {
                "month": month,
                "planned": planned[month],
                "planned_total": planned_total,
                "actual": actual.get(month),
                "actual_total": None,
            }
            if month in actual or month <= period:
                actual_total += actual.get(month, 0.0)
                row["actual_total"] = actual_total if month <= period else None
            out.append(row)
        return out

    def related(self, ident: str, lang: str) -> list[dict[str, Any]]:
        found = []
        for dataset in self.data.sources.get(ident, []):
            publisher, name = dataset.split("/", 1)
            tables = self.data.source_tables.get(dataset, {})
            found.append(
                {
                    "url": urls.dataset(publisher, name, lang),
                    "label": self._title(dataset),
                    "sql": [urls.sql_table(t) for _r, t in sorted(tables.items())],
                }
            )
        for other in (self.data.dataset, self.data.ratings_dataset):
            if other:
                publisher, name = other.split("/", 1)
                found.append(
                    {
                        "url": urls.dataset(publisher, name, lang),
                        "label": self._title(other),
                        "sql": [],
                    }
                )
        return found

    def _title(self, dataset: str) -> str:
        manifest = self.site.manifests.get(dataset)
        title = (manifest or {}).get("package", {}).get("title") if manifest else None
        return str(title or dataset)[:MAX_NAME]

    # ------------------------------------------------------------ the feed

    def feed_entries(self, lang: str) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        for (pub, ident), ratings in self.ratings.items():
            previous: int | None = None
            path = self.paths.get((str(pub), str(ident)))
            name = self._investment_name(str(pub), str(ident))
            for r in ratings:
                rating, when = _i(r.get("calificacion_cio")), day(r.get("fecha_calificacion_cio"))
                if rating is None or when is None:
                    continue
                if rating != previous:
                    title = (
                        translate(
                            _("{investment}: CIO rating {rating}"),
                            lang,
                            investment=name,
                            rating=self._rating(rating, lang),
                        )
                        if previous is None
                        else translate(
                            _("{investment}: CIO rating from {before} to {after}"),
                            lang,
                            investment=name,
                            before=self._rating(previous, lang),
                            after=self._rating(rating, lang),
                        )
                    )
                    entries.append(
                        {
                            "id": f"rating/{pub}/{ident}/{when.isoformat()}/{rating}",
                            "title": title,
                            "summary": str(r.get("comentario_cio") or "")[:MAX_TEXT],
                            "when": when,
                            "path": path or BASE,
                        }
                    )
                previous = rating
        for (pub, ident), rows in self.history.items():
            before: str | None = None
            path = self.paths.get((str(pub), str(ident)))
            for h in sorted(rows, key=lambda h: str(h.get("periodo_reporte"))):
                colour = str(h.get("color_general"))
                period = str(h.get("periodo_reporte"))
                if colour == "red" and before not in (None, "red"):
                    entries.append(
                        {
                            "id": f"red/{pub}/{ident}/{period}",
                            "title": translate(
                                _("{investment} turned red (at risk) in {period}"),
                                lang,
                                investment=self._investment_name(str(pub), str(ident)),
                                period=period,
                            ),
                            "summary": translate(
                                _("Overall rating {overall} of 5."),
                                lang,
                                overall=fast_number(
                                    _f(h.get("calificacion_general")) or 0, lang, 1
                                ),
                            ),
                            "when": _period_end(period),
                            "path": path or BASE,
                        }
                    )
                before = colour
        for p in self.data.turned_red:
            ident = str(p["id_inversion"])
            period = str(p["periodo_reporte"])
            pub = next((k[0] for k in self.paths if k[1] == ident), "")
            entries.append(
                {
                    "id": f"project-red/{ident}/{p['id_proyecto']}/{period}",
                    "title": translate(
                        _("Project {project} of {investment} turned red in {period}"),
                        lang,
                        project=p["nombre"] or p["id_proyecto"],
                        investment=self._investment_name(pub, ident),
                        period=period,
                    ),
                    "summary": translate(
                        _("Cost variance {cost}; schedule variance {days}."),
                        lang,
                        cost=self._pct(p["variacion_costo_pct"], lang),
                        days=self._days(p["variacion_plazo_dias"], lang),
                    ),
                    "when": _period_end(period),
                    "path": self.paths.get((pub, ident)) or BASE,
                }
            )
        entries.sort(key=lambda e: (e["when"], e["id"]), reverse=True)
        return entries[:FEED_SIZE]

    def _investment_name(self, pub: str, ident: str) -> str:
        for row in reversed(self.history.get((pub, ident), [])):
            return str(row.get("nombre") or ident)[:MAX_NAME]
        return ident

    def feed(self, lang: str) -> None:
        entries = self.feed_entries(lang)
        self.site.writer.page(
            _lang(FEED, lang),
            key_of("it-feed", lang, entries, urls.base_url()),
            lambda: _atom(entries, lang),
        )


def _atom(entries: list[dict[str, Any]], lang: str) -> bytes:
    fg = FeedGenerator()
    home = urls.absolute("/" + _lang(BASE, lang))
    fg.id(home)
    fg.title(translate(_("IT projects: rating changes and projects turning red"), lang))
    fg.subtitle(
        translate(
            _(
                "CIO rating changes, and investments and projects turning red, of the state's IT portfolio."
            ),
            lang,
        )
    )
    fg.link(href=home, rel="alternate")
    fg.link(href=urls.absolute("/" + _lang(FEED, lang)), rel="self")
    fg.language(lang)
    newest = max((e["when"] for e in entries), default=date(1970, 1, 1))
    fg.updated(datetime.combine(newest, time(0, 0), tzinfo=UTC))
    for entry in reversed(entries):  # feedgen prepends: oldest first gives newest on top
        fe = fg.add_entry()
        link = urls.absolute("/" + _lang(entry["path"], lang))
        fe.id(f"{home}#{entry['id']}")
        fe.title(entry["title"])
        fe.link(href=link)
        fe.summary(entry["summary"] or entry["title"])
        moment = datetime.combine(entry["when"], time(0, 0), tzinfo=UTC)
        fe.updated(moment)
        fe.published(moment)
    return fg.atom_str(pretty=True)


@lru_cache(maxsize=16)
def _colour_of(key: str, lang: str) -> dict[str, str]:
    return {
        "key": key,
        "symbol": SYMBOLS[key],
        "word": translate(COLOUR_WORDS[key], lang),
        "short": translate(COLOUR_SHORT[key], lang),
    }


@lru_cache(maxsize=8192)
def _days_text(days: int, lang: str) -> str:
    return translate(_("{days} days"), lang, days=("+" if days > 0 else "") + str(days))


def _period_end(period: str) -> date:
    year, month = int(period[:4]), int(period[5:7])
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def _lang(path: str, lang: str) -> str:
    return ("en/" if lang == "en" else "") + path


def _group(rows: list[dict[str, Any]], *keys: str) -> dict[tuple[str, str], list[dict[str, Any]]]:
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[(str(row.get(keys[0])), str(row.get(keys[1])))].append(row)
    return grouped


_ORDER_KEYS: dict[str, Any] = {
    "general": lambda v: (v["overall_value"], v["name"]),
    "costo": lambda v: (-v["_cost"], v["name"]),
    "plazo": lambda v: (-v["_days"], v["name"]),
    "monto": lambda v: (-v["_planned"], v["name"]),
    "nombre": lambda v: (v["name"].casefold(), v["id"]),
    "institucion": lambda v: (v["publisher_name"].casefold(), v["overall_value"], v["name"]),
}


def write(site: Site, lang: str) -> None:
    """The dashboard's pages in ``lang`` (nothing when the release has no dashboard)."""
    dashboard = getattr(site, "_it_dashboard", None)
    if dashboard is None:
        from catalog.site.itdata import load

        data = load(site.manifests, site.conn, site.publishers)
        if data is None:
            return
        dashboard = Dashboard(site, data)
        site._it_dashboard = dashboard  # type: ignore[attr-defined]
    dashboard.write(lang)
