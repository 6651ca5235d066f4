"""A steward's draft as a Data Package: staged and validated, then written into the content root.

The draft is staged as ``<draft>/stage/datasets/<publisher>/<name>/`` (with the
publisher's file beside it, so the metadata checks find it) and validated by the
``catalog validate --json`` command itself, in Spanish and in English. On approval
it is written as ``datasets/<publisher>/<name>/`` (``datapackage.json``, ``README.md``,
``data/<name>.csv``, and whatever else the dataset's folder already held): into a
temporary folder beside it, then renamed into place, so that a build never sees half a
dataset. A new version replaces the files and bumps ``version`` and ``modified``. When
the content root is a git repository the change is committed with a message naming
the dataset and the approver; without git the approval still stands, and says so.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.i18n import _
from catalog.transparency.models import User
from catalog.transparency.requests import Conflict, RequestError
from catalog.vocabularies import entry

if TYPE_CHECKING:
    from catalog.transparency.stewards import Draft, StewardService

STAGE = "stage"
VALIDATE_SECONDS = 600
BUILD_SECONDS = 3600


def run_catalog(
    args: list[str], timeout: float, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """The ``catalog`` command in a subprocess (the workspace never imports the builder
    or the validator: tests/test_architecture.py)."""
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = "C.UTF-8"
    return subprocess.run(
        [sys.executable, "-m", "catalog", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
        check=False,
    )


def descriptor(draft: Draft, version: str, issued: str, modified: str) -> dict[str, Any]:
    """``datapackage.json`` of the draft."""
    package = draft.package
    licence = entry("licenses", package.get("license") or "") or {}
    fields = []
    for fld in package.get("fields") or []:
        out: dict[str, Any] = {"name": fld["name"], "type": fld.get("type") or "string"}
        for key in ("title", "description"):
            if fld.get(key):
                out[key] = fld[key]
        constraints = {
            k: fld[k]
            for k in ("required", "unique", "minimum", "maximum", "pattern")
            if fld.get(k) is not None and fld.get(k) != "" and fld.get(k) is not False
        }
        if constraints:
            out["constraints"] = constraints
        fields.append(out)
    schema: dict[str, Any] = {"fields": fields}
    if package.get("missingValues") not in (None, [""]):
        schema["missingValues"] = package["missingValues"]
    resource: dict[str, Any] = {
        "name": draft.name[:60],
        "path": f"data/{draft.name}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }
    privacy = package.get("privacy") or {}
    declared: dict[str, Any] = {}
    if privacy.get("quasiIdentifiers"):
        declared["quasiIdentifiers"] = privacy["quasiIdentifiers"]
        declared["k"] = privacy.get("k") or 5
    if privacy.get("countFields"):
        declared["countFields"] = privacy["countFields"]
    if privacy.get("publicPersonalData"):
        declared["publicPersonalData"] = privacy["publicPersonalData"]
    if declared:
        resource["privacy"] = declared
    contact = package.get("contact") or {}
    out = {
        "name": draft.name,
        "title": package.get("title") or "",
        "description": package.get("description") or "",
        "publisher": draft.publisher,
        "keywords": package.get("keywords") or [],
        "themes": package.get("themes") or [],
        "licenses": [
            {
                "name": package.get("license") or "",
                **({"title": licence["title"]} if licence.get("title") else {}),
                **({"path": licence["url"]} if licence.get("url") else {}),
            }
        ],
        "frequency": package.get("frequency") or "",
        "contactPoint": {"name": contact.get("name", ""), "email": contact.get("email", "")},
        "version": version,
        "issued": issued,
        "modified": modified,
        "resources": [resource],
    }
    if package.get("departments"):
        out["spatial"] = {"departments": package["departments"]}
    if package.get("obligations"):
        out["obligations"] = package["obligations"]
    return out


def readme(desc: dict[str, Any]) -> str:
    return f"# {desc['title']}\n\n{desc['description']}\n"


def next_version(current: object) -> str:
    """``1.0.0`` → ``1.1.0``; ``3`` → ``4``; anything else → ``2.0.0``."""
    text = str(current or "")
    match = re.fullmatch(r"(\d+)\.(\d+)(?:\.(\d+))?", text)
    if match:
        return f"{match[1]}.{int(match[2]) + 1}.0"
    if text.isdigit():
        return str(int(text) + 1)
    return "2.0.0"


def _dates(service: StewardService, draft: Draft) -> tuple[str, str, str, dict[str, Any] | None]:
    """(version, issued, modified, the published descriptor if any)."""
    today = service.ws.clock().date().isoformat()
    base = service._existing(draft.publisher, draft.name) if draft.kind == "version" else None
    if base is None:
        return "1.0.0", today, today, None
    issued = str(base.get("issued") or today)[:10]
    return next_version(base.get("version")), min(issued, today), today, base


def _write_package(folder: Path, draft: Draft, desc: dict[str, Any], table: Path) -> None:
    (folder / "data").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(table, folder / "data" / f"{draft.name}.csv")
    (folder / "datapackage.json").write_text(
        json.dumps(desc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (folder / "README.md").write_text(readme(desc), encoding="utf-8")


def _no_table(draft: Draft) -> RequestError:
    return RequestError(
        _("The draft has no readable table yet."),
        _("Upload a CSV or XLSX file that can be read (see the message above)."),
    )


def validate_draft(service: StewardService, draft: Draft) -> dict[str, Any]:
    """``{"valid": bool, "errors": {"es": [...], "en": [...]}}`` from ``catalog validate``."""
    table = service.folder(draft.id) / "table.csv"
    if not table.is_file() or draft.upload.get("problem"):
        raise _no_table(draft)
    root = service.settings.content_root
    stage = service.folder(draft.id) / STAGE
    shutil.rmtree(stage, ignore_errors=True)
    folder = stage / "datasets" / draft.publisher / draft.name
    version, issued, modified, _base = _dates(service, draft)
    _write_package(folder, draft, descriptor(draft, version, issued, modified), table)
    publisher_file = root / "publishers" / f"{draft.publisher}.yaml" if root else None
    if publisher_file and publisher_file.is_file():
        (stage / "publishers").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(publisher_file, stage / "publishers" / publisher_file.name)
    errors: dict[str, list[dict[str, Any]]] = {}
    valid = True
    for lang in ("es", "en"):
        done = run_catalog(["validate", "--json", "--lang", lang, str(folder)], VALIDATE_SECONDS)
        try:
            result = json.loads(done.stdout)
        except ValueError:
            result = {"valid": False, "errors": [{"type": "error", "message": done.stderr[-500:]}]}
        valid = valid and bool(result.get("valid"))
        errors[lang] = [
            {
                "type": str(e.get("type", ""))[:60],
                "row": e.get("rowNumber"),
                "field": (str(e["fieldName"])[:200] if e.get("fieldName") else None),
                "message": str(e.get("message", ""))[:2000],
            }
            for e in (result.get("errors") or [])[:200]
        ]
    return {"valid": valid, "errors": errors}


# ---------------------------------------------------------------- publishing


def publish(service: StewardService, draft: Draft, approver: User) -> dict[str, Any]:
    """Write the approved draft into the content root (atomically) and commit it."""
    root = service.settings.content_root
    if root is None:
        raise RequestError(
            _("The workspace has no content root to publish into."),
            _("An administrator sets CATALOG_CONTENT_ROOT (docs/deploy.md)."),
        )
    table = service.folder(draft.id) / "table.csv"
    if not table.is_file():
        raise _no_table(draft)
    target = root / "datasets" / draft.publisher / draft.name
    version, issued, modified, base = _dates(service, draft)
    if draft.kind == "new" and target.exists():
        raise Conflict(
            _("The dataset {dataset} was published by someone else meanwhile."),
            _("Send the draft back and start a new version of it instead."),
            dataset=draft.dataset,
        )
    if draft.kind == "version" and base is None:
        raise Conflict(
            _("The dataset {dataset} is no longer in the content root."),
            _("Send the draft back: it can be published as a new dataset."),
            dataset=draft.dataset,
        )
    if base is not None and str(base.get("version")) != draft.upload.get("base_version"):
        raise Conflict(
            _("Version {version} of {dataset} was published after this draft was started."),
            _(
                "Send the draft back: its steward uploads the table again, on the new "
                "version, and submits it again (the description typed is kept)."
            ),
            version=str(base.get("version"))[:40],
            dataset=draft.dataset,
        )
    desc = descriptor(draft, version, issued, modified)
    target.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(6)
    temp = target.parent / f".{draft.name}.nuevo-{token}"
    old = target.parent / f".{draft.name}.anterior-{token}"
    try:
        if target.exists():  # keep the files the dataset had (queries.yaml, other data)
            shutil.copytree(target, temp, symlinks=True)
            for stale in (temp / "data").glob("*") if base else []:
                if stale.name == f"{draft.name}.csv":
                    stale.unlink()
        _write_package(temp, draft, desc, table)
        if target.exists():
            os.rename(target, old)
        os.rename(temp, target)
    except OSError:
        shutil.rmtree(temp, ignore_errors=True)
        if old.exists() and not target.exists():
            os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return {
        "package": draft.package,
        "version": version,
        "git": commit(root, draft, approver, version),
    }


def commit(root: Path, draft: Draft, approver: User, version: str) -> str:
    """``committed``, ``not-a-repository``, ``no-git`` or ``failed: ...`` (never raises)."""
    if not (root / ".git").exists():
        return "not-a-repository"
    where = Path("datasets", draft.publisher, draft.name).as_posix()  # in the content root
    message = (
        f"Publica {draft.dataset} (versión {version}), aprobado por {approver.name}"
        f" <{approver.email}>"
    )
    identity = ["-c", f"user.name={approver.name}", "-c", f"user.email={approver.email}"]
    try:
        for args in (
            ["add", "--all", "--", where],
            [*identity, "commit", "-q", "-m", message, "--", where],
        ):
            done = subprocess.run(
                ["git", "-C", str(root), *args],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            if done.returncode != 0:
                return f"failed: {(done.stderr or done.stdout).strip()[:300]}"
    except FileNotFoundError:
        return "no-git"
    except subprocess.TimeoutExpired:
        return "failed: timeout"
    return "committed"
