"""CRM objects routes of the emulator (issue 16): the official SDK on v3, the date routes beside it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hubspot import HubSpot
from hubspot.crm.objects import (
    BatchReadInputSimplePublicObjectId,
    BatchResponseSimplePublicObject,
    BatchResponseSimplePublicObjectWithErrors,
    CollectionResponseWithTotalSimplePublicObjectForwardPaging,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectId,
    SimplePublicObjectWithAssociations,
)
from hubspot.crm.objects.exceptions import ApiException, NotFoundException

from airflow_provider_hubassoc.emulator import EmulatorConfig, EmulatorServer
from tests.emulator.conftest import TOKEN
from tests.sync.test_keys import KEYED_SEED

DATES = ("2025-09", "2026-03", "2026-09")


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    seed = json.loads(json.dumps(KEYED_SEED))
    seed["companies"] += [{"id": str(1000 + i), "properties": {"domain": "big.example"}} for i in range(250)]
    with EmulatorServer(EmulatorConfig(seed=seed, search_requests_per_second=None), port=0) as emulator:
        yield emulator


@pytest.fixture
def emulator(server: EmulatorServer) -> EmulatorServer:
    server.runtime.reconfigure({"search_requests_per_second": None})
    server.reset()
    return server


@pytest.fixture
def sdk(emulator: EmulatorServer) -> HubSpot:
    return HubSpot(access_token=TOKEN, host=emulator.url)


def post(emulator: EmulatorServer, path: str, body: Any) -> requests.Response:
    return requests.post(
        emulator.url + path, json=body, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    )


def by_email(*emails: str) -> BatchReadInputSimplePublicObjectId:
    return BatchReadInputSimplePublicObjectId(
        inputs=[SimplePublicObjectId(id=e) for e in emails],
        properties=["email"],
        properties_with_history=[],
        id_property="email",
    )


def test_sdk_batch_read_by_email(sdk: HubSpot) -> None:
    answer = sdk.crm.objects.batch_api.read("contacts", by_email("ADA@example.com", "bob@example.com"))
    assert isinstance(answer, BatchResponseSimplePublicObject)
    assert sorted(r.id for r in answer.results) == ["101", "102"]
    assert {r.properties["email"] for r in answer.results} == {"ada@example.com", "bob@example.com"}
    assert all(r.created_at is not None for r in answer.results)


def test_sdk_batch_read_with_missing_inputs_is_207(sdk: HubSpot) -> None:
    answer = sdk.crm.objects.batch_api.read("contacts", by_email("ada@example.com", "nobody@example.com"))
    assert isinstance(answer, BatchResponseSimplePublicObjectWithErrors)
    assert [r.id for r in answer.results] == ["101"]
    assert answer.errors[0].category == "OBJECT_NOT_FOUND"
    assert answer.errors[0].context == {"ids": ["nobody@example.com"]}


def test_sdk_batch_read_by_id_follows_a_merge(sdk: HubSpot) -> None:
    body = BatchReadInputSimplePublicObjectId(
        inputs=[SimplePublicObjectId(id="150")], properties=[], properties_with_history=[]
    )
    answer = sdk.crm.objects.batch_api.read("contacts", body)
    assert [r.id for r in answer.results] == ["104"]
    assert answer.results[0].properties["hs_merged_object_ids"] == "150"


def test_sdk_batch_read_by_a_non_unique_property_is_400(sdk: HubSpot) -> None:
    body = BatchReadInputSimplePublicObjectId(
        inputs=[SimplePublicObjectId(id="acme.io")],
        properties=[],
        properties_with_history=[],
        id_property="domain",
    )
    with pytest.raises(ApiException) as raised:
        sdk.crm.objects.batch_api.read("companies", body)
    assert raised.value.status == 400
    error = json.loads(raised.value.body)
    assert error["category"] == "VALIDATION_ERROR"
    assert "non-unique 0-2 property domain" in error["message"]


def test_batch_read_over_100_inputs_is_400(emulator: EmulatorServer) -> None:
    body = {"inputs": [{"id": str(i)} for i in range(101)], "properties": [], "propertiesWithHistory": []}
    answer = post(emulator, "/crm/v3/objects/contacts/batch/read", body)
    assert answer.status_code == 400
    assert "maximum number of inputs supported in a batch is 100" in answer.json()["message"]


def test_sdk_get_by_id_and_by_email(sdk: HubSpot) -> None:
    record = sdk.crm.objects.basic_api.get_by_id("contacts", "101", properties=["email"])
    assert isinstance(record, SimplePublicObjectWithAssociations)
    assert record.properties["email"] == "ada@example.com"
    by_key = sdk.crm.objects.basic_api.get_by_id("contacts", "Bob@Example.com", id_property="email")
    assert by_key.id == "102"
    assert sdk.crm.objects.basic_api.get_by_id("contacts", "150").id == "104"


def test_sdk_get_of_a_missing_record_is_404(sdk: HubSpot) -> None:
    with pytest.raises(NotFoundException) as raised:
        sdk.crm.objects.basic_api.get_by_id("contacts", "999")
    body = json.loads(raised.value.body)
    assert body["category"] == "OBJECT_NOT_FOUND"
    assert body["context"] == {"id": ["999"]}


def search_request(values: list[str], *, limit: int = 200, after: str = "0") -> PublicObjectSearchRequest:
    return PublicObjectSearchRequest(
        filter_groups=[FilterGroup(filters=[Filter(property_name="domain", operator="IN", values=values)])],
        properties=["domain"],
        limit=limit,
        after=after,
        sorts=[],
    )


def test_sdk_search_in_pages_with_after(sdk: HubSpot) -> None:
    first = sdk.crm.objects.search_api.do_search("companies", search_request(["big.example"], limit=200))
    assert isinstance(first, CollectionResponseWithTotalSimplePublicObjectForwardPaging)
    assert first.total == 250
    assert len(first.results) == 200
    assert first.paging.next.after == "200"
    second = sdk.crm.objects.search_api.do_search("companies", search_request(["big.example"], after="200"))
    assert len(second.results) == 50
    assert second.paging is None


def test_sdk_search_eq_is_case_insensitive_and_oldest_first(sdk: HubSpot) -> None:
    request = PublicObjectSearchRequest(
        filter_groups=[FilterGroup(filters=[Filter(property_name="domain", operator="EQ", value="ACME.io")])],
        properties=["domain"],
        limit=10,
        after="0",
        sorts=[],
    )
    answer = sdk.crm.companies.search_api.do_search(request)
    assert [r.id for r in answer.results] == ["202", "203"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"filterGroups": [{"filters": []}] * 6, "limit": 10}, "Too many filter groups"),
        (
            {"filterGroups": [{"filters": [{"propertyName": "domain", "operator": "EQ", "value": "a"}] * 7}]},
            "Too many filters",
        ),
        ({"limit": 201}, "'limit' must be between 1 and 200"),
        ({"limit": 200, "after": "9900"}, "Paging past the first 10000 results"),
    ],
)
def test_search_limits_answer_400(emulator: EmulatorServer, body: dict[str, Any], message: str) -> None:
    answer = post(emulator, "/crm/v3/objects/companies/search", body)
    assert answer.status_code == 400
    assert message in answer.json()["message"]


def test_search_has_its_own_rate_limit_with_hubspots_body(emulator: EmulatorServer) -> None:
    emulator.runtime.reconfigure({"search_requests_per_second": 1})
    body = {"filterGroups": [], "limit": 1}
    assert post(emulator, "/crm/v3/objects/companies/search", body).status_code == 200
    limited = post(emulator, "/crm/v3/objects/companies/search", body)
    assert limited.status_code == 429
    assert limited.json()["message"] == "You have reached your secondly limit."
    assert limited.json()["policyName"] == "SECONDLY"
    assert not any(h.lower().startswith("x-hubspot-ratelimit") for h in limited.headers)


def test_search_is_not_counted_in_the_ten_second_limit(emulator: EmulatorServer) -> None:
    emulator.runtime.reconfigure({"requests_per_10s": 1})
    body = {"filterGroups": [], "limit": 1}
    for _ in range(3):
        assert post(emulator, "/crm/v3/objects/companies/search", body).status_code == 200
    emulator.runtime.reconfigure({"requests_per_10s": None})


@pytest.mark.parametrize("version", DATES)
def test_date_routes_answer_as_v3(emulator: EmulatorServer, version: str) -> None:
    body = {
        "inputs": [{"id": "ada@example.com"}, {"id": "x@y.z"}],
        "properties": ["email"],
        "propertiesWithHistory": [],
        "idProperty": "email",
    }
    v3 = post(emulator, "/crm/v3/objects/contacts/batch/read", body)
    dated = post(emulator, f"/crm/objects/{version}/contacts/batch/read", body)
    assert v3.status_code == 207
    assert dated.status_code == (200 if version == "2026-09" else 207)  # 2026-09: errors inside a 200
    strip = ("startedAt", "completedAt")
    assert {k: v for k, v in dated.json().items() if k not in strip} == {
        k: v for k, v in v3.json().items() if k not in strip
    }
    search = {
        "filterGroups": [{"filters": [{"propertyName": "domain", "operator": "IN", "values": ["acme.io"]}]}]
    }
    assert (
        post(emulator, f"/crm/objects/{version}/companies/search", search).json()
        == post(emulator, "/crm/v3/objects/companies/search", search).json()
    )
    got = requests.get(
        f"{emulator.url}/crm/properties/{version}/contacts/external_id",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert got.json()["hasUniqueValue"] is True


def test_sdk_property_reports_has_unique_value(sdk: HubSpot) -> None:
    assert sdk.crm.properties.core_api.get_by_name("contacts", "external_id").has_unique_value is True
    assert sdk.crm.properties.core_api.get_by_name("companies", "domain").has_unique_value is False
