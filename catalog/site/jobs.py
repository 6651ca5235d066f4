"""Running the pending jobs of a site (downloads and dataset pages) on every core.

Jobs are grouped by dataset (its downloads first: its pages show their sizes)
and handed to forked worker processes, which inherit the Site and open their
own read-only connection to the release database. A handful of jobs, or a
machine with one core, runs them in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

MIN_PARALLEL = 40  # below this, starting processes costs more than it saves
MAX_WORKERS = 4
# Datasets handed to a worker at a time: enough to make the hand-over cheap, few enough
# that the workers finish together (at 50,000 datasets an eighth of each worker's share
# was 3,000 datasets, half a minute left to one worker while the other waited).
MAX_CHUNK = 50

_SITE: Any = None  # the Site the forked workers inherit
_DATABASE: Path | None = None


def connect(database: Path | None) -> sqlite3.Connection | None:
    if database is None or not database.is_file():
        return None
    return sqlite3.connect(f"file:{database}?mode=ro", uri=True)


def _worker_start() -> None:
    # A connection must not cross a fork: each worker opens its own.
    _SITE.conn = connect(_DATABASE)


def _run(task: tuple[str, list[str]]) -> int:
    dataset_id, jobs = task
    for job in jobs:
        _SITE.run_job(dataset_id, job)
    return len(jobs)


def _tasks(pending: dict[Any, None], first: str) -> list[tuple[str, list[str]]]:
    by_dataset: dict[str, list[str]] = defaultdict(list)
    for dataset_id, job in pending:
        by_dataset[dataset_id].append(job)
    return [(d, sorted(jobs, key=lambda j: j != first)) for d, jobs in by_dataset.items()]


def run_pending(site: Any, pending: dict[Any, None], database: Path | None, first: str) -> None:
    """Run every pending ``(dataset, job)`` of ``site``."""
    global _SITE, _DATABASE
    tasks = _tasks(pending, first)
    workers = min(MAX_WORKERS, len(os.sched_getaffinity(0)))
    if len(tasks) < MIN_PARALLEL or workers < 2:
        for task in tasks:
            for job in task[1]:
                site.run_job(task[0], job)
        return
    _SITE, _DATABASE = site, database
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, context, initializer=_worker_start) as pool:
            chunk = max(1, min(MAX_CHUNK, len(tasks) // (workers * 8)))
            for _done in pool.map(_run, tasks, chunksize=chunk):
                pass
    finally:
        _SITE, _DATABASE = None, None
