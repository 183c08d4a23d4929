"""The operators' ``sql=`` source against a real PostgreSQL server (``apache-airflow-providers-postgres``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from airflow_provider_hubassoc._compat import AirflowFailException
from airflow_provider_hubassoc.emulator import EmulatorConfig, EmulatorServer
from airflow_provider_hubassoc.operators._sql import SERVER_SIDE_CURSOR_NAME, get_dbapi_hook, iter_sql_rows
from airflow_provider_hubassoc.operators.associations import HubSpotUpsertAssociationsOperator
from tests.postgres.server import PostgresServer

ROWS = 50_000
C2C = {"from_object_type": "contacts", "to_object_type": "companies"}


def _execute(sql: str) -> None:
    hook = get_dbapi_hook("pg_warehouse")
    hook.run(sql, autocommit=True)


@pytest.fixture
def roles(warehouse: PostgresServer) -> PostgresServer:
    _execute(
        "DROP TABLE IF EXISTS roles; "
        "CREATE TABLE roles (contact_id BIGINT, company_id BIGINT, roles TEXT); "
        f"INSERT INTO roles SELECT 1000000 + g / 5, 2000000 + g % 97, "
        "CASE WHEN g % 3 = 0 THEN 'Consultant' END "
        f"FROM generate_series(0, {ROWS - 1}) AS g"
    )
    return warehouse


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(auto_create_records=True), port=0) as server:
        monkeypatch.setenv(
            "AIRFLOW_CONN_HUBASSOC_DEFAULT",
            json.dumps({"conn_type": "hubassoc", "host": server.url, "password": "emulator-token"}),
        )
        yield server


def _activity(server: PostgresServer) -> list[str]:
    """The statements other sessions of the database are running or last ran."""
    import psycopg2

    with (
        psycopg2.connect(
            host=server.host, port=server.port, user=server.user, dbname=server.database
        ) as conn,
        conn.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT query FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (server.database,),
        )
        return [str(row[0]) for row in cursor.fetchall()]


def test_rows_stream_through_a_server_side_cursor_in_chunks(roles: PostgresServer) -> None:
    hook = get_dbapi_hook("pg_warehouse")
    assert type(hook).__name__ == "PostgresHook"
    with hook.get_conn() as probe:
        assert type(probe).__module__.split(".")[0] in ("psycopg", "psycopg2")  # 7.x: psycopg 3
    fetches: list[int] = []
    rows = iter_sql_rows(
        hook,
        "SELECT contact_id, company_id, roles FROM roles ORDER BY contact_id",
        chunk_size=1000,
        on_fetch=fetches.append,
    )
    first = next(rows)
    assert set(first) == {"contact_id", "company_id", "roles"}
    # while the generator holds its first chunk, the server runs a named cursor that it fetches from
    statements = " ".join(_activity(roles))
    assert SERVER_SIDE_CURSOR_NAME in statements
    assert "FETCH" in statements.upper()
    assert fetches == [1000]
    count = 1 + sum(1 for _ in rows)
    assert count == ROWS
    assert fetches == [1000] * (ROWS // 1000) + [0]


def test_mirror_refuses_rows_not_grouped_by_the_from_id(
    roles: PostgresServer, emulator: EmulatorServer
) -> None:
    op = HubSpotUpsertAssociationsOperator(
        task_id="mirror_unordered",
        **C2C,
        # odd companies first, then even ones: every contact comes back in the second half
        sql="SELECT contact_id, company_id FROM roles WHERE contact_id < 1000010 "
        "ORDER BY company_id % 2, contact_id",
        sql_conn_id="pg_warehouse",
        from_id_field="contact_id",
        to_id_field="company_id",
        mode="mirror",
        sql_chunk_size=7,
    )
    with pytest.raises(AirflowFailException, match="ORDER BY contact_id"):
        op.execute(context={})  # type: ignore[arg-type]
    assert emulator.state.pairs("0-1", "0-2") == []  # the pre-check stopped it before any write


def test_a_sync_from_postgres_writes_every_row(roles: PostgresServer, emulator: EmulatorServer) -> None:
    op = HubSpotUpsertAssociationsOperator(
        task_id="upsert",
        **C2C,
        sql="SELECT contact_id, company_id FROM roles WHERE contact_id < 1000200 ORDER BY contact_id",
        sql_conn_id="pg_warehouse",
        from_id_field="contact_id",
        to_id_field="company_id",
        mode="append",
        sql_chunk_size=100,
    )
    summary: dict[str, Any] = op.execute(context={})  # type: ignore[arg-type]
    assert (summary["rows"], summary["created"], summary["rejected"]) == (1000, 1000, 0)
    assert len(emulator.state.pairs("0-1", "0-2")) == 1000


def test_a_bad_query_fails_with_the_server_error(roles: PostgresServer) -> None:
    rows = iter_sql_rows(get_dbapi_hook("pg_warehouse"), "SELECT contact_id FROM no_such_table")
    with pytest.raises(Exception, match='relation "no_such_table" does not exist'):
        next(rows)
