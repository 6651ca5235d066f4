"""``catalog build`` brings the release before the current one up to date in place
(catalog/build/release.py ``spare_site``, catalog/site/writer.py), but only once no
server can still be answering from it."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from test_build import write_content

from catalog.build import build
from catalog.build.release import SPARE_AFTER_S, Layout
from catalog.release.layout import RETIRE_AFTER_S

README = "mides/bono-social/README.md"


def _inodes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}


def _age_current(out: Path, seconds: float) -> None:
    """As if the current release had been published ``seconds`` ago."""
    then = time.time() - seconds
    os.utime(out / "current", (then, then), follow_symlinks=False)


def _change(content: Path, words: str) -> None:
    path = content / "datasets" / README
    if not path.exists():
        path = next(content.rglob("bono-social/README.md"))
    path.write_text(path.read_text(encoding="utf-8") + f"\n\n{words}\n", encoding="utf-8")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return write_content(tmp_path / "content")


def test_no_spare_while_a_server_may_still_read_it(content: Path, tmp_path: Path):
    out = tmp_path / "build"
    build(content, out)
    _change(content, "Primera corrección.")
    build(content, out)
    layout = Layout(out)
    assert layout.spare_site() is None  # just published
    _age_current(out, SPARE_AFTER_S + 5)
    first = sorted(p for p in layout.releases.iterdir() if p.name != layout.current_release().name)
    assert layout.spare_site() == first[0] / "site"
    assert SPARE_AFTER_S > RETIRE_AFTER_S


def test_a_rebuild_updates_the_older_site_in_place(content: Path, tmp_path: Path):
    out = tmp_path / "build"
    build(content, out)
    oldest = Layout(out).current_release()
    before = _inodes(oldest / "site")
    folder = (oldest / "site").stat().st_ino
    _change(content, "Primera corrección.")
    build(content, out)
    served = Layout(out).current_release()
    served_inodes = _inodes(served / "site")
    _age_current(out, SPARE_AFTER_S + 5)
    _change(content, "Segunda corrección, visible en la página.")
    build(content, out)
    newest = Layout(out).current_release()
    assert newest not in (oldest, served)
    assert not oldest.exists()  # taken apart, then removed: two releases are kept
    site = newest / "site"
    assert site.stat().st_ino == folder  # the oldest site, moved into the new release
    after = _inodes(site)
    # Files that did not change stayed where they were, those that changed were written
    # anew (never through: the served release is untouched).
    kept = [p for p, ino in after.items() if before.get(p) == ino]
    assert len(kept) > len(after) // 2
    page = (site / "datasets" / "mides" / "bono-social" / "index.html").read_text("utf-8")
    assert "Segunda corrección" in page
    assert _inodes(served / "site") == served_inodes
    served_page = served / "site" / "datasets" / "mides" / "bono-social" / "index.html"
    assert "Segunda corrección" not in served_page.read_text("utf-8")
