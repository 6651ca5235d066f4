"""Fuzz the two active-transparency routes from the OpenAPI document, over the hand-made
release of test_fulfilment: never a server error."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from test_fulfilment import DATASETS, GENERATED, PUBLISHERS

from catalog.api import create_api
from catalog.api.limits import LimitSettings
from catalog.release.layout import ReleaseFolder
from catalog.release.reader import Release


def test_no_server_errors(tmp_path: Path):
    release = Release(
        folder=ReleaseFolder(tmp_path / "r1"),
        index={"generated": GENERATED, "datasets": DATASETS, "publishers": PUBLISHERS},
    )
    api = create_api(lambda: release, limits=LimitSettings(None))
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", api).include(
        path_regex="^/api/v1/(transparency/obligations|publishers/\\{slug\\}/compliance)$"
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 2
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=60,
            deadline=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case) -> None:
            response = case.call()
            assert response.status_code < 500, (case.path, case.query, response.text[:300])
            response.json()

        fuzz()
