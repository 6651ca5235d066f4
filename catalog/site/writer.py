"""Incremental output: a page is rendered only when what it shows changed.

Every output file has a key: a hash of everything it shows (the data of the
datasets on it, the language, and the code that writes it). The keys of a
release are saved beside its site folder (``site-pages.json``). The next build
hard-links a file from the previous release when its key is the same, so after
one dataset changes only the pages that show it are written again.

A stale file is worse than a slow build, so the code part of every key covers
all that can shape a file besides its data: every ``catalog`` module the site
imports, directly or not (found by reading their imports, so a change to
``catalog/standards`` or ``catalog/urls.py`` refreshes the pages that use them),
the templates and assets, the translations and vocabularies, and the versions
of the libraries those modules import (Jinja2, Markdown, openpyxl...).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from catalog.codedeps import code_closure, library_versions
from catalog.site.render import ASSETS, TEMPLATES

STATE_SUFFIX = "-pages.json"
CODE = Path(__file__).resolve().parent
PACKAGE = CODE.parent  # catalog/
# The modules whose output the writer keys: the site package and the build's entry point.
ROOTS = (CODE, PACKAGE / "build" / "site.py")
# Data files under catalog/ that pages read (vocabularies, territories, translations).
DATA_SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".txt", ".po")


def code_files() -> tuple[list[Path], set[str]]:
    """The ``catalog`` files the site's output depends on, and the other packages it imports."""
    roots = [p for root in ROOTS for p in (root.glob("*.py") if root.is_dir() else [root])]
    return code_closure(roots)


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of everything that shapes a page or a download besides its data."""
    modules, libraries = code_files()
    data = [p for p in PACKAGE.rglob("*") if p.suffix in DATA_SUFFIXES]
    files = [*modules, *data, *TEMPLATES.rglob("*"), *ASSETS.rglob("*")]
    h = hashlib.sha256(platform.python_version().encode())
    for version in library_versions(libraries):
        h.update(version.encode() + b"\0")
    for path in sorted({p for p in files if p.is_file()}):
        name = path.relative_to(PACKAGE.parent).as_posix()  # the same in every checkout
        h.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def key_of(*inputs: Any) -> str:
    data = json.dumps(inputs, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256((code_version() + data).encode("utf-8")).hexdigest()[:32]


def state_path(site: Path) -> Path:
    return site.with_name(site.name + STATE_SUFFIX)


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed: copy instead
        shutil.copy2(source, target)


class SiteWriter:
    """Writes the files of one site folder, reusing unchanged ones from ``previous``."""

    def __init__(self, folder: Path, previous: Path | None) -> None:
        self.folder = folder
        self.previous = previous if previous and previous.is_dir() else None
        self.old = self._load(self.previous) if self.previous else {}
        self.keys: dict[str, str] = {}
        self.cache: dict[str, Any] = {}
        self.old_cache: dict[str, Any] = self.old.get("cache", {})
        self.written = 0
        self.reused = 0
        # Work left for later (run in parallel): job -> nothing, in order.
        self.pending: dict[Any, None] = {}

    @staticmethod
    def _load(previous: Path) -> dict[str, Any]:
        try:
            found = json.loads(state_path(previous).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}

    def _reusable(self, paths: list[str], key: str) -> bool:
        old = self.old.get("keys", {})
        previous = self.previous
        return previous is not None and all(
            old.get(p) == key and (previous / p).is_file() for p in paths
        )

    def page(self, path: str, key: str, produce: Callable[[], str | bytes]) -> None:
        """One file at ``path`` (relative to the site root)."""
        self.files([path], key, lambda: self._write(path, produce()))

    def files(
        self,
        paths: list[str],
        key: str,
        produce: Callable[[], Any] | None = None,
        later: Any = None,
    ) -> None:
        """A group of files made together (a dataset's downloads). When they must be
        made, ``produce`` runs now, or ``later`` is added to the pending jobs."""
        if self._reusable(paths, key):
            for path in paths:
                _link(self.previous / path, self.folder / path)  # type: ignore[operator]
            self.reused += len(paths)
        else:
            if produce is not None:
                produce()
            else:
                self.pending[later] = None
            self.written += len(paths)
        for path in paths:
            self.keys[path] = key

    def _write(self, path: str, content: str | bytes) -> None:
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        target.write_bytes(content)

    def remember(self, name: str, key: str, compute: Callable[[], Any]) -> Any:
        """A value computed from data (e.g. a dataset's territory facts), kept by key."""
        old = self.old_cache.get(name)
        value = old["value"] if old and old.get("key") == key else compute()
        self.cache[name] = {"key": key, "value": value}
        return value

    def save(self) -> None:
        state = {"keys": self.keys, "cache": self.cache}
        state_path(self.folder).write_text(
            json.dumps(state, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
