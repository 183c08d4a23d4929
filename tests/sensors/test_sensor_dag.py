"""A real DAG run (``dag.test()``): the deferrable sensor waits while another task's writer associates.

``dag.test()`` runs tasks one at a time and runs a trigger inline, so a task running *beside* the
sensor would only start once the sensor is done. The upstream task therefore starts the writer in
the background; the writer associates the pair only once the trigger has polled twice (proof that
the sensor deferred and the trigger is waiting), as a concurrent process would in production.
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk import DAG, task
from airflow.utils.state import DagRunState, TaskInstanceState

from airflow_provider_hubassoc.emulator import EmulatorServer
from airflow_provider_hubassoc.hooks.async_associations import HubSpotAssociationsAsyncHook
from airflow_provider_hubassoc.sensors.associations import HubSpotAssociationSensor
from tests.dag_runs import register
from tests.sensors.support import associate, label_id


@pytest.fixture
def trigger_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each read the trigger makes (dag.test() runs the trigger in this process)."""
    reads: list[str] = []
    real = HubSpotAssociationsAsyncHook.get_associations

    async def spy(self: HubSpotAssociationsAsyncHook, **kwargs: Any) -> Any:
        reads.append(str(kwargs["object_id"]))
        return await real(self, **kwargs)

    monkeypatch.setattr(HubSpotAssociationsAsyncHook, "get_associations", spy)
    return reads


def test_deferrable_sensor_in_a_dag_run(
    airflow_db: Path, emulator: EmulatorServer, trigger_reads: list[str]
) -> None:
    consultant = label_id(emulator, "Consultant")
    writer_failed: list[BaseException] = []

    def write_when_the_trigger_waits(done: threading.Event) -> None:
        try:
            for _ in range(600):
                if len(trigger_reads) >= 2:
                    associate(emulator, 3, 15, ["Consultant"])
                    return
                done.wait(0.1)
            raise AssertionError("the trigger never polled")
        except BaseException as exc:
            writer_failed.append(exc)

    with DAG(
        dag_id="hubassoc_deferrable_sensor",
        schedule=None,
        start_date=datetime(2025, 1, 1),
        params={"contact": "3"},
    ) as dag:

        @task
        def start_writer() -> None:
            threading.Thread(
                target=write_when_the_trigger_waits, args=(threading.Event(),), daemon=True
            ).start()

        wait = HubSpotAssociationSensor(
            task_id="wait_for_consultant",
            from_object_type="contacts",
            from_object_id="{{ params.contact }}",
            to_object_type="companies",
            to_object_id=15,
            labels=["Consultant"],
            deferrable=True,
            poke_interval=0.3,
            timeout=120,
        )

        @task
        def check(observation: dict[str, Any]) -> None:
            assert observation["met"] is True
            assert observation["from_object_id"] == "3"
            assert observation["required_type_ids"] == [consultant]
            assert observation["records"][0]["to_object_id"] == "15"

        start_writer() >> wait
        check(wait.output)  # type: ignore[arg-type]

    register(dag)
    run = dag.test()

    assert not writer_failed
    assert run.state == DagRunState.SUCCESS
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states == {
        "start_writer": TaskInstanceState.SUCCESS,
        "wait_for_consultant": TaskInstanceState.SUCCESS,
        "check": TaskInstanceState.SUCCESS,
    }
    # the sensor deferred: the trigger (async hook) polled, with the connection from the env var
    assert len(trigger_reads) >= 2
    assert set(trigger_reads) == {"3"}
