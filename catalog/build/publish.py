"""One dataset's attempt: validate it and, when it passes, write its snapshot.

A snapshot is the dataset's last good copy, self-contained in
``<out>/state/datasets/<publisher>/<dataset>/<hash>/``:

- ``data.db``: its tables (sqlite.py);
- ``manifest.json``: the resolved descriptor, README text, queries and the
  plan of each table (columns, keys, indexes, full-text columns, row count).

It is written in a temporary folder and renamed into place, so a snapshot is
complete or absent. Nothing in it refers back to the source folder: a dataset
that later breaks is republished from here.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from catalog.build import sqlite
from catalog.build.queries import read_queries
from catalog.content import DatasetRef, is_slug, read_text
from catalog.errors import CatalogError
from catalog.findings import Finding
from catalog.i18n import _
from catalog.release import naming
from catalog.release.manifest import Manifest, TablePlan

SNAPSHOT_DB = "data.db"
MANIFEST = "manifest.json"


@dataclass
class Attempted:
    valid: bool
    findings: list[Finding] = field(default_factory=list)
    snapshot: Path | None = None
    manifest: Manifest | None = None


def error_finding(ref: DatasetRef, error: CatalogError) -> Finding:
    return Finding(
        type=getattr(error, "code", "source-error"),
        dataset=ref.id,
        text=error.text,
        hint=error.hint,
        params=dict(error.params),
    )


VALIDATING = _("The build failed while validating this dataset ({kind}: {detail}).")
LOADING = _("The build failed while loading this dataset into SQLite ({kind}: {detail}).")


def bug_finding(ref: DatasetRef, text: str, exc: BaseException) -> Finding:
    return Finding(
        type="build-error",
        dataset=ref.id,
        text=text,
        hint=_(
            "Check the dataset's files against its schema; if they look right, report this message."
        ),
        params={"kind": type(exc).__name__, "detail": str(exc)[:300]},
    )


def check_names(ref: DatasetRef) -> list[Finding]:
    """Folder names become URLs, file names and table names: only slugs are accepted."""
    bad = [n for n in (ref.publisher, ref.name) if not is_slug(n)]
    return [
        Finding(
            type="invalid-name",
            dataset=ref.id,
            fieldName=None,
            text=_("The folder name {name} is not allowed."),
            hint=_("Use lower case letters, digits, '-' and '_' only (for example bono-social)."),
            params={"name": name},
        )
        for name in bad
    ]


def tabular(package: dict[str, Any]) -> list[dict[str, Any]]:
    """Resources with a Table Schema: the ones that become tables."""
    return [
        r
        for r in package.get("resources") or []
        if isinstance(r, dict) and isinstance(r.get("schema"), dict) and r["schema"].get("fields")
    ]


def plan_tables(
    ref: DatasetRef, resources: list[dict[str, Any]], claimed: dict[str, str]
) -> tuple[list[TablePlan], list[Finding]]:
    """Table plans of the resources, refusing names another dataset (or resource) holds."""
    names = {
        r.get("name", ""): naming.table_name(ref.publisher, ref.name, r.get("name", ""))
        for r in resources
    }
    findings: list[Finding] = []
    seen: dict[str, str] = {}
    for resource, table in names.items():
        owner = seen.get(table) or (claimed.get(table) if claimed.get(table) != ref.id else None)
        if owner:
            findings.append(
                Finding(
                    type="table-name-collision",
                    dataset=ref.id,
                    resource=resource,
                    text=_(
                        "Resource {resource} would be published as table {table}, "
                        "which {owner} already uses."
                    ),
                    hint=_("Rename the resource (or the dataset folder) so the names differ."),
                    params={"resource": resource, "table": table, "owner": owner},
                )
            )
        seen[table] = f"{ref.id} ({resource})"
    plans = [sqlite.table_plan(r, names[r.get("name", "")], names) for r in resources]
    return plans, findings


def write_snapshot(
    ref: DatasetRef,
    package: dict[str, Any],
    plans: list[TablePlan],
    queries: dict[str, Any],
    target: Path,
    read: dict[str, Any] | None = None,
) -> Manifest:
    """Load the tables and write the manifest into ``target`` (replaced atomically).

    ``read`` holds the tables validation already read (by resource name): each is
    used once and dropped, so a big file is parsed once per build, not twice.
    """
    from catalog.tables import StreamError, read_batches, typed_frame

    read = read if read is not None else {}
    whole: set[str] = set()  # resources read again whole after a StreamError

    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    resources = {r.get("name"): r for r in tabular(package)}

    def frames(plan: TablePlan) -> Iterator[Any]:
        """The resource's typed rows, batch by batch (a large CSV file is read in blocks)."""
        name = plan["resource"]
        resource = resources[name]
        table = read.pop(name, None)
        if table is not None:
            # Validation typed it already when it checked its cells (Table.typed).
            yield table.typed if table.typed is not None else typed_frame(table, resource["schema"])
            return
        try:
            for batch in read_batches(ref.folder, resource, stream=name not in whole):
                yield typed_frame(batch, resource["schema"])
        except StreamError:
            whole.add(name)
            raise sqlite.Reload(name) from None

    sqlite.load_tables(tmp / SNAPSHOT_DB, plans, frames)
    readme = ref.folder / "README.md"
    manifest = Manifest(
        dataset=ref.id,
        publisher=ref.publisher,
        name=ref.name,
        content_hash=file_digest(tmp / SNAPSHOT_DB),
        package=package,
        readme=read_text(readme) if readme.is_file() else None,
        queries=queries,
        tables=plans,
    )
    (tmp / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, default=str), encoding="utf-8"
    )
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return manifest


def file_digest(path: Path) -> str:
    """SHA-256 of a file, read in blocks (a big snapshot is never held in memory)."""
    with path.open("rb") as fh:
        return "sha256:" + hashlib.file_digest(fh, "sha256").hexdigest()


def attempt(ref: DatasetRef, root: Path, target: Path, claimed: dict[str, str]) -> Attempted:
    """Validate ``ref``; if it passes, load it into a snapshot at ``target``."""
    from catalog.validate import validate_dataset

    findings = check_names(ref)
    if findings:
        return Attempted(False, findings)
    try:
        report = validate_dataset(ref, root=root, keep_tables=True)
    except CatalogError as error:
        return Attempted(False, [error_finding(ref, error)])
    except Exception as exc:  # noqa: BLE001 - one dataset's bug must not stop the catalogue
        return Attempted(False, [bug_finding(ref, VALIDATING, exc)])
    findings = list(report.findings)
    package = report.package
    if not report.valid or package is None:
        return Attempted(False, findings)
    queries, problems = read_queries(ref.folder, ref.id)
    plans, collisions = plan_tables(ref, tabular(package), claimed)
    if problems or collisions:
        return Attempted(False, findings + problems + collisions)
    try:
        manifest = write_snapshot(ref, package, plans, queries, target, report.tables)
    except (CatalogError, Exception) as exc:  # noqa: BLE001 - reported, never raised
        shutil.rmtree(target.with_name(target.name + ".tmp"), ignore_errors=True)
        problem = (
            error_finding(ref, exc)
            if isinstance(exc, CatalogError)
            else bug_finding(ref, LOADING, exc)
        )
        return Attempted(False, findings + [problem])
    return Attempted(True, findings, target, manifest)


def read_manifest(snapshot: Path) -> Manifest | None:
    """The manifest of a snapshot this build wrote, or None when it is missing or unreadable."""
    try:
        data = json.loads((snapshot / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return cast(Manifest, data) if isinstance(data, dict) else None
