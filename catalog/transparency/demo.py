"""Demo data of the workspace (``make run``): an officer and sample requests.

Deterministic and clearly fictitious; never for a real deployment.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from catalog import clock
from catalog.transparency import accounts, active
from catalog.transparency.compliance import month_keys
from catalog.transparency.models import (
    ActiveAssignment,
    ActiveEvent,
    ActiveRecord,
    InfoRequest,
    User,
)
from catalog.transparency.obligations import parse_period
from catalog.transparency.requests import Actor, RequestError
from catalog.transparency.workspace import Workspace

DEMO_EMAIL = "oficial@demo.gob.gt"
DEMO_PASSWORD = "demo-transparencia"
SUBJECTS = [
    (
        "Cobertura del programa social por municipio",
        "Solicito el número de hogares atendidos por el programa, por municipio y por mes, durante el último año.",
    ),
    (
        "Contratos de mantenimiento de escuelas",
        "Solicito la lista de contratos de mantenimiento de escuelas adjudicados el año pasado, con montos y proveedores.",
    ),
    (
        "Ejecución presupuestaria del último trimestre",
        "Solicito la ejecución presupuestaria del último trimestre por programa y fuente de financiamiento.",
    ),
    (
        "Personal contratado bajo el renglón 029",
        "Solicito el número de personas contratadas bajo el renglón 029 y el monto total pagado por mes.",
    ),
    (
        "Proyectos de agua potable",
        "Solicito la lista de proyectos de agua potable en ejecución, con su avance físico y financiero.",
    ),
]


def seed(workspace: Workspace, count: int = 24) -> tuple[str, str, int]:
    """Create the demo officer (of every publisher) and sample requests, once."""
    publishers = sorted(workspace.directory()) or ["mides"]
    with workspace.db.write() as session:
        user = session.scalar(select(User).where(User.email == DEMO_EMAIL))
        if user is None:
            user = accounts.add_user(
                session,
                DEMO_EMAIL,
                "Oficial de información (demo)",
                DEMO_PASSWORD,
                "officer",
                publishers,
            )
        existing = session.scalar(select(func.count()).select_from(InfoRequest)) or 0
        session.expunge(user)
    seed_active(workspace, user)
    from catalog.transparency.cio import seed_demo  # the demo CIO and sample IT ratings

    seed_demo(workspace, DEMO_PASSWORD)
    if existing:
        return DEMO_EMAIL, DEMO_PASSWORD, 0
    rng = random.Random(5)
    officer = Actor("officer", user)
    start = clock.now() - timedelta(days=60)
    created = 0
    for index in range(count):
        subject, description = SUBJECTS[index % len(SUBJECTS)]
        at = start + timedelta(days=index * 2.4, hours=rng.randint(0, 8))
        data = {
            "publisher": rng.choice(publishers),
            "subject": subject,
            "description": description,
            "requester": {
                "name": f"Persona de ejemplo {index + 1}",
                "email": f"solicitante{index + 1}@ejemplo.org",
            },
            "preferred_format": rng.choice(["csv", "pdf", "xlsx", "any"]),
        }
        try:
            request, _key = workspace.requests.file(data, at=at)
        except RequestError:
            continue
        created += 1
        _advance(workspace, request.tracking_code, officer, at, rng)
    return DEMO_EMAIL, DEMO_PASSWORD, created


def _advance(
    workspace: Workspace, code: str, officer: Actor, at: datetime, rng: random.Random
) -> None:
    """Move a sample request along a plausible path, never into the future."""
    act = workspace.requests.act
    later = at + timedelta(days=rng.randint(2, 16))
    if later > clock.now():
        return
    fate = rng.random()
    try:
        # A filing still waiting for its e-mail confirmation cannot be assigned yet.
        act(code, "assign", officer, at=at + timedelta(hours=2))
        if fate < 0.6:
            outcome = rng.choice(["granted", "granted", "partial", "not_held", "denied"])
            ground = (
                "Decreto 57-2008, art. 22 (información confidencial)"
                if outcome in ("denied", "partial")
                else ""
            )
            act(
                code,
                "answer",
                officer,
                {
                    "outcome": outcome,
                    "text": "Se adjunta la información disponible en los registros de la institución (respuesta de ejemplo).",
                    "legal_ground": ground,
                },
                at=later,
            )
            if rng.random() < 0.8:
                act(code, "publish", officer, at=later + timedelta(hours=1))
        elif fate < 0.75:
            act(
                code,
                "extend",
                officer,
                {"reason": "El volumen de la información requiere más tiempo (ejemplo)."},
                at=at + timedelta(days=1),
            )
    except RequestError:
        pass


# ---------------------------------------------------------------- active transparency

REVIEWER_EMAIL = "revisora@demo.gob.gt"
# The items officers record in the demo: standing publications of permanent items
# (a document or a link), monthly links, and monthly not-applicable declarations.
STANDING = {
    "GT-LAIP-10.1": "document",
    "GT-LAIP-10.2": "link",
    "GT-LAIP-10.6": "document",
    "GT-LAIP-10.23": "link",
    "GT-LAIP-10.29": "link",
}
MONTHLY_LINKS = ("GT-LAIP-10.12", "GT-LAIP-10.22")
# Advisers (10.27): some bodies hired none, and declare so every month.
NOT_APPLICABLE = {
    "GT-LAIP-10.27": "La institución no contrató asesores en el mes (ejemplo).",
}
# How diligent each demo body is: days from the period's end to the approval.
PROFILES = {
    "exemplary": (3, 25, 0.0),  # (earliest, latest, share of periods left unpublished)
    "average": (10, 45, 0.1),
    "lagging": (25, 90, 0.45),
}


def _pdf(title: str) -> bytes:
    """A tiny, valid PDF that says what it is (sample data)."""
    text = title.encode("latin-1", "replace")[:80]
    stream = b"BT /F1 12 Tf 40 780 Td (" + text + b" - datos de ejemplo) Tj ET"
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
        b"4 0 obj<</Length " + str(len(stream)).encode() + b">>stream\n" + stream +
        b"\nendstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )  # fmt: skip


def seed_active(workspace: Workspace, officer: User) -> int:
    """A year of active-transparency records for the demo bodies, once: some bodies
    exemplary, some lagging, a few not-applicable declarations; every record flagged
    as sample data. The demo officer prepares every item, a demo reviewer approves.
    Returns how many records were created (0 when they exist already)."""
    service = workspace.active
    bodies = sorted(slug for slug in workspace.directory() if service.items_of(slug))
    with workspace.db.write() as session:
        reviewer = session.scalar(select(User).where(User.email == REVIEWER_EMAIL))
        if reviewer is None:
            reviewer = accounts.add_user(
                session,
                REVIEWER_EMAIL,
                "Revisora de transparencia (demo)",
                DEMO_PASSWORD,
                "officer",
                bodies or ["mides"],
            )
            session.flush()
        if session.scalar(select(func.count()).select_from(ActiveRecord)):
            return 0
        now = clock.now()
        rng = random.Random(8)
        kinds = ["exemplary", "average", "lagging"]
        created = 0
        for index, slug in enumerate(bodies):
            profile = PROFILES[kinds[index % 3]]
            items = {item.id for item in service.items_of(slug)}
            plan: list[tuple[str, str, str, str | None]] = [
                (i, "*", k, None) for i, k in STANDING.items()
            ]
            for month in month_keys(now.date(), 13)[:-1]:
                plan += [(i, month, "link", None) for i in MONTHLY_LINKS]
                if index % 2 == 0:
                    plan += [(i, month, "not-applicable", r) for i, r in NOT_APPLICABLE.items()]
                else:
                    plan += [(i, month, "link", None) for i in NOT_APPLICABLE]
            for item, _period, _kind, _reason in plan:
                if item in items and service.assignment(session, slug, item) is None:
                    session.add(
                        ActiveAssignment(
                            publisher=slug,
                            obligation=item,
                            preparer_id=officer.id,
                            reviewer_id=reviewer.id,
                            updated_at=now - timedelta(days=365),
                        )
                    )
            for item, period, kind, reason in plan:
                if item not in items:
                    continue
                created += _demo_record(
                    workspace, session, slug, item, period, kind, reason,
                    profile, rng, officer, reviewer, now,
                )  # fmt: skip
        return created


def _demo_record(
    workspace: Workspace,
    session: Any,
    slug: str,
    item: str,
    period: str,
    kind: str,
    reason: str | None,
    profile: tuple[int, int, float],
    rng: random.Random,
    officer: User,
    reviewer: User,
    now: datetime,
) -> int:
    earliest, latest, missing = profile
    if rng.random() < missing:
        return 0
    if period == "*":
        ended = now.date() - timedelta(days=rng.randint(200, 360))
    else:
        ended = parse_period(period).end
    approved_day = ended + timedelta(days=rng.randint(earliest, latest))
    status = "approved"
    if approved_day >= now.date():  # not yet: it waits for review, or was returned
        status = "submitted" if rng.random() < 0.7 else "returned"
        approved_day = now.date() - timedelta(days=1)
    approved = datetime.combine(approved_day, time(15, 0), tzinfo=UTC)
    recorded = approved - timedelta(days=1, hours=rng.randint(0, 20))
    values: dict[str, Any] = {}
    if kind == "document":
        name = f"{item.lower()}-{slug}.pdf"
        values = active.store_document(workspace.settings, name, _pdf(f"{item} {slug}"))
    elif kind == "link":
        values = {
            "url": f"https://{slug}.gob.gt/transparencia/{item.lower()}/{period.replace('*', 'vigente')}"
        }
    else:
        values = {"reason": reason}
    record = ActiveRecord(
        publisher=slug,
        obligation=item,
        period=period,
        kind=kind,
        status=status,
        prepared_by=officer.id,
        submitted_by=officer.id,
        reviewed_by=reviewer.id if status != "submitted" else None,
        created_at=recorded,
        updated_at=approved if status != "submitted" else recorded,
        submitted_at=recorded,
        approved_at=approved if status == "approved" else None,
        comment="Falta el enlace al documento firmado (ejemplo)." if status == "returned" else None,
        sample=True,
        **values,
    )
    session.add(record)
    session.flush()
    steps = [
        ("record", None, "draft", officer, recorded),
        ("submit", "draft", "submitted", officer, recorded),
    ]
    if status != "submitted":
        steps.append(
            (
                "approve" if status == "approved" else "return",
                "submitted",
                status,
                reviewer,
                approved,
            )
        )
    for action, before, after, user, at in steps:
        session.add(
            ActiveEvent(
                record_id=record.id, publisher=slug, obligation=item, period=period, at=at,
                actor="officer", user_id=user.id, action=action, from_status=before,
                to_status=after, data={"sample": True},
            )
        )  # fmt: skip
    return 1
