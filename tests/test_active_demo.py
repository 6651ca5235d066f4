"""The demo's year of active transparency: deterministic, idempotent, labelled sample data."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from catalog import clock
from catalog.transparency.demo import seed
from catalog.transparency.models import ActiveAssignment, ActiveEvent, ActiveRecord


def test_demo_is_idempotent_and_realistic(workspace):
    seed(workspace, count=2)
    with workspace.db.read() as session:
        records = session.scalar(select(func.count()).select_from(ActiveRecord))
        events = session.scalar(select(func.count()).select_from(ActiveEvent))
        assignments = session.scalar(select(func.count()).select_from(ActiveAssignment))
    assert records > 50 and events > records and assignments > 0
    seed(workspace, count=2)  # again: nothing more
    with workspace.db.read() as session:
        assert session.scalar(select(func.count()).select_from(ActiveRecord)) == records
        assert session.scalar(select(func.count()).select_from(ActiveEvent)) == events
    declared = workspace.active.declarations()
    assert declared and all(d.sample for d in declared)
    kinds = {d.kind for d in declared}
    assert kinds == {"document", "link", "not-applicable"}
    assert all(d.reason for d in declared if d.kind == "not-applicable")
    today = clock.today()
    assert all(today - timedelta(days=400) <= d.published <= today for d in declared)
    computed = workspace.active.compliance()
    scores = {b: computed.window_score(b) for b in ("mides", "mineduc", "muni-coban")}
    assert len({s for s in scores.values()}) > 1  # some bodies do better than others
    states = {c.state for c in computed.cells if c.sample}
    assert {"on-time", "not-applicable"} <= states
