"""The vocabulary of a request: its states, outcomes and formats, and the labels
the pages, the e-mails and the feeds show for them and for each action.

The state machine itself (which action is allowed in which state) is
``requests.RULES``; this module only names things, so that every module that
shows a request (``public``, ``messages``, the pages) reads the same labels
without importing the service.
"""

from __future__ import annotations

from catalog.i18n import _

STATUSES = (
    "unconfirmed",
    "expired",
    "received",
    "assigned",
    "clarification",
    "extended",
    "answered",
    "referred",
    "withdrawn",
    "appealed",
    "closed",
)
# The clock runs in these states (it stops while waiting for a clarification).
RUNNING = ("received", "assigned", "extended")
OPEN = (*RUNNING, "clarification")
# Never shown to the public nor counted: the e-mail was not (yet) confirmed.
HIDDEN = ("unconfirmed", "expired")
PUBLIC_STATUSES = ("received", "assigned", "clarification", "extended", "answered", "referred",
                   "withdrawn", "appealed", "closed")  # fmt: skip
OUTCOMES = ("granted", "partial", "denied", "not_held")
FORMATS = ("any", "pdf", "csv", "xlsx", "json", "paper")
STATUS_LABELS = {
    "unconfirmed": _("Awaiting e-mail confirmation"),
    "expired": _("Expired: the e-mail was never confirmed"),
    "received": _("Received"),
    "assigned": _("Assigned"),
    "clarification": _("Clarification requested"),
    "extended": _("Extended"),
    "answered": _("Answered"),
    "referred": _("Referred to another body"),
    "withdrawn": _("Withdrawn"),
    "appealed": _("Appealed"),
    "closed": _("Closed"),
}
OUTCOME_LABELS = {
    "granted": _("Granted"),
    "partial": _("Partially granted"),
    "denied": _("Denied"),
    "not_held": _("Information not held"),
    "abandoned": _("Abandoned (clarification not received)"),
}
FORMAT_LABELS = {
    "any": _("Any format"),
    "pdf": _("PDF document"),
    "csv": _("CSV (open data)"),
    "xlsx": _("Spreadsheet (Excel)"),
    "json": _("JSON (open data)"),
    "paper": _("Paper copy"),
}
ACTION_LABELS = {
    "file": _("Request received"),
    "confirm": _("E-mail confirmed: request received"),
    "expire": _("Expired: the e-mail was never confirmed"),
    "upload": _("File uploaded for the answer"),
    "assign": _("Assigned to an officer"),
    "request_clarification": _("Clarification requested from the requester"),
    "clarify": _("The requester clarified the request"),
    "extend": _("Deadline extended"),
    "answer": _("Answered"),
    "refer": _("Referred to another body"),
    "withdraw": _("Withdrawn by the requester"),
    "appeal": _("Appeal filed"),
    "resolve_appeal": _("Appeal resolved"),
    "close": _("Closed"),
    "abandon": _("Closed: the clarification was not received in time"),
    "publish": _("Answer published"),
}
ACTION_NAMES = {
    "confirm": _("Confirm the e-mail"),
    "expire": _("Expire"),
    "assign": _("Assign"),
    "request_clarification": _("Ask for clarification"),
    "clarify": _("Clarify"),
    "extend": _("Extend the deadline"),
    "answer": _("Answer"),
    "refer": _("Refer to another body"),
    "withdraw": _("Withdraw"),
    "appeal": _("Appeal"),
    "resolve_appeal": _("Resolve the appeal"),
    "close": _("Close"),
    "abandon": _("Close as abandoned"),
    "publish": _("Publish the answer"),
}
# What the public timeline may show of each event's data.
PUBLIC_DATA = {
    "confirm": ("due_on",),
    "extend": ("reason", "due_on"),
    "answer": ("outcome", "legal_ground"),
    "refer": ("referred_to",),
    "request_clarification": ("due_on",),
    "clarify": ("due_on",),
    "appeal": ("due_on",),
    "resolve_appeal": ("resolution",),
    "close": ("reason",),
}
