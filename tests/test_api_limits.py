"""Rate limits per client, API keys for higher limits, and their settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from limits import parse
from test_api import api_client

from catalog.api.limits import LimitSettings, settings_from_env
from catalog.errors import CatalogError


def test_anonymous_clients_get_429_with_retry_after(demo_build: Path):
    client = api_client(demo_build, LimitSettings(parse("3/minute")))
    answers = [client.get("/api/v1/status") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[-1].headers["x-ratelimit-limit"] == "3"
    assert answers[-1].headers["x-ratelimit-remaining"] == "0"
    refused = client.get("/api/v1/status")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["error"]["type"] == "rate-limited"
    assert "3 per 1 minute" in refused.json()["error"]["message"]
    ckan = client.get("/api/3/action/package_list", headers={"Accept-Language": "en"})
    assert ckan.status_code == 429
    assert (
        ckan.json()["success"] is False and "Too many requests" in ckan.json()["error"]["message"]
    )


def test_api_keys_get_their_own_higher_limit(demo_build: Path):
    limits = LimitSettings(parse("1/minute"), {"clave-buena": parse("50/minute")})
    client = api_client(demo_build, limits)
    assert client.get("/api/v1/status").status_code == 200
    assert client.get("/api/v1/status").status_code == 429
    for header in ({"X-API-Key": "clave-buena"}, {"Authorization": "Bearer clave-buena"}):
        response = client.get("/api/v1/status", headers=header)
        assert response.status_code == 200 and response.headers["x-ratelimit-limit"] == "50"
    wrong = client.get("/api/v1/status", headers={"X-API-Key": "clave-mala"})
    assert wrong.status_code == 403 and wrong.json()["error"]["type"] == "forbidden"
    # Another token in Authorization (an officer's) is not taken for an API key.
    other = client.get("/api/v1/status", headers={"Authorization": "Bearer token-de-oficial"})
    assert other.status_code == 429


def test_settings_from_the_environment():
    settings = settings_from_env(
        {
            "CATALOG_API_RATE_LIMIT": "10/second",
            "CATALOG_API_KEYS": "a, b=9/hour",
            "CATALOG_API_KEY_RATE_LIMIT": "100/minute",
        }
    )
    assert settings.anonymous == parse("10/second")
    assert settings.keys == {"a": parse("100/minute"), "b": parse("9/hour")}
    assert settings_from_env({"CATALOG_API_RATE_LIMIT": "off"}).anonymous is None
    assert settings_from_env({}).anonymous == parse("300/minute")
    with pytest.raises(CatalogError) as error:
        settings_from_env({"CATALOG_API_RATE_LIMIT": "muchas"})
    assert "CATALOG_API_RATE_LIMIT" in str(error.value)


def test_a_query_is_interrupted_at_its_time_limit(tmp_path):
    """The time limit is a timer calling interrupt(), not Python code in SQLite's loop."""
    import sqlite3

    import pytest

    from catalog.api.datastore import TimedConnection

    path = tmp_path / "t.db"
    sqlite3.connect(path).close()
    conn = sqlite3.connect(path, factory=TimedConnection, check_same_thread=False)
    conn.stop_after(0.2)
    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n"
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        conn.execute(endless).fetchall()
    conn.close()  # cancels nothing left, never raises
    quick = sqlite3.connect(path, factory=TimedConnection, check_same_thread=False)
    quick.stop_after(60)
    assert quick.execute("SELECT 1").fetchone() == (1,)
    quick.close()  # the pending timer is cancelled with the connection
    assert not quick._timer.is_alive() or quick._timer.finished.is_set()
