"""The operators' ``sql=`` source: rows streamed from SQLite through ``common.sql``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from airflow.providers.sqlite.hooks.sqlite import SqliteHook
from airflow.sdk import DAG
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_hubassoc.operators.associations import (
    HubSpotDeleteAssociationsOperator,
    HubSpotUpsertAssociationsOperator,
)
from tests.operators.conftest import Emulator

UNL, PRIMARY = 279, 1
C2C = {"from_object_type": "contacts", "to_object_type": "companies"}


class CountingCursor:
    """Wraps a sqlite3 cursor; records every fetchmany size and how many rows it returned."""

    def __init__(self, cursor: sqlite3.Cursor, log: list[tuple[int, int]]) -> None:
        self._cursor = cursor
        self._log = log

    def fetchmany(self, size: int) -> list[Any]:
        rows = self._cursor.fetchmany(size)
        self._log.append((size, len(rows)))
        return rows

    def fetchall(self) -> list[Any]:
        raise AssertionError("the operator must not fetchall")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


class CountingConnection:
    def __init__(self, conn: sqlite3.Connection, log: list[tuple[int, int]]) -> None:
        self._conn = conn
        self._log = log

    def cursor(self) -> CountingCursor:
        return CountingCursor(self._conn.cursor(), self._log)

    def close(self) -> None:
        self._conn.close()


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "warehouse.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE roles (contact_id INTEGER, company_id INTEGER, roles TEXT)")
        conn.executemany(
            "INSERT INTO roles VALUES (?, ?, ?)",
            [
                (1, 10, "Consultant"),  # one label
                (1, 11, "Consultant;Billing contact"),  # delimited
                (2, 20, '["Billing contact"]'),  # JSON array
                (3, 21, None),  # no label: default association
                (4, 22, "Nope"),  # unknown label: rejected
                (5, 99, "Consultant"),  # company 99 does not exist in the portal: rejected by HubSpot
                (6, 23, None),
                (7, 24, "Consultant"),
            ],
        )
    monkeypatch.setenv("AIRFLOW_CONN_TEST_WAREHOUSE", json.dumps({"conn_type": "sqlite", "host": str(path)}))
    return path


@pytest.fixture
def fetches(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    log: list[tuple[int, int]] = []
    original = SqliteHook.get_conn

    def get_conn(self: SqliteHook) -> CountingConnection:
        return CountingConnection(original(self), log)

    monkeypatch.setattr(SqliteHook, "get_conn", get_conn)
    return log


QUERY = "SELECT contact_id, company_id, roles FROM roles ORDER BY contact_id, company_id"
FIELDS = {"from_id_field": "contact_id", "to_id_field": "company_id", "labels_field": "roles"}


def sql_upsert(**kwargs: Any) -> dict[str, Any]:
    params = {"sql": QUERY, "sql_conn_id": "test_warehouse", **FIELDS, **kwargs}
    op = HubSpotUpsertAssociationsOperator(task_id="sql_upsert", **C2C, **params)
    return op.execute(context={})  # type: ignore[arg-type]


def test_sql_rows_are_fetched_in_chunks_and_synced(
    emulator: Emulator, warehouse: Path, fetches: list[tuple[int, int]], tmp_path: Path
) -> None:
    report = tmp_path / "rejects.jsonl"
    summary = sql_upsert(mode="replace", sql_chunk_size=3, max_rejected_ratio=0.5, rejects_path=str(report))
    # 8 rows in fetchmany(3) batches: 3 + 3 + 2, then an empty fetch
    assert fetches == [(3, 3), (3, 3), (3, 2), (3, 0)]
    assert summary["rows"] == 8
    assert (summary["created"], summary["updated"], summary["rejected"]) == (4, 2, 2)
    consultant, billing = emulator.label_id("Consultant"), emulator.label_id("Billing contact")
    pairs = emulator.pairs()
    assert pairs[(1, 10)] == {UNL, PRIMARY, consultant}
    assert pairs[(1, 11)] == {UNL, consultant, billing}
    assert pairs[(2, 20)] == {UNL, PRIMARY, billing}
    assert pairs[(3, 21)] == {UNL, PRIMARY}
    lines = [json.loads(line) for line in report.read_text().splitlines()]
    assert [(e["index"], e["kind"]) for e in lines] == [(4, "unknown_label"), (5, "hubspot")]
    assert lines[0]["row"] == {"contact_id": 4, "company_id": 22, "roles": "Nope"}
    again = sql_upsert(mode="replace", sql_chunk_size=3, max_rejected_ratio=0.5)
    assert (again["unchanged"], again["rejected"]) == (6, 2)


def test_too_many_rejected_fails_after_writing(emulator: Emulator, warehouse: Path) -> None:
    with pytest.raises(AirflowFailException, match="2 of 8 rows rejected"):
        sql_upsert(mode="append", sql_chunk_size=100)
    assert (7, 24) in emulator.pairs()


def test_mirror_needs_rows_grouped_and_prechecks_before_writing(emulator: Emulator, warehouse: Path) -> None:
    with sqlite3.connect(warehouse) as conn:
        conn.executemany("INSERT INTO roles VALUES (?, ?, NULL)", [(1, 25), (2, 15)])
    # by company: 1/10, 1/11, 2/15, 2/20, 1/25 → contact 1 reappears after contact 2
    unordered = "SELECT contact_id, company_id FROM roles WHERE contact_id IN (1, 2) ORDER BY company_id"
    before = emulator.pairs()
    with pytest.raises(AirflowFailException, match="ORDER BY contact_id") as err:
        sql_upsert(mode="mirror", sql=unordered, sql_chunk_size=1)
    assert "contact_id 1 reappears at row 4" in str(err.value)
    assert emulator.pairs() == before  # the dry-run pre-check stopped it before any write
    ordered = "SELECT contact_id, company_id FROM roles WHERE contact_id IN (1, 2) ORDER BY contact_id"
    summary = sql_upsert(mode="mirror", sql=ordered, sql_chunk_size=1, max_deletes=1)
    assert (summary["created"], summary["unchanged"], summary["pruned"]) == (3, 2, 1)
    pairs = emulator.pairs()
    assert {p for p in pairs if p[0] in (1, 2)} == {(1, 10), (1, 11), (1, 25), (2, 15), (2, 20)}


def test_mirror_guard_counts_across_chunks(emulator: Emulator, warehouse: Path) -> None:
    # contact 1 has 10, 11, 12 in the portal; the query keeps only 10 → 2 removals
    query = "SELECT contact_id, company_id FROM roles WHERE contact_id = 1 AND company_id = 10"
    before = emulator.pairs()
    with pytest.raises(AirflowFailException, match="more than max_deletes=1"):
        sql_upsert(mode="mirror", sql=query, max_deletes=1)
    assert emulator.pairs() == before
    summary = sql_upsert(mode="mirror", sql=query, max_deletes=2)
    assert summary["pruned"] == 2


def test_sql_parameters_templates_and_sql_files(emulator: Emulator, warehouse: Path, tmp_path: Path) -> None:
    (tmp_path / "roles.sql").write_text(
        "SELECT contact_id, company_id, roles FROM roles WHERE contact_id <= {{ params.max_contact }} "
        "AND company_id >= ? ORDER BY contact_id"
    )
    with DAG("sql_file_dag", schedule=None, template_searchpath=[str(tmp_path)]):
        op = HubSpotUpsertAssociationsOperator(
            task_id="from_file",
            **C2C,
            sql="roles.sql",
            sql_conn_id="test_warehouse",
            sql_parameters=[11],
            **FIELDS,
        )
    assert ".sql" in op.template_ext
    assert {"sql", "sql_conn_id", "sql_parameters"} <= set(op.template_fields)
    op.render_template_fields(context={"params": {"max_contact": 2}})  # type: ignore[arg-type]
    assert op.sql is not None
    assert "contact_id <= 2" in op.sql
    summary = op.execute(context={})  # type: ignore[arg-type]
    assert summary["rows"] == 2  # (1, 11) and (2, 20)


def test_exactly_one_of_rows_and_sql() -> None:
    with pytest.raises(ValueError, match="exactly one of rows"):
        HubSpotUpsertAssociationsOperator(task_id="both", **C2C, rows=[], sql="SELECT 1", sql_conn_id="x")
    with pytest.raises(ValueError, match="neither"):
        HubSpotUpsertAssociationsOperator(task_id="neither", **C2C)
    with pytest.raises(ValueError, match="needs sql_conn_id"):
        HubSpotDeleteAssociationsOperator(task_id="noconn", **C2C, sql="SELECT 1")
    with pytest.raises(ValueError, match="without sql"):
        HubSpotDeleteAssociationsOperator(task_id="conn", **C2C, rows=[], sql_conn_id="x")
    with pytest.raises(ValueError, match="sql_chunk_size"):
        HubSpotUpsertAssociationsOperator(
            task_id="c", **C2C, sql="SELECT 1", sql_conn_id="x", sql_chunk_size=0
        )


def test_non_sql_connection_is_refused(emulator: Emulator) -> None:
    with pytest.raises(AirflowFailException, match=r"not a common\.sql DbApiHook"):
        sql_upsert(sql_conn_id="hubassoc_default")


def test_delete_from_sql(emulator: Emulator, warehouse: Path, fetches: list[tuple[int, int]]) -> None:
    sql_upsert(mode="append", max_rejected_ratio=0.5)
    op = HubSpotDeleteAssociationsOperator(
        task_id="sql_delete",
        **C2C,
        sql="SELECT contact_id AS from_id, company_id AS to_id FROM roles WHERE contact_id IN (6, 7)",
        sql_conn_id="test_warehouse",
        sql_chunk_size=1,
        labels=["Consultant"],
    )
    fetches.clear()
    summary = op.execute(context={})  # type: ignore[arg-type]
    assert fetches == [(1, 1), (1, 1), (1, 0)]
    assert (summary["mode"], summary["removed"], summary["unchanged"]) == ("delete", 1, 1)
    assert emulator.label_id("Consultant") not in emulator.pairs()[(7, 24)]
