"""``/_emulator`` inspection and control endpoints, seeds and the Python API."""

from __future__ import annotations

from collections.abc import Callable

import requests

from airflow_provider_hubassoc.emulator import EmulatorConfig, EmulatorServer
from airflow_provider_hubassoc.emulator.seed import demo_seed
from tests.emulator.conftest import Api


def test_inspect_associations_and_labels(api: Api, emulator: EmulatorServer) -> None:
    api.batch_create("contacts", "companies", [(101, 201, [279]), (102, 201, [279])])
    api.post(
        "/crm/v4/associations/contacts/companies/labels", {"name": "m", "label": "M", "inverseLabel": "E"}
    )
    body = requests.get(
        emulator.url + "/_emulator/associations",
        params={"from_object_type": "companies", "to_object_type": "contacts"},
        timeout=10,
    ).json()
    assert body["fromObjectTypeId"] == "0-2"
    assert body["results"] == [
        {"fromObjectId": 201, "toObjectId": 101, "typeIds": [2, 280]},
        {"fromObjectId": 201, "toObjectId": 102, "typeIds": [2, 280]},
    ]
    one = requests.get(
        emulator.url + "/_emulator/associations",
        params={"from_object_type": "contacts", "to_object_type": "companies", "from_object_id": "102"},
        timeout=10,
    ).json()
    assert one["count"] == 1
    labels = requests.get(emulator.url + "/_emulator/labels", timeout=10).json()["results"]
    assert [(lab["name"], lab["label"], lab["inverseLabel"]) for lab in labels] == [("m", "M", "E")]
    assert labels[0]["typeId"] != labels[0]["inverseTypeId"]


def test_stats_counts_and_connections(emulator_factory: Callable[..., EmulatorServer]) -> None:
    server = emulator_factory()
    api = Api(server.url)
    for _ in range(3):
        api.get("/crm/v4/objects/contacts/101/associations/companies")
    api.put("/crm/v4/objects/contacts/101/associations/companies/999", [])
    other = Api(server.url)
    other.get("/crm/v4/objects/contacts/101/associations/companies")
    stats = requests.get(server.url + "/_emulator/stats", timeout=10).json()
    assert stats["by_endpoint"]["get_page"] == {"200": 4}
    assert stats["by_endpoint"]["create"] == {"404": 1}
    assert stats["by_status"]["200"] >= 4
    assert stats["connections"] == 2  # two keep-alive sessions; inspection calls are not counted
    assert stats["rate_limited"] == 0


def test_reset_restores_seed_and_zeroes_counters(api: Api, emulator: EmulatorServer) -> None:
    api.batch_create("contacts", "companies", [(101, 201, [279])])
    api.post("/_emulator/records", {"contacts": [{"id": "5555", "properties": {"email": "x@example.com"}}]})
    assert 5555 in emulator.state.records["0-1"]
    resp = requests.post(emulator.url + "/_emulator/reset", timeout=10)
    assert resp.status_code == 200
    assert emulator.state.pairs("0-1", "0-2") == []
    assert 5555 not in emulator.state.records["0-1"]
    assert 101 in emulator.state.records["0-1"]
    stats = requests.get(emulator.url + "/_emulator/stats", timeout=10).json()
    # counters restart at the reset; the stats call itself is counted after its snapshot
    assert stats["total_requests"] == 0
    assert stats["by_endpoint"] == {}


def test_add_records_then_associate(api: Api) -> None:
    resp = api.post("/_emulator/records", {"companies": [{"id": 9000}], "2-123": [{"id": "77"}]})
    assert resp.json() == {"added": 2}
    assert api.put("/crm/v4/objects/contacts/101/associations/default/companies/9000").status_code == 200
    records = api.get("/_emulator/records/companies").json()["results"]
    assert {"id": "9000", "properties": {}} in records


def test_runtime_config_endpoint_validates(api: Api) -> None:
    assert api.post("/_emulator/config", {"page_size": 0}).status_code == 400
    assert api.post("/_emulator/config", {"tokens": ["x"]}).status_code == 400
    assert api.post("/_emulator/config", {"faults": "bogus=1"}).status_code == 400
    assert api.post("/_emulator/config", {"label_writes": "add"}).json()["label_writes"] == "add"


def test_demo_seed_is_reproducible_and_sized() -> None:
    first, second = demo_seed(), demo_seed()
    assert first == second
    assert {k: len(v) for k, v in first.items() if k != "associations"} == {
        "contacts": 200,
        "companies": 50,
        "deals": 80,
        "tickets": 40,
    }


def test_server_python_api(emulator_factory: Callable[..., EmulatorServer]) -> None:
    server = EmulatorServer(EmulatorConfig(seed="demo"))
    try:
        server.start()
        assert server.url.startswith("http://127.0.0.1:")
        assert server.port > 0
        assert len(server.state.records["0-1"]) == 200
        assert server.state.primary_company("0-1", 1001) == 5001
        assert len(server.state.pairs("0-3", "0-1")) == 80
        server.reset()
        assert len(server.state.pairs("0-1", "0-2")) == 200
    finally:
        server.stop()
    assert not server.running
    with EmulatorServer(EmulatorConfig()) as empty:
        assert empty.state.pairs("0-1", "0-2") == []
        assert requests.get(empty.url + "/_emulator/health", timeout=10).json() == {"status": "ok"}


def test_seed_with_labels_and_associations(emulator_factory: Callable[..., EmulatorServer]) -> None:
    seed = {
        "contacts": [{"id": "1"}],
        "companies": [{"id": "2"}, {"id": "3"}],
        "labels": [
            {"fromObjectType": "contacts", "toObjectType": "companies", "name": "billing", "label": "Billing"}
        ],
        "associations": [
            {
                "fromObjectType": "contacts",
                "fromObjectId": "1",
                "toObjectType": "companies",
                "toObjectId": "2",
            },
            {"fromObjectType": "contacts", "fromObjectId": 1, "toObjectType": "companies", "toObjectId": 3},
        ],
    }
    server = emulator_factory(seed=seed)
    api = Api(server.url)
    assert api.type_ids("contacts", 1, "companies") == {2: [1, 279], 3: [279]}
    assert "Billing" in {
        r["label"] for r in api.get("/crm/v4/associations/contacts/companies/labels").json()["results"]
    }
