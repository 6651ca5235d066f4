"""Which pages the site has and what each shows, written through the SiteWriter.

Pages are language-neutral paths (``datasets/mides/x/``) written twice: Spanish
at ``/`` and English under ``/en/``. Each page's key lists exactly the data it
shows, so an unchanged page is reused from the previous release.
"""

from __future__ import annotations

import marshal
import sqlite3
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from babel.numbers import format_compact_decimal

from catalog import territories, urls
from catalog.i18n import LANGUAGES
from catalog.indicators import maps
from catalog.indicators.compute import compute_all
from catalog.release.manifest import Manifest
from catalog.site import downloads, itdashboard, search
from catalog.site import indicators as indicator_pages
from catalog.site.charts import bar_chart
from catalog.site.model import dataset_view
from catalog.site.render import LOCALES, number, render
from catalog.site.writer import SiteWriter, digest, key_of
from catalog.vocabularies import vocabulary

PAGE_SIZE = 50  # datasets a listing shows on one page, and about as many a page after
CUT_EVERY = 40  # (chunk): a page ends after one dataset in 40, once it has MIN_PAGE
MIN_PAGE = 10
MAX_PAGE = 150
HOME_LATEST = 6
MAX_FIGURES = 12
BROWSE = "browse/"
PUBLISHERS = "publishers/"
THEMES = "themes/"
TERRITORIES = "territories/"
ABOUT = "about/"
LICENCE = "licence/"
DEVELOPERS = "developers/"
SEARCH_INDEX = "index.json"
SEARCH_NUMBERS = "search-numbers"  # the search index's dataset numbers, kept between builds
DOWNLOADS = "downloads"


def _lang_path(path: str, lang: str) -> str:
    return ("en/" if lang == "en" else "") + path


def _file(path: str, lang: str) -> str:
    """The file of a page path in ``lang`` (``datasets/x/y/`` → ``en/datasets/x/y/index.html``)."""
    return _lang_path(path, lang) + ("index.html" if path == "" or path.endswith("/") else "")


def sort_key(text: str) -> str:
    """Alphabetical order as a reader expects: accents and case do not count."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _terms_blob(manifest: Manifest, publishers: dict[str, dict[str, Any]]) -> bytes:
    return marshal.dumps(search.dataset_terms(manifest, publishers), 2)


def chunk(items: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """A listing's pages. Up to ``PAGE_SIZE`` datasets are one page; a longer listing
    ends a page after a dataset whose id hashes to a multiple of ``CUT_EVERY`` (once the
    page has ``MIN_PAGE``), or at ``MAX_PAGE``. A page's end depends on its own datasets,
    not on how many come before it: when a title changes, or a dataset comes or goes,
    the pages it leaves and joins change, not every page after them (pages of a fixed
    size would all shift by one, and be written again)."""
    if len(items) <= PAGE_SIZE:
        return [items]
    pages: list[list[dict[str, Any]]] = []
    page: list[dict[str, Any]] = []
    for item in items:
        page.append(item)
        cut = zlib.crc32(item["id"].encode("utf-8")) % CUT_EVERY == 0
        if len(page) >= MAX_PAGE or (cut and len(page) >= MIN_PAGE):
            pages.append(page)
            page = []
    if page:
        pages.append(page)
    return pages


def page_name(item: dict[str, Any]) -> str:
    """The path segment of a listing page after the first: the id of the dataset it
    ends with (``mides/pobreza`` → ``mides--pobreza``)."""
    return str(item["id"]).replace("/", "--")


def paginate(items: list[Any], base: str) -> list[tuple[str, list[Any], dict[str, Any]]]:
    """``[(path, items of the page, pager)]``: the first page at ``base``, each other
    named after the dataset it ends with (``page_name``), not numbered: when a dataset
    comes, goes or moves, the pages it leaves and joins change, and their neighbours'
    links, but no page after them (numbered pages would all take their neighbours'
    numbers, and be written again). The pager is what a page shows of the others: the
    first, the previous and the next; how many there are on the first page only."""
    chunks = chunk(items)
    paths = [base] + [f"{base}{page_name(c[-1])}/" for c in chunks[1:]]
    return [
        (
            path,
            shown,
            {
                "base": base,
                "prev": paths[n - 1] if n else None,
                "next": paths[n + 1] if n + 1 < len(paths) else None,
                "pages": len(paths) if n == 0 else None,
            },
        )
        for n, (path, shown) in enumerate(zip(paths, chunks, strict=True))
    ]


def initials(pages: list[tuple[str, list[Any], dict[str, Any]]]) -> list[tuple[str, str]]:
    """``[(letter, path)]``: for each first letter of the titles (accents aside; ``#``
    for a digit or sign), the page of the first dataset with it (an A-Z listing's
    jumps, on its first page)."""
    found: dict[str, str] = {}
    for path, shown, _pager in pages:
        for item in shown:
            first = (item.get("sort") or sort_key(item["title"]))[:1].upper()
            found.setdefault(first if first.isalpha() else "#", path)
    return sorted(found.items(), key=lambda pair: (pair[0] != "#", pair[0]))


class Site:
    """The pages of one site, from the summaries of its datasets."""

    def __init__(
        self,
        writer: SiteWriter,
        items: dict[str, dict[str, Any]],
        manifests: dict[str, Manifest],
        facts: dict[str, dict[str, Any]],
        publishers: dict[str, dict[str, Any]],
        reports: dict[str, dict[str, Any]],
        digests: dict[str, str],
        conn: sqlite3.Connection | None,
        today: date,
        item_keys: dict[str, str] | None = None,
    ) -> None:
        self.writer = writer
        self.digests = digests
        # The key of each dataset's summary (what lists show of it): a page's key lists
        # the keys of the summaries it shows, not the summaries.
        self.item_keys = item_keys or {d: key_of("item", i) for d, i in items.items()}
        self.publisher_keys = {s: key_of("publisher", p) for s, p in publishers.items()}
        self._terms: dict[str, bytes] | None = None
        # What the pages of both languages share, worked out for the first.
        self._shown: dict[int, tuple[list[dict[str, Any]], str]] = {}
        self._paginated: dict[str, list[tuple[str, list[Any], dict[str, Any]]]] = {}
        self._dataset_keys: dict[str, str] = {}
        self.items = items
        self.manifests = manifests
        self.facts = facts
        self.publishers = publishers
        self.reports = reports
        self.conn = conn
        self.today = today
        self.by_title = sorted(
            items.values(), key=lambda i: (i.get("sort") or sort_key(i["title"]), i["id"])
        )
        self.by_publisher: dict[str, list[dict]] = defaultdict(list)
        self.by_theme: dict[str, list[dict]] = defaultdict(list)
        self.by_territory: dict[str, list[dict]] = defaultdict(list)
        for item in self.by_title:
            self.by_publisher[item["publisher"]].append(item)
            for theme in item["themes"]:
                self.by_theme[theme].append(item)
            for code in item["territories"]:
                self.by_territory[code].append(item)
        # Declared indicators, computed once per build from the release's tables.
        self.indicators = compute_all(manifests.values(), conn, publishers)

    # ------------------------------------------------------------- helpers

    def page(
        self,
        path: str,
        lang: str,
        template: str,
        data: Any,
        later: Callable[[], dict[str, Any]] | None = None,
        **context: Any,
    ) -> None:
        """Write ``template`` at ``path`` in ``lang``; ``data`` is what the key covers.
        ``later`` gives more of the context, worked out only if the page is written."""

        def produce() -> str:
            return render(template, lang, path=path, **context, **(later() if later else {}))

        self.writer.page(_file(path, lang), key_of(template, path, lang, data), produce)

    def shown(self, items: list[dict[str, Any]]) -> str:
        """What a key holds of the datasets a page lists: a digest of their summaries'
        keys, worked out once for both languages (the list is the same object)."""
        found = self._shown.get(id(items))
        if found is not None and found[0] is items:
            return found[1]
        keys = self.item_keys
        value = digest(*[keys[i["id"]] for i in items])
        self._shown[id(items)] = (items, value)  # the list held: its id stays its own
        return value

    def paginated(self, items: list[Any], base: str) -> list[tuple[str, list[Any], dict[str, Any]]]:
        """``paginate``, once a build for both languages."""
        found = self._paginated.get(base)
        if found is None:
            found = self._paginated[base] = paginate(items, base)
        return found

    def publisher_of(self, slug: str) -> dict[str, Any]:
        return {"slug": slug, **(self.publishers.get(slug) or {})}

    def _listing(
        self,
        pages: list[tuple[str, list[Any], dict[str, Any]]],
        lang: str,
        template: str,
        head: Any,
        first: dict[str, Any] | None = None,
        **context: Any,
    ) -> None:
        """A listing's pages (``paginate``); ``first`` is what only its first page shows
        (a total that changes with every dataset added would otherwise change every page)."""
        for n, (path, shown, pager) in enumerate(pages):
            more = (first or {}) if n == 0 else {}
            self.page(
                path,
                lang,
                template,
                [head, self.shown(shown), pager, context, more],
                items=shown,
                pager=pager,
                **context,
                **more,
            )

    # --------------------------------------------------------------- pages

    def write(self) -> None:
        self.indicator_files()
        for lang in LANGUAGES:
            self.indicator_list(lang)
            self.home(lang)
            self.search_page(lang)
            itdashboard.write(self, lang)  # /tablero-ti/: the IT-project dashboard
            self.browse(lang)
            self.publisher_pages(lang)
            self.theme_pages(lang)
            self.territory_pages(lang)
            self.dataset_pages(lang)
            for path, template in ((ABOUT, "about.html"), (LICENCE, "licence.html")):
                self.page(path, lang, template, None)
            self.page(DEVELOPERS, lang, "developers.html", urls.base_url(), base=urls.base_url())
            self.writer.page(
                _lang_path("404.html", lang),
                key_of("404", lang),
                partial(render, "error.html", lang, status=404),
            )

    def browse(self, lang: str) -> None:
        """A-Z: every dataset by title; the first page says how many and jumps to letters."""
        pages = self.paginated(self.by_title, BROWSE)
        first = {"total": len(self.items), "letters": initials(pages)}
        self._listing(pages, lang, "browse.html", "a-z", first)

    def home(self, lang: str) -> None:
        items = list(self.items.values())
        latest = sorted(items, key=lambda i: (i["issued"], i["id"]), reverse=True)[:HOME_LATEST]
        updated = sorted(items, key=lambda i: (i["modified"], i["id"]), reverse=True)
        counts = {
            "datasets": len(items),
            "publishers": len(self.by_publisher),
            "tables": sum(len(m["tables"]) for m in self.manifests.values()),
            "rows": sum(i["rows"] for i in items),
        }
        themes = self.theme_list()
        publishers = self.publisher_list()
        data = [self.shown(latest), self.shown(updated[:HOME_LATEST]), counts, themes, publishers]
        self.page(
            "",
            lang,
            "home.html",
            data,
            latest=latest,
            updated=updated[:HOME_LATEST],
            counts=counts,
            themes=themes,
            publishers=publishers,
        )

    def theme_list(self) -> list[dict[str, Any]]:
        return [
            {"code": t["code"], "count": len(self.by_theme[t["code"]])}
            for t in vocabulary("themes")
            if self.by_theme.get(t["code"])
        ]

    def publisher_list(self) -> list[dict[str, Any]]:
        found = [
            {**self.publisher_of(slug), "count": len(self.by_publisher.get(slug, []))}
            for slug in self.publishers
        ]
        return sorted(found, key=lambda p: sort_key(str(p.get("name") or p["slug"])))

    def term_blobs(self) -> dict[str, bytes]:
        """Each dataset's weighted stems for the search index (marshal bytes), kept
        between builds by the keys of its manifest and its publisher (what they are
        read from): carried on every build, made only for a changed dataset."""
        if self._terms is None:
            wanted = {
                f"terms:{d}": (
                    digest(self.digests[d], self.publisher_keys.get(m["publisher"]) or ""),
                    partial(_terms_blob, m, self.publishers),
                )
                for d, m in self.manifests.items()
            }
            made = self.writer.remember_many("terms:", wanted)
            self._terms = {d: made[f"terms:{d}"] for d in self.manifests}
        return self._terms

    def terms(self, item: dict[str, Any]) -> dict[str, float]:
        return marshal.loads(self.term_blobs()[item["id"]])

    def search_page(self, lang: str) -> None:
        path = urls.search().lstrip("/")
        self.page(path, lang, "search.html", None)
        # The index's files (catalog/site/search.py): each keyed by the data it holds,
        # made and written only when that changed.
        folder = _lang_path(path, lang)
        for name, (key, make) in search.language_files(
            self.search_index(), lang, self.publishers
        ).items():
            self.writer.page(folder + name, key_of("search-file", name, key), make)

    def search_index(self) -> search.Index:
        """The search index of both languages, worked out once a build. Its dataset
        numbers are the previous build's (kept in the site's state), so a change to one
        dataset rewrites only the index files that hold it."""
        if getattr(self, "_search_index", None) is None:
            ids = [i["id"] for i in self.by_title]
            numbers = search.numbering(ids, self.writer.recall("search-numbers"))
            self.writer.remember("search-numbers", search.key_of(numbers), lambda: numbers)
            self.term_blobs()
            self._search_index = search.Index(self.by_title, numbers, self.terms)
        return self._search_index

    def publisher_pages(self, lang: str) -> None:
        listing = self.publisher_list()
        self.page(PUBLISHERS, lang, "publishers.html", listing, publishers=listing)
        for slug in self.publishers:
            publisher = self.publisher_of(slug)
            items = self.by_publisher.get(slug, [])
            parent = self.publisher_of(publisher["parent"]) if publisher.get("parent") else None
            # A harvested body can publish thousands: its page lists the first, its
            # listing's later pages the others (as a territory's).
            (path, first, pager), *rest = self.paginated(items, urls.publisher(slug).lstrip("/"))
            overdue = sum(1 for i in items if i["overdue"])
            self.page(
                path,
                lang,
                "publisher.html",
                [publisher, parent, self.shown(first), pager, overdue, len(items)],
                publisher=publisher,
                parent=parent,
                items=first,
                pager=pager,
                overdue=overdue,
                count=len(items),
            )
            for later, listed, pager in rest:
                self.page(
                    later,
                    lang,
                    "publisher_list.html",
                    [publisher, self.shown(listed), pager],
                    publisher=publisher,
                    items=listed,
                    pager=pager,
                )

    def theme_pages(self, lang: str) -> None:
        themes = self.theme_list()
        self.page(THEMES, lang, "themes.html", themes, themes=themes)
        for theme in themes:
            code = theme["code"]
            self._listing(
                self.paginated(self.by_theme[code], urls.theme(code).lstrip("/")),
                lang,
                "theme.html",
                code,
                theme=code,
            )

    def _figures(self, code: str, lang: str) -> list[dict[str, Any]]:
        level = "department" if territories.is_department(code) else "municipality"
        locale = LOCALES[lang]

        def compact(value: float) -> str:
            return format_compact_decimal(value, locale=locale, fraction_digits=1)

        found: list[dict[str, Any]] = []
        for item in self.by_territory.get(code, []):
            for figure in self.facts[item["id"]]["figures"]:
                value = figure["values"].get(level, {}).get(code)
                if not value:
                    continue
                if len(found) == MAX_FIGURES:  # the page shows no more
                    return found
                series = [(x, v) for x, v in value["series"] if x is not None]
                found.append(
                    {
                        "item": item,
                        "figure": figure,
                        "year": value["year"],
                        "value": number(value["value"], lang, 2),
                        "chart": bar_chart(series, figure["measure"], compact)
                        if figure["by_year"] and len(series) > 1
                        else "",
                    }
                )
        return found[:MAX_FIGURES]

    def territory_pages(self, lang: str) -> None:
        departments: list[dict[str, Any]] = [
            {
                **d,
                "count": len(self.by_territory.get(d["code"], [])),
                "municipalities": [
                    {**m, "count": len(self.by_territory.get(m["code"], []))}
                    for m in territories.municipalities(d["code"])
                ],
            }
            for d in territories.departments()
        ]
        # Chile's and Paraguay's territories: only those the data covers, after Guatemala's.
        foreign = self.foreign_territories(lang)
        listing = departments + [
            {**d, "name": f"{d['name']} ({territories.country_name(d['country'])})"}
            for d in foreign
        ]
        self.page(TERRITORIES, lang, "territories.html", listing, departments=listing)
        for department in departments + foreign:
            self.territory(department["code"], department, None, department["municipalities"], lang)
            for municipality in department["municipalities"]:
                self.territory(municipality["code"], municipality, department, [], lang)

    def foreign_territories(self, lang: str) -> list[dict[str, Any]]:
        """The departments (regions) of countries other than Guatemala that the data
        covers, each with its covered municipalities (comunas, districts); no map.
        Each says its country, its bare code and what its country calls it."""
        found = []
        for country in territories.countries():
            if country == territories.DEFAULT_COUNTRY:
                continue
            for d in territories.departments(country):
                municipalities = [
                    {
                        **m,
                        **self._local(m["code"], country, "municipality", lang),
                        "count": len(self.by_territory[m["code"]]),
                    }
                    for m in territories.municipalities(d["code"])
                    if self.by_territory.get(m["code"])
                ]
                if self.by_territory.get(d["code"]) or municipalities:
                    found.append(
                        {
                            **d,
                            **self._local(d["code"], country, "department", lang),
                            "count": len(self.by_territory.get(d["code"], [])),
                            "municipalities": municipalities,
                        }
                    )
        return found

    @staticmethod
    def _local(code: str, country: str, level: str, lang: str) -> dict[str, str]:
        return {
            "country": country,
            "country_name": territories.country_name(country),
            "local": territories.split(code)[1],
            "label": territories.level_label(country, level, lang),
        }

    def territory(
        self,
        code: str,
        place: dict[str, Any],
        department: dict[str, Any] | None,
        municipalities: list[dict[str, Any]],
        lang: str,
    ) -> None:
        items = self.by_territory.get(code, [])
        # A page shows a place's names, not its counts (its own count is ``count``): with
        # them in its key, a dataset added to a department wrote all the pages of its
        # listing and its municipalities' profiles again, unchanged.
        place = _named(place)
        department = _named(department) if department is not None else None
        # The figures come from the facts of the datasets listed, which their summaries'
        # keys cover (catalog/build/site.py): worked out only if the page is written.
        data = [place, department, municipalities, self.shown(items), len(items)]
        found = indicator_pages.ficha(self.indicators, code, lang)
        locator = self.locators.get(code)
        # The profile lists the first datasets; the others are on pages of their own
        # (a department can have thousands: one page listing them all would be heavy
        # to read and written again whenever any of them changed).
        (path, first, pager), *rest = self.paginated(items, urls.territory(code).lstrip("/"))
        self.page(
            path,
            lang,
            "territory.html",
            [data, found, locator, pager],
            lambda: {"figures": self._figures(code, lang)},
            indicators=found,
            locator=locator,
            place=place,
            department=department,
            municipalities=municipalities,
            items=first,
            count=len(items),
            pager=pager,
        )
        for later, listed, pager in rest:
            self.page(
                later,
                lang,
                "territory_list.html",
                [place, department, self.shown(listed), pager],
                place=place,
                department=department,
                items=listed,
                pager=pager,
            )

    # ---------------------------------------------------------- indicators

    def indicator_files(self) -> None:
        """What does not depend on the language: the indicators' data file, their CSV
        downloads and a locator map per territory."""
        pages = indicator_pages
        self.writer.page(
            pages.FILES["data"],
            key_of("indicators-data", self.indicators),
            partial(pages.data_file, self.indicators),
        )
        for indicator in self.indicators:
            path = pages.indicator_path(indicator["id"]) + pages.CSV_FILE
            self.writer.page(
                path, key_of("indicator-csv", indicator), partial(pages.csv_of, indicator)
            )
        self.locators: dict[str, str] = {}
        # The territories that have a shape (reading the maps costs a second; their files
        # are part of the code's version, which every key holds).
        codes = self.writer.remember(
            "locator-codes",
            key_of("locator-codes"),
            lambda: [*maps.shapes("department")[0], *maps.shapes("municipality")[0]],
        )
        for code in dict.fromkeys(codes):
            path = urls.territory(code).lstrip("/") + pages.MAP_FILE
            title = territories.name(code) or code
            self.writer.page(
                path, key_of("locator", code, title), partial(maps.locator, code, title)
            )
            self.locators[code] = "/" + path

    def indicator_list(self, lang: str) -> None:
        pages = indicator_pages
        themes = pages.by_theme(self.indicators, lang)
        path = pages.INDICATORS
        self.page(
            path, lang, "indicators.html", themes, themes=themes, data_file=pages.FILES["data"]
        )
        for indicator in self.indicators:
            page = pages.indicator_path(indicator["id"])
            self.writer.page(
                _file(page, lang),
                key_of("indicator.html", page, lang, indicator),
                partial(self._indicator_page, indicator, page, lang),
            )

    def _indicator_page(self, indicator: dict[str, Any], page: str, lang: str) -> str:
        view = indicator_pages.indicator_view(
            indicator, lang, lambda path: "/" + _lang_path(path, lang)
        )
        return render("indicator.html", lang, path=page, **view)

    def dataset_pages(self, lang: str) -> None:
        """Only decides which pages to write: the workers write them (catalog/site/jobs.py)."""
        keys = self._dataset_keys
        for dataset_id, item in self.items.items():
            key = keys.get(dataset_id)
            if key is None:  # what the page is made of, but the language
                publisher = self.publisher_keys.get(item["publisher"])
                report = self.reports.get(dataset_id) or {}
                key = keys[dataset_id] = key_of(
                    "dataset",
                    self.digests[dataset_id],
                    publisher,
                    report,
                    self.item_keys[dataset_id],
                )
            self.writer.files(
                [_file(item["path"], lang)], digest(key, lang), later=(dataset_id, lang)
            )

    def job_data(self, dataset_id: str) -> JobData:
        """What a dataset's pending jobs read (catalog/site/jobs.py hands it to a worker)."""
        manifest = self.manifests[dataset_id]
        return JobData(
            manifest,
            self.items[dataset_id],
            self.reports.get(dataset_id) or {},
            self.publisher_of(manifest["publisher"]),
        )


def _named(place: dict[str, Any]) -> dict[str, Any]:
    """A territory as its pages name it: without its counts and municipalities."""
    return {k: v for k, v in place.items() if k not in ("count", "municipalities")}


class JobData(NamedTuple):
    """A dataset's part of a site that its downloads and pages are made of."""

    manifest: Manifest
    item: dict[str, Any]
    report: dict[str, Any]
    publisher: dict[str, Any]


def run_job(
    folder: Path, conn: sqlite3.Connection | None, today: date, data: JobData, job: str
) -> None:
    """A dataset's downloads (``DOWNLOADS``), or its page in the language ``job``,
    written into the site ``folder``."""
    if job == DOWNLOADS:
        if conn is not None:
            downloads.write_downloads(folder, data.manifest, conn)
        return
    html = dataset_page(folder, conn, today, data, job)
    target = folder / _file(data.item["path"], job)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")


def dataset_page(
    folder: Path, conn: sqlite3.Connection | None, today: date, data: JobData, lang: str
) -> str:
    from catalog.standards import schema_org

    manifest, item, report, publisher = data
    sizes = {}
    for path in downloads.files_of(manifest):
        target = folder / path
        if target.is_file():
            sizes["/" + path] = target.stat().st_size
    view = dataset_view(manifest, publisher, item, report, conn, sizes, lang, today)
    view["json_ld"] = schema_org(manifest, publisher, lang)
    return render("dataset.html", lang, path=item["path"], **view)
