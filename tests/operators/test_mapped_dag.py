"""The upsert operator mapped over row partitions (``.partial(...).expand(rows=...)``) in a DAG run."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, task
from airflow.utils.state import DagRunState, TaskInstanceState

from airflow_provider_hubassoc.operators.associations import HubSpotUpsertAssociationsOperator
from tests.dag_runs import register
from tests.operators.conftest import Emulator

PARTITIONS = [
    [{"from_id": str(contact), "to_id": "20", "labels": ["Consultant"]} for contact in (2, 3)],
    [{"from_id": str(contact), "to_id": "21"} for contact in (4, 5, 6)],
    [{"from_id": "7", "to_id": "22", "labels": "Billing contact"}, {"from_id": "nope", "to_id": "22"}],
]


def test_upsert_expanded_over_partitions_in_a_dag_run(airflow_db: Path, emulator: Emulator) -> None:
    with DAG(
        dag_id=f"hubassoc_mapped_rows_{emulator.server.config.label_writes}",
        schedule=None,
        start_date=datetime(2025, 1, 1),
    ) as dag:

        @task
        def partitions() -> list[list[dict[str, Any]]]:
            return PARTITIONS

        upsert = HubSpotUpsertAssociationsOperator.partial(
            task_id="upsert_partition",
            from_object_type="contacts",
            to_object_type="companies",
            mode="append",
            max_rejected_ratio=0.5,
        ).expand(rows=partitions())

        @task
        def check(summaries: list[dict[str, Any]]) -> None:
            assert sorted(s["rows"] for s in summaries) == [2, 2, 3]
            assert sum(s["created"] for s in summaries) == 6
            assert sum(s["rejected"] for s in summaries) == 1
            (rejected,) = next(s for s in summaries if s["rejected"])["rejected_sample"]
            assert rejected["row"] == {"from_id": "nope", "to_id": "22"}

        check(upsert.output)  # type: ignore[arg-type]

    register(dag)
    run = dag.test()

    assert run.state == DagRunState.SUCCESS
    instances = [ti for ti in run.get_task_instances() if ti.task_id == "upsert_partition"]
    assert sorted(ti.map_index for ti in instances) == [0, 1, 2]
    assert {ti.state for ti in instances} == {TaskInstanceState.SUCCESS}
    (checked,) = [ti for ti in run.get_task_instances() if ti.task_id == "check"]
    assert checked.state == TaskInstanceState.SUCCESS  # the summaries pushed to XCom add up
    pairs = emulator.pairs()
    consultant = emulator.label_id("Consultant")
    billing = emulator.label_id("Billing contact")
    assert consultant in pairs[(2, 20)]
    assert consultant in pairs[(3, 20)]
    assert all((contact, 21) in pairs for contact in (4, 5, 6))
    assert billing in pairs[(7, 22)]
