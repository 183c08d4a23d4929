"""The async hook against the emulator over real HTTP."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from airflow.sdk import BaseHook
from airflow.sdk.log import redact

from airflow_provider_hubassoc.client import FakeClock
from airflow_provider_hubassoc.client.errors import (
    HubSpotAuthenticationError,
    HubSpotConfigurationError,
    HubSpotDailyLimitError,
    HubSpotRateLimitError,
)
from airflow_provider_hubassoc.emulator import EmulatorServer
from airflow_provider_hubassoc.hooks import async_associations
from airflow_provider_hubassoc.hooks.associations import HubSpotAssociationsAsyncHook
from tests.sensors.support import CONN_ENV, configure, point_connection, running_emulator, stats


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    with running_emulator(
        oauth_client_id="app", oauth_client_secret="app-secret", oauth_refresh_token="refresh-secret"
    ) as server:
        point_connection(monkeypatch, server)
        yield server


def seed_with_first_draws(low: bool, high: bool) -> int:
    """A fault seed whose first draws fall below 0.5 (fault) or not, as asked."""
    for seed in range(1000):
        rng = random.Random(seed)
        if (rng.random() < 0.5) == low and (rng.random() < 0.5) == high:
            return seed
    raise AssertionError("no such seed")


def page_requests(server: EmulatorServer) -> dict[str, int]:
    counts: dict[str, int] = stats(server)["by_endpoint"].get("get_page", {})
    return counts


async def test_reads_every_page_through_one_session(emulator: EmulatorServer) -> None:
    async with HubSpotAssociationsAsyncHook() as hook:
        session = hook._session
        records = await hook.get_associations(
            from_object_type="contacts", object_id=1, to_object_type="companies"
        )
        again = await hook.get_associations(from_object_type="contacts", object_id="1", to_object_type="0-2")
        assert hook._session is session
    assert session is not None
    assert session.closed
    assert [r.to_object_id for r in records] == ["10", "11", "12"]
    assert [r.to_object_id for r in again] == ["10", "11", "12"]
    assert page_requests(emulator) == {"200": 4}  # 2 pages of 2, twice
    assert {t.label for t in records[0].types} == {"Contact with Primary Company", None}


async def test_list_labels(emulator: EmulatorServer) -> None:
    async with HubSpotAssociationsAsyncHook() as hook:
        labels = await hook.list_labels(from_object_type="contacts", to_object_type="companies")
    assert {"Consultant", "Billing contact", "Contact with Primary Company"} <= {t.label for t in labels}


async def test_connection_is_fetched_with_the_async_api_once(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = async_associations.get_async_connection

    async def spy(conn_id: str, hook: Any = None) -> Any:
        calls.append(conn_id)
        return await real(conn_id)

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the sync connection API must not be used in the event loop")

    monkeypatch.setattr(async_associations, "get_async_connection", spy)
    monkeypatch.setattr(BaseHook, "get_connection", forbidden)
    async with HubSpotAssociationsAsyncHook() as hook:
        await hook.list_labels(from_object_type="contacts", to_object_type="companies")
        await hook.get_associations(from_object_type="contacts", object_id=2, to_object_type="companies")
    assert calls == ["hubassoc_default"]


async def test_bad_token_is_a_typed_error_without_the_token(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_connection(monkeypatch, emulator, password="wrong-token", max_retries=3)
    async with HubSpotAssociationsAsyncHook() as hook:
        with pytest.raises(HubSpotAuthenticationError) as raised:
            await hook.get_associations(from_object_type="contacts", object_id=1, to_object_type="companies")
    assert "wrong-token" not in str(raised.value)
    assert page_requests(emulator) == {"401": 1}  # never retried


async def test_429_is_retried_after_retry_after(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_connection(monkeypatch, emulator, max_retries=2)
    configure(emulator, faults="429=0.5", fault_seed=seed_with_first_draws(low=True, high=False))
    clock = FakeClock()
    async with HubSpotAssociationsAsyncHook(clock=clock) as hook:
        records = await hook.get_associations(
            from_object_type="contacts", object_id=2, to_object_type="companies"
        )
    assert [r.to_object_id for r in records] == ["20"]
    assert clock.sleeps  # the retry waited on the injected clock, not the real one
    assert page_requests(emulator) == {"429": 1, "200": 1}


async def test_5xx_is_retried(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    point_connection(monkeypatch, emulator, max_retries=2)
    configure(emulator, faults="503=0.5", fault_seed=seed_with_first_draws(low=True, high=False))
    clock = FakeClock()
    async with HubSpotAssociationsAsyncHook(clock=clock) as hook:
        records = await hook.get_associations(
            from_object_type="contacts", object_id=2, to_object_type="companies"
        )
    assert len(records) == 1
    assert clock.sleeps  # the retry waited on the injected clock, not the real one
    assert page_requests(emulator) == {"503": 1, "200": 1}


async def test_gives_up_after_the_retries(emulator: EmulatorServer) -> None:
    configure(emulator, faults="429=1.0")
    async with HubSpotAssociationsAsyncHook() as hook:  # the fixture's connection: max_retries=0
        with pytest.raises(HubSpotRateLimitError, match="gave up after 1 attempt"):
            await hook.get_associations(from_object_type="contacts", object_id=2, to_object_type="companies")


async def test_daily_limit_stops_without_retrying(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_connection(monkeypatch, emulator, max_retries=5)
    configure(emulator, daily_limit=1)
    async with HubSpotAssociationsAsyncHook() as hook:
        with pytest.raises(HubSpotDailyLimitError):  # noqa: PT012
            for _ in range(3):  # the day's budget is spent within these reads
                await hook.get_associations(
                    from_object_type="contacts", object_id=2, to_object_type="companies"
                )
    assert page_requests(emulator).get("429") == 1


async def test_oauth_refresh_token_exchange_and_masking(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        CONN_ENV,
        json.dumps(
            {
                "conn_type": "hubassoc",
                "host": emulator.url,
                "extra": {
                    "auth_type": "oauth",
                    "client_id": "app",
                    "client_secret": "app-secret",
                    "refresh_token": "refresh-secret",
                },
            }
        ),
    )
    async with HubSpotAssociationsAsyncHook() as hook:
        records = await hook.get_associations(
            from_object_type="contacts", object_id=2, to_object_type="companies"
        )
        token = hook._last_token
    assert [r.to_object_id for r in records] == ["20"]
    assert token is not None
    assert token.startswith("emu-")
    assert redact(f"token {token} and secret app-secret") == "token *** and secret ***"


async def test_plain_http_to_another_host_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        CONN_ENV, json.dumps({"conn_type": "hubassoc", "host": "http://api.example.com", "password": "t"})
    )
    with pytest.raises(HubSpotConfigurationError, match="plain http to a non-loopback host"):
        async with HubSpotAssociationsAsyncHook():
            pass


def test_public_name_and_connection_attributes() -> None:
    assert HubSpotAssociationsAsyncHook is async_associations.HubSpotAssociationsAsyncHook
    assert HubSpotAssociationsAsyncHook.conn_name_attr == "hubassoc_conn_id"
    assert HubSpotAssociationsAsyncHook.conn_type == "hubassoc"
