"""Batch endpoints: limits, 207 shapes, per-input paging, NO_ASSOCIATIONS_FOUND, archive, labels archive."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_hubassoc.emulator import EmulatorServer
from tests.emulator.conftest import Api

BASE = "/crm/v4/associations/contacts/companies"


def _create_input(a: Any, b: Any, types: list[int] | None = None) -> dict[str, Any]:
    return {
        "from": {"id": str(a)},
        "to": {"id": str(b)},
        "types": [
            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": t} for t in (types or [279])
        ],
    }


@pytest.mark.parametrize(
    ("endpoint", "limit", "make"),
    [
        ("batch/read", 1000, lambda i: {"id": str(101 + i % 20)}),
        ("batch/create", 2000, lambda i: _create_input(101 + i % 20, 201)),
    ],
)
def test_over_limit_batches_are_400_and_not_applied(api: Api, endpoint: str, limit: int, make: Any) -> None:
    resp = api.post(f"{BASE}/{endpoint}", {"inputs": [make(i) for i in range(limit + 1)]})
    assert resp.status_code == 400
    body = resp.json()
    assert body["category"] == "VALIDATION_ERROR"
    assert str(limit) in body["message"]
    assert api.type_ids("companies", 201, "contacts") == {}
    ok = api.post(f"{BASE}/{endpoint}", {"inputs": [make(i) for i in range(limit)]})
    assert ok.status_code in (200, 201, 207)


def test_lenient_limit_for_other_batches(api: Api) -> None:
    inputs = [{"from": {"id": "101"}, "to": {"id": "201"}} for _ in range(2500)]
    assert api.post(f"{BASE}/batch/associate/default", {"inputs": inputs}).status_code == 200
    over = api.post(f"{BASE}/batch/associate/default", {"inputs": inputs * 5})
    assert over.status_code == 400


def test_malformed_batch_body_is_400(api: Api) -> None:
    assert api.post(f"{BASE}/batch/create", {"nope": []}).status_code == 400
    resp = api.request(
        "POST", f"{BASE}/batch/create", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert resp.status_code == 400
    assert resp.json()["category"] == "VALIDATION_ERROR"


def test_batch_create_201_envelope(api: Api) -> None:
    resp = api.post(f"{BASE}/batch/create", {"inputs": [_create_input(101, 201), _create_input(102, 201)]})
    assert resp.status_code == 201
    body = resp.json()
    assert body["status"] == "COMPLETE"
    assert "errors" not in body
    assert "numErrors" not in body
    assert body["startedAt"] <= body["completedAt"]
    assert body["results"][0] == {
        "fromObjectTypeId": "0-1",
        "fromObjectId": 101,
        "toObjectTypeId": "0-2",
        "toObjectId": 201,
        "labels": [],
    }


def test_batch_create_207_maps_errors_back_to_rows(api: Api) -> None:
    inputs = [
        _create_input(101, 201),
        _create_input(101, 999),  # missing company
        _create_input(998, 201),  # missing contact
        _create_input(103, 202, [280]),  # wrong direction type
        {"from": {"id": "abc"}, "to": {"id": "201"}, "types": []},
        _create_input(104, 203),
    ]
    resp = api.post(f"{BASE}/batch/create", {"inputs": inputs})
    assert resp.status_code == 207
    body = resp.json()
    assert body["status"] == "COMPLETE"
    assert body["numErrors"] == 4
    assert {(r["fromObjectId"], r["toObjectId"]) for r in body["results"]} == {(101, 201), (104, 203)}
    by_row = {(e["context"]["fromObjectId"][0], e["context"]["toObjectId"][0]): e for e in body["errors"]}
    assert set(by_row) == {("101", "999"), ("998", "201"), ("103", "202"), ("abc", "201")}
    assert by_row[("101", "999")]["category"] == "OBJECT_NOT_FOUND"
    assert "999" in by_row[("101", "999")]["message"]
    assert by_row[("998", "201")]["category"] == "OBJECT_NOT_FOUND"
    assert by_row[("103", "202")]["category"] == "VALIDATION_ERROR"
    for entry in body["errors"]:
        assert entry["status"] == "error"
        assert entry["errors"] == []
        assert entry["links"] == {}
    # failed rows were not applied
    assert api.type_ids("contacts", 103, "companies") == {}


def test_batch_read_200_and_207_no_associations(api: Api) -> None:
    api.post(f"{BASE}/batch/create", {"inputs": [_create_input(101, 201), _create_input(102, 202)]})
    ok = api.post(f"{BASE}/batch/read", {"inputs": [{"id": "101"}, {"id": "102"}]})
    assert ok.status_code == 200
    assert "errors" not in ok.json()
    results = {r["from"]["id"]: r for r in ok.json()["results"]}
    assert results["101"]["to"][0]["toObjectId"] == 201
    assert "paging" not in results["101"]

    partial = api.post(f"{BASE}/batch/read", {"inputs": [{"id": "101"}, {"id": "110"}]})
    assert partial.status_code == 207
    body = partial.json()
    assert [r["from"]["id"] for r in body["results"]] == ["101"]
    assert body["numErrors"] == 1
    err = body["errors"][0]
    assert err["category"] == "OBJECT_NOT_FOUND"
    assert err["subCategory"] == "crm.associations.NO_ASSOCIATIONS_FOUND"
    assert err["context"]["fromObjectId"] == ["110"]
    assert err["message"] == "No company is associated with contact 110."


def test_batch_read_per_input_paging_to_the_end(api: Api, emulator: EmulatorServer) -> None:
    emulator.runtime.reconfigure({"page_size": 3})
    api.post(f"{BASE}/batch/create", {"inputs": [_create_input(101, c) for c in range(201, 209)]})
    api.post(f"{BASE}/batch/create", {"inputs": [_create_input(102, c) for c in range(201, 203)]})
    collected: dict[str, list[int]] = {"101": [], "102": []}
    pending = [{"id": "101"}, {"id": "102"}]
    rounds = 0
    while pending:
        rounds += 1
        body = api.post(f"{BASE}/batch/read", {"inputs": pending}).json()
        pending = []
        for result in body["results"]:
            collected[result["from"]["id"]] += [t["toObjectId"] for t in result["to"]]
            assert len(result["to"]) <= 3
            if "paging" in result:
                pending.append({"id": result["from"]["id"], "after": result["paging"]["next"]["after"]})
    assert collected == {"101": list(range(201, 209)), "102": [201, 202]}
    assert rounds == 3


def test_batch_associate_default_200_with_errors_in_body(api: Api) -> None:
    resp = api.post(
        f"{BASE}/batch/associate/default",
        {
            "inputs": [
                {"from": {"id": "101"}, "to": {"id": "201"}},
                {"from": {"id": "101"}, "to": {"id": "999"}},
            ]
        },
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["results"] == [
        {
            "from": {"id": "101"},
            "to": {"id": "201"},
            "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279},
        }
    ]
    assert body["numErrors"] == 1
    assert body["errors"][0]["context"] == {"fromObjectId": ["101"], "toObjectId": ["999"]}


def test_batch_archive_removes_pairs(api: Api) -> None:
    api.post(
        f"{BASE}/batch/create",
        {"inputs": [_create_input(101, 201), _create_input(101, 202), _create_input(102, 201)]},
    )
    resp = api.post(
        f"{BASE}/batch/archive",
        {"inputs": [{"from": {"id": "101"}, "to": [{"id": "201"}, {"id": "202"}]}]},
    )
    assert resp.status_code == 204
    assert resp.content == b""
    assert api.type_ids("contacts", 101, "companies") == {}
    assert api.type_ids("companies", 201, "contacts") == {102: [2, 280]}


def test_batch_labels_archive_semantics(api: Api) -> None:
    label = api.post(f"{BASE}/labels", {"name": "billing", "label": "Billing"}).json()["results"][0]["typeId"]
    user = {"associationCategory": "USER_DEFINED", "associationTypeId": label}
    unlabeled = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}
    api.post(
        f"{BASE}/batch/create",
        {
            "inputs": [
                {"from": {"id": "101"}, "to": {"id": "201"}, "types": [unlabeled, user]},
                {"from": {"id": "102"}, "to": {"id": "201"}, "types": [unlabeled, user]},
            ]
        },
    )
    resp = api.post(
        f"{BASE}/batch/labels/archive",
        {"inputs": [{"from": {"id": "101"}, "to": {"id": "201"}, "types": [user]}]},
    )
    assert resp.status_code == 204
    assert api.type_ids("contacts", 101, "companies") == {201: [1, 279]}
    assert api.type_ids("companies", 201, "contacts")[101] == [2, 280]
    # removing the unlabeled type removes every type of the pair
    api.post(
        f"{BASE}/batch/labels/archive",
        {"inputs": [{"from": {"id": "102"}, "to": {"id": "201"}, "types": [unlabeled]}]},
    )
    assert api.type_ids("contacts", 102, "companies") == {}
    assert 102 not in api.type_ids("companies", 201, "contacts")
