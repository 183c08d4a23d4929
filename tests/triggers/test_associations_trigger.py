"""The association trigger against the emulator over real HTTP (pytest-asyncio, asyncio_mode=auto)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest
from airflow.sdk.serde import deserialize, serialize
from airflow.triggers.base import TriggerEvent

from airflow_provider_hubassoc.client.paging import max_pages
from airflow_provider_hubassoc.emulator import EmulatorServer
from airflow_provider_hubassoc.hooks import async_associations
from airflow_provider_hubassoc.triggers.associations import HubSpotAssociationTrigger
from tests.client.test_hostile_answers import endless_pages
from tests.hostile import connection_env, hostile_server
from tests.sensors.support import associate, configure, dissociate, point_connection, reads_of_associations

CLASSPATH = "airflow_provider_hubassoc.triggers.associations.HubSpotAssociationTrigger"


def trigger(*, seconds: float = 30.0, **kwargs: Any) -> HubSpotAssociationTrigger:
    base: dict[str, Any] = {
        "from_object_type": "contacts",
        "from_object_id": "1",
        "to_object_type": "companies",
        "poll_interval": 0.2,
        "end_time": time.time() + seconds,
    }
    return HubSpotAssociationTrigger(**{**base, **kwargs})


async def events_of(trig: HubSpotAssociationTrigger) -> list[TriggerEvent]:
    return [event async for event in trig.run()]


async def when_polled(server: EmulatorServer, reads: int) -> None:
    """Wait until the emulator has answered ``reads`` association reads (the trigger is polling)."""
    while await asyncio.to_thread(reads_of_associations, server) < reads:
        await asyncio.sleep(0.05)


# ----------------------------------------------------------------------------- serialization


def test_serialize_round_trip() -> None:
    original = trigger(
        to_object_id="10", labels=["Consultant", 4001], require_primary=True, hubassoc_conn_id="other"
    )
    classpath, kwargs = original.serialize()
    assert classpath == CLASSPATH
    rebuilt = HubSpotAssociationTrigger(**kwargs)
    assert rebuilt.serialize() == (classpath, kwargs)
    # what the task runner does with trigger kwargs since Airflow 3.2
    assert deserialize(serialize(kwargs)) == kwargs
    assert set(kwargs) == {
        "from_object_type",
        "from_object_id",
        "to_object_type",
        "to_object_id",
        "labels",
        "expect",
        "min_count",
        "require_primary",
        "hubassoc_conn_id",
        "poll_interval",
        "end_time",
    }


def test_negative_poll_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="poll_interval"):
        trigger(poll_interval=-1)


# ----------------------------------------------------------------------------- outcomes


async def test_condition_becoming_true_while_polling(emulator: EmulatorServer) -> None:
    run = asyncio.create_task(events_of(trigger(to_object_id="13", labels=["Consultant"])))
    await when_polled(emulator, 4)  # two polls of two pages each, both not met
    assert not run.done()
    await asyncio.to_thread(associate, emulator, 1, 13, ["Consultant"])
    events = await asyncio.wait_for(run, 20)
    assert len(events) == 1
    payload = events[0].payload
    assert payload["status"] == "success"
    observation = payload["observation"]
    assert observation["met"] is True
    assert observation["records"][0]["to_object_id"] == "13"
    assert "Consultant" in observation["records"][0]["labels"]


async def test_absent_becoming_true_while_polling(emulator: EmulatorServer) -> None:
    run = asyncio.create_task(events_of(trigger(to_object_id="11", expect="absent")))
    await when_polled(emulator, 2)
    await asyncio.to_thread(dissociate, emulator, 1, 11)
    (event,) = await asyncio.wait_for(run, 20)
    assert event.payload["status"] == "success"
    assert event.payload["observation"]["matching_count"] == 0


async def test_stays_false_until_the_deadline(emulator: EmulatorServer) -> None:
    (event,) = await events_of(trigger(to_object_id="13", seconds=1.0))
    assert event.payload["status"] == "timeout"
    assert "Timed out waiting until contacts 1 is associated with companies 13" in event.payload["message"]
    assert event.payload["observation"]["met"] is False
    assert reads_of_associations(emulator) >= 2


async def test_deadline_already_passed(emulator: EmulatorServer) -> None:
    (event,) = await events_of(trigger(seconds=-1))
    assert event.payload["status"] == "timeout"
    assert event.payload["observation"] is None
    assert reads_of_associations(emulator) == 0


async def test_rate_limit_in_between_is_waited_out(emulator: EmulatorServer) -> None:
    configure(emulator, faults="429=1.0")
    run = asyncio.create_task(events_of(trigger(min_count=3)))
    while (await asyncio.to_thread(lambda: emulator.runtime.stats.rate_limited)) < 2:
        await asyncio.sleep(0.05)
    assert not run.done()
    await asyncio.to_thread(configure, emulator, faults=None)
    (event,) = await asyncio.wait_for(run, 20)
    assert event.payload["status"] == "success"
    assert event.payload["observation"]["matching_count"] == 3


async def test_bad_token_is_an_error_event(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    point_connection(monkeypatch, emulator, password="wrong-token")
    (event,) = await events_of(trigger())
    assert event.payload["status"] == "error"
    assert event.payload["permanent"] is True
    assert event.payload["error_type"] == "HubSpotAuthenticationError"
    assert "Check the private-app access token" in event.payload["message"]
    assert "wrong-token" not in event.payload["message"]


async def test_daily_limit_is_an_error_event(emulator: EmulatorServer) -> None:
    configure(emulator, daily_limit=1)
    (event,) = await events_of(trigger(to_object_id="13"))
    assert event.payload["status"] == "error"
    assert event.payload["error_type"] == "HubSpotDailyLimitError"


async def test_unknown_label_is_an_error_event(emulator: EmulatorServer) -> None:
    (event,) = await events_of(trigger(labels=["Advisor"]))
    assert event.payload["status"] == "error"
    assert "unknown label 'Advisor'" in event.payload["message"]


async def test_missing_connection_is_an_error_event(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_HUBASSOC_DEFAULT", raising=False)
    (event,) = await events_of(trigger(hubassoc_conn_id="nope"))
    assert event.payload["status"] == "error"
    assert "nope" in event.payload["message"]


async def test_one_client_session_per_run(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[aiohttp.ClientSession] = []

    class CountingSession(aiohttp.ClientSession):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            opened.append(self)

    monkeypatch.setattr(async_associations.aiohttp, "ClientSession", CountingSession)
    (event,) = await events_of(trigger(to_object_id="13", labels=["Consultant"], seconds=1.0))
    assert event.payload["status"] == "timeout"
    assert reads_of_associations(emulator) >= 4  # several polls (2 pages each) ...
    assert len(opened) == 1  # ... through one session
    assert opened[0].closed


async def test_endless_paging_is_an_error_event_not_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    with hostile_server(endless_pages) as server:
        monkeypatch.setenv(
            "AIRFLOW_CONN_HUBASSOC_DEFAULT",
            connection_env(server.url, max_retries=0, requests_per_10s=10_000, timeout=2),
        )
        (event,) = await events_of(trigger(to_object_id="13"))
    assert event.payload["status"] == "error"
    assert event.payload["error_type"] == "HubSpotPagingError"
    assert len(server.requests) == max_pages(500)
