"""Atom feeds, read back with feedparser as a feed reader would."""

from __future__ import annotations

import copy
import re

import feedparser
import pytest

from catalog import urls
from catalog.bench.standards import manifests as generated_manifests
from catalog.bench.standards import publishers as generated_publishers
from catalog.standards import facts, feeds


@pytest.fixture(scope="module")
def site(tmp_path_factory, demo_manifests, demo_publishers):
    folder = tmp_path_factory.mktemp("feeds")
    written = feeds.write_feeds(folder, demo_manifests, demo_publishers, "es")
    return folder, written


def _read(folder, path: str):
    parsed = feedparser.parse((folder / path.lstrip("/")).read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def test_the_catalogue_feed(site, demo_manifests):
    folder, _ = site
    feed = _read(folder, urls.feed())
    assert feed.feed.title == "Conjuntos de datos nuevos y actualizados"
    assert feed.feed.language == "es"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"] == urls.absolute("/feeds/datasets.atom")
    assert links["alternate"] == urls.absolute("/")
    assert len(feed.entries) == len(demo_manifests)
    pages = {facts.page(m) for m in demo_manifests}
    assert {entry.link for entry in feed.entries} == pages
    assert {entry.id for entry in feed.entries} == pages


def test_entries_are_newest_first_and_the_feed_dates_from_the_newest(site, demo_manifests):
    folder, _ = site
    feed = _read(folder, urls.feed())
    updated = [entry.updated for entry in feed.entries]
    assert updated == sorted(updated, reverse=True)
    newest = max(m["package"]["modified"] for m in demo_manifests)
    assert feed.feed.updated.startswith(newest)
    assert updated[0].startswith(newest)


def test_an_entry_in_detail(site, demo_manifests):
    folder, _ = site
    manifest = next(m for m in demo_manifests if m["dataset"] == "muni-coban/presupuesto-municipal")
    feed = _read(folder, urls.feed("publishers", "muni-coban"))
    entry = next(e for e in feed.entries if e.id == facts.page(manifest))
    package = manifest["package"]
    assert entry.title == package["title"]
    assert entry.summary == package["description"]
    assert entry.updated.startswith(package["modified"])
    assert entry.published.startswith(package["issued"])
    assert entry.author_detail.name == "Municipalidad de Cobán"
    assert entry.author_detail.email == "informacionpublica@municoban.gob.gt"
    assert {tag.term for tag in entry.tags} == set(package["themes"])


def test_one_feed_per_publisher_theme_and_territory(site, demo_manifests):
    folder, written = site
    names = {p.relative_to(folder).as_posix() for p in written}
    publishers = {m["publisher"] for m in demo_manifests}
    assert {f"feeds/publishers/{slug}.atom" for slug in publishers} <= names
    for slug in publishers:
        feed = _read(folder, urls.feed("publishers", slug))
        expected = sum(1 for m in demo_manifests if m["publisher"] == slug)
        assert len(feed.entries) == expected
        assert feed.feed.link == urls.absolute(urls.publisher(slug))

    health = _read(folder, urls.feed("themes", "heal"))
    expected = {facts.page(m) for m in demo_manifests if "HEAL" in m["package"]["themes"]}
    assert {e.id for e in health.entries} == expected
    assert health.feed.title == "Conjuntos de datos sobre Salud"


def test_territory_feeds_follow_declared_places(site, demo_manifests):
    folder, written = site
    coban = _read(folder, urls.feed("territories", "1601"))
    expected = {
        facts.page(m)
        for m in demo_manifests
        if "1601" in (m["package"].get("spatial") or {}).get("municipalities", [])
    }
    assert len(expected) >= 3  # Cobán's own datasets and MIDES's social dining rooms
    assert {e.id for e in coban.entries} == expected
    assert coban.feed.title == "Conjuntos de datos de Cobán, Alta Verapaz"
    # data about a municipality is news for its department too
    alta_verapaz = _read(folder, urls.feed("territories", "16"))
    assert expected <= {e.id for e in alta_verapaz.entries}
    # no feed for a place no dataset covers
    assert not (folder / "feeds" / "territories" / "0202.atom").exists()


def test_feeds_are_the_same_bytes_every_time(tmp_path, demo_manifests, demo_publishers):
    first = feeds.atom(feeds.feeds(demo_manifests, demo_publishers, "es")[0], demo_publishers, "es")
    shuffled = list(reversed(demo_manifests))
    again = feeds.atom(feeds.feeds(shuffled, demo_publishers, "es")[0], demo_publishers, "es")
    assert first == again


def test_english_feeds_link_english_pages(tmp_path, demo_manifests, demo_publishers):
    feeds.write_feeds(tmp_path, demo_manifests, demo_publishers, "en")
    feed = _read(tmp_path, urls.feed())
    assert feed.feed.title == "New and updated datasets"
    assert all(e.link.startswith(urls.absolute("/en/datasets/")) for e in feed.entries)
    assert {e.id for e in feed.entries} == {facts.page(m) for m in demo_manifests}


def test_a_feed_keeps_only_the_newest_datasets(tmp_path):
    data = generated_manifests(feeds.FEED_SIZE + 30)
    feeds.write_feeds(tmp_path, data, generated_publishers(), "es")
    feed = _read(tmp_path, urls.feed())
    assert len(feed.entries) == feeds.FEED_SIZE
    newest = {facts.page(m) for m in facts.by_recency(data)[: feeds.FEED_SIZE]}
    assert {e.id for e in feed.entries} == newest


def test_hostile_text_stays_text(tmp_path, hostile):
    manifest, publishers = hostile
    feeds.write_feeds(tmp_path, [manifest], publishers, "es")
    feed = _read(tmp_path, urls.feed())
    entry = feed.entries[0]
    assert entry.title == facts.clean(manifest["package"]["title"])
    assert entry.summary == facts.clean(manifest["package"]["description"])
    publisher = _read(tmp_path, urls.feed("publishers", manifest["publisher"]))
    assert facts.clean(publishers[manifest["publisher"]]["name"]) in publisher.feed.title


def test_a_dataset_without_dates_still_has_an_entry(tmp_path, demo_manifests, demo_publishers):
    manifest = copy.deepcopy(demo_manifests[0])
    del manifest["package"]["modified"], manifest["package"]["issued"]
    feeds.write_feeds(tmp_path, [manifest], demo_publishers, "es")
    feed = _read(tmp_path, urls.feed())
    assert len(feed.entries) == 1


def test_territory_feeds_can_follow_the_coverage_the_site_found(
    tmp_path, demo_manifests, demo_publishers
):
    national = next(m for m in demo_manifests if m["dataset"] == "mineduc/matricula-escolar")
    coverage = {national["dataset"]: ["02", "0202"]}
    feeds.write_feeds(tmp_path, demo_manifests, demo_publishers, "es", coverage)
    feed = _read(tmp_path, urls.feed("territories", "0202"))
    assert [e.id for e in feed.entries] == [facts.page(national)]


def test_territory_feeds_list_what_territory_pages_list(demo_build, demo_manifests):
    """The build passes the coverage the site computed from the data: a territory's feed
    has exactly the datasets its page lists, and a feed exists only when the page lists any."""
    site = demo_build / "site"
    compared = 0
    for page in sorted((site / "territories").glob("*/index.html")):
        code = page.parent.name
        html = page.read_text("utf-8")
        section = html.split('<ul class="dataset-list">', 1)
        listed = (
            {
                urls.absolute(h)
                for h in re.findall(r'<h3><a href="([^"]+)"', section[1].split("</ul>")[0])
            }
            if len(section) == 2
            else set()
        )
        path = site / urls.feed("territories", code).lstrip("/")
        if not listed:
            assert not path.exists(), code
            continue
        feed = _read(site, urls.feed("territories", code))
        assert {e.id for e in feed.entries} == listed, code
        compared += 1
    assert compared >= 22  # every department, and the municipalities the data covers
    # Guatemala City's page lists data found in the tables, not only declared places.
    declared = {
        m["dataset"]
        for m in demo_manifests
        if "0101" in ((m["package"].get("spatial") or {}).get("municipalities") or [])
    }
    city = _read(site, urls.feed("territories", "0101"))
    assert len(city.entries) > len(declared)
