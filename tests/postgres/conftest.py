"""The SQL source against a real PostgreSQL server (``make test-postgres``).

Opt-in: unless ``HUBASSOC_POSTGRES_TESTS=1`` is set, pytest ignores this folder during collection
and says so in its header, so ``make test`` needs no PostgreSQL. ``make test-postgres`` installs
Debian's ``postgresql`` when missing and the ``postgres`` extra, then runs these tests; the session
fixture starts a cluster of its own in a temporary directory and stops it at the end.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.postgres.server import PostgresServer, postgres_server

ENABLED = os.environ.get("HUBASSOC_POSTGRES_TESTS") == "1"
if not ENABLED:
    collect_ignore_glob = ["*"]


def pytest_report_header() -> str:
    return (
        "tests/postgres: on (a throwaway PostgreSQL cluster)"
        if ENABLED
        else "tests/postgres: not run here (needs PostgreSQL: make test-postgres runs them)"
    )


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture
def warehouse(postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> PostgresServer:
    monkeypatch.setenv("AIRFLOW_CONN_PG_WAREHOUSE", postgres.connection_json())
    return postgres
