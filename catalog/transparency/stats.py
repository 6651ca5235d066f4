"""Statistics of access requests, per publisher and overall.

Computed by the database with two GROUP BY queries (counts by publisher, status,
outcome and lateness; a histogram of business days to answer), so a page over
100,000 requests stays fast. Shares come with a 95 % Wilson interval, which
stays honest when the counts are small.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from catalog.transparency.models import InfoRequest
from catalog.transparency.states import HIDDEN, OUTCOMES, RUNNING

Z95 = 1.959963984540054


def wilson(successes: int, total: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (0..1); (0, 1) when there is no data."""
    if total <= 0:
        return 0.0, 1.0
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    margin = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - margin), min(1.0, centre + margin)


@dataclass
class Share:
    count: int
    share: float | None
    low: float | None
    high: float | None


@dataclass
class PublisherStats:
    publisher: str
    received: int = 0
    open: int = 0
    answered: int = 0
    answered_on_time: int = 0
    answered_late: int = 0
    overdue_now: int = 0
    median_days_to_answer: float | None = None
    outcomes: dict[str, Share] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def _median(histogram: dict[int, int]) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    ordered = sorted(histogram.items())

    def nth(index: int) -> int:
        seen = 0
        for value, count in ordered:
            seen += count
            if index < seen:
                return value
        return ordered[-1][0]

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def _finish(stats: PublisherStats, counts: dict[str, int], histogram: dict[int, int]) -> None:
    stats.median_days_to_answer = _median(histogram)
    for outcome in OUTCOMES:
        count = counts.get(outcome, 0)
        low, high = wilson(count, stats.answered)
        share = count / stats.answered if stats.answered else None
        stats.outcomes[outcome] = Share(
            count,
            round(share, 4) if share is not None else None,
            round(low, 4) if stats.answered else None,
            round(high, 4) if stats.answered else None,
        )


def compute(session: Session, today: date, publisher: str | None = None) -> dict:
    """``{"overall": PublisherStats, "publishers": [PublisherStats, ...]}``."""
    where = [InfoRequest.publisher == publisher] if publisher else []
    # Filings whose e-mail is not (or was never) confirmed are not requests yet.
    where.append(InfoRequest.status.not_in(HIDDEN))
    overdue = and_(InfoRequest.status.in_(RUNNING), InfoRequest.due_on < today)
    rows = session.execute(
        select(
            InfoRequest.publisher,
            InfoRequest.outcome,
            InfoRequest.answered_late,
            func.count(),
            func.sum(case((InfoRequest.status.in_((*RUNNING, "clarification")), 1), else_=0)),
            func.sum(case((overdue, 1), else_=0)),
        )
        .where(*where)
        .group_by(InfoRequest.publisher, InfoRequest.outcome, InfoRequest.answered_late)
    ).all()
    # An answered request was confirmed: the histogram needs no status test, and
    # without one the (publisher, answer_days) index covers the whole query.
    answered = [InfoRequest.publisher == publisher] if publisher else []
    histogram_rows = session.execute(
        select(InfoRequest.publisher, InfoRequest.answer_days, func.count())
        .where(InfoRequest.answer_days.is_not(None), *answered)
        .group_by(InfoRequest.publisher, InfoRequest.answer_days)
    ).all()
    per: dict[str, PublisherStats] = {}
    counts: dict[str, dict[str, int]] = {}
    overall = PublisherStats("*")
    overall_counts: dict[str, int] = {}
    for name, outcome, late, count, still_open, overdue_now in rows:
        for stats, tally in (
            (per.setdefault(name, PublisherStats(name)), counts.setdefault(name, {})),
            (overall, overall_counts),
        ):
            stats.received += count
            stats.open += int(still_open or 0)
            stats.overdue_now += int(overdue_now or 0)
            if outcome in OUTCOMES:
                stats.answered += count
                stats.answered_late += count if late else 0
                stats.answered_on_time += 0 if late else count
                tally[outcome] = tally.get(outcome, 0) + count
    histograms: dict[str, dict[int, int]] = {}
    overall_histogram: dict[int, int] = {}
    for name, days, count in histogram_rows:
        if days is None:  # never: the query keeps answered requests only (the column may be NULL)
            continue
        histograms.setdefault(name, {})[days] = count
        overall_histogram[days] = overall_histogram.get(days, 0) + count
    for name, stats in per.items():
        _finish(stats, counts.get(name, {}), histograms.get(name, {}))
    _finish(overall, overall_counts, overall_histogram)
    return {"overall": overall, "publishers": sorted(per.values(), key=lambda s: s.publisher)}
