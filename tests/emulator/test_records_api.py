"""Single-record endpoints, object types, path spellings and bidirectional reads, over real HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from airflow_provider_hubassoc.emulator import EmulatorServer
from tests.emulator.conftest import Api

UNLABELED = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}]


def _assert_error_shape(body: dict[str, object], category: str) -> None:
    assert body["status"] == "error"
    assert body["category"] == category
    assert isinstance(body["message"], str)
    assert body["message"]
    uuid.UUID(str(body["correlationId"]))


def test_put_labeled_returns_201_with_numeric_ids(api: Api) -> None:
    resp = api.put("/crm/v4/objects/contacts/101/associations/companies/201", UNLABELED)
    assert resp.status_code == 201
    assert resp.headers["Location"].endswith("/crm/v4/objects/0-1/101/associations/0-2/201")
    assert resp.json() == {
        "fromObjectTypeId": "0-1",
        "fromObjectId": 101,
        "toObjectTypeId": "0-2",
        "toObjectId": 201,
        "labels": [],
    }


def test_get_list_shape_and_numeric_to_object_id(api: Api) -> None:
    api.put("/crm/v4/objects/contacts/101/associations/companies/201", UNLABELED)
    resp = api.get("/crm/v4/objects/contacts/101/associations/companies")
    assert resp.status_code == 200
    body = resp.json()
    assert "paging" not in body
    assert body["results"] == [
        {
            "toObjectId": 201,
            "associationTypes": [
                {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Contact with Primary Company"},
                {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None},
            ],
        }
    ]


def test_put_default_returns_200_batch_shape(api: Api) -> None:
    resp = api.put("/crm/v4/objects/contact/102/associations/default/deal/301")
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "COMPLETE"
    assert body["results"] == [
        {
            "from": {"id": "102"},
            "to": {"id": "301"},
            "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 4},
        }
    ]
    assert body["startedAt"].endswith("Z")
    assert body["completedAt"].endswith("Z")
    assert api.type_ids("deals", 301, "contacts") == {102: [3]}


def test_delete_removes_pair_both_directions(api: Api) -> None:
    api.put("/crm/v4/objects/contacts/101/associations/companies/201", UNLABELED)
    resp = api.delete("/crm/v4/objects/contacts/101/associations/companies/201")
    assert resp.status_code == 204
    assert resp.content == b""
    assert api.type_ids("contacts", 101, "companies") == {}
    assert api.type_ids("companies", 201, "contacts") == {}


@pytest.mark.parametrize(
    ("from_t", "to_t", "fwd", "rev"),
    [
        ("contacts", "companies", 279, 280),
        ("deals", "companies", 341, 342),
        ("tickets", "companies", 339, 340),
        ("contacts", "deals", 4, 3),
        ("contacts", "tickets", 15, 16),
        ("deals", "tickets", 27, 28),
        ("contacts", "notes", 201, 202),
    ],
)
def test_default_types_and_inverse(api: Api, from_t: str, to_t: str, fwd: int, rev: int) -> None:
    ids = {"contacts": 103, "companies": 202, "deals": 302, "tickets": 401, "notes": 501}
    resp = api.put(f"/crm/v4/objects/{from_t}/{ids[from_t]}/associations/default/{to_t}/{ids[to_t]}")
    assert resp.status_code == 200
    assert resp.json()["results"][0]["associationSpec"]["associationTypeId"] == fwd
    forward = api.type_ids(from_t, ids[from_t], to_t)[ids[to_t]]
    backward = api.type_ids(to_t, ids[to_t], from_t)[ids[from_t]]
    assert fwd in forward
    assert rev in backward


def test_same_object_and_parent_child_companies(api: Api) -> None:
    resp = api.put(
        "/crm/v4/objects/companies/201/associations/companies/202",
        [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 13}],
    )
    assert resp.status_code == 201
    assert resp.json()["labels"] == ["Parent Company"]
    assert api.type_ids("companies", 201, "companies")[202] == [13, 450]
    assert api.type_ids("companies", 202, "companies")[201] == [14, 450]
    api.put("/crm/v4/objects/contacts/101/associations/default/contacts/102")
    assert api.type_ids("contacts", 102, "contacts") == {101: [449]}


@pytest.mark.parametrize(
    ("from_t", "to_t"),
    [
        ("contact", "company"),
        ("contacts", "companies"),
        ("0-1", "0-2"),
        ("CONTACTS", "Companies"),
        ("0-1", "company"),
    ],
)
def test_object_type_spellings(api: Api, from_t: str, to_t: str) -> None:
    resp = api.put(f"/crm/v4/objects/{from_t}/104/associations/{to_t}/203", UNLABELED)
    assert resp.status_code == 201
    assert resp.json()["fromObjectTypeId"] == "0-1"
    assert api.type_ids("0-2", 203, "0-1") == {104: [2, 280]}


def test_custom_object_type_by_id(api: Api) -> None:
    resp = api.put("/crm/v4/objects/2-123/1/associations/default/contacts/105")
    assert resp.status_code == 200
    type_id = resp.json()["results"][0]["associationSpec"]["associationTypeId"]
    assert resp.json()["results"][0]["associationSpec"]["associationCategory"] == "USER_DEFINED"
    reverse = api.type_ids("contacts", 105, "2-123")
    assert list(reverse) == [1]
    assert reverse[1] != [type_id]  # one id per direction


def test_unknown_object_type_is_400(api: Api) -> None:
    resp = api.get("/crm/v4/objects/widgets/1/associations/companies")
    assert resp.status_code == 400
    _assert_error_shape(resp.json(), "VALIDATION_ERROR")
    assert "widgets" in resp.json()["message"]
    assert api.put("/crm/v4/objects/contacts/101/associations/2-999/1", UNLABELED).status_code == 400


def test_missing_record_single_calls_404(api: Api) -> None:
    resp = api.put("/crm/v4/objects/contacts/101/associations/companies/999", UNLABELED)
    assert resp.status_code == 404
    _assert_error_shape(resp.json(), "OBJECT_NOT_FOUND")
    assert "999" in resp.json()["message"]
    assert api.put("/crm/v4/objects/contacts/999/associations/default/companies/201").status_code == 404
    assert api.delete("/crm/v4/objects/contacts/999/associations/companies/201").status_code == 404
    assert api.type_ids("companies", 201, "contacts") == {}


def test_invalid_type_for_direction_is_400(api: Api) -> None:
    # 280 is company->contact; it is not valid from contact to company.
    resp = api.put(
        "/crm/v4/objects/contacts/101/associations/companies/201",
        [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 280}],
    )
    assert resp.status_code == 400
    _assert_error_shape(resp.json(), "VALIDATION_ERROR")
    assert api.type_ids("contacts", 101, "companies") == {}


def test_get_limit_over_500_is_400(api: Api) -> None:
    resp = api.get("/crm/v4/objects/contacts/101/associations/companies", params={"limit": 501})
    assert resp.status_code == 400
    _assert_error_shape(resp.json(), "VALIDATION_ERROR")
    assert (
        api.get("/crm/v4/objects/contacts/101/associations/companies", params={"limit": 500}).status_code
        == 200
    )


def test_get_paging_to_the_end(api: Api) -> None:
    for company in range(201, 211):
        api.put(f"/crm/v4/objects/contacts/106/associations/default/companies/{company}")
    seen: list[int] = []
    after = None
    pages = 0
    while True:
        params: dict[str, object] = {"limit": 4}
        if after:
            params["after"] = after
        body = api.get("/crm/v4/objects/contacts/106/associations/companies", params=params).json()
        pages += 1
        seen += [r["toObjectId"] for r in body["results"]]
        if "paging" not in body:
            break
        after = body["paging"]["next"]["after"]
        assert isinstance(after, str)
        assert not after.isdigit()
    assert seen == list(range(201, 211))
    assert pages == 3
    bad = api.get("/crm/v4/objects/contacts/106/associations/companies", params={"after": "garbage!"})
    assert bad.status_code == 400


def test_page_size_caps_get_limit(api: Api, emulator: EmulatorServer) -> None:
    emulator.runtime.reconfigure({"page_size": 2})
    for company in (201, 202, 203):
        api.put(f"/crm/v4/objects/contacts/107/associations/default/companies/{company}")
    body = api.get("/crm/v4/objects/contacts/107/associations/companies", params={"limit": 100}).json()
    assert len(body["results"]) == 2
    assert "paging" in body


@pytest.mark.parametrize(
    ("path", "inp"),
    [
        ("batch/create", {"from": {"id": 108}, "to": {"id": "204"}, "types": UNLABELED}),
        ("batch/create", {"from": {"id": "108"}, "to": {"id": 204}, "types": UNLABELED}),
        ("batch/create", {"from": {"id": "108"}, "to": {"id": "204"}, "types": [{"associationTypeId": 279}]}),
        (
            "batch/create",
            {
                "from": {"id": "108"},
                "to": {"id": "204"},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": "279"}],
            },
        ),
        ("batch/create", {"from": {"id": "108"}, "to": {"id": "204"}}),
        ("batch/read", {"id": 108}),
        ("batch/associate/default", {"from": {"id": 108}, "to": {"id": "204"}}),
        ("batch/archive", {"from": {"id": 108}, "to": [{"id": "204"}]}),
        (
            "batch/labels/archive",
            {"from": {"id": "108"}, "to": {"id": "204"}, "types": [{"associationTypeId": 279}]},
        ),
    ],
)
@pytest.mark.parametrize("prefix", ["/crm/v4/associations", "/crm/associations/2026-03"])
def test_bodies_the_spec_refuses_get_400(
    api: Api, emulator: EmulatorServer, prefix: str, path: str, inp: dict[str, Any]
) -> None:
    # Every version's spec types ids as strings and requires both AssociationSpec fields (integer type id).
    resp = api.post(f"{prefix}/contacts/companies/{path}", {"inputs": [inp]})
    assert resp.status_code == 400, resp.text
    assert resp.json()["category"] == "VALIDATION_ERROR"
    assert emulator.state.pairs("0-1", "0-2") == []


@pytest.mark.parametrize(
    ("records_prefix", "assoc_prefix"),
    [
        ("/crm/v4/objects", "/crm/v4/associations"),
        ("/crm/objects/v4", "/crm/associations/v4"),
        ("/crm/objects/2025-09", "/crm/associations/2025-09"),
        ("/crm/objects/2026-03", "/crm/associations/2026-03"),
        ("/crm/objects/2026-09", "/crm/associations/2026-09"),
    ],
)
def test_path_spellings_and_date_versions(api: Api, records_prefix: str, assoc_prefix: str) -> None:
    assert api.put(f"{records_prefix}/contacts/110/associations/companies/205", UNLABELED).status_code == 201
    assert (
        api.get(f"{records_prefix}/contacts/110/associations/companies").json()["results"][0]["toObjectId"]
        == 205
    )
    read = api.post(f"{assoc_prefix}/contacts/companies/batch/read", {"inputs": [{"id": "110"}]})
    assert read.status_code == 200
    labels = api.get(f"{assoc_prefix}/contacts/companies/labels")
    assert labels.status_code == 200
    assert {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None} in labels.json()["results"]
    configs = api.get(f"{assoc_prefix}/definitions/configurations/all")
    assert configs.status_code == 200
    report = api.post(f"{assoc_prefix}/usage/high-usage-report/7")
    assert report.status_code == 200
    assert api.delete(f"{records_prefix}/contacts/110/associations/companies/205").status_code == 204


def test_unknown_route_is_hubspot_shaped_404(api: Api) -> None:
    resp = api.get("/crm/v4/nothing/here")
    assert resp.status_code == 404
    _assert_error_shape(resp.json(), "OBJECT_NOT_FOUND")


def test_auto_create_records(emulator_factory: Callable[..., EmulatorServer]) -> None:
    auto = emulator_factory(seed=None)
    assert auto.config.effective_auto_create is True
    api = Api(auto.url)
    assert api.put("/crm/v4/objects/contacts/777/associations/companies/888", UNLABELED).status_code == 201
    assert 777 in auto.state.records["0-1"]
    assert 888 in auto.state.records["0-2"]
    assert api.put("/crm/v4/objects/2-55/1/associations/default/contacts/777").status_code == 200

    seeded = emulator_factory()
    assert seeded.config.effective_auto_create is False
    assert (
        Api(seeded.url).put("/crm/v4/objects/contacts/777/associations/companies/201", UNLABELED).status_code
        == 404
    )

    forced = emulator_factory(auto_create_records=True)
    assert (
        Api(forced.url).put("/crm/v4/objects/contacts/777/associations/companies/201", UNLABELED).status_code
        == 201
    )
