"""The official SDK (hubspot-api-client 12) against the emulator: every associations v4 method."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hubspot import HubSpot
from hubspot.crm.associations.v4 import (
    AssociationSpec,
    BatchInputPublicAssociationMultiArchive,
    BatchInputPublicAssociationMultiPost,
    BatchInputPublicDefaultAssociationMultiPost,
    BatchInputPublicFetchAssociationsBatchRequest,
    BatchResponseLabelsBetweenObjectPair,
    BatchResponseLabelsBetweenObjectPairWithErrors,
    BatchResponsePublicAssociationMultiWithLabel,
    BatchResponsePublicAssociationMultiWithLabelWithErrors,
    BatchResponsePublicDefaultAssociation,
    CollectionResponseMultiAssociatedObjectWithLabelForwardPaging,
    LabelsBetweenObjectPair,
    PublicAssociationMultiArchive,
    PublicAssociationMultiPost,
    PublicDefaultAssociationMultiPost,
    PublicFetchAssociationsBatchRequest,
    PublicObjectId,
)
from hubspot.crm.associations.v4.exceptions import ApiException
from hubspot.crm.associations.v4.schema import (
    BatchInputPublicAssociationDefinitionConfigurationCreateRequest,
    BatchInputPublicAssociationDefinitionConfigurationUpdateRequest,
    BatchInputPublicAssociationSpec,
    BatchResponsePublicAssociationDefinitionConfigurationUpdateResult,
    BatchResponsePublicAssociationDefinitionUserConfiguration,
    CollectionResponseAssociationSpecWithLabelNoPaging,
    CollectionResponsePublicAssociationDefinitionUserConfigurationNoPaging,
    PublicAssociationDefinitionConfigurationCreateRequest,
    PublicAssociationDefinitionConfigurationUpdateRequest,
    PublicAssociationDefinitionCreateRequest,
    PublicAssociationDefinitionUpdateRequest,
    PublicAssociationSpec,
)
from hubspot.crm.associations.v4.schema.exceptions import ApiException as SchemaApiException

from airflow_provider_hubassoc.emulator import EmulatorServer
from tests.emulator.conftest import TOKEN


@pytest.fixture
def client(emulator: EmulatorServer) -> HubSpot:
    return HubSpot(access_token=TOKEN, host=emulator.url)


def _spec(type_id: int, category: str = "HUBSPOT_DEFINED") -> AssociationSpec:
    return AssociationSpec(association_category=category, association_type_id=type_id)


def test_sdk_host_points_at_emulator(client: HubSpot, emulator: EmulatorServer) -> None:
    assert client.crm.associations.v4.basic_api.api_client.configuration.host == emulator.url


def test_basic_api_create_get_page_archive(client: HubSpot) -> None:
    basic = client.crm.associations.v4.basic_api
    pair = basic.create("contacts", "101", "companies", "201", [_spec(279)])
    assert isinstance(pair, LabelsBetweenObjectPair)
    assert (pair.from_object_type_id, pair.from_object_id, pair.to_object_type_id, pair.to_object_id) == (
        "0-1",
        "101",
        "0-2",
        "201",
    )
    assert pair.labels == []

    page = basic.get_page("contacts", "101", "companies", limit=10)
    assert isinstance(page, CollectionResponseMultiAssociatedObjectWithLabelForwardPaging)
    assert [r.to_object_id for r in page.results] == ["201"]
    assert {(t.category, t.type_id, t.label) for t in page.results[0].association_types} == {
        ("HUBSPOT_DEFINED", 279, None),
        ("HUBSPOT_DEFINED", 1, "Contact with Primary Company"),
    }
    assert page.paging is None

    reverse = basic.get_page("companies", "201", "contacts")
    assert {t.type_id for t in reverse.results[0].association_types} == {280, 2}

    assert basic.archive("contacts", "101", "companies", "201") is None
    assert basic.get_page("contacts", "101", "companies").results == []


def test_basic_api_create_default(client: HubSpot) -> None:
    resp = client.crm.associations.v4.basic_api.create_default("deals", "301", "companies", "202")
    assert isinstance(resp, BatchResponsePublicDefaultAssociation)
    assert resp.status == "COMPLETE"
    assert resp.results[0]._from.id == "301"
    assert resp.results[0].to.id == "202"
    assert resp.results[0].association_spec.association_type_id == 341
    assert resp.results[0].association_spec.association_category == "HUBSPOT_DEFINED"
    assert isinstance(resp.started_at, dt.datetime)


def test_basic_api_get_page_paging(client: HubSpot, emulator: EmulatorServer) -> None:
    emulator.runtime.reconfigure({"page_size": 3})
    basic = client.crm.associations.v4.basic_api
    for company in range(201, 208):
        basic.create_default("contacts", "101", "companies", str(company))
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = basic.get_page("contacts", "101", "companies", after=after)
        pages += 1
        seen += [r.to_object_id for r in page.results]
        if page.paging is None:
            break
        after = page.paging.next.after
    assert seen == [str(c) for c in range(201, 208)]
    assert pages == 3


def test_batch_api_create_read_default_archive(client: HubSpot) -> None:
    batch = client.crm.associations.v4.batch_api
    created = batch.create(
        "contacts",
        "companies",
        BatchInputPublicAssociationMultiPost(
            inputs=[
                PublicAssociationMultiPost(
                    _from=PublicObjectId(id="102"), to=PublicObjectId(id="203"), types=[_spec(279)]
                ),
                PublicAssociationMultiPost(
                    _from=PublicObjectId(id="103"), to=PublicObjectId(id="203"), types=[_spec(279)]
                ),
            ]
        ),
    )
    assert isinstance(created, BatchResponseLabelsBetweenObjectPair)
    assert sorted(r.from_object_id for r in created.results) == ["102", "103"]

    partial = batch.create(
        "contacts",
        "companies",
        BatchInputPublicAssociationMultiPost(
            inputs=[
                PublicAssociationMultiPost(
                    _from=PublicObjectId(id="104"), to=PublicObjectId(id="203"), types=[_spec(279)]
                ),
                PublicAssociationMultiPost(
                    _from=PublicObjectId(id="104"), to=PublicObjectId(id="999999"), types=[_spec(279)]
                ),
            ]
        ),
    )
    assert isinstance(partial, BatchResponseLabelsBetweenObjectPairWithErrors)
    assert partial.num_errors == 1
    assert partial.errors[0].category == "OBJECT_NOT_FOUND"
    assert partial.errors[0].context["toObjectId"] == ["999999"]

    default = batch.create_default(
        "contacts",
        "companies",
        BatchInputPublicDefaultAssociationMultiPost(
            inputs=[
                PublicDefaultAssociationMultiPost(_from=PublicObjectId(id="105"), to=PublicObjectId(id="204"))
            ]
        ),
    )
    assert isinstance(default, BatchResponsePublicDefaultAssociation)
    assert default.results[0].association_spec.association_type_id == 279

    read = batch.get_page(
        "contacts",
        "companies",
        BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[
                PublicFetchAssociationsBatchRequest(id="102"),
                PublicFetchAssociationsBatchRequest(id="105"),
            ]
        ),
    )
    assert isinstance(read, BatchResponsePublicAssociationMultiWithLabel)
    assert {r._from.id: [t.to_object_id for t in r.to] for r in read.results} == {
        "102": ["203"],
        "105": ["204"],
    }

    missing = batch.get_page(
        "contacts",
        "companies",
        BatchInputPublicFetchAssociationsBatchRequest(inputs=[PublicFetchAssociationsBatchRequest(id="110")]),
    )
    assert isinstance(missing, BatchResponsePublicAssociationMultiWithLabelWithErrors)
    assert missing.errors[0].sub_category == "crm.associations.NO_ASSOCIATIONS_FOUND"

    assert (
        batch.archive(
            "contacts",
            "companies",
            BatchInputPublicAssociationMultiArchive(
                inputs=[
                    PublicAssociationMultiArchive(
                        _from=PublicObjectId(id="102"), to=[PublicObjectId(id="203")]
                    )
                ]
            ),
        )
        is None
    )
    assert client.crm.associations.v4.basic_api.get_page("contacts", "102", "companies").results == []


def test_batch_api_archive_labels(client: HubSpot) -> None:
    schema = client.crm.associations.v4.schema.definitions_api
    created = schema.create(
        "contacts", "companies", PublicAssociationDefinitionCreateRequest(name="billing", label="Billing")
    )
    label_id = created.results[0].type_id
    basic = client.crm.associations.v4.basic_api
    basic.create("contacts", "106", "companies", "205", [_spec(279), _spec(label_id, "USER_DEFINED")])
    client.crm.associations.v4.batch_api.archive_labels(
        "contacts",
        "companies",
        BatchInputPublicAssociationMultiPost(
            inputs=[
                PublicAssociationMultiPost(
                    _from=PublicObjectId(id="106"),
                    to=PublicObjectId(id="205"),
                    types=[_spec(label_id, "USER_DEFINED")],
                )
            ]
        ),
    )
    types = {t.type_id for t in basic.get_page("contacts", "106", "companies").results[0].association_types}
    assert types == {279, 1}


def test_report_api(client: HubSpot) -> None:
    # The SDK's model types enqueueTime as an ISO date-time string; every version's spec
    # (PublicApiSpecs/CRM/Associations/Rollouts/130902/<version>/associations.json) types it as a
    # DateTime object {value, timeZoneShift, dateOnly}, which the emulator sends. So the SDK's route
    # and answer are checked here on the raw body; its model cannot parse the spec's shape.
    raw = client.crm.associations.v4.report_api.request(42, _preload_content=False)
    body = json.loads(raw.data)
    assert raw.status == 200
    assert body["userId"] == 42
    assert body["userEmail"] == "user42@example.com"
    enqueue = body["enqueueTime"]
    assert set(enqueue) == {"value", "timeZoneShift", "dateOnly"}
    assert isinstance(enqueue["value"], int)
    assert enqueue["value"] > 1_700_000_000_000
    assert enqueue["dateOnly"] is False


def test_definitions_api_crud(client: HubSpot) -> None:
    api = client.crm.associations.v4.schema.definitions_api
    created = api.create(
        "contacts",
        "companies",
        PublicAssociationDefinitionCreateRequest(
            name="manager_employee", label="Manager", inverse_label="Employee"
        ),
    )
    assert isinstance(created, CollectionResponseAssociationSpecWithLabelNoPaging)
    by_label = {r.label: r.type_id for r in created.results}
    assert set(by_label) == {"Manager", "Employee"}
    assert by_label["Manager"] != by_label["Employee"]

    listed = api.get_all("contacts", "companies")
    assert {(r.category, r.type_id, r.label) for r in listed.results} >= {
        ("HUBSPOT_DEFINED", 1, "Contact with Primary Company"),
        ("HUBSPOT_DEFINED", 279, None),
        ("USER_DEFINED", by_label["Manager"], "Manager"),
    }
    reverse = api.get_all("companies", "contacts")
    assert ("USER_DEFINED", by_label["Employee"], "Employee") in {
        (r.category, r.type_id, r.label) for r in reverse.results
    }

    api.update(
        "contacts",
        "companies",
        PublicAssociationDefinitionUpdateRequest(association_type_id=by_label["Manager"], label="Boss"),
    )
    labels = {r.type_id: r.label for r in api.get_all("contacts", "companies").results}
    assert labels[by_label["Manager"]] == "Boss"

    api.remove("contacts", "companies", by_label["Manager"])
    remaining = {r.type_id for r in api.get_all("contacts", "companies").results}
    assert by_label["Manager"] not in remaining
    assert remaining == {1, 279}

    with pytest.raises(SchemaApiException) as err:
        api.remove("contacts", "companies", 279)
    assert err.value.status == 400


def test_definition_configurations_api(client: HubSpot) -> None:
    api = client.crm.associations.v4.schema.definition_configurations_api
    created = api.batch_create(
        "contacts",
        "deals",
        BatchInputPublicAssociationDefinitionConfigurationCreateRequest(
            inputs=[
                PublicAssociationDefinitionConfigurationCreateRequest(
                    category="HUBSPOT_DEFINED", type_id=4, max_to_object_ids=5
                )
            ]
        ),
    )
    assert isinstance(created, BatchResponsePublicAssociationDefinitionUserConfiguration)
    assert created.results[0].user_enforced_max_to_object_ids == 5
    assert created.results[0].type_id == 4

    pair = api.get_all_between_two_object_types("contacts", "deals")
    assert isinstance(pair, CollectionResponsePublicAssociationDefinitionUserConfigurationNoPaging)
    assert [(r.type_id, r.user_enforced_max_to_object_ids) for r in pair.results] == [(4, 5)]

    updated = api.batch_update(
        "contacts",
        "deals",
        BatchInputPublicAssociationDefinitionConfigurationUpdateRequest(
            inputs=[
                PublicAssociationDefinitionConfigurationUpdateRequest(
                    category="HUBSPOT_DEFINED", type_id=4, max_to_object_ids=3
                )
            ]
        ),
    )
    assert isinstance(updated, BatchResponsePublicAssociationDefinitionConfigurationUpdateResult)
    assert updated.results[0].user_enforced_max_to_object_ids == 3

    everything = api.get_all()
    assert [(r.type_id, r.user_enforced_max_to_object_ids) for r in everything.results] == [(4, 3)]

    api.batch_remove(
        "contacts",
        "deals",
        BatchInputPublicAssociationSpec(
            inputs=[PublicAssociationSpec(category="HUBSPOT_DEFINED", type_id=4)]
        ),
    )
    assert api.get_all().results == []


def test_sdk_raises_on_401(emulator: EmulatorServer) -> None:
    client = HubSpot(access_token="wrong", host=emulator.url)
    with pytest.raises(ApiException) as err:
        client.crm.associations.v4.basic_api.get_page("contacts", "101", "companies")
    assert err.value.status == 401
