"""``make bench``, full-build part: ``catalog build`` of 50,000 small datasets from scratch.

Issue 15 asks that a catalogue of 50,000 small datasets builds from scratch, its time
and peak memory measured, and that memory not grow with the number of datasets
beyond the index itself. Each size is a content root written here (``write_root``)
and built by ``catalog build`` in a child process (the CLI, as an operator runs it),
into an empty build folder. Figures, per size (``at_<n>``: ``DATASETS`` and fractions
of it, ``FRACTIONS``):

- ``write_s``: writing the content root (publishers, folders, descriptors, CSVs);
- ``build_s``: the build's wall time, validation, loading, release database,
  Datasette files, site, index and search file included;
- ``build_s_per_1000_datasets``: the same per thousand datasets;
- ``cpu_s``: the CPU time (user and system) of the build and of the workers it waited
  for, from ``wait4``: less sensitive than the wall time to other programs sharing the
  machine, so the figure to compare two versions of the code by;
- ``peak_mb``: the build's peak RSS (``ru_maxrss`` of the build process, from
  ``wait4``; the site's workers, each of a few datasets at a time, hold less);
- ``peak_tree_mb``: the most RSS the build and its workers held together, sampled
  every ``SAMPLE_S`` (shared pages counted once per process: an upper bound);
- ``published``: datasets the build reports published (every one, when it is right);
- ``release_mb``: the size of the release written (database, site, index).

Between consecutive sizes (``growth_<small>_to_<large>``): ``peak_mb_per_1000_datasets``,
what the build's peak grows by per thousand datasets more, and ``build_s_per_1000_datasets``
likewise (a figure that rises with the size is work that grows faster than the
catalogue); ``peak_mb_per_1000_datasets`` at the top level is between the smallest and
the largest size. For scale: the manifests the build holds (the index itself) take
about 7 MB per thousand of these datasets.

The datasets are synthetic and valid: ``PUBLISHERS`` publishers, each dataset a
Data Package with one CSV resource of 5 to 20 rows (year, department code, value)
with a Table Schema, the titles, keywords, themes, licences, frequencies and
territories spread as ``catalog.bench.scale``'s manifests spread them.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from catalog.bench import scale, site

DATASETS = 50_000
FRACTIONS = (10, 4, 1)  # the sizes built: DATASETS // each
PUBLISHERS = 100
SAMPLE_S = 0.25
TERRITORIES = 22  # Guatemala's departments, codes 01 to 22
# Names of catalog/vocabularies/licenses.yaml (scale.LICENSES spells one as no build accepts).
LICENSES = ["CC-BY-4.0", "CC0-1.0", "ODC-By-1.0", "CC-BY-SA-4.0"]
# The resource's schema: the columns of catalog.bench.site's manifests, with constraints.
FIELDS = [
    {
        "name": "anio",
        "type": "integer",
        "title": "Año",
        "description": "Año al que corresponde el dato.",
        "constraints": {"required": True, "minimum": 2000, "maximum": 2030},
    },
    {
        "name": "departamento",
        "type": "string",
        "title": "Departamento",
        "description": "Código INE del departamento (dos dígitos, 01 a 22).",
        "territory": "department",
        "constraints": {"required": True, "pattern": "^(0[1-9]|1[0-9]|2[0-2])$"},
    },
    {
        "name": "valor",
        "type": "integer",
        "title": "Valor",
        "description": "Cantidad registrada.",
        "constraints": {"minimum": 0},
    },
]


def publisher_yaml(n: int) -> str:
    kind = "municipality" if n % 3 else "ministry"
    return (
        f"name: Institución de prueba {n} (benchmark)\n"
        f"kind: {kind}\n"
        "jurisdiction: {country: GT}\n"
        f"email: uip{n}@example.gob.gt\n"
    )


def package(i: int) -> dict[str, Any]:
    """Dataset ``i``'s descriptor: ``scale.manifest``'s package (words, keywords, licences
    spread), with one CSV resource whose file this module writes."""
    found = scale.manifest(i)["package"]
    rng = random.Random(-i)
    found["publisher"] = f"pub-{i % PUBLISHERS:03d}"
    found["themes"] = rng.sample(site.THEMES, rng.randint(1, 2))
    found["licenses"] = [{"name": rng.choice(LICENSES)}]
    first = 1 + i % TERRITORIES
    found["spatial"] = {"country": "GT", "departments": [f"{first:02d}"]}
    found["resources"] = [
        {
            "name": "datos",
            "title": "Datos",
            "path": "data/datos.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {"fields": FIELDS, "primaryKey": ["anio", "departamento"]},
        }
    ]
    return found


def csv_text(i: int) -> str:
    """5 to 20 rows; (year, department) never repeats: rows differ modulo 5 or modulo 22."""
    rows = 5 + i % 16
    lines = ["anio,departamento,valor"]
    lines += [
        f"{2020 + r % 5},{1 + (i + r) % TERRITORIES:02d},{(i * 37 + r * 11) % 5000}"
        for r in range(rows)
    ]
    return "\n".join(lines) + "\n"


def write_root(root: Path, count: int) -> Path:
    """A content root of ``count`` datasets, written straight to disk (no validation)."""
    shutil.rmtree(root, ignore_errors=True)
    (root / "publishers").mkdir(parents=True)
    for n in range(min(PUBLISHERS, count)):
        (root / "publishers" / f"pub-{n:03d}.yaml").write_text(publisher_yaml(n), "utf-8")
    for i in range(count):
        descriptor = package(i)
        folder = root / "datasets" / descriptor["publisher"] / descriptor["name"]
        os.makedirs(folder / "data")
        (folder / "datapackage.json").write_text(
            json.dumps(descriptor, ensure_ascii=False), "utf-8"
        )
        (folder / "data" / "datos.csv").write_text(csv_text(i), "utf-8")
        if i % 5 == 0:  # some datasets have a long description
            (folder / "README.md").write_text(
                f"# {descriptor['title']}\n\n{descriptor['description']}\n", "utf-8"
            )
    return root


class _TreePeak:
    """The most RSS a process and its descendants held together, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _rss(self) -> int:
        total = 0
        try:
            for p in [self.process, *self.process.children(recursive=True)]:
                total += p.memory_info().rss
        except psutil.Error:  # a worker ended between listing and reading
            pass
        return total

    def _sample(self) -> None:
        while not self.done.wait(SAMPLE_S):
            self.peak = max(self.peak, self._rss())

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return self.peak / 2**20


def build_in_child(root: Path, out: Path) -> dict[str, Any]:
    """``catalog build`` from scratch in a child process: seconds, peak RSS, the report."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "catalog", "build", "--root", str(root)]
    command += ["--build-dir", str(out)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = _TreePeak(process.pid)
    assert process.stderr is not None
    errors = process.stderr.read()  # until the child closes it (it ends)
    # wait4, not Popen.wait: the child's own resource usage, not every child's of ours.
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    tree_mb = sampler.stop()
    if process.returncode != 0:
        raise RuntimeError(f"catalog build failed ({process.returncode}): {errors[-2000:]!r}")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return {
        "seconds": seconds,
        "peak_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
        "peak_tree_mb": max(tree_mb, usage.ru_maxrss / 1024),
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "report": report,
    }


def _size_mb(folder: Path) -> float:
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        total += sum(os.lstat(os.path.join(dirpath, f)).st_size for f in files)
    return total / 1e6


def measure(workdir: Path, count: int) -> dict[str, Any]:
    """Write a root of ``count`` datasets and build it from scratch."""
    root, out = workdir / f"root-{count}", workdir / f"out-{count}"
    started = time.perf_counter()
    write_root(root, count)
    write_s = time.perf_counter() - started
    try:
        built = build_in_child(root, out)
        summary = built["report"]["summary"]
        figures = {
            "datasets": count,
            "write_s": write_s,
            "build_s": built["seconds"],
            "build_s_per_1000_datasets": built["seconds"] / count * 1000,
            "cpu_s": built["cpu_s"],
            "peak_mb": built["peak_mb"],
            "peak_tree_mb": built["peak_tree_mb"],
            "published": summary["published"],
            "rejected": summary["rejected"],
            "release_mb": _size_mb(out / "releases"),
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
    return figures


def growth(smaller: dict[str, Any], larger: dict[str, Any]) -> dict[str, float]:
    """What the peak and the time grow by per thousand datasets between two sizes."""
    more = (larger["datasets"] - smaller["datasets"]) / 1000
    return {
        "peak_mb_per_1000_datasets": (larger["peak_mb"] - smaller["peak_mb"]) / more,
        "build_s_per_1000_datasets": (larger["build_s"] - smaller["build_s"]) / more,
    }


def sizes(datasets: int) -> list[int]:
    return sorted({max(1, datasets // f) for f in FRACTIONS})


def run(workdir: Path, datasets: int = DATASETS) -> dict[str, Any]:
    """Build roots of ``datasets`` // each of ``FRACTIONS`` datasets from scratch."""
    work = workdir / "fullbuild-bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    figures: dict[str, Any] = {"datasets": datasets, "publishers": PUBLISHERS}
    measured: list[dict[str, Any]] = []
    try:
        for count in sizes(datasets):
            measured.append(measure(work, count))
            figures[f"at_{count}"] = measured[-1]
            print(f"fullbuild at {count}: {measured[-1]}", flush=True)
        for smaller, larger in zip(measured, measured[1:], strict=False):
            key = f"growth_{smaller['datasets']}_to_{larger['datasets']}"
            figures[key] = growth(smaller, larger)
        if len(measured) > 1:
            figures["peak_mb_per_1000_datasets"] = growth(measured[0], measured[-1])[
                "peak_mb_per_1000_datasets"
            ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return figures


if __name__ == "__main__":
    import tempfile

    count = int(sys.argv[1]) if len(sys.argv) > 1 else DATASETS
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(run(Path(tmp), count), indent=1))
