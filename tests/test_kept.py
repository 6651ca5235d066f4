"""Values a site build keeps for the next (catalog/site/kept.py): found by name and key,
made again when missing or unreadable, pruned to about one build's worth."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from catalog.site.kept import Kept
from catalog.site.writer import SiteWriter, kept_path


def _count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM kept").fetchone()[0]


def test_a_value_is_made_once_and_read_back_by_key(tmp_path: Path):
    path = tmp_path / "values.db"
    made: list[str] = []

    def compute(value: str):
        def run():
            made.append(value)
            return {"value": value, "when": date(2026, 1, 2)}

        return run

    first = SiteWriter(tmp_path / "one", None, kept=path)
    value = first.remember("item:a", "k1", compute("a"))
    # Returned as it is kept: what marshal cannot write (a date) as JSON writes it.
    assert value == {"value": "a", "when": "2026-01-02"}
    first.save()
    second = SiteWriter(tmp_path / "two", None, kept=path)
    assert second.remember("item:a", "k1", compute("again")) == value
    assert second.remember("item:a", "k2", compute("b"))["value"] == "b"  # a new key
    assert made == ["a", "b"]
    second.save()


def test_later_reads_only_what_is_asked_for(tmp_path: Path):
    path = tmp_path / "values.db"
    writer = SiteWriter(tmp_path / "one", None, kept=path)
    made: list[int] = []
    thunks = [writer.later(f"part:{n}", "k", lambda n=n: made.append(n) or n) for n in range(5)]
    assert made == []
    assert thunks[3]() == 3 and thunks[3]() == 3
    assert made == [3]
    writer.save()


def test_an_unreadable_file_is_replaced(tmp_path: Path):
    path = tmp_path / "values.db"
    path.write_bytes(b"not a database at all" * 100)
    writer = SiteWriter(tmp_path / "one", None, kept=path)
    assert writer.remember("x", "k", lambda: 42) == 42
    writer.save()
    again = SiteWriter(tmp_path / "two", None, kept=path)
    assert again.remember("x", "k", lambda: 0) == 42


def test_rows_no_build_uses_are_pruned(tmp_path: Path):
    path = tmp_path / "values.db"
    kept = Kept(path)
    for n in range(3000):
        kept.put(f"v:{n}", "old", n)
    kept.save()
    kept.close()
    assert _count(path) == 3000
    kept = Kept(path)
    for n in range(100):
        assert kept.get(f"v:{n}", "old") == (True, n)
    kept.put("new", "k", "x")
    kept.save()
    kept.close()
    assert _count(path) == 101  # 3,000 rows against 101 used: the others went


def test_without_a_named_file_values_follow_the_site(tmp_path: Path):
    """A site's own file beside it: copied from the previous site, so the previous
    (served) site's stays whole."""
    (tmp_path / "one").mkdir()
    one = SiteWriter(tmp_path / "one", None)
    one.remember("x", "k", lambda: "kept")
    one.save()
    assert kept_path(tmp_path / "one").is_file()
    two = SiteWriter(tmp_path / "two", tmp_path / "one")
    assert two.remember("x", "k", lambda: "made again") == "kept"
    two.save()
    assert kept_path(tmp_path / "one").is_file() and kept_path(tmp_path / "two").is_file()


def test_a_spare_site_reads_what_the_previous_build_made(tmp_path: Path):
    """A site brought up to date from a spare (two builds old) takes the spare's values,
    and reads those the previous build made from the previous site's file."""
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
    one = SiteWriter(tmp_path / "one", None)
    one.remember("old", "k", lambda: "from one")
    one.save()
    two = SiteWriter(tmp_path / "two", tmp_path / "one")
    two.remember("new", "k", lambda: "from two")
    two.save()
    three = SiteWriter(tmp_path / "three", tmp_path / "two", spare=tmp_path / "one")
    three.open()
    assert three.remember("old", "k", lambda: "made again") == "from one"
    assert three.remember("new", "k", lambda: "made again") == "from two"
    three.save()
    four = SiteWriter(tmp_path / "four", None, kept=kept_path(tmp_path / "three"))
    assert four.remember("new", "k", lambda: "made again") == "from two"  # kept in three's


def test_many_values_are_read_in_one_pass_by_name_and_key(tmp_path: Path):
    path, old = tmp_path / "values.db", tmp_path / "old.db"
    first = Kept(path)
    for n in range(5):
        first.put(f"item:{n}", "k1", {"n": n})
    first.put("other:0", "k1", "not an item")
    first.save()
    first.close()
    previous = Kept(old)
    previous.put("item:7", "k7", {"n": 7})
    previous.save()
    previous.close()

    kept = Kept(path, fallback=old)
    kept.put("item:9", "k9", {"n": 9})  # made by this build, not written yet
    wanted = {"item:0": "k1", "item:1": "stale", "item:2": "k1", "item:7": "k7", "item:9": "k9"}
    wanted["item:8"] = "k8"  # kept nowhere
    found = kept.get_many("item:", wanted)
    assert found == {"item:0": {"n": 0}, "item:2": {"n": 2}, "item:7": {"n": 7}, "item:9": {"n": 9}}
    assert {("item:1", "stale"), ("item:8", "k8")} <= kept.used  # asked for: not pruned
    kept.close()


def test_remember_many_makes_only_what_is_missing(tmp_path: Path):
    path = tmp_path / "values.db"
    made: list[str] = []

    def make(name: str):
        return lambda: made.append(name) or name.upper()

    for build in ("one", "two"):
        writer = SiteWriter(tmp_path / build, None, kept=path)
        names = ["terms:a", "terms:b"] + (["terms:c"] if build == "two" else [])
        found = writer.remember_many("terms:", {n: ("key", make(n)) for n in names})
        assert found == {n: n.upper() for n in names}
        writer.save()
    assert made == ["terms:a", "terms:b", "terms:c"]
