"""Shared fixtures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


def run_catalog(
    *args: str, lang: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """Run the real ``catalog`` command in a subprocess, as a user would."""
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = "C.UTF-8"
    if lang:
        env["LANGUAGE"] = lang
    return subprocess.run(
        [sys.executable, "-m", "catalog", *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env=env,
        timeout=600,
    )


@pytest.fixture
def catalog_cmd():
    return run_catalog
