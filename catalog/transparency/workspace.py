"""The workspace of one process: settings, database, publishers, request service.

``current()`` gives the process's workspace, made from the environment the
first time; the web app and the API share it. Tests and the bench build their
own with ``Workspace(settings, build_dir)``.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

from catalog.transparency.auth import Signer
from catalog.transparency.config import Settings, from_env
from catalog.transparency.db import Database
from catalog.transparency.requests import RequestService

P = ParamSpec("P")
T = TypeVar("T")


async def blocking(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``fn`` (database work, file I/O) in a worker thread and wait for it.

    Every handler of the workspace is ``async def``; synchronous work done inline
    would stop the event loop, and with it every other page of the process
    (the catalogue, the API), for as long as it takes. One pattern for all handlers.
    (Password hashing has its own smaller pool: ``logins.hashing``.)
    """
    return await run_in_threadpool(fn, *args, **kwargs)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Directory:
    """The publishers of the current build (``index.json``), re-read when a new release is live."""

    def __init__(self, build_dir: Path | None, fallback: dict[str, dict] | None = None) -> None:
        self.build_dir = Path(build_dir) if build_dir else None
        self.fallback = fallback or {}
        self._target: str | None = None
        self._publishers: dict[str, dict] = {}

    def __call__(self) -> dict[str, dict[str, Any]]:
        if self.build_dir is None:
            return self.fallback
        try:
            target = os.readlink(self.build_dir / "current")
        except OSError:
            target = "index.json"
        if target != self._target:
            path = (
                self.build_dir / target / "index.json"
                if target != "index.json"
                else self.build_dir / target
            )
            try:
                self._publishers = json.loads(path.read_text("utf-8")).get("publishers") or {}
            except (OSError, ValueError):
                self._publishers = {}
            self._target = target
        return self._publishers or self.fallback


class Workspace:
    def __init__(
        self,
        settings: Settings,
        build_dir: Path | None = None,
        *,
        schema: str | None = None,
        publishers: dict[str, dict] | None = None,
        migrate: bool = True,
    ) -> None:
        self.settings = settings
        self.build_dir = build_dir
        self.db = Database(settings.database_url, schema=schema)
        if migrate:
            self.db.migrate()
        self.directory = Directory(build_dir, publishers)
        self.signer = Signer(settings.secret_key)
        self.requests = RequestService(self.db, settings, self.directory)
        # The time sessions and login lockouts are measured against; tests replace it
        # to expire a session or a lockout without waiting.
        self.clock: Callable[[], datetime] = _utc_now

    def close(self) -> None:
        self.db.dispose()


_current: Workspace | None = None
_build_dir: Path | None = None
_lock = threading.Lock()


def configure(build_dir: Path) -> None:
    """The build folder the process's workspace reads publishers from (set by the server)."""
    global _build_dir
    _build_dir = Path(build_dir)


def current(build_dir: Path | None = None) -> Workspace:
    """The process's workspace (made from the environment on first use)."""
    global _current
    with _lock:
        if _current is None:
            folder = build_dir or _build_dir or Path(os.environ.get("CATALOG_BUILD_DIR", "build"))
            _current = Workspace(from_env(), folder)
        return _current


def use(workspace: Workspace | None) -> None:
    """Make ``workspace`` the process's workspace (tests, bench)."""
    global _current
    with _lock:
        _current = workspace
