"""Seeded fault injection: every kind, not applied (except delay), reproducible from a seed."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import requests

from airflow_provider_hubassoc.emulator import EmulatorServer
from airflow_provider_hubassoc.emulator.faults import FaultInjector, parse_fault_spec
from tests.emulator.conftest import Api

PUT_PATH = "/crm/v4/objects/contacts/101/associations/companies/201"
UNLABELED = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}]


@pytest.mark.parametrize(("kind", "status"), [("500", 500), ("502", 502), ("503", 503), ("504", 504)])
def test_server_error_faults_are_not_applied(
    api: Api, emulator: EmulatorServer, kind: str, status: int
) -> None:
    emulator.runtime.reconfigure({"faults": f"{kind}=1"})
    resp = api.put(PUT_PATH, UNLABELED)
    assert resp.status_code == status
    assert resp.json()["status"] == "error"
    assert emulator.state.pairs("0-1", "0-2") == []
    assert requests.get(emulator.url + "/_emulator/stats", timeout=10).json()["faults"] == {kind: 1}


def test_429_fault(api: Api, emulator: EmulatorServer) -> None:
    emulator.runtime.reconfigure({"faults": "429=1", "retry_after": True})
    resp = api.put(PUT_PATH, UNLABELED)
    assert resp.status_code == 429
    assert resp.json()["policyName"] == "TEN_SECONDLY_ROLLING"
    assert resp.json()["errorType"] == "RATE_LIMIT"
    assert resp.headers["Retry-After"] == "1"
    assert emulator.state.pairs("0-1", "0-2") == []
    emulator.runtime.reconfigure({"faults": "429=1", "retry_after": False})
    assert "Retry-After" not in api.put(PUT_PATH, UNLABELED).headers


def test_reset_fault_closes_connection_without_response(api: Api, emulator: EmulatorServer) -> None:
    emulator.runtime.reconfigure({"faults": "reset=1"})
    with pytest.raises(requests.exceptions.ConnectionError):
        api.put(PUT_PATH, UNLABELED)
    assert emulator.state.pairs("0-1", "0-2") == []
    emulator.runtime.reconfigure({"faults": None})
    # the server is fine afterwards, and the session reconnects
    assert api.put(PUT_PATH, UNLABELED).status_code == 201
    stats = requests.get(emulator.url + "/_emulator/stats", timeout=10).json()
    assert stats["by_endpoint"]["create"] == {"201": 1, "reset": 1}


def test_delay_fault_times_out_then_applies(api: Api, emulator: EmulatorServer) -> None:
    emulator.runtime.reconfigure({"faults": "delay=1", "fault_delay_seconds": 1.0})
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.put(PUT_PATH, UNLABELED, timeout=0.3)
    assert emulator.state.pairs("0-1", "0-2") == []
    deadline = started + 5
    while not emulator.state.pairs("0-1", "0-2") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert emulator.state.pairs("0-1", "0-2") == [
        {"fromObjectId": 101, "toObjectId": 201, "typeIds": [1, 279]}
    ]
    assert time.monotonic() - started >= 0.9


def test_delay_fault_answers_a_patient_client(api: Api, emulator: EmulatorServer) -> None:
    emulator.runtime.reconfigure({"faults": "delay=1", "fault_delay_seconds": 0.3})
    started = time.monotonic()
    resp = api.put(PUT_PATH, UNLABELED, timeout=5)
    assert resp.status_code == 201
    assert time.monotonic() - started >= 0.3


def test_row_error_fault(api: Api, emulator: EmulatorServer) -> None:
    emulator.runtime.reconfigure({"faults": "row_error=0.5", "fault_seed": 7})
    rows = [(101 + i, 201, [279]) for i in range(20)]
    resp = api.batch_create("contacts", "companies", rows)
    assert resp.status_code == 207
    body = resp.json()
    failed = {int(e["context"]["fromObjectId"][0]) for e in body["errors"]}
    applied = {r["fromObjectId"] for r in body["results"]}
    assert failed
    assert applied
    assert failed | applied == {101 + i for i in range(20)}
    assert not failed & applied
    assert all(e["category"] == "INTERNAL_ERROR" for e in body["errors"])
    assert {p["fromObjectId"] for p in emulator.state.pairs("0-1", "0-2")} == applied
    # same seed, same rows fail
    emulator.reset()
    again = api.batch_create("contacts", "companies", rows).json()
    assert {int(e["context"]["fromObjectId"][0]) for e in again["errors"]} == failed


def test_row_error_in_batch_read_and_default(api: Api, emulator: EmulatorServer) -> None:
    api.batch_create("contacts", "companies", [(101, 201, [279])])
    emulator.runtime.reconfigure({"faults": "row_error=1"})
    read = api.post("/crm/v4/associations/contacts/companies/batch/read", {"inputs": [{"id": "101"}]})
    assert read.status_code == 207
    assert read.json()["errors"][0]["context"]["fromObjectId"] == ["101"]
    default = api.post(
        "/crm/v4/associations/contacts/companies/batch/associate/default",
        {"inputs": [{"from": {"id": "102"}, "to": {"id": "202"}}]},
    )
    assert default.status_code == 200
    assert default.json()["numErrors"] == 1
    assert emulator.state.pairs("0-1", "0-2") == [
        {"fromObjectId": 101, "toObjectId": 201, "typeIds": [1, 279]}
    ]


def _statuses(server: EmulatorServer, n: int) -> list[int]:
    api = Api(server.url)
    out = []
    for i in range(n):
        try:
            out.append(api.get(f"/crm/v4/objects/contacts/{101 + i % 20}/associations/companies").status_code)
        except requests.exceptions.ConnectionError:
            out.append(0)
    return out


def test_faults_reproducible_from_seed(emulator_factory: Callable[..., EmulatorServer]) -> None:
    spec = "429=0.15,500=0.1,503=0.1,reset=0.1"
    first = _statuses(emulator_factory(faults=spec, fault_seed=42), 40)
    second = _statuses(emulator_factory(faults=spec, fault_seed=42), 40)
    other = _statuses(emulator_factory(faults=spec, fault_seed=43), 40)
    assert first == second
    assert first != other
    assert {0, 200, 429, 500, 503} <= set(first)


def test_reset_endpoint_reseeds_faults(api: Api, emulator: EmulatorServer) -> None:
    emulator.runtime.reconfigure({"faults": "500=0.5", "fault_seed": 3})
    first = [api.get("/crm/v4/objects/contacts/101/associations/companies").status_code for _ in range(20)]
    assert requests.post(emulator.url + "/_emulator/reset", timeout=10).status_code == 200
    second = [api.get("/crm/v4/objects/contacts/101/associations/companies").status_code for _ in range(20)]
    assert first == second
    assert set(first) == {200, 500}


def test_faults_skip_emulator_and_oauth_routes(emulator: EmulatorServer) -> None:
    emulator.runtime.reconfigure({"faults": "500=1"})
    assert requests.get(emulator.url + "/_emulator/stats", timeout=10).status_code == 200
    assert (
        requests.post(emulator.url + "/oauth/2026-03/token", data={"grant_type": "x"}, timeout=10).status_code
        == 400
    )
    assert requests.get(emulator.url + "/_emulator/stats", timeout=10).json()["faults"] == {}


def test_faults_after_auth(emulator: EmulatorServer) -> None:
    emulator.runtime.reconfigure({"faults": "500=1"})
    assert (
        Api(emulator.url, token="bad").get("/crm/v4/objects/contacts/101/associations/companies").status_code
        == 401
    )


def test_fault_spec_parsing() -> None:
    assert parse_fault_spec("429=0.05, 500=0.02,reset=0.01,delay=0.01,row_error=0.5") == {
        "429": 0.05,
        "500": 0.02,
        "reset": 0.01,
        "delay": 0.01,
        "row_error": 0.5,
    }
    assert parse_fault_spec(None) == {}
    for bad in ("418=0.1", "500", "500=2", "500=0.6,503=0.6"):
        with pytest.raises(ValueError, match=r"."):
            parse_fault_spec(bad)
    assert _replay("500=0.5", 1, 50) == _replay("500=0.5", 1, 50)
    assert set(_replay("500=0.5", 1, 50)) == {None, "500"}
    assert _replay("500=0.5", 1, 50) != _replay("500=0.5", 2, 50)


def _replay(spec: str, seed: int, n: int) -> list[str | None]:
    injector = FaultInjector(spec, seed)
    return [injector.request_fault() for _ in range(n)]
