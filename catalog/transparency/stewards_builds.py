"""The build queue of approved drafts: one ``catalog build`` at a time.

An approval marks its draft ``queued``; one worker thread per process takes every
queued draft, marks them ``building`` and runs ``catalog build --root ROOT
--build-dir BUILD [--extra-content DIR...]`` as a subprocess (the workspace never
imports the builder). The build takes the build folder's lock (``Layout.lock``): when
another build holds it (another worker, a cron job) the drafts go back to the queue
and the worker tries again a little later. Afterwards each draft is ``live``, with
its dataset's address, when the current release lists its version, else ``failed``
with the findings of ``catalog validate`` on the written dataset.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import weakref
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from catalog import urls
from catalog.release.reader import CurrentRelease
from catalog.transparency.models import StewardDraft
from catalog.transparency.stewards import StewardService
from catalog.transparency.stewards_publish import BUILD_SECONDS, VALIDATE_SECONDS, run_catalog

LOG = logging.getLogger("catalog.transparency.stewards")
BUSY = "Another build is running"  # catalog build's message (checked in English)
MAX_WAITS = 120
_workers: weakref.WeakKeyDictionary[Any, threading.Thread] = weakref.WeakKeyDictionary()
_starting = threading.Lock()


def kick(workspace: Any) -> None:
    """Start the workspace's build worker unless it is already running."""
    with _starting:
        running = _workers.get(workspace)
        if running is not None and running.is_alive():
            return
        worker = threading.Thread(target=run_queue, args=(workspace,), daemon=True)
        _workers[workspace] = worker
        worker.start()


def wait(workspace: Any, timeout: float) -> None:
    """Wait for the workspace's worker to finish (tests)."""
    running = _workers.get(workspace)
    if running is not None:
        running.join(timeout)


def queued(service: StewardService) -> list[int]:
    """The drafts waiting for a build, and those left ``building`` by a process that
    died (a build never takes longer than BUILD_SECONDS)."""
    stale = service.ws.clock() - timedelta(seconds=BUILD_SECONDS + 60)
    with service.db.read() as session:
        rows = session.scalars(
            select(StewardDraft).where(StewardDraft.status == "published").limit(1000)
        ).all()
        return [
            r.id
            for r in rows
            if (r.build or {}).get("status") == "queued"
            or ((r.build or {}).get("status") == "building" and r.updated_at < stale)
        ]


def run_queue(workspace: Any) -> None:
    """Build until nothing is queued (never raises: a failure is the drafts' state)."""
    service = StewardService(workspace)
    waits = 0
    while ids := queued(service):
        service.set_build(ids, {"status": "building"})
        try:
            outcome = build_once(service)
        except Exception as exc:  # a crash of the worker must not leave drafts "building"
            LOG.exception("build of drafts %s failed", ids)
            outcome = f"error: {type(exc).__name__}"
        if outcome == "busy" and waits < MAX_WAITS:
            waits += 1
            service.set_build(ids, {"status": "queued"})
            time.sleep(service.settings.retry_seconds)
            continue
        finish(service, ids, outcome)


def build_once(service: StewardService) -> str:
    """``done``, ``busy`` (the lock is held) or what went wrong."""
    settings = service.settings
    if settings.content_root is None or settings.build_dir is None:
        return "error: no content root or build folder (CATALOG_CONTENT_ROOT, CATALOG_BUILD_DIR)"
    args = ["build", "--root", str(settings.content_root), "--build-dir", str(settings.build_dir)]
    for extra in settings.extra_content:
        args += ["--extra-content", str(extra)]
    done = run_catalog([*args, "--lang", "en"], BUILD_SECONDS)
    if done.returncode != 0 and BUSY in (done.stderr + done.stdout):
        return "busy"
    if done.returncode != 0:
        return "error: " + (done.stderr or done.stdout).strip()[-500:]
    return "done"


def finish(service: StewardService, ids: list[int], outcome: str) -> None:
    settings = service.settings
    release = CurrentRelease(settings.build_dir)() if settings.build_dir else None
    listed = {d["id"]: d for d in release.index["datasets"]} if release else {}
    with service.db.read() as session:
        drafts = [session.get(StewardDraft, i) for i in ids]
        todo = [(d.id, d.publisher, d.name, (d.build or {}).get("version")) for d in drafts if d]
    for draft_id, publisher, name, version in todo:
        found = listed.get(f"{publisher}/{name}")
        if (
            found is not None
            and found.get("version") in (version, None)
            and found.get("status") != "kept-previous"
        ):
            url = settings.public_url.rstrip("/") + urls.dataset(publisher, name)
            service.set_build([draft_id], {"status": "live", "url": url, "findings": []})
            continue
        findings = _findings(service, publisher, name)
        if not findings and outcome != "done":
            findings = [{"es": outcome[:500], "en": outcome[:500]}]
        service.set_build([draft_id], {"status": "failed", "findings": findings})


def _findings(service: StewardService, publisher: str, name: str) -> list[dict[str, str]]:
    """What ``catalog validate`` says of the written dataset, in both languages."""
    root = service.settings.content_root
    if root is None:
        return []
    folder = root / "datasets" / publisher / name
    found: dict[str, list[str]] = {}
    for lang in ("es", "en"):
        done = run_catalog(["validate", "--json", "--lang", lang, str(folder)], VALIDATE_SECONDS)
        try:
            errors = json.loads(done.stdout).get("errors") or []
        except (ValueError, AttributeError):
            errors = []
        found[lang] = [str(e.get("message", ""))[:2000] for e in errors[:50]]
    return [{"es": es, "en": en} for es, en in zip(found["es"], found["en"], strict=False)]
