"""The operators with ``from_id_property`` / ``to_id_property``: rows= and sql= name records by key."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_hubassoc.emulator import EmulatorConfig, EmulatorServer
from airflow_provider_hubassoc.operators.associations import (
    HubSpotDeleteAssociationsOperator,
    HubSpotUpsertAssociationsOperator,
)
from tests.sync.test_keys import KEYED_SEED

C2C = {"from_object_type": "contacts", "to_object_type": "companies"}
KEYED = {"from_id_property": "email", "to_id_property": "domain"}


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(seed=json.loads(json.dumps(KEYED_SEED))), port=0) as server:
        monkeypatch.setenv(
            "AIRFLOW_CONN_HUBASSOC_DEFAULT",
            json.dumps(
                {
                    "conn_type": "hubassoc",
                    "host": server.url,
                    "password": "emulator-token",
                    "extra": {"requests_per_10s": 1000},
                }
            ),
        )
        yield server


def pairs(emulator: EmulatorServer) -> set[tuple[int, int]]:
    return {(p["fromObjectId"], p["toObjectId"]) for p in emulator.state.pairs("0-1", "0-2")}


def upsert(**kwargs: Any) -> dict[str, Any]:
    op = HubSpotUpsertAssociationsOperator(task_id="keyed", **C2C, **kwargs)
    return op.execute(context={})  # type: ignore[arg-type]


def test_key_parameters_are_template_fields() -> None:
    for cls in (HubSpotUpsertAssociationsOperator, HubSpotDeleteAssociationsOperator):
        assert {"from_id_property", "to_id_property", "on_ambiguous_match"} <= set(cls.template_fields)


def test_bad_on_ambiguous_match_fails_at_construction() -> None:
    with pytest.raises(ValueError, match="on_ambiguous_match"):
        HubSpotUpsertAssociationsOperator(task_id="t", rows=[], on_ambiguous_match="first", **C2C)


def test_rows_by_email_and_domain(emulator: EmulatorServer, tmp_path: Path) -> None:
    rows = [
        {"from_id": "Ada@Example.com", "to_id": "example.com"},
        {"from_id": "nobody@example.com", "to_id": "example.com"},
    ]
    report = tmp_path / "rejects.jsonl"
    with pytest.raises(AirflowFailException, match="1 of 2 rows rejected"):
        upsert(rows=rows, rejects_path=str(report), **KEYED)
    assert pairs(emulator) == {(101, 201)}
    entry = json.loads(report.read_text().splitlines()[0])
    assert entry["row"] == rows[1]
    assert entry["reason"] == "no contacts record has email 'nobody@example.com'"
    assert entry["kind"] == "unresolved_key"
    summary = upsert(rows=rows[:1], **KEYED)
    assert summary["unchanged"] == 1
    assert summary["lookups"] == 2


def test_sql_by_email_and_domain_with_mirror(
    emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "warehouse.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE links (email TEXT, domain TEXT)")
        conn.executemany(
            "INSERT INTO links VALUES (?, ?)",
            [
                ("ada@example.com", "example.com"),
                ("ada@example.com", "globex.com"),
                ("BOB@example.com", "www.initech.com"),
            ],
        )
    monkeypatch.setenv("AIRFLOW_CONN_TEST_WAREHOUSE", json.dumps({"conn_type": "sqlite", "host": str(path)}))
    params = {
        "sql": "SELECT email, domain FROM links ORDER BY email",
        "sql_conn_id": "test_warehouse",
        "from_id_field": "email",
        "to_id_field": "domain",
        "sql_chunk_size": 1,
        **KEYED,
    }
    summary = upsert(mode="mirror", max_deletes="100%", **params)
    assert summary["created"] == 3
    assert pairs(emulator) == {(101, 201), (101, 205), (102, 206)}
    before = _api_requests(emulator)
    again = upsert(mode="mirror", **params)
    assert again["unchanged"] == 3
    assert again["pruned"] == 0
    # the pre-check pass and the writing pass share the task's lookups: one per side
    assert again["lookups"] == 2
    # requests: what the task sent, both passes (the lookups were made in the pre-check)
    assert again["requests"] == _api_requests(emulator) - before
    assert again["lookups"] <= again["requests"]


def _api_requests(emulator: EmulatorServer) -> int:
    stats = requests.get(f"{emulator.url}/_emulator/stats", timeout=10).json()
    return sum(
        count
        for endpoint, by_status in stats["by_endpoint"].items()
        if "emulator" not in endpoint and "oauth" not in endpoint
        for count in by_status.values()
    )


def test_delete_by_keys(emulator: EmulatorServer) -> None:
    upsert(rows=[{"from_id": "ada@example.com", "to_id": "example.com"}], **KEYED)
    op = HubSpotDeleteAssociationsOperator(
        task_id="keyed_delete", rows=[{"from_id": "ADA@example.com", "to_id": "example.com"}], **C2C, **KEYED
    )
    assert op.execute(context={})["removed"] == 1  # type: ignore[arg-type]
    assert pairs(emulator) == set()
