"""What the public may see of a request: never the requester's name or e-mail.

Everything shown was redacted when it was written, never at a page view
(docs/officers.md, "Redaction"): the subject once an officer has acted on the
request (``None`` until then), the description, the answer and its attachments
once an officer publishes them, and the officers' words in the timeline (reasons,
resolutions, the legal ground) when the event was recorded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from catalog.i18n import translate
from catalog.transparency.deadlines import Calendar
from catalog.transparency.models import InfoRequest
from catalog.transparency.redaction import redact_once
from catalog.transparency.states import (
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
        "subject": request.published_subject,
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
    published_at = request.published_at
    published = published_at is not None
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
            "legal_ground": _public_ground(request)
            if request.outcome in ("denied", "partial")
            else None,
            "referred_to": request.referred_to,
            "appeal_due_date": request.appeal_due_on.isoformat() if request.appeal_due_on else None,
            "clarification_due_date": request.clarification_due_on.isoformat()
            if request.clarification_due_on
            else None,
            "published_on": published_at.date().isoformat() if published_at is not None else None,
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


def _public_ground(request: InfoRequest) -> str | None:
    """The legal ground as redacted when the answer was recorded."""
    for event in reversed(request.events):
        if event.action == "answer" and "legal_ground" in (event.data.get("public") or {}):
            return event.data["public"]["legal_ground"]
    # Answers recorded before grounds were redacted at write time: the automatic rules.
    personal = (request.requester_name, request.requester_email)
    return redact_once(request.legal_ground, (), personal) if request.legal_ground else None


def _public_details(request: InfoRequest, data: dict, keys: tuple[str, ...]) -> dict[str, Any]:
    """The event's public fields; officers' words as redacted when it was recorded."""
    redacted = data.get("public")
    if redacted is None:  # recorded before that: the automatic rules, at least
        personal = (request.requester_name, request.requester_email)
        redacted = {k: redact_once(v, (), personal) for k, v in data.items() if isinstance(v, str)}
    merged = {**data, **redacted}
    return {k: merged[k] for k in keys if merged.get(k) is not None}


def timeline(request: InfoRequest, lang: str) -> list[dict[str, Any]]:
    shown = []
    for event in request.events:
        if not event.public:
            continue
        keys = PUBLIC_DATA.get(event.action, ())
        details = _public_details(request, event.data, keys)
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
