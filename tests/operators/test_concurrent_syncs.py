"""Four mapped-task-like syncs share one portal's rate limit: 429s are absorbed, no row fails."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from airflow_provider_hubassoc.client.transport import TransportStats
from airflow_provider_hubassoc.emulator import EmulatorConfig, EmulatorServer
from airflow_provider_hubassoc.hooks.associations import HubSpotAssociationsHook
from airflow_provider_hubassoc.operators.associations import HubSpotUpsertAssociationsOperator

CONTACTS = range(1, 401)
COMPANIES = range(1000, 1020)
PORTAL_LIMIT = 20
WORKERS = 4


@pytest.fixture
def tight_portal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    seed: dict[str, Any] = {
        "contacts": [{"id": str(i)} for i in CONTACTS],
        "companies": [{"id": str(i)} for i in COMPANIES],
        "labels": [
            {
                "fromObjectType": "contacts",
                "toObjectType": "companies",
                "name": "consultant",
                "label": "Consultant",
            }
        ],
    }
    path = tmp_path / "warehouse.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE roles (contact_id INTEGER, company_id INTEGER, labels TEXT)")
        conn.executemany(
            "INSERT INTO roles VALUES (?, ?, 'Consultant')",
            [(c, COMPANIES[c % len(COMPANIES)]) for c in CONTACTS],
        )
    monkeypatch.setenv("AIRFLOW_CONN_TIGHT_WAREHOUSE", json.dumps({"conn_type": "sqlite", "host": str(path)}))
    config = EmulatorConfig(seed=seed, requests_per_10s=PORTAL_LIMIT)
    with EmulatorServer(config, port=0) as server:
        # every worker believes it may use the whole portal: they are not coordinated
        monkeypatch.setenv(
            "AIRFLOW_CONN_HUBASSOC_DEFAULT",
            json.dumps(
                {
                    "conn_type": "hubassoc",
                    "host": server.url,
                    "password": "emulator-token",
                    "extra": {"requests_per_10s": PORTAL_LIMIT, "max_retries": 8},
                }
            ),
        )
        yield server


def test_four_concurrent_syncs_share_one_portal_limit(
    tight_portal: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # each operator closes its hook when done: keep each client's counters as it is closed
    stats: list[TransportStats] = []
    real_close = HubSpotAssociationsHook.close

    def keep_stats(self: HubSpotAssociationsHook) -> None:
        if "client" in self.__dict__:
            stats.append(self.client.stats)
        real_close(self)

    monkeypatch.setattr(HubSpotAssociationsHook, "close", keep_stats)
    size = len(CONTACTS) // WORKERS
    operators = [
        HubSpotUpsertAssociationsOperator(
            task_id=f"partition_{n}",
            from_object_type="contacts",
            to_object_type="companies",
            sql=(
                "SELECT contact_id AS from_id, company_id AS to_id, labels FROM roles "
                f"WHERE contact_id BETWEEN {1 + n * size} AND {(n + 1) * size} ORDER BY contact_id"
            ),
            sql_conn_id="tight_warehouse",
            sql_chunk_size=34,  # 3 chunks: 1 label list + 3 reads + 3 creates per worker
            mode="replace",
        )
        for n in range(WORKERS)
    ]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        summaries = list(pool.map(lambda op: op.execute(context={}), operators))

    for summary in summaries:
        assert (summary["rows"], summary["created"], summary["rejected"]) == (size, size, 0)
    consultant = next(
        int(t["typeId"]) for t in tight_portal.state.list_labels("0-1", "0-2") if t["label"] == "Consultant"
    )
    pairs = {
        (p["fromObjectId"], p["toObjectId"]): set(p["typeIds"])
        for p in tight_portal.state.pairs("0-1", "0-2")
    }
    assert set(pairs) == {(c, COMPANIES[c % len(COMPANIES)]) for c in CONTACTS}
    assert all(consultant in types for types in pairs.values())

    # the portal really was contended, and every 429 the emulator sent was absorbed by a retry
    assert len(stats) == WORKERS
    sent_429 = sum(
        count
        for endpoint, by_status in requests.get(tight_portal.url + "/_emulator/stats", timeout=10)
        .json()["by_endpoint"]
        .items()
        if "emulator" not in endpoint
        for status, count in by_status.items()
        if status == "429"
    )
    assert sum(s.rate_limited for s in stats) == sent_429
    assert sum(s.retries for s in stats) >= sent_429
    assert sent_429 > 0 or sum(s.throttled_seconds for s in stats) > 0
    print(
        f"429s: {sent_429}, requests: {sum(s.requests for s in stats)}, "
        f"throttled: {sum(s.throttled_seconds for s in stats):.1f}s"
    )
