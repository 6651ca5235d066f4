"""The workspace: settings, database, publishers, request service.

No process-wide state: each app is given its workspace. ``catalog serve`` makes one
``WorkspaceSource`` and hands it to both the pages (``web.create_app``) and the API
(``create_api``), which keep it in their ``app.state.workspace``; it makes the
workspace from the environment at the first request. Tests and the bench build their
own with ``Workspace(settings, build_dir)`` and pass it in.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

from catalog import clock
from catalog.release.reader import CurrentRelease
from catalog.transparency.active import ActiveService
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


class Directory:
    """The publishers of the current release (its index, through catalog/release's reader),
    or ``fallback`` when there is no build to read."""

    def __init__(self, build_dir: Path | None, fallback: dict[str, dict] | None = None) -> None:
        self.current = CurrentRelease(build_dir) if build_dir else None
        self.fallback = fallback or {}

    def __call__(self) -> dict[str, dict[str, Any]]:
        release = self.current() if self.current else None
        return (release.index["publishers"] if release else None) or self.fallback


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
        self.active = ActiveService(self.db, settings, self.directory)
        # The time sessions and login lockouts are measured against; tests replace it
        # to expire a session or a lockout without waiting.
        self.clock: Callable[[], datetime] = clock.now

    def close(self) -> None:
        self.db.dispose()


class WorkspaceSource:
    """The workspace of an app, given, or made from the environment at first use (making
    it connects to the database and migrates it: a server starts without either)."""

    def __init__(self, build_dir: Path | None = None, workspace: Workspace | None = None) -> None:
        self.build_dir = Path(build_dir) if build_dir else None
        self._workspace = workspace
        self._lock = threading.Lock()

    @classmethod
    def of(
        cls, given: Workspace | WorkspaceSource | None, build_dir: Path | None = None
    ) -> WorkspaceSource:
        """``given`` as a source: a source as it is, a workspace wrapped, None made later."""
        if isinstance(given, WorkspaceSource):
            return given
        return cls(build_dir, given)

    @property
    def made(self) -> Workspace | None:
        """The workspace if it exists already (an error page must not try to make it)."""
        return self._workspace

    def __call__(self) -> Workspace:
        """The workspace, made now if needed: blocking, so from a worker thread (``ready``)."""
        with self._lock:
            if self._workspace is None:
                folder = self.build_dir or Path(os.environ.get("CATALOG_BUILD_DIR", "build"))
                self._workspace = Workspace(from_env(), folder)
            return self._workspace

    async def ready(self) -> Workspace:
        """The workspace, for a handler on the event loop: made in a worker thread once."""
        if self._workspace is not None:
            return self._workspace
        return await blocking(self)
