"""Rendering a validation run: the human report (es/en) and the JSON contract.

``render_text`` is the human report (Spanish by default); ``render_json`` is the
JSON contract of PRODUCT.md. The words of each finding come from where it was
made (wording.py, metadata.py, privacy.py); this module only lays them out.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import TYPE_CHECKING

from catalog.findings import Finding
from catalog.i18n import _, translate

if TYPE_CHECKING:
    from catalog.validate import DatasetReport, ValidationRun


def render_json(run: ValidationRun, lang: str | None = None) -> str:
    """The JSON contract: ``{"valid": bool, "errors": [...]}`` with blocking findings only."""
    errors = [f.to_json(lang) for f in run.findings if f.blocking]
    return json.dumps({"valid": run.valid, "errors": errors}, ensure_ascii=False, indent=2)


def render_text(run: ValidationRun, lang: str | None = None) -> str:
    """The human report: per dataset and file, each problem with its row, column, value and fix."""
    lines: list[str] = []
    for report in run.reports:
        lines.extend(_dataset_lines(report, lang))
        lines.append("")
    lines.append(_summary(run, lang))
    return "\n".join(lines).rstrip() + "\n"


def _dataset_lines(report: DatasetReport, lang: str | None) -> list[str]:
    status = _("valid") if report.valid else _("NOT valid")
    lines = [f"{report.dataset}: {translate(status, lang)}"]
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        groups[finding.file or finding.resource or ""].append(finding)
    for where, findings in groups.items():
        if where:
            lines.append(f"  {where}")
        for finding in findings:
            lines.extend(_finding_lines(finding, lang))
    return lines


def _finding_lines(finding: Finding, lang: str | None) -> list[str]:
    place = []
    if finding.rowNumber is not None:
        place.append(translate(_("row {row}"), lang, row=finding.rowNumber))
    if finding.fieldName:
        place.append(translate(_("column {field}"), lang, field=finding.fieldName))
    where = ", ".join(place)
    mark = "✗" if finding.blocking else "✓"
    head = f"    {mark} [{finding.type}]"
    if where:
        head += f" {where}:"
    lines = [f"{head} {finding.what(lang)}"]
    fix = finding.fix(lang)
    if fix:
        label = translate(_("Fix:"), lang) if finding.blocking else translate(_("Note:"), lang)
        lines.append(f"        {label} {fix}")
    return lines


def _summary(run: ValidationRun, lang: str | None) -> str:
    blocking = sum(1 for f in run.findings if f.blocking)
    notices = sum(1 for f in run.findings if not f.blocking)
    invalid = sum(1 for r in run.reports if not r.valid)
    if run.valid:
        text = _("{datasets} dataset(s) checked: all valid ({notices} note(s)).")
    else:
        text = _(
            "{datasets} dataset(s) checked: {invalid} not valid, {errors} error(s), "
            "{notices} note(s)."
        )
    return translate(
        text, lang, datasets=len(run.reports), invalid=invalid, errors=blocking, notices=notices
    )
