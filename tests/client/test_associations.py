from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import responses
from responses import matchers

from airflow_provider_hubassoc.client import (
    AssociationCategory,
    AssociationInput,
    AssociationSpec,
    FakeClock,
    HubSpotAssociationsClient,
    HubSpotError,
    HubSpotServerError,
    HubSpotUnexpectedResponseError,
    LimitConfigurationInput,
)
from tests.client.support import BASE_URL, TOKEN, ClientFactory, sent_json

HUBSPOT = AssociationCategory.HUBSPOT_DEFINED
USER = AssociationCategory.USER_DEFINED
VERSIONS = {
    "v4": (f"{BASE_URL}/crm/v4/objects", f"{BASE_URL}/crm/v4/associations"),
    "2026-03": (f"{BASE_URL}/crm/objects/2026-03", f"{BASE_URL}/crm/associations/2026-03"),
}


@pytest.fixture(params=sorted(VERSIONS))
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def records_url(version: str) -> str:
    return VERSIONS[version][0]


def assoc_url(version: str) -> str:
    return VERSIONS[version][1]


def json_response(status: int, body: Any) -> tuple[int, dict[str, str], str]:
    return status, {"Content-Type": "application/json"}, json.dumps(body)


# ================================================================== single records


def test_get_associations_follows_every_page(
    rsps: responses.RequestsMock, make_client: ClientFactory, version: str
) -> None:
    url = f"{records_url(version)}/contacts/101/associations/companies"
    rsps.add(
        responses.GET,
        url,
        match=[matchers.query_param_matcher({"limit": "500"})],
        json={
            "results": [
                {
                    "toObjectId": 5790939450,
                    "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 279}],
                }
            ],
            "paging": {"next": {"after": "page2", "link": "?after=page2"}},
        },
    )
    rsps.add(
        responses.GET,
        url,
        match=[matchers.query_param_matcher({"limit": "500", "after": "page2"})],
        json={
            "results": [
                {
                    "toObjectId": "17705714757",
                    "associationTypes": [
                        {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None},
                        {"category": "USER_DEFINED", "typeId": 30, "label": "Decision maker"},
                    ],
                }
            ]
        },
    )
    client = make_client(api_version=version)
    records = client.get_associations(
        from_object_type="contacts", object_id=101, to_object_type="companies", limit=1000
    )
    assert [r.to_object_id for r in records] == ["5790939450", "17705714757"]
    assert records[1].types[1].label == "Decision maker"
    assert len(rsps.calls) == 2


def test_get_associations_stops_on_a_repeating_cursor(
    rsps: responses.RequestsMock, make_client: ClientFactory
) -> None:
    url = f"{BASE_URL}/crm/v4/objects/contacts/1/associations/companies"
    page = {"results": [], "paging": {"next": {"after": "same"}}}
    rsps.add(responses.GET, url, json=page)
    rsps.add(responses.GET, url, json=page)
    with pytest.raises(HubSpotUnexpectedResponseError, match="repeated the paging cursor"):
        make_client().get_associations(from_object_type="contacts", object_id="1", to_object_type="companies")


def test_get_associations_validates_limit_and_ids(make_client: ClientFactory) -> None:
    client = make_client()
    with pytest.raises(ValueError, match="limit"):
        client.get_associations(from_object_type="contacts", object_id=1, to_object_type="companies", limit=0)
    with pytest.raises(ValueError, match="object_id"):
        client.get_associations(from_object_type="contacts", object_id="abc", to_object_type="companies")


@pytest.mark.parametrize("status", [201, 200])
def test_associate_puts_the_specs(
    rsps: responses.RequestsMock, make_client: ClientFactory, version: str, status: int
) -> None:
    rsps.add(
        responses.PUT,
        f"{records_url(version)}/0-1/29851/associations/0-3/21678228008",
        status=status,
        json={
            "fromObjectTypeId": "0-1",
            "fromObjectId": 29851,
            "toObjectTypeId": "0-3",
            "toObjectId": 21678228008,
            "labels": ["Point of contact"],
        },
    )
    pair = make_client(api_version=version).associate(
        from_object_type="0-1",
        from_object_id="29851",
        to_object_type="0-3",
        to_object_id=21678228008,
        types=[AssociationSpec(USER, 36)],
    )
    assert sent_json(rsps.calls[0]) == [{"associationCategory": "USER_DEFINED", "associationTypeId": 36}]
    assert pair.labels == ("Point of contact",)
    assert pair.to_object_id == "21678228008"


def test_associate_requires_types(make_client: ClientFactory) -> None:
    with pytest.raises(ValueError, match="associate_default"):
        make_client().associate(
            from_object_type="contacts",
            from_object_id=1,
            to_object_type="companies",
            to_object_id=2,
            types=[],
        )


@pytest.mark.parametrize("status", [200, 201])
def test_associate_default(
    rsps: responses.RequestsMock, make_client: ClientFactory, version: str, status: int
) -> None:
    rsps.add(
        responses.PUT,
        f"{records_url(version)}/contacts/12345/associations/default/companies/67891",
        status=status,
        json={
            "status": "COMPLETE",
            "results": [
                {
                    "from": {"id": "12345"},
                    "to": {"id": 67891},
                    "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279},
                }
            ],
            "startedAt": "x",
            "completedAt": "y",
        },
    )
    rows = make_client(api_version=version).associate_default(
        from_object_type="contacts", from_object_id=12345, to_object_type="companies", to_object_id="67891"
    )
    assert rsps.calls[0].request.body is None
    assert [(r.from_id, r.to_id, r.spec) for r in rows] == [("12345", "67891", AssociationSpec(HUBSPOT, 279))]


def test_associate_default_error_in_a_200_body_raises(
    rsps: responses.RequestsMock, make_client: ClientFactory
) -> None:
    rsps.add(
        responses.PUT,
        f"{BASE_URL}/crm/v4/objects/contacts/1/associations/default/companies/2",
        json={
            "status": "COMPLETE",
            "results": [],
            "errors": [{"category": "OBJECT_NOT_FOUND", "message": "no 2"}],
        },
    )
    with pytest.raises(HubSpotError, match="no 2"):
        make_client().associate_default(
            from_object_type="contacts", from_object_id=1, to_object_type="companies", to_object_id=2
        )


def test_remove_association(rsps: responses.RequestsMock, make_client: ClientFactory, version: str) -> None:
    rsps.add(responses.DELETE, f"{records_url(version)}/contacts/1/associations/companies/2", status=204)
    assert (
        make_client(api_version=version).remove_association(
            from_object_type="contacts", from_object_id="1", to_object_type="companies", to_object_id="2"
        )
        is None
    )


# ================================================================== batch read


def test_batch_read_follows_paging_per_input_and_maps_no_associations_to_empty(
    rsps: responses.RequestsMock, make_client: ClientFactory, version: str
) -> None:
    bodies_sent: list[Any] = []

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body or "{}")
        bodies_sent.append(body)
        if len(bodies_sent) == 1:
            return json_response(
                207,
                {
                    "status": "COMPLETE",
                    "results": [
                        {
                            "from": {"id": "1"},
                            "to": [
                                {
                                    "toObjectId": 10,
                                    "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 279}],
                                }
                            ],
                            "paging": {"next": {"after": "c1"}},
                        },
                        {"from": {"id": 2}, "to": [{"toObjectId": "20", "associationTypes": []}]},
                    ],
                    "errors": [
                        {
                            "status": "error",
                            "category": "OBJECT_NOT_FOUND",
                            "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                            "message": "No company is associated with contact 3.",
                            "context": {"fromObjectId": ["3"]},
                        }
                    ],
                    "numErrors": 1,
                },
            )
        return json_response(
            200,
            {
                "status": "COMPLETE",
                "results": [{"from": {"id": "1"}, "to": [{"toObjectId": 11, "associationTypes": []}]}],
            },
        )

    rsps.add_callback(responses.POST, f"{assoc_url(version)}/contacts/companies/batch/read", callback=answer)
    result = make_client(api_version=version).batch_read(
        from_object_type="contacts", to_object_type="companies", object_ids=[1, "2", "3", "01"]
    )
    assert bodies_sent == [
        {"inputs": [{"id": "1"}, {"id": "2"}, {"id": "3"}]},
        {"inputs": [{"id": "1", "after": "c1"}]},
    ]
    assert {k: [r.to_object_id for r in v] for k, v in result.associations.items()} == {
        "1": ["10", "11"],
        "2": ["20"],
        "3": [],
    }
    assert result.errors == []


def test_batch_read_chunks_at_1000_and_maps_other_errors_to_caller_indexes(
    rsps: responses.RequestsMock, make_client: ClientFactory
) -> None:
    sizes: list[int] = []

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        inputs = json.loads(request.body or "{}")["inputs"]
        sizes.append(len(inputs))
        errors = []
        if any(item["id"] == "1001" for item in inputs):
            errors.append({"category": "OBJECT_NOT_FOUND", "message": "gone", "context": {"ids": ["1001"]}})
        return json_response(207 if errors else 200, {"status": "COMPLETE", "results": [], "errors": errors})

    rsps.add_callback(
        responses.POST, f"{BASE_URL}/crm/v4/associations/deals/companies/batch/read", callback=answer
    )
    ids = [*range(1, 1002), 1001]  # 1,001 unique ids; 1001 given twice
    result = make_client().batch_read(from_object_type="deals", to_object_type="companies", object_ids=ids)
    assert sizes == [1000, 1]
    assert len(result.errors) == 1
    assert result.errors[0].input_indexes == (1000, 1001)
    assert "1001" not in result.associations
    assert result.associations["1"] == []
    assert len(result.associations) == 1000


# ================================================================== batch writes


def pair_row(from_id: object, to_id: object) -> dict[str, Any]:
    return {
        "fromObjectTypeId": "0-1",
        "fromObjectId": from_id,
        "toObjectTypeId": "0-2",
        "toObjectId": to_id,
        "labels": [],
    }


def test_batch_create_chunks_at_2000_and_offsets_207_errors(
    rsps: responses.RequestsMock, make_client: ClientFactory, version: str
) -> None:
    url = f"{assoc_url(version)}/contacts/companies/batch/create"
    rsps.add(
        responses.POST,
        url,
        status=201,
        json={
            "status": "COMPLETE",
            "results": [pair_row(i, "9") for i in range(2000)],
            "startedAt": "",
            "completedAt": "",
        },
    )
    rsps.add(
        responses.POST,
        url,
        status=207,
        json={
            "status": "COMPLETE",
            "results": [],
            "errors": [
                {
                    "status": "error",
                    "category": "VALIDATION_ERROR",
                    "message": "label 99 does not exist",
                    "context": {"fromObjectId": ["2000"], "toObjectId": ["9"]},
                }
            ],
            "numErrors": 1,
        },
    )
    inputs = [
        AssociationInput(from_id=str(i), to_id="9", types=(AssociationSpec(USER, 99),)) for i in range(2001)
    ]
    result = make_client(api_version=version).batch_create(
        from_object_type="contacts", to_object_type="companies", inputs=inputs
    )
    first, second = (sent_json(call)["inputs"] for call in rsps.calls)
    assert (len(first), len(second)) == (2000, 1)
    assert second[0] == {
        "from": {"id": "2000"},
        "to": {"id": "9"},
        "types": [{"associationCategory": "USER_DEFINED", "associationTypeId": 99}],
    }
    assert len(result.results) == 2000
    assert result.results[5].from_object_id == "5"
    assert [(e.category, e.input_indexes) for e in result.errors] == [("VALIDATION_ERROR", (2000,))]


def test_batch_create_accepts_200_and_requires_types(
    rsps: responses.RequestsMock, make_client: ClientFactory
) -> None:
    rsps.add(
        responses.POST,
        f"{BASE_URL}/crm/v4/associations/contacts/companies/batch/create",
        status=200,
        json={"status": "COMPLETE", "results": [pair_row("1", 2)]},
    )
    client = make_client()
    result = client.batch_create(
        from_object_type="contacts",
        to_object_type="companies",
        inputs=[AssociationInput(from_id="1", to_id="2", types=(AssociationSpec(HUBSPOT, 1),))],
    )
    assert result.results[0].to_object_id == "2"
    with pytest.raises(ValueError, match=r"inputs\[0\]"):
        client.batch_create(
            from_object_type="contacts",
            to_object_type="companies",
            inputs=[AssociationInput(from_id="1", to_id="2")],
        )


def test_batch_associate_default_maps_errors_in_a_200_body(
    rsps: responses.RequestsMock, make_client: ClientFactory, version: str
) -> None:
    url = f"{assoc_url(version)}/contacts/companies/batch/associate/default"
    spec = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}
    rsps.add(
        responses.POST,
        url,
        json={
            "status": "COMPLETE",
            "results": [{"from": {"id": i}, "to": {"id": "5"}, "associationSpec": spec} for i in range(999)],
        },
    )
    rsps.add(
        responses.POST,
        url,
        json={
            "status": "COMPLETE",
            "results": [{"from": {"id": "1000"}, "to": {"id": "5"}, "associationSpec": spec}],
            "errors": [
                {"category": "OBJECT_NOT_FOUND", "message": "no 999", "context": {"fromObjectId": ["999"]}}
            ],
            "numErrors": 1,
        },
    )
    pairs = [(i, 5) for i in range(1001)]
    result = make_client(api_version=version).batch_associate_default(
        from_object_type="contacts", to_object_type="companies", pairs=pairs
    )
    first, second = (sent_json(call)["inputs"] for call in rsps.calls)
    assert (len(first), len(second)) == (1000, 1)
    assert first[0] == {"from": {"id": "0"}, "to": {"id": "5"}}
    assert len(result.results) == 1000
    assert result.errors[0].input_indexes == ()  # 999 is not in the second chunk
    assert result.errors[0].message == "no 999"


def test_batch_archive_groups_by_from_id_and_chunks_at_1000_pairs(
    rsps: responses.RequestsMock, make_client: ClientFactory, version: str
) -> None:
    url = f"{assoc_url(version)}/contacts/companies/batch/archive"
    rsps.add(responses.POST, url, status=204)
    rsps.add(responses.POST, url, status=204)
    pairs: list[tuple[str | int, str | int]] = [(1, to) for to in range(1000)] + [("1", "1000"), (2, 7)]
    make_client(api_version=version).batch_archive(
        from_object_type="contacts", to_object_type="companies", pairs=pairs
    )
    first, second = (sent_json(call)["inputs"] for call in rsps.calls)
    assert len(first) == 1
    assert len(first[0]["to"]) == 1000
    assert second == [
        {"from": {"id": "1"}, "to": [{"id": "1000"}]},
        {"from": {"id": "2"}, "to": [{"id": "7"}]},
    ]


def test_batch_archive_maps_a_date_versions_envelope_errors_to_input_indexes_across_chunks(
    rsps: responses.RequestsMock, make_client: ClientFactory
) -> None:
    url = f"{BASE_URL}/crm/associations/2026-03/contacts/companies/batch/archive"
    ok = {"status": "COMPLETE", "results": [], "startedAt": "x", "completedAt": "y"}
    refusal = {
        "status": "error",
        "category": "VALIDATION_ERROR",
        "message": "pair refused",
        "context": {"fromObjectId": ["2"], "toObjectId": ["7"]},
    }
    rsps.add(responses.POST, url, status=200, json=ok)
    rsps.add(responses.POST, url, status=200, json={**ok, "errors": [refusal], "numErrors": 1})
    pairs: list[tuple[str | int, str | int]] = [(1, to) for to in range(1000)] + [("1", "1000"), (2, 7)]
    result = make_client(api_version="2026-03").batch_archive(
        from_object_type="contacts", to_object_type="companies", pairs=pairs
    )
    assert [(e.message, e.input_indexes) for e in result.errors] == [("pair refused", (1001,))]


def test_purge_limit_configurations_maps_envelope_errors_by_type_id(
    rsps: responses.RequestsMock, make_client: ClientFactory
) -> None:
    url = f"{BASE_URL}/crm/associations/2026-09/definitions/configurations/contacts/companies/batch/purge"
    refusal = {
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "message": "none",
        "context": {"typeId": ["36"]},
    }
    rsps.add(responses.POST, url, status=200, json={"status": "COMPLETE", "results": [], "errors": [refusal]})
    result = make_client(api_version="2026-09").purge_limit_configurations(
        from_object_type="contacts",
        to_object_type="companies",
        inputs=[AssociationSpec(USER, 35), AssociationSpec(USER, 36)],
    )
    assert [e.input_indexes for e in result.errors] == [(1,)]


def test_batch_archive_labels(rsps: responses.RequestsMock, make_client: ClientFactory, version: str) -> None:
    url = f"{assoc_url(version)}/contacts/companies/batch/labels/archive"
    rsps.add(responses.POST, url, status=204)
    rsps.add(responses.POST, url, status=204)
    inputs = [
        AssociationInput(from_id=str(i), to_id="2", types=(AssociationSpec(USER, 36),)) for i in range(1001)
    ]
    make_client(api_version=version).batch_archive_labels(
        from_object_type="contacts", to_object_type="companies", inputs=inputs
    )
    first, second = (sent_json(call)["inputs"] for call in rsps.calls)
    assert (len(first), len(second)) == (1000, 1)
    assert second[0]["types"] == [{"associationCategory": "USER_DEFINED", "associationTypeId": 36}]


def test_high_usage_report_is_not_retried_after_a_500(
    rsps: responses.RequestsMock, make_client: ClientFactory, version: str
) -> None:
    url = f"{assoc_url(version)}/usage/high-usage-report/77"
    rsps.add(responses.POST, url, status=500, json={"message": "boom"})
    client = make_client(api_version=version)
    with pytest.raises(HubSpotServerError):
        client.request_high_usage_report(user_id=77)
    assert len(rsps.calls) == 1
    rsps.replace(
        responses.POST,
        url,
        json={
            "userId": 77,
            "userEmail": "ops@example.com",
            "enqueueTime": {"value": 1, "timeZoneShift": 0, "dateOnly": False},
        },
    )
    report = client.request_high_usage_report(user_id=77)
    assert (report.user_id, report.user_email, report.enqueue_time_ms) == (77, "ops@example.com", 1)


# ================================================================== labels


def test_list_labels(rsps: responses.RequestsMock, make_client: ClientFactory, version: str) -> None:
    rsps.add(
        responses.GET,
        f"{assoc_url(version)}/contacts/companies/labels",
        json={
            "results": [
                {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"},
                {"category": "USER_DEFINED", "typeId": "28", "label": "Billing contact"},
                {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None},
            ]
        },
    )
    labels = make_client(api_version=version).list_labels(
        from_object_type="contacts", to_object_type="companies"
    )
    assert [(t.type_id, t.label) for t in labels] == [(1, "Primary"), (28, "Billing contact"), (279, None)]


@pytest.mark.parametrize("status", [200, 201])
def test_create_label(
    rsps: responses.RequestsMock, make_client: ClientFactory, version: str, status: int
) -> None:
    rsps.add(
        responses.POST,
        f"{assoc_url(version)}/contacts/contacts/labels",
        status=status,
        json={
            "results": [
                {"category": "USER_DEFINED", "typeId": 145, "label": "Employee"},
                {"category": "USER_DEFINED", "typeId": 144, "label": "Manager"},
            ]
        },
    )
    created = make_client(api_version=version).create_label(
        from_object_type="contacts",
        to_object_type="contacts",
        name="manager_employee",
        label="Manager",
        inverse_label="Employee",
    )
    assert sent_json(rsps.calls[0]) == {
        "name": "manager_employee",
        "label": "Manager",
        "inverseLabel": "Employee",
    }
    assert {t.type_id for t in created} == {144, 145}


def test_create_label_is_not_retried_after_a_reset(
    rsps: responses.RequestsMock, make_client: ClientFactory
) -> None:
    rsps.add(
        responses.POST,
        f"{BASE_URL}/crm/v4/associations/contacts/companies/labels",
        body=requests.exceptions.ConnectionError("Connection reset by peer"),
    )
    with pytest.raises(HubSpotError):
        make_client().create_label(
            from_object_type="contacts", to_object_type="companies", name="c", label="C"
        )
    assert len(rsps.calls) == 1


def test_create_label_is_retried_after_a_429(
    rsps: responses.RequestsMock, make_client: ClientFactory, clock: FakeClock
) -> None:
    url = f"{BASE_URL}/crm/v4/associations/contacts/companies/labels"
    rsps.add(responses.POST, url, status=429, json={"policyName": "TEN_SECONDLY_ROLLING", "message": "slow"})
    rsps.add(
        responses.POST, url, json={"results": [{"category": "USER_DEFINED", "typeId": 40, "label": "C"}]}
    )
    created = make_client().create_label(
        from_object_type="contacts", to_object_type="companies", name="c", label="C"
    )
    assert created[0].type_id == 40
    assert clock.sleeps == [10.0]


@pytest.mark.parametrize("status", [204, 200])
def test_update_label(
    rsps: responses.RequestsMock, make_client: ClientFactory, version: str, status: int
) -> None:
    rsps.add(responses.PUT, f"{assoc_url(version)}/contacts/companies/labels", status=status)
    make_client(api_version=version).update_label(
        from_object_type="contacts",
        to_object_type="companies",
        association_type_id=32,
        label="Contract worker",
    )
    assert sent_json(rsps.calls[0]) == {"associationTypeId": 32, "label": "Contract worker"}


def test_delete_label(rsps: responses.RequestsMock, make_client: ClientFactory, version: str) -> None:
    rsps.add(responses.DELETE, f"{assoc_url(version)}/contacts/companies/labels/36", status=204)
    make_client(api_version=version).delete_label(
        from_object_type="contacts", to_object_type="companies", association_type_id=36
    )
    assert len(rsps.calls) == 1


# ================================================================== limit configurations

CONFIG_RESULTS = {
    "results": [{"category": "HUBSPOT_DEFINED", "typeId": 3, "userEnforcedMaxToObjectIds": 5, "label": None}]
}


def test_get_limit_configurations_all_and_pair(
    rsps: responses.RequestsMock, make_client: ClientFactory, version: str
) -> None:
    rsps.add(responses.GET, f"{assoc_url(version)}/definitions/configurations/all", json=CONFIG_RESULTS)
    rsps.add(responses.GET, f"{assoc_url(version)}/definitions/configurations/0-1/0-2", json=CONFIG_RESULTS)
    client = make_client(api_version=version)
    assert client.get_limit_configurations()[0].max_to_object_ids == 5
    assert client.get_limit_configurations(from_object_type="0-1", to_object_type="0-2")[0].type_id == 3
    with pytest.raises(ValueError, match="both"):
        client.get_limit_configurations(from_object_type="0-1")


def test_create_limit_configurations_maps_207_errors_by_type_id(
    rsps: responses.RequestsMock, make_client: ClientFactory, version: str
) -> None:
    rsps.add(
        responses.POST,
        f"{assoc_url(version)}/definitions/configurations/0-1/0-2/batch/create",
        status=207,
        json={
            "status": "COMPLETE",
            "results": CONFIG_RESULTS["results"],
            "errors": [
                {"category": "VALIDATION_ERROR", "message": "must be 1-9", "context": {"typeId": ["35"]}}
            ],
            "numErrors": 1,
        },
    )
    inputs = [
        LimitConfigurationInput(category=HUBSPOT, type_id=3, max_to_object_ids=5),
        LimitConfigurationInput(category=USER, type_id=35, max_to_object_ids=10),
    ]
    result = make_client(api_version=version).create_limit_configurations(
        from_object_type="0-1", to_object_type="0-2", inputs=inputs
    )
    assert sent_json(rsps.calls[0]) == {
        "inputs": [
            {"category": "HUBSPOT_DEFINED", "typeId": 3, "maxToObjectIds": 5},
            {"category": "USER_DEFINED", "typeId": 35, "maxToObjectIds": 10},
        ]
    }
    assert [c.type_id for c in result.results] == [3]
    assert result.errors[0].input_indexes == (1,)
    assert "1-9" in result.errors[0].message


def test_update_and_purge_limit_configurations(
    rsps: responses.RequestsMock, make_client: ClientFactory, version: str
) -> None:
    base = f"{assoc_url(version)}/definitions/configurations/0-1/0-2/batch"
    rsps.add(
        responses.POST,
        f"{base}/update",
        json={
            "status": "COMPLETE",
            "results": [{"category": "USER_DEFINED", "typeId": 35, "userEnforcedMaxToObjectIds": 2}],
        },
    )
    rsps.add(responses.POST, f"{base}/purge", status=204)
    client = make_client(api_version=version)
    updated = client.update_limit_configurations(
        from_object_type="0-1",
        to_object_type="0-2",
        inputs=[LimitConfigurationInput(category=USER, type_id=35, max_to_object_ids=2)],
    )
    assert updated.results[0].max_to_object_ids == 2
    client.purge_limit_configurations(
        from_object_type="0-1", to_object_type="0-2", inputs=[AssociationSpec(USER, 35)]
    )
    assert sent_json(rsps.calls[1]) == {"inputs": [{"category": "USER_DEFINED", "typeId": 35}]}


# ================================================================== lifecycle


def test_context_manager_stats_and_repr(rsps: responses.RequestsMock, clock: FakeClock) -> None:
    from airflow_provider_hubassoc.client import ClientSettings, StaticTokenProvider

    rsps.add(responses.GET, f"{BASE_URL}/crm/v4/associations/contacts/companies/labels", json={"results": []})
    with HubSpotAssociationsClient(
        settings=ClientSettings(api_version="v4"),
        token_provider=StaticTokenProvider(token=TOKEN),
        clock=clock,
    ) as client:
        client.list_labels(from_object_type="contacts", to_object_type="companies")
        assert client.stats.requests == 1
        assert client.stats is client.transport.stats
        assert TOKEN not in repr(client)
