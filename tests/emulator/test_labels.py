"""Labels API rules and the two label-write modes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from airflow_provider_hubassoc.emulator import EmulatorServer
from tests.emulator.conftest import Api

LABELS = "/crm/v4/associations/contacts/companies/labels"


def _spec(type_id: int, category: str = "USER_DEFINED") -> dict[str, object]:
    return {"associationCategory": category, "associationTypeId": type_id}


def test_labels_list_includes_hubspot_defined(api: Api) -> None:
    resp = api.get(LABELS)
    assert resp.status_code == 200
    assert resp.json() == {
        "results": [
            {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Contact with Primary Company"},
            {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None},
        ]
    }
    reverse = api.get("/crm/v4/associations/companies/contacts/labels").json()["results"]
    assert {r["typeId"] for r in reverse} == {2, 280}


def test_create_paired_label_gives_one_id_per_direction(api: Api) -> None:
    resp = api.post(LABELS, {"name": "manager_employee", "label": "Manager", "inverseLabel": "Employee"})
    assert resp.status_code == 200
    created = {r["label"]: r for r in resp.json()["results"]}
    assert set(created) == {"Manager", "Employee"}
    assert all(r["category"] == "USER_DEFINED" for r in created.values())
    fwd, rev = created["Manager"]["typeId"], created["Employee"]["typeId"]
    assert fwd != rev
    forward = {r["typeId"]: r["label"] for r in api.get(LABELS).json()["results"]}
    backward = {
        r["typeId"]: r["label"]
        for r in api.get("/crm/v4/associations/companies/contacts/labels").json()["results"]
    }
    assert forward[fwd] == "Manager"
    assert rev not in forward
    assert backward[rev] == "Employee"
    assert fwd not in backward
    # Writing the forward label is readable from the other side with the inverse id.
    api.put("/crm/v4/objects/contacts/101/associations/companies/201", [_spec(fwd)])
    assert api.type_ids("companies", 201, "contacts")[101] == sorted([2, 280, rev])
    back_types = api.get("/crm/v4/objects/companies/201/associations/contacts").json()["results"][0][
        "associationTypes"
    ]
    assert {"category": "USER_DEFINED", "typeId": rev, "label": "Employee"} in back_types


def test_unpaired_label_same_id_both_directions(api: Api) -> None:
    resp = api.post(LABELS, {"name": "billing", "label": "Billing contact"})
    (created,) = resp.json()["results"]
    type_id = created["typeId"]
    api.put("/crm/v4/objects/contacts/101/associations/companies/201", [_spec(type_id)])
    back = api.get("/crm/v4/objects/companies/201/associations/contacts").json()["results"][0][
        "associationTypes"
    ]
    assert {"category": "USER_DEFINED", "typeId": type_id, "label": "Billing contact"} in back


def test_label_ids_differ_between_portals(emulator_factory: Callable[..., EmulatorServer]) -> None:
    first = emulator_factory(portal_id=111)
    second = emulator_factory(portal_id=222)
    again = emulator_factory(portal_id=111)
    ids = []
    for server in (first, second, again):
        body = Api(server.url).post(LABELS, {"name": "billing", "label": "Billing"}).json()
        ids.append(body["results"][0]["typeId"])
    assert ids[0] != ids[1]
    assert ids[0] == ids[2]  # reproducible for the same portal id
    assert all(i not in (1, 279, 280) for i in ids)


def test_at_most_ten_labels_per_pair(api: Api) -> None:
    for i in range(10):
        assert api.post(LABELS, {"name": f"label_{i}", "label": f"Label {i}"}).status_code == 200
    resp = api.post(LABELS, {"name": "label_10", "label": "Label 10"})
    assert resp.status_code == 400
    assert resp.json()["category"] == "VALIDATION_ERROR"
    # also counted from the other side of the pair
    assert (
        api.post("/crm/v4/associations/companies/contacts/labels", {"name": "x", "label": "X"}).status_code
        == 400
    )
    # other pairs are independent
    assert (
        api.post("/crm/v4/associations/contacts/deals/labels", {"name": "x", "label": "X"}).status_code == 200
    )


@pytest.mark.parametrize(
    "body",
    [
        {"name": "has-hyphen", "label": "L"},
        {"name": "1starts_with_digit", "label": "L"},
        {"label": "no name"},
        {"name": "", "label": "L"},
        {"name": "no_label"},
    ],
)
def test_label_name_rules(api: Api, body: dict[str, str]) -> None:
    resp = api.post(LABELS, body)
    assert resp.status_code == 400
    assert resp.json()["status"] == "error"
    assert resp.json()["category"] == "VALIDATION_ERROR"
    assert "correlationId" in resp.json()


def test_duplicate_label_name(api: Api) -> None:
    assert api.post(LABELS, {"name": "billing", "label": "Billing"}).status_code == 200
    dup = api.post(LABELS, {"name": "billing", "label": "Other"})
    assert dup.status_code == 400
    assert dup.json()["category"] == "VALIDATION_ERROR"
    assert "billing" in dup.json()["message"]


def test_update_changes_display_labels_only(api: Api) -> None:
    created = api.post(LABELS, {"name": "mgr", "label": "Manager", "inverseLabel": "Employee"}).json()[
        "results"
    ]
    ids = {r["label"]: r["typeId"] for r in created}
    resp = api.put(LABELS, {"associationTypeId": ids["Manager"], "label": "Boss", "inverseLabel": "Worker"})
    assert resp.status_code == 204
    forward = {r["typeId"]: r["label"] for r in api.get(LABELS).json()["results"]}
    backward = {
        r["typeId"]: r["label"]
        for r in api.get("/crm/v4/associations/companies/contacts/labels").json()["results"]
    }
    assert forward[ids["Manager"]] == "Boss"
    assert backward[ids["Employee"]] == "Worker"
    assert api.put(LABELS, {"associationTypeId": 279, "label": "Nope"}).status_code == 400
    assert api.put(LABELS, {"associationTypeId": 123456, "label": "Nope"}).status_code == 404


def test_delete_rules(api: Api) -> None:
    assert api.delete(f"{LABELS}/279").status_code == 400
    assert api.delete(f"{LABELS}/1").status_code == 400
    assert api.delete(f"{LABELS}/987654").status_code == 404
    type_id = api.post(LABELS, {"name": "billing", "label": "Billing"}).json()["results"][0]["typeId"]
    api.put("/crm/v4/objects/contacts/101/associations/companies/201", [_spec(type_id)])
    in_use = api.delete(f"{LABELS}/{type_id}")
    assert in_use.status_code == 400
    assert in_use.json()["category"] == "VALIDATION_ERROR"
    api.delete("/crm/v4/objects/contacts/101/associations/companies/201")
    assert api.delete(f"{LABELS}/{type_id}").status_code == 204
    assert type_id not in {r["typeId"] for r in api.get(LABELS).json()["results"]}


# ---------------------------------------------------------------------------- label-write modes


def _two_labels(api: Api) -> tuple[int, int]:
    a = api.post(LABELS, {"name": "a_label", "label": "A"}).json()["results"][0]["typeId"]
    b = api.post(LABELS, {"name": "b_label", "label": "B"}).json()["results"][0]["typeId"]
    return a, b


def test_label_writes_set_replaces_labels(api: Api) -> None:
    a, b = _two_labels(api)
    api.put("/crm/v4/objects/contacts/101/associations/companies/201", [_spec(a)])
    api.put("/crm/v4/objects/contacts/101/associations/companies/201", [_spec(b)])
    assert api.type_ids("contacts", 101, "companies") == {201: sorted([1, 279, b])}
    api.batch_create("contacts", "companies", [(101, 201, [a])])
    assert api.type_ids("contacts", 101, "companies") == {201: sorted([1, 279, a])}
    # sending both appends
    api.batch_create("contacts", "companies", [(101, 201, [a, b])])
    assert api.type_ids("contacts", 101, "companies") == {201: sorted([1, 279, a, b])}
    # sending only the unlabeled type clears labels but keeps Primary
    api.batch_create("contacts", "companies", [(101, 201, [279])])
    assert api.type_ids("contacts", 101, "companies") == {201: [1, 279]}
    assert api.type_ids("companies", 201, "contacts") == {101: [2, 280]}


def test_label_writes_add_accumulates(api: Api, emulator: EmulatorServer) -> None:
    emulator.runtime.reconfigure({"label_writes": "add"})
    a, b = _two_labels(api)
    api.put("/crm/v4/objects/contacts/101/associations/companies/201", [_spec(a)])
    api.put("/crm/v4/objects/contacts/101/associations/companies/201", [_spec(b)])
    assert api.type_ids("contacts", 101, "companies") == {201: sorted([1, 279, a, b])}
    api.batch_create("contacts", "companies", [(101, 201, [279])])
    assert api.type_ids("contacts", 101, "companies") == {201: sorted([1, 279, a, b])}


def test_label_writes_mode_from_config(emulator_factory: Callable[..., EmulatorServer]) -> None:
    server = emulator_factory(label_writes="add")
    api = Api(server.url)
    a, b = _two_labels(api)
    api.batch_create("contacts", "companies", [(101, 201, [a])])
    api.batch_create("contacts", "companies", [(101, 201, [b])])
    assert api.type_ids("contacts", 101, "companies") == {201: sorted([1, 279, a, b])}
