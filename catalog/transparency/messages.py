"""The text of the e-mails: to the requester on every change, to officers before a
deadline and when it has passed. Each in the language of its reader."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from catalog.i18n import _, translate
from catalog.transparency.models import InfoRequest
from catalog.transparency.states import ACTION_LABELS, OUTCOME_LABELS, STATUS_LABELS

if TYPE_CHECKING:
    from catalog.transparency.requests import Change, RequestService


def requester_message(
    service: RequestService,
    request: InfoRequest,
    action: str,
    *,
    key: str | None = None,
    link: str | None = None,
    change: Change | None = None,
) -> tuple[str, str]:
    """(subject, body) of the e-mail that tells the requester what happened."""
    if action == "confirm_email":
        return confirmation_message(request, link or "")
    lang = request.lang
    data: dict[str, Any] = change.data if change else {}
    t = lambda msgid, **p: translate(msgid, lang, **p)  # noqa: E731 - a local shorthand
    subject = t(
        _("Request {code}: {what}"),
        code=request.tracking_code,
        what=t(ACTION_LABELS.get(action, action)),
    )
    lines = [
        t(_("Hello {name},"), name=request.requester_name),
        "",
        t(
            _("Your access-to-information request {code} to {publisher} is now: {status}."),
            code=request.tracking_code,
            publisher=request.publisher,
            status=t(STATUS_LABELS[request.status]),
        ),
    ]
    if action in ("file", "confirm"):
        lines += [
            t(
                _("It counts as received on {start}; the legal deadline is {due}."),
                start=request.start_on,
                due=request.due_on,
            ),
            "",
            t(_("Follow it, clarify it or withdraw it with this private link (do not share it):")),
            service.link(request, key),
        ]
    elif action == "request_clarification":
        lines += [
            t(_("The office asks you to clarify your request:")),
            str(data.get("question", "")),
            t(
                _(
                    "Answer before {due} with the private link of your first e-mail; otherwise the request is closed."
                ),
                due=data.get("due_on", ""),
            ),
        ]
    elif action == "extend":
        lines += [
            t(
                _("New deadline: {due}. Reason: {reason}"),
                due=request.due_on,
                reason=data.get("reason", ""),
            )
        ]
    elif action == "answer":
        lines += [
            t(_("Outcome: {outcome}."), outcome=t(OUTCOME_LABELS.get(request.outcome or "", ""))),
            "",
            request.answer_text or "",
        ]
        if request.legal_ground:
            lines += ["", t(_("Legal ground: {ground}"), ground=request.legal_ground)]
    elif action == "refer":
        lines += [t(_("The request was referred to: {body}."), body=request.referred_to)]
    elif action == "publish":
        lines += [t(_("The answer is now public, without your personal data."))]
    lines += ["", t(_("Public page of the request: {url}"), url=service.link(request))]
    return subject, "\n".join(lines) + "\n"


def confirmation_message(request: InfoRequest, link: str) -> tuple[str, str]:
    """(subject, body) of the e-mail that asks to confirm the address of a filing.

    Whoever filed chose the name, subject and description, and perhaps not the
    address: none of them is repeated here, so the e-mail cannot carry their text
    to someone who never asked for it.
    """
    from catalog.transparency.deadlines import profile

    lang = request.lang
    days = profile(request.jurisdiction).confirmation_days
    subject = translate(
        _("Confirm your access-to-information request {code}"), lang, code=request.tracking_code
    )
    lines = [
        translate(_("Hello,"), lang),
        "",
        translate(
            _(
                "An access-to-information request to {publisher} was filed with this e-mail "
                "address. If you filed it, confirm your address within {days} days with this "
                "link; only then does the request reach the office and its legal deadline start:"
            ),
            lang,
            publisher=request.publisher,
            days=days,
        ),
        link,
        "",
        translate(
            _(
                "If you did not file it, ignore this e-mail: the request expires and your "
                "address is deleted."
            ),
            lang,
        ),
    ]
    return subject, "\n".join(lines) + "\n"


def officer_reminder(request: InfoRequest, kind: str, days_left: int, url: str) -> tuple[str, str]:
    """(subject, body) of a reminder to the officers: ``due-soon`` or ``overdue``."""
    if kind == "overdue":
        subject = translate(
            _("Overdue: request {code} was due on {due}"),
            code=request.tracking_code,
            due=request.due_on,
        )
        first = translate(
            _(
                "The request {code} passed its deadline ({due}) {days} business day(s) ago. Answer it now."
            ),
            code=request.tracking_code,
            due=request.due_on,
            days=-days_left,
        )
    else:
        subject = translate(
            _("Due soon: request {code} is due on {due}"),
            code=request.tracking_code,
            due=request.due_on,
        )
        first = translate(
            _("The request {code} is due in {days} business day(s), on {due}."),
            code=request.tracking_code,
            due=request.due_on,
            days=days_left,
        )
    body = "\n".join(
        [first, "", translate(_("Subject: {subject}"), subject=request.subject), url, ""]
    )
    return subject, body
