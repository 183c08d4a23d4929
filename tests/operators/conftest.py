from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from airflow_provider_hubassoc.emulator import EmulatorConfig, EmulatorServer
from tests.seeds import CONTACT_COMPANY_LABELS

SEED: dict[str, Any] = {
    "contacts": [{"id": str(i)} for i in range(1, 10)],
    "companies": [{"id": str(i)} for i in range(10, 30)],
    "deals": [{"id": "500"}],
    "labels": [dict(label) for label in CONTACT_COMPANY_LABELS],
    "associations": [
        # contact 1: company 10 (becomes Primary), 11, 12
        {"fromObjectType": "contacts", "fromObjectId": 1, "toObjectType": "companies", "toObjectId": 10},
        {"fromObjectType": "contacts", "fromObjectId": 1, "toObjectType": "companies", "toObjectId": 11},
        {"fromObjectType": "contacts", "fromObjectId": 1, "toObjectType": "companies", "toObjectId": 12},
    ],
}


class Emulator:
    def __init__(self, server: EmulatorServer) -> None:
        self.server = server

    def pairs(self, from_type: str = "0-1", to_type: str = "0-2") -> dict[tuple[int, int], set[int]]:
        return {
            (p["fromObjectId"], p["toObjectId"]): set(p["typeIds"])
            for p in self.server.state.pairs(from_type, to_type)
        }

    def label_id(self, label: str, from_type: str = "0-1", to_type: str = "0-2") -> int:
        for item in self.server.state.list_labels(from_type, to_type):
            if item["label"] == label:
                return int(item["typeId"])
        raise KeyError(label)

    def stats(self) -> dict[str, dict[str, int]]:
        return requests.get(self.server.url + "/_emulator/stats", timeout=10).json()["by_endpoint"]

    def write_calls(self) -> int:
        # every HubSpot endpoint except the two reads the sync makes (emulator-only routes excluded)
        reads = {"batch_read", "labels_get"}
        return sum(
            sum(v.values())
            for k, v in self.stats().items()
            if k not in reads and "emulator" not in k and "stats" not in k and "config" not in k
        )


@pytest.fixture(params=["set", "add"])
def emulator(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    config = EmulatorConfig(label_writes=request.param, seed=json.loads(json.dumps(SEED)))
    with EmulatorServer(config, port=0) as server:
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
        yield Emulator(server)
