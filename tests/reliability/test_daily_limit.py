"""HubSpot's daily limit fails the task at once, and the rejects report still accounts for every row."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_hubassoc.operators.associations import HubSpotUpsertAssociationsOperator
from tests.benchmarks.support import EmulatorProcess, api_requests, connection_json
from tests.reliability.conftest import company, scenario_rows

CONTACTS = list(range(5_000_001, 5_003_001))  # 3,000 contacts x 4 rows = 12,000 rows


@pytest.mark.parametrize(
    ("daily_limit", "written"),
    [
        (2, False),  # the labels GET and one batch read: the limit hits while reading
        (8, True),  # labels GET, 3 batch reads, 4 writes: the limit hits halfway through the writes
    ],
)
def test_daily_limit_fails_at_once_and_accounts_for_every_row(
    emulator_factory: Callable[..., EmulatorProcess],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    daily_limit: int,
    written: bool,
) -> None:
    emu = emulator_factory(["--daily-limit", str(daily_limit)])
    monkeypatch.setenv(
        "AIRFLOW_CONN_HUBASSOC_DEFAULT", connection_json(emu.url, requests_per_10s=10_000, max_retries=5)
    )
    bad = {"from_id": "x", "to_id": "1"}
    rows = [*scenario_rows(CONTACTS), bad]
    report = tmp_path / "rejects.jsonl"
    operator = HubSpotUpsertAssociationsOperator(
        task_id="daily",
        from_object_type="contacts",
        to_object_type="companies",
        rows=rows,
        rejects_path=str(report),
        max_rejected_ratio=1.0,
    )
    with pytest.raises(AirflowFailException, match="daily API limit") as raised:
        operator.execute(context={})  # type: ignore[arg-type]
    message = str(raised.value)
    assert "daily limit reached" in message

    stats = emu.stats()
    # at once: the request that hit the limit is the last one; no retry of a DAILY 429
    assert api_requests(stats) == daily_limit + 1
    assert stats["by_status"].get("429") == 1

    entries = [json.loads(line) for line in report.read_text().splitlines()]
    by_index = {entry["index"]: entry for entry in entries}
    assert len(by_index) == len(entries)
    assert by_index[len(rows) - 1]["kind"] == "validation"
    limited = [e for e in entries if e["kind"] == "daily_limit"]
    assert all(e["reason"].startswith("daily limit reached") for e in limited)
    pairs = emu.pairs()
    # every row is accounted for: in the report (not written), or written to HubSpot
    for index, row in enumerate(rows[:-1]):
        pair = (row["from_id"], row["to_id"])
        if index in by_index:
            assert by_index[index]["kind"] == "daily_limit"
        else:
            assert written
            assert pair in pairs, pair
    if written:
        assert 0 < len(limited) < len(rows) - 1
        assert f"{len(limited)} of {len(rows)} rows were not written" in message
    else:
        assert len(limited) == len(rows) - 1
        assert not any((str(c), company("B", c)) in pairs for c in CONTACTS)


def test_daily_limit_in_a_sql_stream_accounts_for_every_row(
    emulator_factory: Callable[..., EmulatorProcess],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rows streamed from SQL that the limit leaves unread are drained and reported, not lost."""
    import sqlite3

    emu = emulator_factory(["--daily-limit", "6"])
    monkeypatch.setenv(
        "AIRFLOW_CONN_HUBASSOC_DEFAULT", connection_json(emu.url, requests_per_10s=10_000, max_retries=5)
    )
    rows = scenario_rows(CONTACTS)
    database = tmp_path / "warehouse.db"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE links (n INTEGER, from_id TEXT, to_id TEXT, labels TEXT)")
        db.executemany(
            "INSERT INTO links VALUES (?, ?, ?, ?)",
            [
                (n, row["from_id"], row["to_id"], json.dumps(row.get("labels") or []))
                for n, row in enumerate(rows)
            ],
        )
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", json.dumps({"conn_type": "sqlite", "host": str(database)}))
    report = tmp_path / "rejects.jsonl"
    operator = HubSpotUpsertAssociationsOperator(
        task_id="daily_sql",
        from_object_type="contacts",
        to_object_type="companies",
        sql="SELECT from_id, to_id, labels FROM links ORDER BY n",
        sql_conn_id="warehouse",
        sql_chunk_size=2_000,
        rejects_path=str(report),
        max_rejected_ratio=1.0,
    )
    with pytest.raises(AirflowFailException, match="daily API limit") as raised:
        operator.execute(context={})  # type: ignore[arg-type]
    assert f"of {len(rows)} rows were not written" in str(raised.value)
    assert api_requests(emu.stats()) == 7  # the sixth request was the last answered; no retry

    entries = [json.loads(line) for line in report.read_text().splitlines()]
    reported = {entry["index"] for entry in entries}
    assert all(entry["kind"] == "daily_limit" for entry in entries)
    assert any("not attempted" in entry["reason"] for entry in entries), "unread rows are drained"
    pairs = emu.pairs()
    written = [i for i, row in enumerate(rows) if i not in reported]
    assert written, "the chunks before the limit were written"
    for index in written:
        assert (rows[index]["from_id"], rows[index]["to_id"]) in pairs
    assert len(reported) + len(written) == len(rows)
