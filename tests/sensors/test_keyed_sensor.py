"""The sensor by key (``from_id_property`` / ``to_id_property``) and with records that do not exist."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException, TaskDeferred

from airflow_provider_hubassoc.emulator import EmulatorConfig, EmulatorServer
from airflow_provider_hubassoc.sensors.associations import HubSpotAssociationSensor
from tests.sensors.support import point_connection
from tests.sync.test_keys import KEYED_SEED

CONTEXT: Any = {}

SEED = {
    **KEYED_SEED,
    "associations": [
        {
            "fromObjectType": "contacts",
            "fromObjectId": "101",
            "toObjectType": "companies",
            "toObjectId": "201",
        },
        {
            "fromObjectType": "contacts",
            "fromObjectId": "104",
            "toObjectType": "companies",
            "toObjectId": "205",
        },
    ],
}


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(seed=json.loads(json.dumps(SEED))), port=0) as server:
        point_connection(monkeypatch, server)
        yield server


def sensor(**kwargs: Any) -> HubSpotAssociationSensor:
    base: dict[str, Any] = {
        "task_id": "wait",
        "from_object_type": "contacts",
        "to_object_type": "companies",
        "poke_interval": 0.1,
        "timeout": 30,
    }
    return HubSpotAssociationSensor(**{**base, **kwargs})


def lookups(emulator: EmulatorServer) -> int:
    by_endpoint: dict[str, dict[str, int]] = emulator.runtime.stats.snapshot()["by_endpoint"]
    return sum(sum(by_endpoint.get(n, {}).values()) for n in ("objects_batch_read", "objects_search"))


def test_by_email_and_domain_resolves_once_per_task_run(emulator: EmulatorServer) -> None:
    op = sensor(
        from_object_id="ADA@example.com",
        to_object_id="www.example.com",
        from_id_property="email",
        to_id_property="domain",
    )
    assert op.poke(CONTEXT)
    assert op.poke(CONTEXT)
    assert lookups(emulator) == 2  # one per side, not per poke


def test_key_that_matches_no_record_fails_at_once(emulator: EmulatorServer) -> None:
    op = sensor(from_object_id="nobody@example.com", to_object_id="201", from_id_property="email")
    with pytest.raises(AirflowFailException, match=r"no contacts record has email 'nobody@example\.com'"):
        op.execute(CONTEXT)


def test_id_that_does_not_exist_fails_at_once_instead_of_waiting(emulator: EmulatorServer) -> None:
    with pytest.raises(AirflowFailException, match="no companies record with id 999 exists in HubSpot"):
        sensor(from_object_id=101, to_object_id=999).execute(CONTEXT)
    with pytest.raises(AirflowFailException, match="no contacts record with id 998 exists"):
        sensor(from_object_id=998, deferrable=True).execute(CONTEXT)


def test_merged_id_is_followed_to_the_surviving_record(emulator: EmulatorServer) -> None:
    assert sensor(from_object_id=150, to_object_id=205).poke(CONTEXT)


def test_deferral_carries_the_resolved_ids(emulator: EmulatorServer) -> None:
    op = sensor(from_object_id="bob@example.com", from_id_property="email", deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(CONTEXT)
    assert deferred.value.trigger.serialize()[1]["from_object_id"] == "102"


def test_key_arguments_are_validated_and_templated() -> None:
    with pytest.raises(ValueError, match="on_ambiguous_match"):
        sensor(from_object_id="a@x.com", from_id_property="email", on_ambiguous_match="any")
    op = sensor(from_object_id="{{ params.email }}", from_id_property="{{ params.prop }}")
    assert {"from_id_property", "to_id_property", "on_ambiguous_match"} <= set(op.template_fields)
