"""The build folder's layout, its lock, and the atomic swap of releases.

Design: every build that changes anything writes a complete new *release*
folder, and publishes it with one atomic operation, the replacement of the
``current`` symbolic link::

    <out>/releases/<id>/sql/catalogo.db, sql/metadata.json, sql/inspect.json,
                        site/..., index.json
    <out>/current -> releases/<id>          swapped with os.replace (atomic on POSIX)
    <out>/sql     -> current/sql            stable paths, created once
    <out>/site    -> current/site
    <out>/index.json -> current/index.json
    <out>/report.json, report.md            the last build's report (replaced atomically)
    <out>/state/                            hashes and last good snapshots (state.py)

The names are the release format's (catalog/release/layout.py); this module is
the writing side: the lock, new releases, the swap and the clean-up.

A release is written under ``releases/.tmp-<id>`` and renamed when complete, so
an interrupted or failed build leaves ``current`` untouched and its leftovers
are removed by the next build. Readers that resolve ``current`` once (the reader
of catalog/release does, per release) keep a consistent view: a release is never modified
after it is published, and the previous one is kept for servers still using it.
Swapping a symlink (rather than renaming directories) is the only way to replace
a whole folder tree in one atomic step on POSIX.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from catalog import clock
from catalog.errors import CatalogError
from catalog.i18n import _
from catalog.release.layout import CURRENT, RELEASES, RETIRE_AFTER_S, SITE, STABLE_LINKS

KEEP_RELEASES = 2  # current and the one before, for servers that still read it
TMP_PREFIX = ".tmp-"
# The release before the current one is taken apart (its site brought up to date in
# place) only once no server can still be answering from it: servers retire a replaced
# release RETIRE_AFTER_S after they see the new one; twice that, for a server that saw
# it late.
SPARE_AFTER_S = 2 * RETIRE_AFTER_S


class Layout:
    """Paths inside the build folder."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.state_dir = out / "state"
        self.state_file = self.state_dir / "state.json"
        self.releases = out / RELEASES
        self.current = out / CURRENT
        self.lock_file = out / ".lock"

    def prepare(self) -> None:
        """Create the folders, or say clearly why the build cannot write here."""
        try:
            for folder in (self.out, self.state_dir, self.releases):
                folder.mkdir(parents=True, exist_ok=True)
            probe = self.out / f".probe{os.getpid()}"
            probe.write_text("")
            probe.unlink()
        except OSError as exc:
            raise CatalogError(
                _("Cannot write the build to {out}: {reason}."),
                _("Choose a writable folder with --build-dir, or fix its permissions."),
                out=str(self.out),
                reason=exc.strerror or str(exc),
            ) from None
        for name in STABLE_LINKS:
            link = self.out / name
            if link.exists() and not link.is_symlink():
                raise CatalogError(
                    _("{path} is in the way of the build (it should be a link into current/)."),
                    _("Delete the build folder {out} and build again."),
                    path=str(link),
                    out=str(self.out),
                )

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the build lock; a second build at the same time stops with a clear message.

        ``flock`` is released by the kernel when the process dies, so a crash never
        leaves a stale lock behind.
        """
        fh = self.lock_file.open("a")
        try:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise CatalogError(
                    _("Another build is running in {out}."),
                    _("Wait for it to finish, then run the command again."),
                    out=str(self.out),
                ) from None
            yield
        finally:
            fh.close()

    def current_release(self) -> Path | None:
        """The published release folder, if there is one."""
        if self.current.is_symlink() and self.current.is_dir():
            return self.current.resolve()
        return None

    def release_dir(self, release_id: str) -> Path:
        return self.releases / release_id

    def spare_site(self) -> Path | None:
        """The site of the release before the current one, which the next build may move
        into its own release and bring up to date in place (catalog/site/writer.py), so
        that a rebuild costs what changed; None while a server may still read it (the
        current release was published less than ``SPARE_AFTER_S`` ago)."""
        current = self.current_release()
        if current is None:
            return None
        try:
            published = os.lstat(self.current).st_mtime  # the link is replaced on publish
        except OSError:
            return None
        if time.time() - published < SPARE_AFTER_S:
            return None
        older = sorted(
            p
            for p in self.releases.iterdir()
            if p.is_dir() and not p.name.startswith(TMP_PREFIX) and p.name < current.name
        )
        site = older[-1] / SITE if older else None
        return site if site is not None and site.is_dir() and not site.is_symlink() else None

    def new_release(self) -> tuple[str, Path]:
        """An id (sortable by time) and the temporary folder to write the release into."""
        stamp = clock.now().strftime("%Y%m%dT%H%M%S%fZ")
        release_id = f"{stamp}-{secrets.token_hex(3)}"
        tmp = self.releases / f"{TMP_PREFIX}{release_id}"
        tmp.mkdir()
        return release_id, tmp

    def publish(self, release_id: str, tmp: Path) -> Path:
        """Move a complete release into place and point ``current`` at it, atomically."""
        final = self.release_dir(release_id)
        os.replace(tmp, final)
        link = self.out / f".current{os.getpid()}"
        if link.is_symlink() or link.exists():
            link.unlink()
        os.symlink(Path(RELEASES) / release_id, link)
        os.replace(link, self.current)
        _fsync_dir(self.out)
        self._stable_links()
        return final

    def _stable_links(self) -> None:
        for name in STABLE_LINKS:
            link = self.out / name
            if not link.is_symlink():
                os.symlink(Path(CURRENT) / name, link)

    def clean(self) -> None:
        """Remove leftovers of interrupted builds and releases no server needs any more."""
        current = self.current_release()
        releases = sorted(p for p in self.releases.iterdir() if p.is_dir())
        kept = [p for p in releases if not p.name.startswith(TMP_PREFIX)]
        keep = {current} | set(kept[-KEEP_RELEASES:])
        for folder in releases:
            if folder not in keep:
                shutil.rmtree(folder, ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
