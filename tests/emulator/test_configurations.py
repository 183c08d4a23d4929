"""Association limit configurations (definitions/configurations)."""

from __future__ import annotations

from tests.emulator.conftest import Api

CONF = "/crm/v4/associations/definitions/configurations"


def test_create_read_update_purge(api: Api) -> None:
    assert api.get(f"{CONF}/all").json() == {"results": []}
    created = api.post(
        f"{CONF}/contacts/deals/batch/create",
        {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 4, "maxToObjectIds": 5}]},
    )
    assert created.status_code == 201
    assert created.json()["results"] == [
        {"category": "HUBSPOT_DEFINED", "typeId": 4, "label": None, "userEnforcedMaxToObjectIds": 5}
    ]
    assert api.get(f"{CONF}/contact/deal").json()["results"][0]["userEnforcedMaxToObjectIds"] == 5
    assert api.get(f"{CONF}/deals/contacts").json()["results"] == []

    updated = api.post(
        f"{CONF}/contacts/deals/batch/update",
        {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 4, "maxToObjectIds": 2}]},
    )
    assert updated.status_code == 200
    assert updated.json()["results"] == [
        {"category": "HUBSPOT_DEFINED", "typeId": 4, "userEnforcedMaxToObjectIds": 2}
    ]

    purged = api.post(
        f"{CONF}/contacts/deals/batch/purge", {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 4}]}
    )
    assert purged.status_code == 204
    assert api.get(f"{CONF}/all").json() == {"results": []}


def test_configuration_207s(api: Api) -> None:
    created = api.post(
        f"{CONF}/contacts/companies/batch/create",
        {
            "inputs": [
                {"category": "HUBSPOT_DEFINED", "typeId": 279, "maxToObjectIds": 10},
                {"category": "HUBSPOT_DEFINED", "typeId": 280, "maxToObjectIds": 10},  # wrong direction
                {"category": "HUBSPOT_DEFINED", "typeId": 1, "maxToObjectIds": 0},  # invalid limit
            ]
        },
    )
    assert created.status_code == 207
    body = created.json()
    assert body["numErrors"] == 2
    assert sorted(e["context"]["typeId"][0] for e in body["errors"]) == ["1", "280"]
    again = api.post(
        f"{CONF}/contacts/companies/batch/create",
        {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279, "maxToObjectIds": 3}]},
    )
    assert again.status_code == 207
    update_missing = api.post(
        f"{CONF}/contacts/companies/batch/update",
        {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 1, "maxToObjectIds": 1}]},
    )
    assert update_missing.status_code == 207
    assert update_missing.json()["errors"][0]["category"] == "OBJECT_NOT_FOUND"


def test_configured_limit_is_enforced_both_directions(api: Api) -> None:
    api.post(
        f"{CONF}/contacts/deals/batch/create",
        {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 4, "maxToObjectIds": 1}]},
    )
    assert api.put("/crm/v4/objects/contacts/101/associations/default/deals/301").status_code == 200
    # re-writing an existing pair is fine
    assert api.put("/crm/v4/objects/contacts/101/associations/default/deals/301").status_code == 200
    over = api.put("/crm/v4/objects/contacts/101/associations/default/deals/302")
    assert over.status_code == 400
    assert over.json()["category"] == "VALIDATION_ERROR"
    # written from the deal side, contact 101 would still get a second deal
    batch = api.batch_create("deals", "contacts", [(303, 101, [3]), (303, 102, [3])])
    assert batch.status_code == 207
    assert batch.json()["errors"][0]["context"] == {"fromObjectId": ["303"], "toObjectId": ["101"]}
    assert api.type_ids("contacts", 101, "deals") == {301: [4]}
    # after purge the limit is gone
    api.post(f"{CONF}/contacts/deals/batch/purge", {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 4}]})
    assert api.put("/crm/v4/objects/contacts/101/associations/default/deals/302").status_code == 200
