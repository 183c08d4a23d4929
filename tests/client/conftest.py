"""Fixtures shared by the client tests: a fake clock, mocked HTTP, a client factory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import responses

from airflow_provider_hubassoc.client import (
    ClientSettings,
    FakeClock,
    HubSpotAssociationsClient,
    StaticTokenProvider,
)
from tests.client.support import TOKEN, ClientFactory


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def make_client(clock: FakeClock) -> Iterator[ClientFactory]:
    created: list[HubSpotAssociationsClient] = []

    def factory(**settings: Any) -> HubSpotAssociationsClient:
        settings.setdefault("requests_per_10s", 1000)
        settings.setdefault("api_version", "v4")  # the mocked answers below are v4's
        client = HubSpotAssociationsClient(
            settings=ClientSettings(**settings),
            token_provider=StaticTokenProvider(token=TOKEN),
            clock=clock,
        )
        created.append(client)
        return client

    yield factory
    for client in created:
        client.close()
