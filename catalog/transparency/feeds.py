"""The Atom feed of published answers (feedgen writes well-formed, escaped XML)."""

from __future__ import annotations

from feedgen.feed import FeedGenerator
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.i18n import _, translate
from catalog.transparency.models import InfoRequest
from catalog.transparency.states import OUTCOME_LABELS

FEED_PATH = "/transparencia/respuestas.atom"
ENTRIES = 50


def answers_feed(session: Session, base_url: str, lang: str = "es") -> bytes:
    """Atom XML of the latest published answers: redacted text only, no requester."""
    rows = session.scalars(
        select(InfoRequest)
        .where(InfoRequest.published_at.is_not(None))
        .order_by(InfoRequest.published_at.desc(), InfoRequest.id.desc())
        .limit(ENTRIES)
    ).all()
    feed = FeedGenerator()
    feed.id(base_url + FEED_PATH)
    feed.title(translate(_("Published answers to access-to-information requests"), lang))
    feed.link(href=base_url + FEED_PATH, rel="self")
    feed.link(href=base_url + "/transparencia/solicitudes/", rel="alternate")
    feed.language(lang)
    feed.updated(rows[0].published_at if rows else "2000-01-01T00:00:00Z")
    for request in reversed(rows):  # feedgen puts the last added first
        url = f"{base_url}/transparencia/solicitudes/{request.tracking_code}"
        entry = feed.add_entry()
        entry.id(url)
        entry.link(href=url)
        entry.title(f"{request.tracking_code}: {request.published_subject}")
        entry.updated(request.published_at)
        entry.published(request.published_at)
        entry.author({"name": request.publisher})
        outcome = translate(OUTCOME_LABELS.get(request.outcome or "", ""), lang)
        entry.summary(f"{outcome}. {request.published_answer or ''}"[:2000])
    return feed.atom_str(pretty=True)
