"""The CRM objects client (issue 16): chunking, 404 as none found, the search pacer, the 10,000 cap."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import responses

from airflow_provider_hubassoc.client import ClientSettings, FakeClock
from airflow_provider_hubassoc.client.auth import StaticTokenProvider
from airflow_provider_hubassoc.client.errors import HubSpotPagingError
from airflow_provider_hubassoc.client.objects import (
    SEARCH_PAGE_LIMIT,
    SEARCH_RESULT_CAP,
    HubSpotObjectsClient,
    HubSpotSearchCapError,
)
from airflow_provider_hubassoc.client.paging import max_pages
from airflow_provider_hubassoc.client.paths import objects_batch_read_path, objects_search_path, property_path
from airflow_provider_hubassoc.client.transport import HubSpotTransport
from tests.client.support import BASE_URL, TOKEN

READ = f"{BASE_URL}/crm/v3/objects/contacts/batch/read"
SEARCH = f"{BASE_URL}/crm/v3/objects/companies/search"


@pytest.fixture
def objects(clock: FakeClock) -> Iterator[HubSpotObjectsClient]:
    settings = ClientSettings(api_version="v4", requests_per_10s=1, max_retries=0)
    with HubSpotTransport(
        settings=settings, token_provider=StaticTokenProvider(token=TOKEN), clock=clock
    ) as t:
        yield HubSpotObjectsClient(transport=t, clock=clock)


def record(i: int, **props: str) -> dict[str, Any]:
    return {
        "id": str(i),
        "properties": props,
        "createdAt": "2024-01-01T00:00:00Z",
        "updatedAt": "x",
        "archived": False,
    }


def test_paths_per_version() -> None:
    assert objects_batch_read_path("v4", "contacts") == "/crm/v3/objects/contacts/batch/read"
    assert objects_search_path("2026-09", "0-2") == "/crm/objects/2026-09/0-2/search"
    assert property_path("2026-03", "contacts", "a/b") == "/crm/properties/2026-03/contacts/a%2Fb"


def test_batch_read_chunks_by_100_and_reads_missing_ids(
    rsps: responses.RequestsMock, objects: HubSpotObjectsClient
) -> None:
    missing = {
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "message": "m",
        "context": {"ids": ["e150"]},
    }
    rsps.post(
        READ,
        json={"status": "COMPLETE", "results": [record(1, email="e1")], "startedAt": "", "completedAt": ""},
    )
    rsps.post(
        READ,
        status=207,
        json={"status": "COMPLETE", "results": [], "errors": [missing], "startedAt": "", "completedAt": ""},
    )
    read = objects.batch_read_objects("contacts", [f"e{i}" for i in range(150)], id_property="email")
    assert [len(json.loads(c.request.body)["inputs"]) for c in rsps.calls] == [100, 50]
    body = json.loads(rsps.calls[0].request.body)
    assert body["idProperty"] == "email"
    assert body["propertiesWithHistory"] == []
    assert [r.id for r in read.records] == ["1"]
    assert read.missing == ["e150"]


def test_batch_read_404_means_none_found(rsps: responses.RequestsMock, objects: HubSpotObjectsClient) -> None:
    rsps.post(
        READ, status=404, json={"status": "error", "message": "not found", "category": "OBJECT_NOT_FOUND"}
    )
    assert objects.batch_read_objects("contacts", ["a@x.com"], id_property="email").missing == ["a@x.com"]


def test_searches_are_paced_by_their_own_limiter(
    rsps: responses.RequestsMock, objects: HubSpotObjectsClient, clock: FakeClock
) -> None:
    rsps.post(SEARCH, json={"total": 0, "results": []})
    started = clock.monotonic()
    values = [f"d{i}.com" for i in range(2000)]
    objects.search_objects("companies", property_name="domain", values=values)
    assert len(rsps.calls) == 5  # 400 values per request: 4 filter groups of one IN filter of 100
    elapsed = clock.monotonic() - started
    # the fifth search waited for search's 1-s window; none waited for the ten-second limiter (1 per 10 s)
    assert 1.0 < elapsed < 2.0
    bodies = [json.loads(call.request.body) for call in rsps.calls]
    for body in bodies:
        assert len(body["filterGroups"]) == 4
        for group in body["filterGroups"]:
            [only] = group["filters"]
            assert (only["operator"], len(only["values"])) == ("IN", 100)
        assert body["limit"] == 200
    sent = [v for body in bodies for group in body["filterGroups"] for v in group["filters"][0]["values"]]
    assert sent == values  # every value once, in order


def test_search_follows_pages_and_refuses_past_10000(
    rsps: responses.RequestsMock, objects: HubSpotObjectsClient
) -> None:
    rsps.post(
        SEARCH, json={"total": 2, "results": [record(1, domain="a.com")], "paging": {"next": {"after": "1"}}}
    )
    rsps.post(SEARCH, json={"total": 2, "results": [record(2, domain="a.com")]})
    found = objects.search_objects("companies", property_name="domain", values=["a.com"])
    assert [r.id for r in found] == ["1", "2"]
    assert json.loads(rsps.calls[1].request.body)["after"] == "1"
    rsps.post(SEARCH, json={"total": 10_001, "results": [record(1, domain="a.com")]})
    with pytest.raises(HubSpotSearchCapError, match="10001 records"):
        objects.search_objects("companies", property_name="domain", values=["a.com"])


@pytest.mark.parametrize("cursor", ["new on every page", "always the same"])
def test_search_paging_ends_when_the_server_never_stops(
    rsps: responses.RequestsMock, objects: HubSpotObjectsClient, cursor: str
) -> None:
    # a server whose total stays small but which always offers another page: the client stops at
    # the pages HubSpot's 10,000-result cap allows (with slack), or at once on a repeated cursor
    pages = iter(range(10**6))

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        after = str(next(pages)) if cursor == "new on every page" else "same"
        body = {"total": 1, "results": [record(1, domain="a.com")], "paging": {"next": {"after": after}}}
        return 200, {}, json.dumps(body)

    rsps.add_callback(responses.POST, SEARCH, callback=answer)
    with pytest.raises(HubSpotPagingError, match=r"10,000 results per search|repeated the paging cursor"):
        objects.search_objects("companies", property_name="domain", values=["a.com"])
    expected = max_pages(SEARCH_PAGE_LIMIT, SEARCH_RESULT_CAP) if cursor == "new on every page" else 2
    assert len(rsps.calls) == expected


def test_clients_of_one_base_url_share_the_search_pacer() -> None:
    settings = ClientSettings(api_version="v4", base_url="https://shared.example.test")
    first = HubSpotTransport(settings=settings, token_provider=StaticTokenProvider(token=TOKEN))
    second = HubSpotTransport(settings=settings, token_provider=StaticTokenProvider(token=TOKEN))
    other = HubSpotTransport(
        settings=ClientSettings(api_version="v4", base_url="https://other.example.test"),
        token_provider=StaticTokenProvider(token=TOKEN),
    )
    limiter = HubSpotObjectsClient(transport=first).search_limiter
    assert HubSpotObjectsClient(transport=second).search_limiter is limiter
    assert HubSpotObjectsClient(transport=other).search_limiter is not limiter
    assert limiter.window_seconds == pytest.approx(1.1)
    assert limiter.capacity == 4
