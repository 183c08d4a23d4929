"""Primary company rules: first company is Primary, one Primary per record, moving it."""

from __future__ import annotations

from airflow_provider_hubassoc.emulator import EmulatorServer
from tests.emulator.conftest import Api


def test_first_company_becomes_primary_only_first(api: Api) -> None:
    api.batch_create("contacts", "companies", [(101, 201, [279]), (101, 202, [279])])
    assert api.type_ids("contacts", 101, "companies") == {201: [1, 279], 202: [279]}
    assert api.type_ids("companies", 201, "contacts") == {101: [2, 280]}
    assert api.type_ids("companies", 202, "contacts") == {101: [280]}


def test_primary_for_deals_and_tickets_uses_their_type_ids(api: Api) -> None:
    api.put("/crm/v4/objects/deals/301/associations/default/companies/201")
    api.put("/crm/v4/objects/tickets/401/associations/default/companies/201")
    assert api.type_ids("deals", 301, "companies") == {201: [5, 341]}
    assert api.type_ids("companies", 201, "deals") == {301: [6, 342]}
    assert api.type_ids("tickets", 401, "companies") == {201: [26, 339]}
    assert api.type_ids("companies", 201, "tickets") == {401: [25, 340]}


def test_first_company_written_from_company_side_is_primary(api: Api) -> None:
    api.put("/crm/v4/objects/companies/203/associations/default/contacts/102")
    assert api.type_ids("contacts", 102, "companies") == {203: [1, 279]}


def test_setting_primary_moves_it(api: Api, emulator: EmulatorServer) -> None:
    label = api.post(
        "/crm/v4/associations/contacts/companies/labels", {"name": "billing", "label": "Billing"}
    ).json()["results"][0]["typeId"]
    api.put(
        "/crm/v4/objects/contacts/103/associations/companies/201",
        [
            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279},
            {"associationCategory": "USER_DEFINED", "associationTypeId": label},
        ],
    )
    api.put("/crm/v4/objects/contacts/103/associations/default/companies/202")
    resp = api.put(
        "/crm/v4/objects/contacts/103/associations/companies/202",
        [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}],
    )
    assert resp.status_code == 201
    assert resp.json()["labels"] == ["Contact with Primary Company"]
    assert api.type_ids("contacts", 103, "companies") == {201: sorted([279, label]), 202: [1, 279]}
    assert api.type_ids("companies", 201, "contacts")[103] == sorted([280, label])
    assert api.type_ids("companies", 202, "contacts")[103] == [2, 280]
    assert emulator.state.primary_company("0-1", 103) == 202
    # Exactly one Primary across the contact's companies.
    primaries = [c for c, types in api.type_ids("contacts", 103, "companies").items() if 1 in types]
    assert primaries == [202]


def test_primary_moves_via_batch_create_from_company_side(api: Api) -> None:
    api.batch_create("contacts", "companies", [(104, 201, [279]), (104, 202, [279])])
    api.batch_create("companies", "contacts", [(202, 104, [2])])
    assert api.type_ids("contacts", 104, "companies") == {201: [279], 202: [1, 279]}


def test_primary_kept_by_set_write_without_it(api: Api) -> None:
    api.put("/crm/v4/objects/contacts/105/associations/default/companies/201")
    api.put(
        "/crm/v4/objects/contacts/105/associations/companies/201",
        [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}],
    )
    assert api.type_ids("contacts", 105, "companies") == {201: [1, 279]}


def test_removing_primary_label_and_deleting_pair(api: Api, emulator: EmulatorServer) -> None:
    api.put("/crm/v4/objects/contacts/106/associations/default/companies/201")
    api.post(
        "/crm/v4/associations/contacts/companies/batch/labels/archive",
        {
            "inputs": [
                {
                    "from": {"id": "106"},
                    "to": {"id": "201"},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}],
                }
            ]
        },
    )
    assert api.type_ids("contacts", 106, "companies") == {201: [279]}
    assert emulator.state.primary_company("0-1", 106) is None
    # Deleting the (formerly) first pair: the next company is not first any more, so no auto-Primary.
    api.put("/crm/v4/objects/contacts/106/associations/default/companies/202")
    assert api.type_ids("contacts", 106, "companies")[202] == [279]
    api.delete("/crm/v4/objects/contacts/106/associations/companies/201")
    api.delete("/crm/v4/objects/contacts/106/associations/companies/202")
    api.put("/crm/v4/objects/contacts/106/associations/default/companies/203")
    assert api.type_ids("contacts", 106, "companies") == {203: [1, 279]}
