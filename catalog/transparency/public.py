"""What the public may see of a request: never the requester's name or e-mail.

The subject is shown with the automatic redaction applied at filing; the
description, the answer and its attachments only once an officer publishes
them through the redaction rules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from catalog.i18n import translate
from catalog.transparency.deadlines import Calendar
from catalog.transparency.models import InfoRequest
from catalog.transparency.requests import (
    ACTION_LABELS,
    FORMAT_LABELS,
    OPEN,
    OUTCOME_LABELS,
    PUBLIC_DATA,
    RUNNING,
    STATUS_LABELS,
)


def days_left(request: InfoRequest, at: datetime) -> int | None:
    if request.status not in RUNNING:
        return None
    return Calendar.of(request.jurisdiction).days_left(request.due_on, at)


def summary(request: InfoRequest, lang: str, at: datetime) -> dict[str, Any]:
    """One line of the public list."""
    return {
        "tracking_code": request.tracking_code,
        "publisher": request.publisher,
        "subject": request.published_subject or "",
        "status": request.status,
        "status_label": translate(STATUS_LABELS[request.status], lang),
        "received_on": request.start_on.isoformat(),
        "due_date": request.due_on.isoformat(),
        "days_left": days_left(request, at),
        "overdue": request.status in RUNNING and (days_left(request, at) or 0) < 0,
        "outcome": request.outcome,
        "outcome_label": translate(OUTCOME_LABELS[request.outcome], lang)
        if request.outcome
        else None,
        "answered_on": request.answered_at.date().isoformat() if request.answered_at else None,
        "answered_late": request.answered_late,
        "published": request.published_at is not None,
    }


def detail(request: InfoRequest, lang: str, at: datetime) -> dict[str, Any]:
    """The public tracking view of one request."""
    published = request.published_at is not None
    data = summary(request, lang, at)
    data.update(
        {
            "jurisdiction": request.jurisdiction,
            "original_due_date": request.original_due_on.isoformat(),
            "extended": request.extensions > 0,
            "preferred_format": request.preferred_format,
            "preferred_format_label": translate(FORMAT_LABELS[request.preferred_format], lang)
            if request.preferred_format in FORMAT_LABELS
            else None,
            "open": request.status in OPEN,
            "description": request.published_description if published else None,
            "answer": request.published_answer if published else None,
            "legal_ground": request.legal_ground
            if request.outcome in ("denied", "partial")
            else None,
            "referred_to": request.referred_to,
            "appeal_due_date": request.appeal_due_on.isoformat() if request.appeal_due_on else None,
            "clarification_due_date": request.clarification_due_on.isoformat()
            if request.clarification_due_on
            else None,
            "published_on": request.published_at.date().isoformat() if published else None,
            "attachments": [
                {
                    "name": a.filename,
                    "media_type": a.media_type,
                    "size": a.size,
                    "sha256": a.sha256,
                    "url": f"/transparencia/adjuntos/{a.id}/{a.filename}",
                }
                for a in request.attachments
            ]
            if published
            else [],
            "timeline": timeline(request, lang),
        }
    )
    return data


def timeline(request: InfoRequest, lang: str) -> list[dict[str, Any]]:
    shown = []
    for event in request.events:
        if not event.public:
            continue
        keys = PUBLIC_DATA.get(event.action, ())
        details = {k: event.data.get(k) for k in keys if event.data.get(k) is not None}
        if "outcome" in details:
            details["outcome"] = translate(OUTCOME_LABELS.get(details["outcome"], ""), lang)
        shown.append(
            {
                "at": event.at.isoformat(timespec="seconds"),
                "action": event.action,
                "label": translate(ACTION_LABELS.get(event.action, event.action), lang),
                "status": event.to_status,
                "details": details,
            }
        )
    return shown
