"""One harvest: list the source, then bring each dataset in whole or not at all.

The order matters for safety:

1. The whole listing is read first (every page). A source that is down, too slow,
   answers garbage or loops its pages fails here, before anything is written: the last
   good harvest stays exactly as it was (exit 1).
2. Each dataset is then built in a temporary content root under ``ROOT/.harvest/tmp/``:
   its tabular resources downloaded (streamed, size-limited), a Table Schema inferred
   where the source gives none, the descriptor mapped, and the whole validated with
   ``catalog validate``'s Python API, the privacy gate included.
3. Only a dataset that passes is moved into ``ROOT/datasets/<publisher>/<name>/`` with a
   rename (an update swaps the old folder out, then the new one in), with its publisher
   file written first when the publisher is new. A refused dataset is never written; the
   reason goes to the log.

State (``ROOT/.harvest/<source>.json``) remembers, per source dataset, where it went and
the fingerprint of what the source said, and the CKAN ``metadata_modified`` of the last
good run, from which the next run asks only for what changed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from catalog import clock
from catalog.content import DESCRIPTOR, DatasetRef, is_slug
from catalog.errors import CatalogError
from catalog.generated import write_if_changed
from catalog.harvest import ckan, dcat
from catalog.harvest.mapping import (
    Mapping,
    Record,
    Refusal,
    ResourceRecord,
    descriptor,
    publisher_file,
    publisher_slug,
    slugify,
    tabular_format,
)
from catalog.harvest.net import Fetcher, FetchError, Limits, check_url
from catalog.harvest.schema import infer_schema, to_utf8
from catalog.harvest.sources import KINDS, SourceError
from catalog.i18n import _, translate

STATE_DIR = ".harvest"
# Failures that may pass by themselves: the dataset is tried again on the next run.
TRANSIENT = {"timeout", "unreachable", "http-status", "deadline", "dns"}
EVENTS = ("created", "updated", "unchanged", "refused")


@dataclass
class Options:
    url: str
    root: Path
    kind: str | None = None
    mapping: Mapping = field(default_factory=Mapping)
    limits: Limits = field(default_factory=Limits)
    full: bool = False
    lang: str = "es"
    workers: int = 4  # datasets prepared at once


@dataclass
class Outcome:
    event: str  # created, updated, unchanged, refused
    dataset: str
    source_id: str
    code: str = ""
    text: str = ""
    params: dict[str, object] = field(default_factory=dict)

    def message(self, lang: str) -> str:
        what = {
            "created": _("Created {dataset}."),
            "updated": _("Updated {dataset}."),
            "unchanged": _("Unchanged {dataset}."),
            "refused": _("Refused {dataset}: {reason}"),
        }[self.event]
        reason = translate(self.text, lang, **self.params) if self.text else ""
        return translate(what, lang, dataset=self.dataset or self.source_id, reason=reason)


@dataclass
class HarvestReport:
    source: str
    kind: str
    outcomes: list[Outcome] = field(default_factory=list)
    not_listed: int = 0  # known datasets an incremental listing did not bring: unchanged
    failure: SourceError | None = None
    log: Path | None = None

    @property
    def counts(self) -> dict[str, int]:
        counts = Counter(o.event for o in self.outcomes)
        found = {event: counts.get(event, 0) for event in EVENTS}
        found["unchanged"] += self.not_listed
        return found

    def failure_message(self, lang: str) -> str:
        if self.failure is None:
            return ""
        reason = translate(self.failure.text, lang, **self.failure.params)
        return translate(
            _(
                "The source failed: {reason} Nothing was changed: the last good harvest stays in place."
            ),
            lang,
            reason=reason,
        )

    def summary(self, lang: str) -> str:
        lines = []
        if self.failure is not None:
            lines.append(self.failure_message(lang))
        else:
            lines.append(
                translate(
                    _(
                        "Harvest of {source}: {created} created, {updated} updated, "
                        "{unchanged} unchanged, {refused} refused."
                    ),
                    lang,
                    source=self.source,
                    **self.counts,
                )
            )
            refused = Counter(o.code for o in self.outcomes if o.event == "refused")
            if refused:
                reasons = ", ".join(f"{code}: {n}" for code, n in sorted(refused.items()))
                lines.append(translate(_("Refused, by reason: {reasons}."), lang, reasons=reasons))
        if self.log is not None:
            lines.append(translate(_("Log: {path}"), lang, path=str(self.log)))
        return "\n".join(lines)


# ---------------------------------------------------------------- the source


def detect_kind(url: str) -> str:
    """The kind of a source from its address: ``data.json``, ``dcat`` (``.ttl``,
    ``.jsonld``, ``.rdf``...) or, by default, a CKAN portal."""
    path = url.split("?", 1)[0].split("#", 1)[0].lower().rstrip("/")
    if path.endswith("data.json"):
        return "data.json"
    if re.search(r"\.(ttl|jsonld|json-ld|rdf|xml|n3|nt)$", path):
        return "dcat"
    return "ckan"


def source_key(kind: str, url: str) -> str:
    return hashlib.sha256(f"{kind} {url}".encode()).hexdigest()[:16]


def _list(fetcher: Fetcher, kind: str, url: str, since: str) -> list[Record]:
    if kind == "ckan":
        return [ckan.to_record(p) for p in ckan.list_packages(fetcher, url, since)]
    if kind == "data.json":
        return dcat.datajson_records(fetcher, url)
    return dcat.dcat_records(fetcher, url)


# ---------------------------------------------------------------- state and log


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise CatalogError(
                _("Another harvest is writing into {root}."),
                _("Wait for it to finish, then run this one again."),
                root=str(folder.parent),
            ) from None
        yield


def _load_state(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {"datasets": {}}
    if not isinstance(data, dict) or not isinstance(data.get("datasets"), dict):
        return {"datasets": {}}
    return data


def _save_state(path: Path, state: dict[str, Any]) -> None:
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, path)


class _Log:
    """The JSON-lines log of one run, written as it goes."""

    def __init__(self, path: Path, source: str, lang: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.source, self.lang = path, source, lang
        self.handle = path.open("a", encoding="utf-8")

    def write(self, event: str, message: str, **extra: object) -> None:
        line = {"time": clock.stamp(), "source": self.source, "event": event, **extra}
        line["message"] = message
        self.handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.handle.flush()

    def close(self) -> None:
        self.handle.close()


# ---------------------------------------------------------------- one dataset


def _folder_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    if not folder.is_dir():
        return ""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _file_name(resource: ResourceRecord) -> str:
    return resource.url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _resource_name(resource: ResourceRecord, index: int) -> str:
    """A resource's name from its file name (``cobertura.excel.csv`` → ``cobertura``),
    else its title."""
    stem = _file_name(resource).split(".", 1)[0]
    return slugify(stem, 60) or slugify(resource.title, 60) or f"recurso-{index}"


def _tabular(record: Record) -> list[tuple[str, str, ResourceRecord]]:
    """(name, format, resource) of each tabular table, CSV first. Files that differ only
    in their inner extensions (``x.csv``, ``x.excel.csv``, ``x.xlsx``) are renderings of
    one table and give one resource; two files of the same name from different places
    are two tables."""
    chosen: dict[str, tuple[str, str, ResourceRecord]] = {}
    candidates = [(tabular_format(r), i, r) for i, r in enumerate(record.resources, start=1)]
    for fmt, index, resource in sorted(
        (c for c in candidates if c[0]),
        key=lambda c: (c[0] != "csv", _file_name(c[2]).count("."), c[1]),
    ):
        name = _resource_name(resource, index)
        if name in chosen:
            if _file_name(chosen[name][2]) != _file_name(resource):
                continue  # another rendering of a table already taken
            name = f"{name}-{index}"
        chosen[name] = (name, str(fmt), resource)
    return sorted(chosen.values(), key=lambda c: record.resources.index(c[2]))


def _sniff_format(path: Path, declared: str) -> str:
    """``xlsx`` when the file is a ZIP (an Excel workbook), ``csv`` when it is not."""
    with path.open("rb") as handle:
        head = handle.read(4)
    return "xlsx" if head == b"PK\x03\x04" else "csv" if declared == "xlsx" else declared


def _readme(record: Record) -> str | None:
    text = record.description.strip()
    return text + "\n" if len(text) > 300 or "\n" in text else None


def _summary_of(text: str) -> str:
    """A one-paragraph description from Markdown notes: the first plain paragraph."""
    for block in re.split(r"\n\s*\n", text):
        plain = re.sub(r"^[#>*\-\s]+", "", block.strip()).replace("**", "").strip()
        if plain and not block.lstrip().startswith("#"):
            return plain[:500]
    return text.strip()[:500]


@dataclass
class _Job:
    record: Record
    slug: str
    name: str
    target: Path
    fingerprint: str
    temp: Path


@dataclass
class _Ready:
    folder: Path  # the dataset, valid, in its temporary root
    publisher: str | None  # the YAML of a publisher seen for the first time


class _Harvester:
    def __init__(self, options: Options, fetcher: Fetcher, state: dict[str, Any]) -> None:
        self.options, self.fetcher, self.state = options, fetcher, state
        self.root = options.root
        self.work = self.root / STATE_DIR / "tmp"
        self.owned = {v.get("dataset") for v in state["datasets"].values() if isinstance(v, dict)}
        self.taken: set[str] = set()

    def plan(self, record: Record) -> Outcome | _Job:
        """What to do with one record, decided in order: an outcome now, or a job."""
        known = self.state["datasets"].get(record.source_id) or {}
        slug = publisher_slug(record.publisher, self.options.mapping)
        name = slugify(record.name)
        if not is_slug(slug) or not name:
            return Outcome("refused", "", record.source_id, "name", _("It has no usable name."))
        dataset = str(known.get("dataset") or f"{slug}/{name}")
        slug, name = dataset.split("/", 1)
        target = self.root / "datasets" / slug / name
        fingerprint = record.fingerprint()
        if dataset in self.taken:
            return Outcome(
                "refused", dataset, record.source_id, "duplicate",
                _("Another dataset of the source has the same name."),
            )  # fmt: skip
        self.taken.add(dataset)
        if known.get("fingerprint") == fingerprint and (target / DESCRIPTOR).is_file():
            return Outcome("unchanged", dataset, record.source_id)
        if (target / DESCRIPTOR).exists() and dataset not in self.owned:
            return Outcome(
                "refused", dataset, record.source_id, "exists",
                _("A dataset of that name exists and was not harvested from this source."),
            )  # fmt: skip
        return _Job(record, slug, name, target, fingerprint, self.work / uuid.uuid4().hex)

    def prepare(self, job: _Job) -> Outcome | _Ready:
        """Download, describe and validate one dataset in its temporary root (in a worker
        thread: nothing here touches ROOT)."""
        try:
            return self._build(job.record, job.slug, job.name, job.temp)
        except Exception as exc:  # noqa: BLE001 - one odd dataset must not stop the others
            return Outcome(
                "refused",
                f"{job.slug}/{job.name}",
                job.record.source_id,
                "error",
                _("Unexpected error while reading it ({kind}: {detail})."),
                {"kind": type(exc).__name__, "detail": str(exc)[:200]},
            )
        except BaseException:
            shutil.rmtree(job.temp, ignore_errors=True)
            raise

    def finish(self, job: _Job, ready: Outcome | _Ready) -> Outcome:
        """Move a prepared dataset into place (in order, one at a time)."""
        dataset, record = f"{job.slug}/{job.name}", job.record
        try:
            if isinstance(ready, Outcome):
                outcome = ready
            elif _folder_hash(ready.folder) == _folder_hash(job.target):
                outcome = Outcome("unchanged", dataset, record.source_id)
            else:
                if ready.publisher is not None:
                    path = self.root / "publishers" / f"{job.slug}.yaml"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    if not path.exists():
                        write_if_changed(path, ready.publisher)
                event = "updated" if job.target.exists() else "created"
                _install(ready.folder, job.target, self.work)
                outcome = Outcome(event, dataset, record.source_id)
        finally:
            shutil.rmtree(job.temp, ignore_errors=True)
        if outcome.event != "refused":
            self.state["datasets"][record.source_id] = {
                "dataset": dataset,
                "fingerprint": job.fingerprint,
                "modified": record.source_modified,
            }
            self.owned.add(dataset)
        return outcome

    def _build(self, record: Record, slug: str, name: str, temp: Path) -> Outcome | _Ready:
        dataset, options = f"{slug}/{name}", self.options
        folder = temp / "datasets" / slug / name
        (folder / "data").mkdir(parents=True)
        (temp / "publishers").mkdir()
        tables = _tabular(record)
        if not tables:
            return Outcome(
                "refused", dataset, record.source_id, "no-tabular",
                _("It has no CSV or XLSX resource to download."),
            )  # fmt: skip
        resources = []
        for res_name, fmt, resource in tables:
            path = folder / "data" / f"{res_name}.{fmt}"
            try:
                self.fetcher.download(resource.url, path)
            except FetchError as exc:
                return Outcome("refused", dataset, record.source_id, exc.code, exc.text, exc.params)
            actual = _sniff_format(path, fmt)
            if actual != fmt:  # the source's format was wrong: the bytes decide
                fmt = actual
                path = path.rename(path.with_suffix(f".{fmt}"))
            if fmt == "csv":
                to_utf8(path)  # the catalogue's tables are UTF-8
            try:
                schema = resource.schema or infer_schema(folder, f"data/{res_name}.{fmt}")
            except ValueError:
                return Outcome(
                    "refused", dataset, record.source_id, "unreadable",
                    _("The resource {url} is not a readable table."), {"url": resource.url},
                )  # fmt: skip
            item: dict[str, Any] = {"name": res_name, "path": f"data/{res_name}.{fmt}"}
            if resource.title:
                item["title"] = resource.title
            if resource.description:
                item["description"] = resource.description
            item["format"] = fmt
            item["schema"] = schema
            resources.append(item)
        notes = record.description
        record_for_descriptor = record
        if _readme(record):
            record_for_descriptor = Record(**{**record.__dict__, "description": _summary_of(notes)})
        try:
            package = descriptor(record_for_descriptor, slug, name, resources, options.mapping)
        except Refusal as exc:
            return Outcome("refused", dataset, record.source_id, exc.code, exc.text, exc.params)
        (folder / DESCRIPTOR).write_text(
            json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        readme = _readme(record)
        if readme:
            (folder / "README.md").write_text(readme, encoding="utf-8")
        publisher_yaml = self.root / "publishers" / f"{slug}.yaml"
        if publisher_yaml.is_file():
            shutil.copyfile(publisher_yaml, temp / "publishers" / f"{slug}.yaml")
            new_publisher = None
        else:
            email = package["contactPoint"]["email"]
            try:
                data = publisher_file(record.publisher, slug, email, options.mapping)
            except Refusal as exc:
                return Outcome("refused", dataset, record.source_id, exc.code, exc.text, exc.params)
            new_publisher = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
            (temp / "publishers" / f"{slug}.yaml").write_text(new_publisher, encoding="utf-8")
        refusal = _validate(DatasetRef(slug, name, folder), temp, options.lang)
        if refusal is not None:
            code, text, params = refusal
            return Outcome("refused", dataset, record.source_id, code, text, params)
        return _Ready(folder, new_publisher)


def _validate(ref: DatasetRef, root: Path, lang: str) -> tuple[str, str, dict[str, object]] | None:
    """None when the dataset passes validation and the privacy gate; else why not."""
    from catalog.validate import validate_dataset

    report = validate_dataset(ref, root=root)
    if report.valid:
        return None
    errors = report.errors
    privacy = [f for f in errors if f.type.startswith("privacy-")]
    first = (privacy or errors)[0]
    params: dict[str, object] = {
        "count": len(errors),
        "kind": first.type,
        "first": first.message(lang),
    }
    if privacy:
        return "privacy", _("The privacy gate stopped it ({kind}): {first}"), params
    return (
        "invalid",
        _("It did not pass validation ({count} errors; first, {kind}): {first}"),
        params,
    )


def _install(folder: Path, target: Path, work: Path) -> None:
    """Move a finished dataset folder into place by renames (same file system)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        os.rename(folder, target)
        return
    old = work / f"old-{uuid.uuid4().hex}"
    os.rename(target, old)
    try:
        os.rename(folder, target)
    except OSError:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------- the run


def harvest(
    options: Options,
    *,
    transport: Any = None,
    echo: Callable[[str], None] | None = None,
) -> HarvestReport:
    """Run one harvest of ``options.url`` into ``options.root``.

    Raises CatalogError for a usage problem (an address that is not http(s), a private
    address without permission); a failing source is reported in ``report.failure``."""
    kind = options.kind or detect_kind(options.url)
    if kind not in KINDS:
        raise CatalogError(
            _("Unknown kind of source: {kind}."), _("Use ckan, data.json or dcat."), kind=kind
        )
    try:
        check_url(options.url, options.limits)
    except FetchError as exc:
        if exc.code == "dns":
            pass  # the source is down, not misused: reported below as a failure
        else:
            hint = (
                _("Add --allow-private-network if the portal is on your own network.")
                if exc.code == "private-address"
                else _("Give the address of the portal, starting with https://.")
            )
            raise CatalogError(exc.text, hint, **exc.params) from None
    root = options.root
    state_dir = root / STATE_DIR
    key = source_key(kind, options.url)
    report = HarvestReport(options.url, kind)
    with _locked(state_dir):
        shutil.rmtree(state_dir / "tmp", ignore_errors=True)  # left by a run that crashed
        state_path = state_dir / f"{key}.json"
        state = _load_state(state_path)
        since = "" if options.full or kind != "ckan" else str(state.get("since") or "")
        stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
        log_path = state_dir / "logs" / f"{key}-{stamp}.jsonl"
        for attempt in range(1, 1000):  # two runs in one second keep a log each
            if not log_path.exists():
                break
            log_path = log_path.with_name(f"{key}-{stamp}-{attempt}.jsonl")
        log = _Log(log_path, options.url, options.lang)
        report.log = log.path
        try:
            started = translate(
                _("Harvest of {source} ({kind}) started."),
                options.lang,
                source=options.url,
                kind=kind,
            )
            log.write("start", started, kind=kind, since=since)
            with Fetcher(options.limits, transport) as fetcher:
                try:
                    records = _list(fetcher, kind, options.url, since)
                except SourceError as exc:
                    report.failure = exc
                    log.write("source-failed", report.failure_message(options.lang), code=exc.code)
                    return report
                harvester = _Harvester(options, fetcher, state)
                completed = False
                try:
                    for outcome in _outcomes(harvester, records, options.workers):
                        report.outcomes.append(outcome)
                        message = outcome.message(options.lang)
                        log.write(
                            outcome.event,
                            message,
                            dataset=outcome.dataset or None,
                            source_id=outcome.source_id,
                            code=outcome.code or None,
                        )
                        if echo is not None and outcome.event != "unchanged":
                            echo(message)
                    completed = True
                finally:
                    if not completed:  # interrupted: what was moved into place stays ours
                        _save_state(state_path, state)
            seen = {r.source_id for r in records}
            if since:
                report.not_listed = len(set(state["datasets"]) - seen)
            state.update(source=options.url, kind=kind, last_run=clock.stamp())
            if kind == "ckan":
                state["since"] = _next_since(records, report, str(state.get("since") or ""))
            _save_state(state_path, state)
            log.write("end", report.summary(options.lang), **report.counts)
        finally:
            log.close()
            shutil.rmtree(state_dir / "tmp", ignore_errors=True)
            log.path.with_suffix(".txt").write_text(report.summary(options.lang) + "\n", "utf-8")
    return report


def _outcomes(harvester: _Harvester, records: list[Record], workers: int) -> Iterator[Outcome]:
    """Each record's outcome, in the source's order: datasets are prepared by ``workers``
    threads (downloads wait on the network; reading and checking tables mostly runs in
    polars, outside the GIL) and moved into place one at a time."""
    plans = [harvester.plan(record) for record in records]
    jobs = [plan for plan in plans if isinstance(plan, _Job)]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        prepared = pool.map(harvester.prepare, jobs)
        for plan in plans:
            if isinstance(plan, Outcome):
                yield plan
            else:
                yield harvester.finish(plan, next(prepared))


def _next_since(records: list[Record], report: HarvestReport, previous: str) -> str:
    """The newest ``metadata_modified`` seen, held back to before the oldest dataset that
    failed for a reason that may pass (so that the next run tries it again)."""
    stamps = [r.source_modified for r in records if r.source_modified]
    if not stamps:
        return previous
    since = max(stamps)
    retry = {o.source_id for o in report.outcomes if o.event == "refused" and o.code in TRANSIENT}
    held = [r.source_modified for r in records if r.source_id in retry and r.source_modified]
    return min([since, *held])
