"""Demo data of the workspace (``make run``): an officer and sample requests.

Deterministic and clearly fictitious; never for a real deployment.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select

from catalog import clock
from catalog.transparency import accounts
from catalog.transparency.models import InfoRequest, User
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
    act(code, "assign", officer, at=at + timedelta(hours=2))
    fate = rng.random()
    try:
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
