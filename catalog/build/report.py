"""The build report: what each dataset's fate was, and why.

``<out>/report.json`` (machine-readable) and ``<out>/report.md`` (a readable
summary, in the build's language). Statuses:

- ``published``: new or changed, valid, and now published;
- ``unchanged``: same content as last time, nothing was done;
- ``kept-previous``: it no longer passes; its last good version stays published;
- ``rejected``: it does not pass and was never published;
- ``removed``: its folder is gone, so it left the catalogue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.build.state import write_atomic
from catalog.findings import Finding
from catalog.i18n import _, translate

STATUSES = ("published", "unchanged", "kept-previous", "rejected", "removed")
STATUS_LABELS = {
    "published": _("published"),
    "unchanged": _("unchanged"),
    "kept-previous": _("kept previous version"),
    "rejected": _("rejected"),
    "removed": _("removed"),
}


@dataclass
class DatasetOutcome:
    """One dataset in one build."""

    dataset: str
    status: str
    hash: str | None = None
    published_hash: str | None = None  # the version that is online after this build
    tables: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    def to_json(self, lang: str) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "status": self.status,
            "hash": self.hash,
            "publishedHash": self.published_hash,
            "tables": self.tables,
            "findings": [_finding_json(f, lang) for f in self.findings],
        }


def _finding_json(finding: Finding, lang: str) -> dict[str, Any]:
    data = finding.to_json(lang)
    data.update(blocking=finding.blocking, file=finding.file, value=finding.value)
    return data


@dataclass
class BuildReport:
    """The outcome of ``catalog build``."""

    root: str
    out: str
    lang: str
    release: str | None
    changed: bool
    seconds: float
    generated: str
    datasets: list[DatasetOutcome] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # about the catalogue, not one dataset

    def count(self, status: str) -> int:
        return sum(1 for d in self.datasets if d.status == status)

    @property
    def all_published(self) -> bool:
        """True when every dataset present is online in its current version."""
        return not any(d.status in ("kept-previous", "rejected") for d in self.datasets)

    @property
    def ok(self) -> bool:
        return self.all_published

    def to_json(self) -> dict[str, Any]:
        return {
            "generated": self.generated,
            "root": self.root,
            "out": self.out,
            "release": self.release,
            "changed": self.changed,
            "seconds": round(self.seconds, 3),
            "allPublished": self.all_published,
            "summary": {status: self.count(status) for status in STATUSES},
            "findings": [_finding_json(f, self.lang) for f in self.findings],
            "datasets": [d.to_json(self.lang) for d in self.datasets],
        }

    def summary(self, lang: str | None = None) -> str:
        """A few lines for the terminal."""
        lang = lang or self.lang
        counts = ", ".join(
            f"{translate(STATUS_LABELS[s], lang)}: {self.count(s)}"  # no plural agreement needed
            for s in STATUSES
            if self.count(s)
        )
        lines = [
            translate(
                _("Build finished in {seconds} s: {counts}."),
                lang,
                seconds=f"{self.seconds:.1f}",
                counts=counts or "0",
            )
        ]
        for outcome in self.datasets:
            if outcome.status in ("kept-previous", "rejected"):
                label = translate(STATUS_LABELS[outcome.status], lang)
                first = outcome.blocking[0].message(lang) if outcome.blocking else ""
                lines.append(f"  {outcome.dataset}: {label}. {first}".rstrip())
        for finding in self.findings:
            lines.append(f"  {finding.message(lang)}")
        lines.append(translate(_("Details: {path}"), lang, path=str(Path(self.out) / "report.md")))
        return "\n".join(lines)

    def markdown(self, lang: str | None = None) -> str:
        lang = lang or self.lang
        t = lambda msgid, **p: translate(msgid, lang, **p)  # noqa: E731
        lines = [
            f"# {t(_('Build report'))}",
            "",
            t(
                _("Generated {when}; release {release}."),
                when=self.generated,
                release=self.release or "-",
            ),
            "",
        ]
        lines += [f"| {t(_('status'))} | {t(_('datasets'))} |", "|---|---|"]
        lines += [f"| {t(STATUS_LABELS[s])} | {self.count(s)} |" for s in STATUSES]
        for finding in self.findings:
            lines += ["", f"- {finding.message(lang)}"]
        for outcome in self.datasets:
            lines += ["", f"## {outcome.dataset}: {t(STATUS_LABELS[outcome.status])}"]
            if outcome.status == "kept-previous":
                lines += [
                    "",
                    t(
                        _(
                            "This dataset no longer passes validation: its last good version "
                            "stays published until the problems below are fixed."
                        )
                    ),
                ]
            if outcome.tables:
                lines += [
                    "",
                    t(_("Tables: {tables}"), tables=", ".join(f"`{x}`" for x in outcome.tables)),
                ]
            lines += _finding_lines(outcome.findings, lang)
        return "\n".join(lines) + "\n"

    def write(self, out: Path) -> None:
        write_atomic(out / "report.json", json.dumps(self.to_json(), ensure_ascii=False, indent=2))
        write_atomic(out / "report.md", self.markdown())


def _finding_lines(findings: list[Finding], lang: str) -> list[str]:
    lines: list[str] = []
    if findings:
        lines.append("")
    for f in findings[:50]:
        where = " ".join(
            x
            for x in (
                f.file or f.resource,
                translate(_("row {n}"), lang, n=f.rowNumber) if f.rowNumber else "",
                f.fieldName or "",
            )
            if x
        )
        mark = "" if f.blocking else "(i) "
        lines.append(f"- {mark}`{f.type}`{' ' + where if where else ''}: {f.message(lang)}")
    if len(findings) > 50:
        lines.append(
            translate(_("- ... and {n} more (see report.json)."), lang, n=len(findings) - 50)
        )
    return lines
