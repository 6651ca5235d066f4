"""Fuzz every API operation from its OpenAPI document: never a server error (in process)."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from catalog.api import create_api
from catalog.api.limits import LimitSettings
from catalog.serve import make_app


@pytest.fixture(scope="module")
def api_schema(demo_build: Path):
    portal = make_app(demo_build)
    api = create_api(portal.current, limits=LimitSettings(None))
    # The transparency workspace's routes are fuzzed by its own tests.
    return schemathesis.openapi.from_asgi("/api/openapi.json", api).include(
        path_regex="^/api/(v1/(status|datasets|publishers|themes|territories)|3/action/)"
    )


def _check(case) -> None:
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
    kind = {k.lower(): v for k, v in response.headers.items()}.get("content-type", [""])
    if response.status_code != 304 and kind[0].startswith("application/json"):
        response.json()  # every JSON answer is JSON, errors included


def test_no_server_errors(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 30  # both faces are in the document
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=10,
            deadline=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case) -> None:
            _check(case)

        try:
            fuzz()
        except AssertionError as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert not failures, "\n".join(failures)
