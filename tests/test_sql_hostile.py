"""Hostile and odd requests under /sql/: always a 4xx (or a normal answer) with a
message, never a 500, a traceback, or a debug page that tells about the server."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from test_build import COBERTURA_TABLE, write_content
from test_serve import AppClient

from catalog.build import build
from catalog.serve import make_app
from catalog.sqlproc import make_datasette

CANNED = "mides__bono_social__cobertura_por_departamento"
T = f"/sql/catalogo/{COBERTURA_TABLE}"
# Every kind of URL Datasette answers under /sql/, with its .json/.csv variants.
KINDS = {
    "home": ["/sql/", "/sql/.json"],
    "database": ["/sql/catalogo", "/sql/catalogo.json"],
    "table": [T, f"{T}.json", f"{T}.csv"],
    "row": [f"{T}/1", f"{T}/1.json"],
    "query": [
        "/sql/catalogo?sql=select+1",
        "/sql/catalogo.json?sql=select+1",
        "/sql/catalogo.csv?sql=select+1",
    ],
    "canned": [f"/sql/catalogo/{CANNED}", f"/sql/catalogo/{CANNED}.json"],
    "special": ["/sql/-/metadata", "/sql/-/metadata.json", "/sql/-/databases.json"],
}
HOSTILE_PARAMS = [
    '_sort="',
    '_sort_desc="',
    "_sort=monto&_sort_desc=monto",
    "_sort=no_such_column",
    "_size=abc",
    "_size=-1",
    "_size=0",
    "_size=99999999999999999999",
    "_size=1e400",
    "_next=garbage",
    '_next="',
    "_next=%00",
    "_next=1,2,3,4,5",
    "_next=~ff",
    "_facet=no_such_column",
    '_facet="',
    "_facet_array=no_such_column",
    "_facet_date=no_such_column",
    "_where=1;drop+table+x",
    "_where=1)+union+select+sqlite_version()--",
    "_where=load_extension('x')",
    "_where=" + quote("1=1 and (select count(*) from pragma_table_info('x'))"),
    '_search="',
    "_search=AND+OR+NEAR(",
    "_search=*",
    "_col=no_such_column",
    "_nocol=no_such_column",
    "_labels=on&_label=no_such_column",
    "_shape=nope",
    "_shape=object",
    "_json=no_such_column",
    "_stream=on",
    "_stream=on&_next=5",
    "_dl=1",
    "_trace=1",
    "_timelimit=abc",
    "_timelimit=-5",
    "_ttl=abc",
    "_fts_table=no_such_table&_search=x",
    '_through={"table":"x","column":"y","value":"z"}',
    "_through=garbage",
    "monto__gt=abc",
    "no_such_column__exact=1",
    "monto__in=%5B1%2C",
    "monto__arraycontains=%22",
    "sql=select+1;select+2",
    "sql=select+:p",
    "sql=" + quote("select * from no_such_table"),
    "sql=" + quote("attach database '/etc/passwd' as x"),
    "sql=" + quote("pragma writable_schema=1"),
    "sql=%ff%fe",
    "_hide_sql=1&sql=%00",
    "%ff=%fe",
    "_sort=%ff",
    "_facet=%C0%AF",
]
ODD_PATHS = [
    "/sql/catalogo/%ff%fe",
    "/sql/catalogo/~ff~fe",
    "/sql/%ff",
    "/sql/~ff",
    f"{T}/%ff",
    f"{T}/~ff~fe.json",
    "/sql/-/%ff",
    f"{T}/1/2/3",
    "/sql/catalogo/" + "a" * 5000,
    "/sql/catalogo.db/x",
    "/sql/-/static/../../../etc/passwd",
    "/sql/-/static/%2e%2e/%2e%2e/etc/passwd",
]
METHODS = ["TRACE", "FOO", "PROPFIND", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
# Debug pages that tell about the server, not the data.
CLOSED = [
    "versions",
    "threads",
    "actor",
    "settings",
    "config",
    "plugins",
    "permissions",
    "allow-debug",
    "messages",
    "patterns",
    "auth-token",
    "logout",
]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    assert build(write_content(base / "content"), base / "build").all_published
    return base / "build"


@pytest.fixture(scope="module")
def client(out: Path) -> AppClient:
    """The real path: catalog serve's proxy and Datasette in its own process."""
    return AppClient(make_app(out))


@pytest.fixture(scope="module")
def datasette_client(out: Path) -> AppClient:
    """Datasette with our plugins in this process, to see what it prints."""
    return AppClient(make_datasette(out / "sql").app())


def _problems(client: AppClient, method: str, url: str) -> list[str]:
    response = client.request(method, url, headers={"Accept-Language": "es"})
    found = []
    if response.status_code >= 500:
        found.append(f"{method} {url} -> {response.status_code}")
    if "Traceback" in response.text or 'File "/' in response.text:
        found.append(f"{method} {url} shows a traceback")
    if 400 <= response.status_code < 500 and len(response.text.strip()) < 20:
        found.append(f"{method} {url} -> {response.status_code} without a message")
    return found


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_odd_parameters_never_cause_a_server_error(client: AppClient, kind: str):
    problems = []
    for url in KINDS[kind]:
        for params in HOSTILE_PARAMS:
            joined = f"{url}{'&' if '?' in url else '?'}{params}"
            problems += _problems(client, "GET", joined)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ODD_PATHS)
def test_odd_paths_get_a_4xx_or_a_redirect(client: AppClient, path: str):
    assert not _problems(client, "GET", path)
    assert client.get(path).status_code != 200 or path.startswith(T)


def test_other_methods_get_405_everywhere(client: AppClient):
    for urls in KINDS.values():
        for url in urls:
            for method in METHODS:
                response = client.request(method, url)
                assert response.status_code == 405, (method, url)
                assert response.headers["allow"] == "GET, HEAD"
    page = client.request("TRACE", "/sql/catalogo", headers={"Accept-Language": "es"})
    assert "solo responde a solicitudes GET y HEAD" in page.text
    assert client.request("HEAD", T).status_code == 200


def test_errors_are_clear_and_translated(client: AppClient):
    spanish = client.get(f'{T}?_sort="', headers={"Accept-Language": "es"})
    assert spanish.status_code == 400
    assert "La consulta no se pudo ejecutar." in spanish.text
    assert "Cannot sort table by" in spanish.text  # Datasette's own detail, shown as text
    assert 'href="/sql/"' in spanish.text
    english = client.get(f"{T}.json?_size=abc", headers={"Accept-Language": "en"}).json()
    assert english["ok"] is False and english["status"] == 400
    assert english["title"] == "The address has a parameter the SQL explorer cannot use."
    assert "_size" in english["hint"]
    missing = client.get("/sql/catalogo/no_such_table.json").json()
    assert missing["status"] == 404 and missing["title"].startswith("Esta página no existe")


def test_debug_pages_are_closed(client: AppClient):
    for name in CLOSED:
        for suffix in ("", ".json"):
            response = client.get(f"/sql/-/{name}{suffix}")
            assert response.status_code == 404, name + suffix
            assert "python" not in response.text.lower(), name + suffix


def test_what_journalists_need_stays_open(client: AppClient):
    for url in ("/sql/", "/sql/catalogo", T, f"{T}/1", "/sql/-/metadata.json", "/sql/catalogo.db"):
        assert client.get(url).status_code == 200, url
    assert client.get("/sql/-/static/app.css").status_code == 200


def test_databases_json_hides_paths_on_disk(client: AppClient):
    response = client.get("/sql/-/databases.json")
    assert response.status_code == 200
    assert [d["name"] for d in response.json()] == ["catalogo"]
    assert "path" not in response.json()[0]
    assert "/" not in json.dumps([d for d in response.json()]).replace("\\/", "")


def test_the_error_handler_prints_no_traceback(datasette_client: AppClient, capfd):
    """Datasette's default handler printed a rich traceback with every local on the
    event loop for each error; ours logs one line."""
    capfd.readouterr()
    for url in (f'{T}?_sort="', "/sql/catalogo/no_such_table", f"{T}.json?_where=1;drop"):
        assert datasette_client.get(url).status_code in (400, 404), url
    printed = capfd.readouterr()
    assert "Traceback" not in printed.out + printed.err
    assert "locals" not in printed.out + printed.err
    from datasette.plugins import pm

    assert pm.is_blocked("datasette.handle_exception")
    assert pm.get_plugin("sql_guard") is not None


def test_sql_guard_messages_have_spanish_translations():
    import catalog_plugins.sql_guard as guard
    from catalog.i18n import gettext
    from catalog_plugins.sql_guard import problems

    messages = [
        value
        for module in (guard, problems)
        for value in vars(module).values()
        if isinstance(value, problems.Problem)
    ]
    msgids = [m for p in messages for m in (p.title, p.hint)] + [problems.BACK]
    assert len(msgids) > 15
    untranslated = [m for m in msgids if gettext(m, "es") == m]
    assert not untranslated, untranslated


def test_paths_on_disk_are_in_no_page(client: AppClient, out: Path):
    for url in ("/sql/-/databases.json", "/sql/-/metadata.json", "/sql/.json", "/sql/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert str(out.resolve()) not in response.text and str(out) not in response.text, url


# ---------------------------------------------------------------- caps on bytes

BIG = (
    "with recursive c(x) as (select 1 union all select x + 1 from c where x < 100) "
    "select printf('%.*c', 9000000, 'x') as v from c"
)


def test_a_result_over_the_cap_is_refused_clearly(client: AppClient):
    """The review's query: 100 values of 9 MB (900 MB) once took the server to 3.7 GB."""
    english = client.get(
        "/sql/catalogo.json", params={"sql": BIG}, headers={"Accept-Language": "en"}
    )
    assert english.status_code == 400
    assert english.json()["title"] == (
        "The result is larger than the 16 MB the SQL explorer returns at once."
    )
    assert "LIMIT" in english.json()["hint"] and "download" in english.json()["hint"]
    page = client.get("/sql/catalogo", params={"sql": BIG})
    assert page.status_code == 400 and "El resultado supera los 16 MB" in page.text
    csv = client.get("/sql/catalogo.csv", params={"sql": BIG})
    assert csv.status_code == 400 and "El resultado supera" in csv.text


def test_a_value_over_the_cap_is_refused(client: AppClient):
    sql = {"sql": "select zeroblob(20000000) as z"}
    answer = client.get("/sql/catalogo.json", params=sql)
    assert answer.status_code == 400 and "too big" in answer.json()["error"]
    page = client.get("/sql/catalogo", params=sql)
    assert page.status_code == 400
    assert "Un valor de la consulta supera los 16 MB" in page.text


def test_results_under_the_caps_come_whole(client: AppClient):
    sql = "select printf('%.*c', 1000000, 'x') as v union all select 'y'"
    rows = client.get("/sql/catalogo.json", params={"sql": sql, "_shape": "array"}).json()
    assert [len(r["v"]) for r in rows] == [1_000_000, 1]


def test_the_caps_leave_every_demo_value_alone(demo_build: Path):
    """The caps must never hurt a published table: the demo's largest value and its
    largest page of rows stay far below them."""
    import sqlite3

    from catalog_plugins.sql_guard.limits import MAX_RESULT_BYTES, MAX_VALUE_BYTES

    conn = sqlite3.connect(f"file:{demo_build / 'sql' / 'catalogo.db'}?mode=ro", uri=True)
    largest_value, largest_page = 0, 0
    tables = [r[0] for r in conn.execute("select name from sqlite_master where type='table'")]
    for table in tables:
        columns = [r[1] for r in conn.execute(f'pragma table_info("{table}")')]
        sizes = " + ".join(f'coalesce(length(cast("{c}" as blob)), 0)' for c in columns)
        widest = " , ".join(f'max(length(cast("{c}" as blob)))' for c in columns)
        row = conn.execute(f'select max({sizes}), count(*), {widest} from "{table}"').fetchone()
        largest_value = max([largest_value, *(v or 0 for v in row[2:])])
        largest_page = max(largest_page, (row[0] or 0) * min(row[1], 5000))
    assert 0 < largest_value < MAX_VALUE_BYTES / 100
    assert largest_page < MAX_RESULT_BYTES / 2


# ---------------------------------------------------------------- admission


def test_admission_counts_per_client_and_in_all():
    from catalog.sqlproc import Admission

    admission = Admission(total=2, per_client=1)
    assert admission.enter("a") is None
    again = admission.enter("a")
    assert again.status == 429 and again.headers["Retry-After"] and again.params["running"] == 1
    assert admission.enter("b") is None
    busy = admission.enter("c")
    assert busy.status == 503 and busy.headers["Retry-After"]
    admission.leave("a")
    assert admission.enter("c") is None and admission.running == 2
    admission.leave("b")
    admission.leave("c")
    assert admission.running == 0 and admission.clients == {}


HEAVY = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"


def test_one_client_cannot_fill_the_sql_explorer(out: Path, monkeypatch):
    import asyncio

    from catalog import sqlproc

    monkeypatch.setattr(sqlproc.ADMISSION, "per_client", 1)
    app = AppClient(make_app(out))
    assert app.get("/sql/catalogo.json?sql=select+1").status_code == 200  # the child is up

    async def two_at_once():
        heavy = asyncio.create_task(app.client.get("/sql/catalogo.json", params={"sql": HEAVY}))
        while sqlproc.ADMISSION.running == 0:
            await asyncio.sleep(0.01)
        second = await app.client.get("/sql/catalogo", headers={"Accept-Language": "es"})
        return await heavy, second

    heavy, second = app.loop.run_until_complete(two_at_once())
    assert second.status_code == 429 and second.headers["retry-after"]
    assert "Ya tiene en curso el máximo de solicitudes simultáneas" in second.text
    assert heavy.status_code == 400 and "límite de 3 s" in heavy.json()["title"]
    assert sqlproc.ADMISSION.running == 0


def test_an_error_page_that_cannot_render_is_still_a_page(out: Path, monkeypatch):
    import asyncio

    from datasette.utils.asgi import Request

    from catalog_plugins.sql_guard import problems

    datasette = make_datasette(out / "sql")

    def broken(name):
        raise RuntimeError("template gone")

    monkeypatch.setattr(datasette.jinja_env, "get_template", broken)
    scope = {"type": "http", "method": "GET", "path": "/sql/x", "query_string": b"", "headers": []}
    response = asyncio.run(problems.render(datasette, Request(scope, None), problems.NOT_FOUND, {}))
    assert response.status == 404
    assert "Esta página no existe en el explorador SQL." in response.body
