"""``catalog build``: publish every dataset that passes, incrementally and atomically.

The flow of one build (under a lock, see release.py):

1. find the datasets of the content root and of any extra content folders (content
   another program generated, such as the workspace's request log), and hash each
   (state.py); a dataset whose hash did not change keeps its previous outcome at no cost;
2. validate each changed dataset; if it passes, load it into a new snapshot
   (publish.py); if it fails, its last good snapshot stays published; then the
   datasets the build derives from them, in the same way: the active-transparency
   compliance table (compliance.py);
3. if what is published changed, compose a new release: the SQLite database
   (compose.py, catalogue.py), Datasette's metadata and inspect files
   (datasette.py), the simple site (site.py), then swap it in atomically;
4. save the state and write ``report.json`` / ``report.md`` (report.py).

The build reads content folders only, and writes the release format of
catalog/release (its only writer).
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

from catalog import clock
from catalog.build import compliance, itportfolio, publish
from catalog.build import versions as history_of
from catalog.build.catalogue import write_catalogue
from catalog.build.compose import Version, compose_database
from catalog.build.datasette import inspect_data, metadata, write_json
from catalog.build.index import build_index
from catalog.build.release import Layout
from catalog.build.report import BuildReport, DatasetOutcome
from catalog.build.search import write_search
from catalog.build.site import previous_site, write_site
from catalog.build.state import (
    Attempt,
    BuildState,
    DatasetState,
    Hasher,
    Published,
    Release,
    data_code_version,
    release_code_version,
)
from catalog.content import DatasetRef, discover, publisher_files, read_yaml
from catalog.errors import CatalogError
from catalog.findings import Finding
from catalog.i18n import _, normalize_lang
from catalog.jurisdictions import DEFAULT_JURISDICTION
from catalog.release.index import Publishers, ReleaseIndex
from catalog.release.layout import ReleaseFolder
from catalog.release.manifest import Manifest
from catalog.release.versions import VersionEntry
from catalog.transparency.deadlines import Calendar

__all__ = ["BuildReport", "DatasetOutcome", "build"]
# The values site builds keep for the next (catalog/site/kept.py), in the build's state.
SITE_VALUES = "site-values.db"


def build(root: Path, out: Path, *, lang: str = "es", extra: tuple[Path, ...] = ()) -> BuildReport:
    """Build the catalogue from ``root`` (and the datasets of the ``extra`` content
    folders) into ``out``; raises CatalogError if it cannot start."""
    started = time.perf_counter()
    root, out = Path(root), Path(out)
    extra = tuple(Path(folder) for folder in extra)
    _check_root(root, out)
    for folder in extra:
        _check_extra(folder, out)
    layout = Layout(out)
    layout.prepare()
    with layout.lock():
        layout.clean()
        return Builder(root, layout, normalize_lang(lang), extra).run(started)


def _check_extra(folder: Path, out: Path) -> None:
    if not folder.is_dir():
        raise CatalogError(
            _("The extra content folder {folder} does not exist."),
            _("Write the generated content first (catalog requests export), or fix the path."),
            folder=str(folder),
        )
    target, content = out.resolve(), folder.resolve()
    if target == content or content in target.parents:
        raise CatalogError(
            _("The build folder {out} is inside the content folders."),
            _("Write the build elsewhere, for example --build-dir build."),
            out=str(out),
        )


def _check_root(root: Path, out: Path) -> None:
    if not (root / "datasets").is_dir():
        raise CatalogError(
            _("{root} has no datasets/ folder."),
            _(
                "Run the command in the repository, or give --root the folder that holds "
                "publishers/ and datasets/."
            ),
            root=str(root),
        )
    content = [(root / name).resolve() for name in ("datasets", "publishers")]
    target = out.resolve()
    if any(target == c or c in target.parents for c in content):
        raise CatalogError(
            _("The build folder {out} is inside the content folders."),
            _("Write the build elsewhere, for example --build-dir build."),
            out=str(out),
        )


class Builder:
    """One run of the build."""

    def __init__(self, root: Path, layout: Layout, lang: str, extra: tuple[Path, ...] = ()) -> None:
        self.root = root
        self.extra = extra
        self.layout = layout
        self.lang = lang
        self.state = BuildState.load(layout.state_file)
        self.hasher = Hasher(self.state.files, data_code_version())
        self.snapshots = layout.state_dir / "datasets"
        self.findings: list[Finding] = []
        self._manifests: dict[str, Manifest | None] = {}  # snapshot folder -> its manifest
        self._strings: dict[str, str] = {}  # one copy of each string the manifests hold
        self.keep_versions = history_of.keep_setting()

    # ------------------------------------------------------------------ run

    def run(self, started: float) -> BuildReport:
        publishers = self._publishers()
        datasets: dict[str, DatasetState] = {}
        outcomes: list[DatasetOutcome] = []
        refs = self._refs()
        # Table names held by the datasets still present, first come first served.
        held = {
            r.id: s.published.tables
            for r in refs
            if (s := self.state.datasets.get(r.id)) and s.published
        }
        claimed = {t: dataset for dataset, tables in held.items() for t in tables}
        for ref in refs:
            outcome, datasets[ref.id] = self._dataset(ref, claimed)
            outcomes.append(outcome)
            # It now holds the tables it publishes, no longer those it held. Only what it
            # held can name it (not a copy of every claim per dataset: 50,000 datasets).
            for table in held.get(ref.id, []):
                if claimed.get(table) == ref.id:
                    del claimed[table]
            claimed.update(dict.fromkeys(outcome.tables, ref.id))
        # Then what the build derives from them: the compliance table (compliance.py),
        # the IT-project dashboard (itportfolio.py).
        for generated in self._derived(refs, datasets, outcomes, publishers):
            outcome, derived = self._dataset(generated, claimed)
            # A derived table keeps its history in its own rows (the compliance window,
            # the dashboard's periods): one version kept, not a new one every day.
            datasets[generated.id] = DatasetState(
                derived.attempt, derived.published, derived.history[-1:]
            )
            outcomes.append(outcome)
            claimed.update(dict.fromkeys(outcome.tables, generated.id))
        outcomes += [
            DatasetOutcome(d, "removed") for d in sorted(set(self.state.datasets) - set(datasets))
        ]
        release_id, changed = self._release(datasets, outcomes, publishers)
        self.state.datasets = datasets
        self.state.files = self.hasher.new
        self.state.save(self.layout.state_file)
        self._collect_garbage()
        self.layout.clean()
        for outcome in outcomes:
            notices = self.state.release.notices.get(outcome.dataset, [])
            outcome.findings += [Finding.from_dict(n) for n in notices]
        report = BuildReport(
            root=str(self.root),
            out=str(self.layout.out),
            lang=self.lang,
            release=release_id,
            changed=changed,
            seconds=time.perf_counter() - started,
            generated=clock.stamp(),
            datasets=outcomes,
            findings=self.findings,
        )
        report.write(self.layout.out)
        return report

    def _refs(self) -> list[DatasetRef]:
        """The datasets of the content root, then those the extra folders add (the root's
        copy wins over an extra folder's dataset of the same id, with a finding)."""
        refs = {ref.id: ref for ref in discover(self.root)}
        for folder in self.extra:
            for ref in discover(folder):
                if ref.id in refs:
                    self.findings.append(
                        Finding(
                            type="duplicate-dataset",
                            dataset=ref.id,
                            text=_("Dataset {dataset} is both in {folder} and in {other}."),
                            hint=_("The one in {other} is built; remove the other copy."),
                            params={
                                "dataset": ref.id,
                                "folder": str(folder),
                                "other": str(refs[ref.id].folder.parent.parent.parent),
                            },
                        )
                    )
                    continue
                refs[ref.id] = ref
        return sorted(refs.values(), key=lambda ref: ref.id)

    def _publishers(self) -> Publishers:
        """Every readable publisher; an unreadable file is reported, the others still count."""
        from catalog.metadata import load_publishers

        try:
            return load_publishers(self.root) or {}
        except CatalogError:
            pass
        publishers: dict[str, dict[str, Any]] = {}
        for path in publisher_files(self.root):
            try:
                data = read_yaml(path)
            except CatalogError as error:
                self.findings.append(
                    Finding(
                        type="publisher-error",
                        text=error.text,
                        hint=error.hint,
                        params=dict(error.params),
                        file=f"publishers/{path.name}",
                    )
                )
                continue
            if isinstance(data, dict):
                publishers[path.stem] = data
        return publishers

    # -------------------------------------------------------------- datasets

    def _dataset(
        self, ref: DatasetRef, claimed: dict[str, str]
    ) -> tuple[DatasetOutcome, DatasetState]:
        previous = self.state.datasets.get(ref.id) or DatasetState()
        if previous.published and not (self.snapshots / previous.published.snapshot).is_dir():
            previous = DatasetState()  # the cache was deleted: start again from the source
        previous = self._seeded(previous)
        try:
            digest = self.hasher.dataset(
                ref.id, ref.folder, self.root / "publishers" / f"{ref.publisher}.yaml"
            )
        except OSError as exc:
            return self._unreadable(ref, previous, exc)
        if previous.attempt and previous.attempt.hash == digest:
            return self._reuse(ref, previous), previous
        # The claims of others (plan_tables skips the dataset's own).
        result = publish.attempt(ref, self.root, self.snapshots / digest[:32], claimed)
        published, history = previous.published, previous.history
        if result.valid and result.snapshot is not None and result.manifest is not None:
            published = Published(
                hash=digest,
                snapshot=result.snapshot.name,
                tables=[t["name"] for t in result.manifest["tables"]],
                when=clock.stamp(),
            )
            new = history_of.record_of(digest, published.snapshot, published.when, result.manifest)
            history = history_of.add_version(
                history, new, self.snapshots, publish.SNAPSHOT_DB, self.keep_versions
            )
        attempt = Attempt(
            hash=digest,
            valid=result.valid,
            when=clock.stamp(),
            findings=[f.to_dict() for f in result.findings],
        )
        status = "published" if result.valid else ("kept-previous" if published else "rejected")
        outcome = DatasetOutcome(
            ref.id,
            status,
            digest,
            published.hash if published else None,
            list(published.tables) if published else [],
            list(result.findings),
        )
        return outcome, DatasetState(attempt, published, history)

    def _seeded(self, previous: DatasetState) -> DatasetState:
        """A state from before versions were kept: its published version starts the history.
        A history longer than ``CATALOG_KEEP_VERSIONS`` loses its oldest versions."""
        published, keep = previous.published, self.keep_versions
        if keep and len(previous.history) > keep:
            return DatasetState(previous.attempt, published, previous.history[-keep:])
        if previous.history or published is None:
            return previous
        manifest = publish.read_manifest(self.snapshots / published.snapshot)
        if manifest is None:
            return previous
        first = history_of.record_of(published.hash, published.snapshot, published.when, manifest)
        return DatasetState(previous.attempt, published, [first])

    def _reuse(self, ref: DatasetRef, previous: DatasetState) -> DatasetOutcome:
        """Same content as last time: same outcome, no work."""
        attempt, published = previous.attempt, previous.published
        assert attempt is not None
        if attempt.valid:
            status = "unchanged"
        else:
            status = "kept-previous" if published else "rejected"
        return DatasetOutcome(
            ref.id,
            status,
            attempt.hash,
            published.hash if published else None,
            list(published.tables) if published else [],
            [Finding.from_dict(f) for f in attempt.findings],
        )

    def _unreadable(
        self, ref: DatasetRef, previous: DatasetState, exc: OSError
    ) -> tuple[DatasetOutcome, DatasetState]:
        finding = Finding(
            type="source-error",
            dataset=ref.id,
            text=_("The dataset folder cannot be read: {reason}."),
            hint=_("Check the permissions of the files in the dataset folder."),
            params={"reason": exc.strerror or str(exc)},
        )
        published = previous.published
        status = "kept-previous" if published else "rejected"
        outcome = DatasetOutcome(
            ref.id,
            status,
            None,
            published.hash if published else None,
            list(published.tables) if published else [],
            [finding],
        )
        return outcome, DatasetState(None, published, previous.history)

    def _derived(
        self,
        refs: list[DatasetRef],
        datasets: dict[str, DatasetState],
        outcomes: list[DatasetOutcome],
        publishers: Publishers,
    ) -> list[DatasetRef]:
        """The datasets derived from the published ones, written into the generated content."""
        found = [self._compliance(refs, datasets, outcomes, publishers)]
        found.append(self._itportfolio(refs, datasets, outcomes, publishers))
        return [ref for ref in found if ref is not None]

    def _itportfolio(
        self,
        refs: list[DatasetRef],
        datasets: dict[str, DatasetState],
        outcomes: list[DatasetOutcome],
        publishers: Publishers,
    ) -> DatasetRef | None:
        """Write the IT-dashboard dataset (None when no published dataset is an IT portfolio)."""
        sources = [
            (manifest, self.snapshots / version.snapshot / publish.SNAPSHOT_DB)
            for version, manifest in self._published(datasets).values()
            if itportfolio.is_portfolio(manifest)
        ]
        if not sources:
            return None
        declarations = compliance.operator_of(refs)
        owner = declarations.publisher if declarations else sources[0][0]["publisher"]
        passed = {o.dataset for o in outcomes if o.status in ("published", "unchanged")}
        country = ((publishers.get(owner) or {}).get("jurisdiction") or {}).get("country")
        code = country if isinstance(country, str) else DEFAULT_JURISDICTION
        try:
            settings = itportfolio.Settings.of_jurisdiction(code)
        except CatalogError:
            settings = itportfolio.Settings.of_jurisdiction(DEFAULT_JURISDICTION)
        return itportfolio.write_dataset(
            self.layout.state_dir / "generated",
            owner,
            publishers.get(owner) or {},
            sources,
            itportfolio.ratings_of(refs, passed),
            settings,
            Calendar.of(DEFAULT_JURISDICTION).today(clock.now()),
        )

    def _compliance(
        self,
        refs: list[DatasetRef],
        datasets: dict[str, DatasetState],
        outcomes: list[DatasetOutcome],
        publishers: Publishers,
    ) -> DatasetRef | None:
        """Write the compliance dataset into the build's generated content (None when no
        declarations dataset names the portal's operator, or it did not pass)."""
        declarations = compliance.operator_of(refs)
        passed = {o.dataset for o in outcomes if o.status in ("published", "unchanged")}
        if declarations is None or declarations.id not in passed:
            return None
        stamp = clock.stamp()
        published = self._published(datasets)
        index = build_index(
            [m for _v, m in published.values()],
            {},
            publishers,
            stamp,
            published_at={d: v.when for d, (v, _m) in published.items()},
        )
        today = Calendar.of(DEFAULT_JURISDICTION).today(clock.now())
        return compliance.write_dataset(
            self.layout.state_dir / "generated",
            declarations,
            publishers.get(declarations.publisher) or {},
            publishers,
            index["datasets"],
            today,
            stamp,
        )

    # --------------------------------------------------------------- release

    def _published(
        self, datasets: dict[str, DatasetState]
    ) -> dict[str, tuple[Published, Manifest]]:
        found = {}
        for dataset, st in sorted(datasets.items()):
            if st.published:
                snapshot = st.published.snapshot
                if snapshot not in self._manifests:  # read once per build
                    manifest = publish.read_manifest(self.snapshots / snapshot)
                    self._manifests[snapshot] = _shared(manifest, self._strings)
                if (manifest := self._manifests[snapshot]) is not None:
                    found[dataset] = (st.published, manifest)
        return found

    def _fingerprint(
        self,
        published: dict[str, tuple[Published, Manifest]],
        statuses: dict[str, str],
        datasets: dict[str, DatasetState],
    ) -> str:
        h = hashlib.sha256(release_code_version().encode() + self.lang.encode())
        for dataset, (version, _manifest) in published.items():
            h.update(f"{dataset}={version.hash}:{statuses.get(dataset)}\n".encode())
            h.update(" ".join(v.id for v in datasets[dataset].history).encode())
        for path in publisher_files(self.root):
            h.update(path.name.encode() + self.hasher.file(path).encode())
        return h.hexdigest()

    def _release(
        self,
        datasets: dict[str, DatasetState],
        outcomes: list[DatasetOutcome],
        publishers: Publishers,
    ) -> tuple[str | None, bool]:
        """Compose and publish a new release, unless what is published did not change."""
        published = self._published(datasets)
        statuses = {
            o.dataset: ("kept-previous" if o.status == "kept-previous" else "published")
            for o in outcomes
        }
        fingerprint = self._fingerprint(published, statuses, datasets)
        current = self.layout.current_release()
        previous = self.state.release
        if (
            current is not None
            and current.name == previous.id
            and previous.fingerprint == fingerprint
        ):
            return previous.id, False
        release_id, tmp = self.layout.new_release()
        try:
            notices = self._write_release(tmp, published, statuses, publishers, datasets)
            self.layout.publish(release_id, tmp)
        except BaseException as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            if isinstance(exc, (OSError, sqlite3.Error)):
                raise CatalogError(
                    _("The release could not be written: {reason}. Nothing was published."),
                    _(
                        "Check the free disk space and permissions of the build folder, "
                        "then build again."
                    ),
                    reason=str(exc),
                ) from None
            raise
        self.state.release = Release(
            id=release_id,
            fingerprint=fingerprint,
            loaded={d: v.hash for d, (v, _m) in published.items()},
            notices={d: [f.to_dict() for f in fs] for d, fs in notices.items()},
        )
        return release_id, True

    def _write_release(
        self,
        path: Path,
        published: dict[str, tuple[Published, Manifest]],
        statuses: dict[str, str],
        publishers: Publishers,
        datasets: dict[str, DatasetState],
    ) -> dict[str, list[Finding]]:
        # Each part in its own method, so what one made (Datasette's metadata, the index)
        # is freed before the next starts: the site's peak memory is the build's.
        folder = ReleaseFolder(path)
        notices = self._write_database(folder, published, statuses, publishers)
        manifests = [m for _v, m in published.values()]
        previous = self.state.release
        listed = {
            d: history_of.entries(m["publisher"], m["name"], datasets[d].history)
            for d, (_v, m) in published.items()
            if datasets[d].history
        }
        write_site(
            folder.site,
            manifests,
            publishers,
            self.lang,
            database=folder.database,
            reports=_site_reports(datasets, statuses, listed),
            previous=previous_site(self.layout.release_dir(previous.id) if previous.id else None),
            spare=self.layout.spare_site() if previous.id else None,
            kept=self.layout.state_dir / SITE_VALUES,
            versions={
                d: history_of.sources(datasets[d].history, self.snapshots, publish.SNAPSHOT_DB)
                for d in listed
            },
        )
        published_at = {d: v.when for d, (v, _m) in published.items()}
        index: ReleaseIndex = build_index(
            manifests, statuses, publishers, clock.stamp(), folder.site, published_at, listed
        )
        write_json(folder.index, index)
        del index  # freed first: the search file is made from index.json as readers parse it
        write_search(folder)
        return notices

    def _write_database(
        self,
        folder: ReleaseFolder,
        published: dict[str, tuple[Published, Manifest]],
        statuses: dict[str, str],
        publishers: Publishers,
    ) -> dict[str, list[Finding]]:
        """The release database and Datasette's files beside it; the notices of queries
        left out, per dataset."""
        folder.sql.mkdir()
        db_path = folder.database
        previous = self.state.release
        previous_db = (
            ReleaseFolder(self.layout.release_dir(previous.id)).database if previous.id else None
        )
        versions = {
            d: Version(v.hash, self.snapshots / v.snapshot / publish.SNAPSHOT_DB, m["tables"])
            for d, (v, m) in published.items()
        }
        compose_database(db_path, versions, previous_db, previous.loaded)
        manifests = [m for _v, m in published.values()]
        conn = sqlite3.connect(db_path, isolation_level=None)
        try:
            write_catalogue(
                conn, publishers, [(m, statuses.get(m["dataset"], "published")) for m in manifests]
            )
            meta, notices = metadata(manifests, publishers, conn, self.lang)
        finally:
            conn.close()
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            write_json(folder.inspect, inspect_data(db_path, conn))
        finally:
            conn.close()
        write_json(folder.metadata, meta)
        return notices

    def _collect_garbage(self) -> None:
        """Remove snapshots no dataset refers to (versions no longer kept, interrupted loads)."""
        if not self.snapshots.is_dir():
            return
        keep = {s.published.snapshot for s in self.state.datasets.values() if s.published}
        # and every version kept in the histories (versions.py, CATALOG_KEEP_VERSIONS)
        keep |= {v.snapshot for s in self.state.datasets.values() for v in s.history}
        for folder in self.snapshots.iterdir():
            if folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)


def _shared(value: Any, strings: dict[str, str]) -> Any:
    """``value`` (parsed JSON) with each string, keys included, replaced by the equal one
    kept in ``strings``. The manifests of a large catalogue repeat the same keys, field
    names, types and descriptions, and each parsed file has its own copies: a manifest of
    2.5 KB took 13 KB in memory, 7 KB with its strings shared. The build holds every
    manifest while it writes the site, so this is memory per dataset at its peak."""
    if isinstance(value, str):
        return strings.setdefault(value, value)
    if isinstance(value, dict):
        return {strings.setdefault(k, k): _shared(v, strings) for k, v in value.items()}
    if isinstance(value, list):
        return [_shared(v, strings) for v in value]
    return value


def _site_reports(
    datasets: dict[str, DatasetState],
    statuses: dict[str, str],
    listed: dict[str, list[VersionEntry]] | None = None,
) -> dict[str, dict[str, Any]]:
    """What each dataset page says about validation (status, findings and dates) and
    its versions (``listed``, newest first)."""
    listed = listed or {}
    return {
        d: {
            "status": statuses.get(d, "published"),
            "findings": st.attempt.findings if st.attempt else [],
            "validated": st.published.when,
            "attempted": st.attempt.when if st.attempt else None,
            "versions": listed.get(d, []),
        }
        for d, st in datasets.items()
        if st.published
    }
