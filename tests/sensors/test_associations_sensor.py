"""The association sensor against the emulator over real HTTP: poke, reschedule, deferral, resume."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from airflow.sdk.exceptions import (
    AirflowException,
    AirflowFailException,
    AirflowRescheduleException,
    AirflowSensorTimeout,
    AirflowSkipException,
    TaskDeferred,
)
from airflow.sdk.serde import deserialize, serialize

from airflow_provider_hubassoc.emulator import EmulatorServer
from airflow_provider_hubassoc.sensors.associations import HubSpotAssociationSensor
from airflow_provider_hubassoc.triggers.associations import HubSpotAssociationTrigger
from tests.sensors.support import associate, configure, point_connection, reads_of_associations

CONTEXT: Any = {}


def sensor(**kwargs: Any) -> HubSpotAssociationSensor:
    base: dict[str, Any] = {
        "task_id": "wait",
        "from_object_type": "contacts",
        "from_object_id": 1,
        "to_object_type": "companies",
        "poke_interval": 0.2,
        "timeout": 30,
    }
    return HubSpotAssociationSensor(**{**base, **kwargs})


def observed(result: Any) -> dict[str, Any]:
    assert result, "the condition should hold"
    value: dict[str, Any] = result.xcom_value
    return value


# ----------------------------------------------------------------------------- construction


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"expect": "absent", "labels": ["Consultant"]}, "labels cannot apply"),
        ({"to_object_id": 10, "min_count": 2}, "cannot be combined with to_object_id"),
        ({"min_count": 0}, "min_count must be a whole number of at least 1"),
        ({"expect": "maybe"}, "expect must be 'present' or 'absent'"),
        ({"to_object_type": "notes", "require_primary": True}, "notes → companies|has no Primary"),
        ({"from_object_id": "x1"}, "from_object_id must be a positive integer"),
    ],
)
def test_construction_refuses_impossible_combinations(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sensor(**kwargs)


def test_construction_does_no_io_and_accepts_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_HUBASSOC_DEFAULT", raising=False)
    op = sensor(from_object_id="{{ ti.xcom_pull('make') }}", labels=["{{ params.label }}"])
    assert op.template_fields == (
        "from_object_type",
        "from_object_id",
        "to_object_type",
        "to_object_id",
        "labels",
        "hubassoc_conn_id",
        "from_id_property",
        "to_id_property",
        "on_ambiguous_match",
    )
    assert "hook" not in op.__dict__


def test_rendered_values_are_checked_at_poke_time(emulator: EmulatorServer) -> None:
    op = sensor(from_object_id="{{ params.contact }}")
    op.from_object_id = "not-a-number"  # as rendered
    with pytest.raises(AirflowFailException, match="from_object_id must be a positive integer"):
        op.poke(CONTEXT)


# ----------------------------------------------------------------------------- each condition


def test_present_pair(emulator: EmulatorServer) -> None:
    result = observed(sensor(to_object_id=10).poke(CONTEXT))
    assert result["matching_count"] == 1
    assert [r["to_object_id"] for r in result["records"]] == ["10"]
    assert sensor(to_object_id=13).poke(CONTEXT) is False


def test_labels_on_pair(emulator: EmulatorServer) -> None:
    result = observed(sensor(from_object_id=2, to_object_id=20, labels=["consultant"]).poke(CONTEXT))
    assert result["records"][0]["labels"] == ["Consultant", "Contact with Primary Company"]
    assert sensor(to_object_id=11, labels=["Consultant"]).poke(CONTEXT) is False
    # every label is required
    assert (
        sensor(from_object_id=2, to_object_id=20, labels="Consultant;Billing contact").poke(CONTEXT) is False
    )


def test_absent(emulator: EmulatorServer) -> None:
    result = observed(sensor(to_object_id=13, expect="absent").poke(CONTEXT))
    assert result["matching_count"] == 0
    assert result["records"] == []
    assert sensor(to_object_id=10, expect="absent").poke(CONTEXT) is False
    assert observed(sensor(from_object_id=4, expect="absent").poke(CONTEXT))["associated_count"] == 0


def test_min_count_follows_every_page(emulator: EmulatorServer) -> None:
    # the emulator pages by 2: contact 1's three companies come in two pages
    result = observed(sensor(min_count=3).poke(CONTEXT))
    assert sorted(r["to_object_id"] for r in result["records"]) == ["10", "11", "12"]
    assert sensor(min_count=4).poke(CONTEXT) is False


def test_require_primary(emulator: EmulatorServer) -> None:
    result = observed(sensor(require_primary=True).poke(CONTEXT))
    assert result["primary_to_object_ids"] == ["10"]
    assert sensor(from_object_id=4, require_primary=True).poke(CONTEXT) is False
    # company → contact: company 10 is contact 1's primary company, company 11 is nobody's
    reverse = {"from_object_type": "companies", "to_object_type": "contacts", "require_primary": True}
    assert observed(sensor(from_object_id=10, **reverse).poke(CONTEXT))["primary_type_id"] == 2
    assert sensor(from_object_id=11, **reverse).poke(CONTEXT) is False


def test_observation_is_json_safe(emulator: EmulatorServer) -> None:
    result = observed(sensor(min_count=2, require_primary=True).poke(CONTEXT))
    assert json.loads(json.dumps(result)) == result


# ----------------------------------------------------------------------------- failures


def test_rate_limited_poke_is_not_a_failure(emulator: EmulatorServer) -> None:
    configure(emulator, faults="429=1.0")
    op = sensor(to_object_id=10)
    assert op.poke(CONTEXT) is False
    configure(emulator, faults=None)
    assert op.poke(CONTEXT)


def test_server_error_poke_is_not_a_failure(emulator: EmulatorServer) -> None:
    configure(emulator, faults="503=1.0")
    assert sensor(to_object_id=10).poke(CONTEXT) is False


def test_bad_token_fails_at_once_saying_what_to_fix(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_connection(monkeypatch, emulator, password="wrong-token")
    with pytest.raises(AirflowFailException, match="Check the private-app access token") as raised:
        sensor().poke(CONTEXT)
    assert "wrong-token" not in str(raised.value)


def test_daily_limit_stops_at_once(emulator: EmulatorServer) -> None:
    configure(emulator, daily_limit=1)
    with pytest.raises(AirflowFailException, match="daily API request limit"):  # noqa: PT012
        for _ in range(3):  # the day's budget is spent within these reads
            sensor(to_object_id=10).poke(CONTEXT)


def test_unknown_label_fails_at_once(emulator: EmulatorServer) -> None:
    with pytest.raises(AirflowFailException, match="unknown label 'Advisor'"):
        sensor(to_object_id=10, labels=["Advisor"]).poke(CONTEXT)


# ----------------------------------------------------------------------------- modes


def test_poke_mode_waits_until_met(emulator: EmulatorServer) -> None:
    op = sensor(to_object_id=10)
    assert op.execute(CONTEXT)["matching_count"] == 1
    assert "hook" not in op.__dict__  # the session was closed


def test_label_definitions_are_read_once_per_run(emulator: EmulatorServer) -> None:
    from tests.sensors.support import stats

    op = sensor(to_object_id=13, labels=["Consultant"])
    before_reads = reads_of_associations(emulator)
    before_labels = sum(stats(emulator)["by_endpoint"].get("labels_get", {}).values())
    for _ in range(3):
        assert op.poke(CONTEXT) is False
    assert reads_of_associations(emulator) - before_reads == 3 * 2  # 3 companies, pages of 2
    assert sum(stats(emulator)["by_endpoint"].get("labels_get", {}).values()) - before_labels == 1


def test_poke_mode_times_out(emulator: EmulatorServer) -> None:
    with pytest.raises(AirflowSensorTimeout):
        sensor(to_object_id=13, timeout=0.5).execute(CONTEXT)
    with pytest.raises(AirflowSkipException):
        sensor(to_object_id=13, timeout=0.5, soft_fail=True).execute(CONTEXT)


class _FirstTry:
    def get_first_reschedule_date(self, context: Any) -> None:
        return None


def test_reschedule_mode(emulator: EmulatorServer) -> None:
    context: Any = {"ti": _FirstTry()}
    with pytest.raises(AirflowRescheduleException):
        sensor(to_object_id=13, mode="reschedule", poke_interval=60).execute(context)
    assert sensor(to_object_id=10, mode="reschedule").execute(context)["matching_count"] == 1


# ----------------------------------------------------------------------------- deferrable


def test_defers_to_the_trigger_when_not_met(emulator: EmulatorServer) -> None:
    op = sensor(to_object_id=13, labels=["Consultant"], deferrable=True, poke_interval=0.5, timeout=120)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(CONTEXT)
    assert deferred.value.method_name == "execute_complete"
    assert deferred.value.timeout == timedelta(seconds=120)
    trigger = deferred.value.trigger
    assert isinstance(trigger, HubSpotAssociationTrigger)
    classpath, kwargs = trigger.serialize()
    assert classpath == "airflow_provider_hubassoc.triggers.associations.HubSpotAssociationTrigger"
    end_time = kwargs.pop("end_time")
    assert isinstance(end_time, float)
    assert kwargs == {
        "from_object_type": "contacts",
        "from_object_id": "1",
        "to_object_type": "companies",
        "to_object_id": "13",
        "labels": ["Consultant"],
        "expect": "present",
        "min_count": None,
        "require_primary": False,
        "hubassoc_conn_id": "hubassoc_default",
        "poll_interval": 0.5,
    }
    # the task runner serializes trigger kwargs with serde: they must survive it
    assert deserialize(serialize(trigger.serialize()[1])) == trigger.serialize()[1]
    assert reads_of_associations(emulator) == 2  # one synchronous check (2 pages) before deferring


def test_returns_at_once_when_already_met(emulator: EmulatorServer) -> None:
    result = sensor(to_object_id=10, deferrable=True).execute(CONTEXT)
    assert result["records"][0]["to_object_id"] == "10"


def test_deferrable_first_check_respects_soft_fail(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_connection(monkeypatch, emulator, password="wrong-token")
    with pytest.raises(AirflowSkipException):
        sensor(deferrable=True, soft_fail=True).execute(CONTEXT)
    with pytest.raises(AirflowFailException):
        sensor(deferrable=True).execute(CONTEXT)


def test_then_met_after_another_client_writes(emulator: EmulatorServer) -> None:
    op = sensor(to_object_id=13, deferrable=True)
    with pytest.raises(TaskDeferred):
        op.execute(CONTEXT)
    associate(emulator, 1, 13)
    assert sensor(to_object_id=13, deferrable=True).execute(CONTEXT)["matching_count"] == 1


# ----------------------------------------------------------------------------- execute_complete


def test_execute_complete_success_returns_the_observation() -> None:
    observation = {"matching_count": 1, "records": [{"to_object_id": "10"}]}
    assert (
        sensor().execute_complete(CONTEXT, {"status": "success", "observation": observation}) == observation
    )


@pytest.mark.parametrize(
    ("event", "error", "message"),
    [
        (None, AirflowException, "without an event"),
        ({"status": "weird"}, AirflowException, "Unknown event"),
        ({"nothing": 1}, AirflowException, "Unknown event"),
        ({"status": "success"}, AirflowException, "no observation"),
        ({"status": "error", "message": "401 no", "permanent": True}, AirflowFailException, "401 no"),
        ({"status": "timeout", "message": "too slow"}, AirflowSensorTimeout, "too slow"),
    ],
)
def test_execute_complete_fails_loudly(event: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        sensor().execute_complete(CONTEXT, event)


def test_execute_complete_transient_error_is_retryable() -> None:
    with pytest.raises(AirflowException, match="boom") as raised:
        sensor().execute_complete(CONTEXT, {"status": "error", "message": "boom", "permanent": False})
    assert not isinstance(raised.value, AirflowFailException)


def test_resume_respects_soft_fail() -> None:
    event = {"event": {"status": "timeout", "message": "too slow"}}
    with pytest.raises(AirflowSkipException):
        sensor(soft_fail=True).resume_execution("execute_complete", event, CONTEXT)
    with pytest.raises(AirflowSensorTimeout):
        sensor().resume_execution("execute_complete", event, CONTEXT)
