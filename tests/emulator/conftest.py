"""Shared fixtures: emulators on free loopback ports and a small authenticated HTTP helper."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from airflow_provider_hubassoc.emulator import EmulatorConfig, EmulatorServer

TOKEN = "emulator-token"

#: A small portal: ids are easy to read in assertions.
TEST_SEED: dict[str, Any] = {
    "contacts": [{"id": str(i), "properties": {"email": f"c{i}@example.com"}} for i in range(101, 121)],
    "companies": [{"id": str(i), "properties": {"domain": f"co{i}.example.com"}} for i in range(201, 211)],
    "deals": [{"id": str(i)} for i in range(301, 306)],
    "tickets": [{"id": str(i)} for i in range(401, 404)],
    "notes": [{"id": "501"}],
    "2-123": [{"id": "1"}, {"id": "2"}],
}

#: Runtime settings every test starts from (the shared server is reconfigured back to these).
DEFAULT_RUNTIME: dict[str, Any] = {
    "requests_per_10s": None,
    "daily_limit": None,
    "retry_after": False,
    "faults": None,
    "fault_seed": 0,
    "fault_delay_seconds": 35.0,
    "page_size": 500,
    "label_writes": "set",
    "auto_create_records": False,
}


class Api:
    """``requests.Session`` bound to an emulator URL with a bearer token.

    :param base_url: Emulator base URL.
    :param token: Bearer token, or ``None`` for no ``Authorization`` header.
    """

    def __init__(self, base_url: str, token: str | None = TOKEN) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        if token is not None:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.base_url + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, json=body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, json=body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    # Helpers for the common calls.
    def batch_create(
        self, from_t: str, to_t: str, rows: list[tuple[Any, Any, list[int]]]
    ) -> requests.Response:
        inputs = [
            {
                "from": {"id": str(a)},
                "to": {"id": str(b)},
                "types": [{"associationCategory": _category(t), "associationTypeId": t} for t in types],
            }
            for a, b, types in rows
        ]
        return self.post(f"/crm/v4/associations/{from_t}/{to_t}/batch/create", {"inputs": inputs})

    def type_ids(self, from_t: str, from_id: Any, to_t: str) -> dict[int, list[int]]:
        """``{toObjectId: sorted typeIds}`` read through the public GET endpoint."""
        resp = self.get(f"/crm/v4/objects/{from_t}/{from_id}/associations/{to_t}")
        assert resp.status_code == 200, resp.text
        return {
            r["toObjectId"]: sorted(t["typeId"] for t in r["associationTypes"])
            for r in resp.json()["results"]
        }


def _category(type_id: int) -> str:
    return "HUBSPOT_DEFINED" if type_id < 1000 else "USER_DEFINED"


@pytest.fixture(scope="session")
def shared_emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(seed=TEST_SEED)) as server:
        yield server


@pytest.fixture
def emulator(shared_emulator: EmulatorServer) -> EmulatorServer:
    """The shared seeded emulator, reset to the seed and to default runtime settings."""
    shared_emulator.runtime.reconfigure(dict(DEFAULT_RUNTIME))
    shared_emulator.reset()
    return shared_emulator


@pytest.fixture
def api(emulator: EmulatorServer) -> Api:
    return Api(emulator.url)


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., EmulatorServer]]:
    """Start extra emulators with their own config; all are stopped after the test."""
    started: list[EmulatorServer] = []

    def factory(**config: Any) -> EmulatorServer:
        config.setdefault("seed", TEST_SEED)
        server = EmulatorServer(EmulatorConfig(**config)).start()
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()
