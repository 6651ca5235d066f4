"""JSON endpoints of the transparency workspace, mounted in the API under ``/api/v1/``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
