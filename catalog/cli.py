"""The ``catalog`` command line: thin click commands over the Python API.

Every command speaks Spanish unless ``--lang en`` (``serve`` has none: it only
prints errors) or the locale asks for English, and never shows a traceback: a ``CatalogError`` becomes its message
and exit status 2; anything unexpected becomes one line asking for a report.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from catalog import i18n
from catalog.errors import EXIT_INVALID, EXIT_OK, EXIT_USAGE, CatalogError
from catalog.findings import Finding
from catalog.i18n import _, translate

EXIT_BUG = 3


def _lang_from_argv(argv: list[str]) -> str:
    """The language asked for on the command line, read before click parses it,
    so that click's own usage errors come out in that language too."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return i18n.normalize_lang(argv[index + 1])
        if arg.startswith("--lang="):
            return i18n.normalize_lang(arg.split("=", 1)[1])
    return i18n.lang_from_env()


LANG = _lang_from_argv(sys.argv[1:])


def t(message: str) -> str:
    """Help texts are translated once, when the command line is read."""
    return translate(message, LANG)


lang_option = click.option(
    "--lang",
    type=click.Choice(i18n.LANGUAGES),
    default=LANG,
    show_default=True,
    help=t(_("Language of messages: es (Spanish) or en (English).")),
)

root_option = click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help=t(_("Folder with publishers/ and datasets/.")),
)
build_dir_option = click.option(
    "--build-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("build"),
    show_default=True,
    help=t(_("Folder written by catalog build.")),
)


def fail(error: CatalogError, lang: str) -> None:
    click.echo(translate(_("Error: {message}"), lang, message=error.message(lang)), err=True)
    sys.exit(error.exit_code)


class CatalogGroup(click.Group):
    """Turns every exception into a clear message and an exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CatalogError as error:
            fail(error, LANG)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo(t(_("Interrupted: nothing was published.")), err=True)
            sys.exit(130)
        except MemoryError:
            click.echo(
                t(
                    _(
                        "Out of memory. Split the file into smaller resources or use a bigger machine."
                    )
                ),
                err=True,
            )
            sys.exit(EXIT_BUG)
        except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
            message = translate(
                _(
                    "Unexpected error ({kind}: {detail}). Please report it with the command you ran."
                ),
                LANG,
                kind=type(exc).__name__,
                detail=str(exc)[:300],
            )
            click.echo(message, err=True)
            sys.exit(EXIT_BUG)


@click.group(cls=CatalogGroup, help=t(_("Open-data catalogue and transparency portal.")))
@click.version_option(package_name="catalog", help=t(_("Show the version and exit.")))
def cli() -> None:
    pass


@cli.command(help=t(_("Validate datasets (a dataset folder or its datapackage.json).")))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help=t(_("Print one JSON report on stdout.")))
@lang_option
def validate(paths: tuple[Path, ...], as_json: bool, lang: str) -> None:
    from catalog.report import render_json, render_text
    from catalog.validate import validate_paths

    try:
        run = validate_paths(list(paths))
    except CatalogError as error:
        if as_json:
            # Keep stdout one parseable JSON object even for a usage error.
            usage = Finding(
                type="usage-error", text=error.text, hint=error.hint, params=error.params
            )
            click.echo(
                json.dumps({"valid": False, "errors": [usage.to_json(lang)]}, ensure_ascii=False)
            )
        fail(error, lang)
    click.echo(render_json(run, lang) if as_json else render_text(run, lang))
    global _QUICK_EXIT
    _QUICK_EXIT = True  # main(): nothing is left to clean up but memory
    sys.exit(EXIT_OK if run.valid else EXIT_INVALID)


@cli.command(help=t(_("Build the catalogue: publish every dataset that passes validation.")))
@root_option
@click.option(
    "--build-dir",
    "--out",  # its first name, kept so that existing scripts and crontabs still work
    "build_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help=t(_("Where to write the build (default: ROOT/build).")),
)
@click.option(
    "--strict",
    is_flag=True,
    help=t(_("Exit with status 1 when any dataset was not published.")),
)
@click.option(
    "--extra-content",
    "extra",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    metavar="DIR",
    help=t(
        _(
            "Also publish the datasets of DIR/datasets/, content another program generated "
            "(such as catalog requests export --into DIR); publishers come from ROOT "
            "(repeatable)."
        )
    ),
)
@lang_option
def build(
    root: Path, build_dir: Path | None, strict: bool, extra: tuple[Path, ...], lang: str
) -> None:
    from catalog.build import build as run_build

    out = build_dir or root / "build"
    report = run_build(root, out, lang=lang, extra=extra)
    click.echo(report.summary(lang))
    sys.exit(EXIT_INVALID if strict and not report.all_published else EXIT_OK)


@cli.command(help=t(_("Serve the built catalogue, Datasette and the API on one port.")))
@click.option("--host", default="127.0.0.1", show_default=True, help=t(_("Address to listen on.")))
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8000,
    show_default=True,
    help=t(_("Port to listen on.")),
)
@build_dir_option
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help=t(_("Number of worker processes.")),
)
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    metavar="IP|CIDR",
    help=t(
        _(
            "Address or network of a reverse proxy whose X-Forwarded-For and "
            "X-Forwarded-Proto headers are believed (repeatable; default: none, or "
            "CATALOG_TRUSTED_PROXIES)."
        )
    ),
)
# No --lang: each reader gets pages and errors in their own language (?lang=, the
# cookie, Accept-Language); the command prints only errors, which follow the locale.
def serve(
    host: str,
    port: int,
    build_dir: Path,
    workers: int,
    trusted_proxies: tuple[str, ...],
) -> None:
    from catalog import proxies
    from catalog.serve import run

    networks = proxies.parse(trusted_proxies) if trusted_proxies else None
    # Links in e-mails and pages follow the port served, unless an operator set the address.
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    shown = f"[{shown}]" if ":" in shown else shown
    os.environ.setdefault("CATALOG_BASE_URL", f"http://{shown}:{port}")
    run(build_dir, host=host, port=port, workers=workers, trusted_proxies=networks)


@cli.command(help=t(_("Write the sample demo catalogue (publishers/ and datasets/).")))
@root_option
@lang_option
def demo(root: Path, lang: str) -> None:
    from catalog.demo import generate

    generate(root)
    click.echo(translate(_("Demo catalogue written to {root}."), lang, root=str(root)))


# ------------------------------------------------------- harvesting other portals


@cli.command(help=t(_("Import the datasets of another portal (CKAN, data.json, DCAT) into ROOT.")))
@click.argument("url")
@click.option(
    "--kind",
    type=click.Choice(["ckan", "data.json", "dcat"]),
    default=None,
    help=t(_("Kind of source (default: guessed from the address; CKAN otherwise).")),
)
@root_option
@click.option(
    "--map",
    "mapping_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help=t(_("YAML file that maps organisations, licences and themes (docs/harvesting.md).")),
)
@click.option(
    "--full",
    is_flag=True,
    help=t(_("Read every dataset of the source, not only those modified since the last run.")),
)
@click.option(
    "--max-download-mb",
    type=click.IntRange(1, 100_000),
    default=200,
    show_default=True,
    help=t(_("Largest resource downloaded, in megabytes.")),
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 3600),
    default=30.0,
    show_default=True,
    help=t(_("Seconds to wait for the source to connect or send more data.")),
)
@click.option(
    "--max-redirects",
    type=click.IntRange(0, 20),
    default=5,
    show_default=True,
    help=t(_("Most redirects followed for one address.")),
)
@click.option(
    "--allow-private-network",
    is_flag=True,
    help=t(_("Also fetch from local and private-network addresses (a portal on the intranet).")),
)
@lang_option
def harvest(
    url: str,
    kind: str | None,
    root: Path,
    mapping_file: Path | None,
    full: bool,
    max_download_mb: int,
    timeout: float,
    max_redirects: int,
    allow_private_network: bool,
    lang: str,
) -> None:
    from catalog.harvest.mapping import load_mapping
    from catalog.harvest.net import Limits
    from catalog.harvest.run import Options
    from catalog.harvest.run import harvest as run_harvest

    options = Options(
        url=url,
        root=root,
        kind=kind,
        mapping=load_mapping(mapping_file),
        limits=Limits(
            timeout=timeout,
            max_bytes=max_download_mb * 1024 * 1024,
            max_redirects=max_redirects,
            allow_private=allow_private_network,
        ),
        full=full,
        lang=lang,
    )
    report = run_harvest(options, echo=click.echo)
    if report.failure is not None:
        click.echo(report.summary(lang), err=True)
        sys.exit(EXIT_INVALID)
    click.echo(report.summary(lang))
    sys.exit(EXIT_OK)


# ------------------------------------------------------- transparency workspace

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help=t(_("Folder of the workspace's database and files (default: CATALOG_DATA_DIR or ./var).")),
)


password_option = click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="CATALOG_USER_PASSWORD",
    help=t(_("Password (asked for when not given).")),
)


@contextmanager
def _workspace(
    data_dir: Path | None, *, publishers: dict[str, dict[str, Any]] | None = None
) -> Iterator[Any]:
    """The transparency workspace, closed (connections released) however the command ends.
    Its publishers are ``publishers`` when given, else those of the release in ./build."""
    from catalog.transparency.config import from_env
    from catalog.transparency.workspace import Workspace

    settings = from_env(data_dir=data_dir) if data_dir else from_env()
    if publishers is not None:
        ws = Workspace(settings, publishers=publishers)
    else:
        ws = Workspace(settings, Path("build"))
    try:
        yield ws
    finally:
        ws.close()


@cli.group(cls=CatalogGroup, help=t(_("The transparency workspace: its database and demo data.")))
def workspace() -> None:
    pass


@workspace.command("migrate", help=t(_("Create or upgrade the workspace database.")))
@data_dir_option
@lang_option
def workspace_migrate(data_dir: Path | None, lang: str) -> None:
    with _workspace(data_dir):  # opening it migrates the database
        click.echo(translate(_("The workspace database is up to date."), lang))


@workspace.command("demo", help=t(_("Create the demo officer and sample requests (demo only).")))
@data_dir_option
@root_option
@lang_option
def workspace_demo(data_dir: Path | None, root: Path, lang: str) -> None:
    from catalog.metadata import load_publishers
    from catalog.transparency.demo import seed

    # The publishers of the content: the demo needs no build.
    with _workspace(data_dir, publishers=load_publishers(root)) as ws:
        email, password, created = seed(ws)
        click.echo(
            translate(
                _("Demo officer (demo only): {email} / {password}"),
                lang,
                email=email,
                password=password,
            )
        )
        click.echo(translate(_("{count} sample requests created."), lang, count=created))


@workspace.command("closure", help=t(_("Add a local closure day (not a business day).")))
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--reason", required=True, help=t(_("Why the offices are closed.")))
@click.option(
    "--jurisdiction", default="GT", show_default=True, help=t(_("Jurisdiction code: GT, CL or PY."))
)
@data_dir_option
@lang_option
def workspace_closure(
    day, reason: str, jurisdiction: str, data_dir: Path | None, lang: str
) -> None:
    from catalog.transparency.admin import add_closure

    with _workspace(data_dir) as ws:
        add_closure(ws, jurisdiction, day.date(), reason)
        click.echo(
            translate(
                _("{day} is now a closure day in {code}."),
                lang,
                day=day.date().isoformat(),
                code=jurisdiction.upper(),
            )
        )


@cli.group(cls=CatalogGroup, help=t(_("Accounts of administrators and transparency officers.")))
def users() -> None:
    pass


@users.command("add", help=t(_("Create an account.")))
@click.argument("email")
@click.option("--name", default="", help=t(_("Full name.")))
@click.option(
    "--role",
    type=click.Choice(["officer", "admin", "cio", "steward", "reviewer"]),
    default="officer",
    show_default=True,
    help=t(_("officer (answers requests of its publishers) or admin.")),
)
@click.option(
    "--publisher",
    "publishers",
    multiple=True,
    help=t(_("Publisher slug the officer answers for (repeatable).")),
)
@password_option
@data_dir_option
@lang_option
def users_add(email, name, role, publishers, password, data_dir, lang) -> None:
    from catalog.transparency import accounts

    with _workspace(data_dir) as ws:
        with ws.db.write() as session:
            user = accounts.add_user(session, email, name, password, role, list(publishers))
            click.echo(
                translate(
                    _("Account created: {email} ({role})."), lang, email=user.email, role=user.role
                )
            )


@users.command("list", help=t(_("List the accounts.")))
@data_dir_option
@lang_option
def users_list(data_dir, lang) -> None:
    from catalog.transparency import accounts

    with _workspace(data_dir) as ws:
        with ws.db.read() as session:
            for user in accounts.list_users(session):
                state = (
                    translate(_("active"), lang) if user.active else translate(_("disabled"), lang)
                )
                click.echo(
                    f"{user.email}\t{user.role}\t{state}\t{','.join(sorted(user.publishers))}\t{user.name}"
                )


@users.command(
    "disable", help=t(_("Disable an account: end its sessions and revoke its API tokens."))
)
@click.argument("email")
@data_dir_option
@lang_option
def users_disable(email, data_dir, lang) -> None:
    from catalog.transparency import accounts

    with _workspace(data_dir) as ws:
        with ws.db.write() as session:
            accounts.set_active(session, email, False)
        click.echo(translate(_("Account disabled: {email}."), lang, email=email))


@users.command("password", help=t(_("Set a new password (ends the account's sessions).")))
@click.argument("email")
@password_option
@data_dir_option
@lang_option
def users_password(email, password, data_dir, lang) -> None:
    from catalog.transparency import accounts

    with _workspace(data_dir) as ws:
        with ws.db.write() as session:
            accounts.set_password(session, email, password)
        click.echo(translate(_("Password changed for {email}."), lang, email=email))


@users.command("unlock", help=t(_("Lift a sign-in lockout (after too many wrong passwords).")))
@click.argument("email", required=False)
@click.option(
    "--client",
    "address",
    metavar="ADDRESS",
    help=t(_("Also unlock this client address (as the server sees it, e.g. 203.0.113.7).")),
)
@data_dir_option
@lang_option
def users_unlock(email, address, data_dir, lang) -> None:
    from catalog.transparency import logins

    if not email and not address:
        raise CatalogError(
            _("Say what to unlock."),
            _("Give the account's e-mail, --client ADDRESS, or both."),
        )
    with _workspace(data_dir) as ws:
        if email:
            found = logins.unlock_account(ws, email)
            text = _("Sign-in unlocked for {email}.") if found else _("{email} was not locked.")
            click.echo(translate(text, lang, email=email))
        if address:
            found = logins.unlock_client(ws, address)
            text = (
                _("Sign-in unlocked for the address {address}.")
                if found
                else _("The address {address} was not locked.")
            )
            click.echo(translate(text, lang, address=address))


@users.command("token", help=t(_("Create an API token for an officer's client (shown once).")))
@click.argument("email")
@click.option(
    "--name",
    "token_name",
    default="api",
    show_default=True,
    help=t(_("A name to recognise the token.")),
)
@data_dir_option
@lang_option
def users_token(email, token_name, data_dir, lang) -> None:
    from catalog.transparency import accounts

    with _workspace(data_dir) as ws:
        with ws.db.write() as session:
            token = accounts.create_token(session, accounts.find_user(session, email), token_name)
        click.echo(token)


@cli.group(
    cls=CatalogGroup, help=t(_("Access-to-information requests: reminders and the open dataset."))
)
def requests() -> None:
    pass


@requests.command(
    "remind",
    help=t(_("Queue deadline reminders, close abandoned requests, send e-mail (safe from cron).")),
)
@click.option("--no-send", is_flag=True, help=t(_("Only queue the e-mails; do not send them.")))
@data_dir_option
@lang_option
def requests_remind(no_send, data_dir, lang) -> None:
    from catalog.transparency.reminders import remind

    with _workspace(data_dir) as ws:
        report = remind(ws, send=not no_send)
        click.echo(
            translate(
                _(
                    "Reminders: {due_soon} due soon, {overdue} overdue; {abandoned} closed as abandoned; {sent} e-mails sent, {failed} failed."
                ),
                lang,
                **report.as_dict(),
            )
        )


@requests.command(
    "export", help=t(_("Write the anonymized request log as a dataset for the catalogue."))
)
@root_option
@click.option("--publisher", required=True, help=t(_("Publisher slug that publishes the dataset.")))
@click.option(
    "--into",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help=t(
        _(
            "Write the dataset into this folder of generated content (build it with "
            "catalog build --extra-content DIR) instead of into ROOT."
        )
    ),
)
@data_dir_option
@lang_option
def requests_export(root, publisher, into, data_dir, lang) -> None:
    from catalog.transparency.opendata import export

    with _workspace(data_dir) as ws:
        folder, rows = export(ws, root, publisher, into)
        click.echo(
            translate(
                _("{rows} requests written to {folder}."), lang, rows=rows, folder=str(folder)
            )
        )


@cli.group(
    cls=CatalogGroup,
    help=t(_("Active transparency: reminders to officers and the audit export.")),
)
def obligations() -> None:
    pass


@obligations.command(
    "remind",
    help=t(_("Queue reminders of items due soon or overdue, send e-mail (safe from cron).")),
)
@click.option("--no-send", is_flag=True, help=t(_("Only queue the e-mails; do not send them.")))
@data_dir_option
@lang_option
def obligations_remind(no_send: bool, data_dir: Path | None, lang: str) -> None:
    from catalog.transparency.active_reminders import remind

    with _workspace(data_dir) as ws:
        report = remind(ws, send=not no_send)
        click.echo(
            translate(
                _(
                    "Active transparency reminders: {due_soon} due soon, {overdue} overdue; {sent} e-mails sent, {failed} failed."
                ),
                lang,
                **report.as_dict(),
            )
        )


@obligations.command(
    "export", help=t(_("Export one body's compliance over a range of months (CSV or XLSX)."))
)
@click.option("--publisher", required=True, help=t(_("Slug of the public body.")))
@click.option("--from", "first", required=True, help=t(_("First month, YYYY-MM.")))
@click.option("--to", "last", required=True, help=t(_("Last month, YYYY-MM.")))
@click.option(
    "--format",
    "kind",
    type=click.Choice(["csv", "xlsx"]),
    default="csv",
    show_default=True,
    help=t(_("File format.")),
)
@click.option(
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help=t(_("File to write.")),
)
@data_dir_option
@lang_option
def obligations_export(
    publisher: str,
    first: str,
    last: str,
    kind: str,
    output: Path,
    data_dir: Path | None,
    lang: str,
) -> None:
    from catalog.transparency.active_export import write_audit

    with _workspace(data_dir) as ws:
        rows = write_audit(ws, publisher, first, last, kind, output)
        click.echo(
            translate(_("{rows} rows written to {file}."), lang, rows=rows, file=str(output))
        )


# Set by a command whose process has only its output to flush when it ends (validate):
# main() then ends it without tearing down the interpreter, a tenth of a second after a
# large file (freeing every object one by one, joining idle threads).
_QUICK_EXIT = False


def main() -> None:
    i18n.use_for_third_party(LANG)
    try:
        cli.main(prog_name="catalog", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else EXIT_USAGE
        if _QUICK_EXIT:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        sys.exit(code)


if __name__ == "__main__":
    main()
