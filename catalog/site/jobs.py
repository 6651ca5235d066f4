"""Running the pending jobs of a site (downloads and dataset pages) on every core.

Jobs are grouped by dataset (its downloads first: its pages show their sizes). Each
group goes to a worker process with what its dataset's jobs read (``JobData``: its
manifest, summary, report and publisher); the workers open their own read-only
connection to the release database. A handful of jobs, or a machine with one core,
runs them in this process.

A worker also makes the dataset's parts of the catalogue-wide documents (DCAT-AP,
``data.json``: ``catalog.standards.make_part``) that no build kept, and hands them back
to be kept: made one by one after the pages, by the build alone, they were a third of
a site's build from scratch.

The workers come from a fork server (a clean process started for them), not from a
fork of the build: a build has used polars (validation, the IT dashboard) before it
writes the site, and a process forked after polars' thread pool started hangs when it
uses polars (its pool's threads are not in the child): the downloads write Parquet.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from catalog.site.kept import dumps
from catalog.site.pages import JobData, run_job
from catalog.standards import Parts, make_part

MIN_PARALLEL = 40  # below this, starting processes costs more than it saves
MAX_WORKERS = 4
# Datasets handed to a worker at a time: enough to make the hand-over cheap, few enough
# that the workers finish together (at 50,000 datasets an eighth of each worker's share
# was 3,000 datasets, half a minute left to one worker while the other waited).
MAX_CHUNK = 50

# A dataset, its jobs, what they read, and its document parts to make (name -> key).
Task = tuple[str, list[str], JobData, dict[str, str]]
Made = list[tuple[str, str, bytes]]  # document parts made: name, key, value (``dumps``)
# What the documents' parts are made with: their plan and every publisher.
Documents = tuple[Parts, dict[str, dict[str, Any]]]
_WORKER: dict[str, Any] = {}  # in a worker: the site's folder, the database, the day


# The collector's first threshold while a site is written (Python's default: 700). A
# build holds a million objects (50,000 manifests, summaries, keys) that its pages make
# garbage around; at the default, the collector's full passes over them took 30 % of a
# rebuild at 10,000 datasets. Cycles are still collected, a hundred times less often.
GC_THRESHOLD = (100_000, 50, 100)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the collector less often (``GC_THRESHOLD``) for the duration."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def connect(database: Path | None) -> sqlite3.Connection | None:
    if database is None or not database.is_file():
        return None
    return sqlite3.connect(f"file:{database}?mode=ro", uri=True)


def _worker_start(
    folder: Path, database: Path | None, today: date, documents: Documents | None
) -> None:
    gc.set_threshold(*GC_THRESHOLD)  # a worker only writes pages: for its whole life
    _WORKER.update(folder=folder, conn=connect(database), today=today, documents=documents)


def _run(task: Task) -> Made:
    return run_task(
        _WORKER["folder"], _WORKER["conn"], _WORKER["today"], _WORKER["documents"], task
    )


def run_task(
    folder: Path,
    conn: sqlite3.Connection | None,
    today: date,
    documents: Documents | None,
    task: Task,
) -> Made:
    """A dataset's jobs, then its document parts (returned, to be kept)."""
    _dataset, jobs, data, parts = task
    for job in jobs:
        run_job(folder, conn, today, data, job)
    if documents is None:
        return []
    plan, publishers = documents
    return [
        (name, key, dumps(make_part(plan, name, data.manifest, publishers)))
        for name, key in parts.items()
    ]


def _tasks(
    site: Any, pending: dict[Any, None], first: str, parts: dict[str, dict[str, str]]
) -> list[Task]:
    by_dataset: dict[str, list[str]] = defaultdict(list)
    for dataset_id, job in pending:
        by_dataset[dataset_id].append(job)
    return [
        (d, sorted(jobs, key=lambda j: j != first), site.job_data(d), parts.get(d) or {})
        for d, jobs in by_dataset.items()
    ]


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    # The fork server imports the site's code once; each worker is forked from it.
    context.set_forkserver_preload(["catalog.site.pages"])
    return context


def run_pending(
    site: Any,
    pending: dict[Any, None],
    database: Path | None,
    first: str,
    documents: Documents | None = None,
    parts: dict[str, dict[str, str]] | None = None,
) -> None:
    """Run every pending ``(dataset, job)`` of ``site``; with ``documents``, make the
    ``parts`` (dataset -> name -> key) of the datasets that have jobs, and keep them."""
    tasks = _tasks(site, pending, first, parts or {})
    keep = site.writer.values.put_bytes
    workers = min(MAX_WORKERS, len(os.sched_getaffinity(0)))
    if len(tasks) < MIN_PARALLEL or workers < 2:
        for task in tasks:
            for name, key, blob in run_task(
                site.writer.folder, site.conn, site.today, documents, task
            ):
                keep(name, key, blob)
        return
    start = (site.writer.folder, database, site.today, documents)
    with ProcessPoolExecutor(
        workers, _context(), initializer=_worker_start, initargs=start
    ) as pool:
        chunk = max(1, min(MAX_CHUNK, len(tasks) // (workers * 8)))
        for made in pool.map(_run, tasks, chunksize=chunk):
            for name, key, blob in made:
                keep(name, key, blob)
