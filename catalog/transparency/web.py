"""The transparency workspace's web pages, served under ``/transparencia/``."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette


def create_app(build_dir: Path) -> Starlette:
    """The ASGI app of the workspace pages."""
    return Starlette()
