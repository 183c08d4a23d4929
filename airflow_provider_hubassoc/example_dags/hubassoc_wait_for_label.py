"""Wait, without holding a worker slot, until an association carries a label.

What it shows: ``HubSpotAssociationSensor(deferrable=True)`` checks once on the worker, then hands
the polling to the triggerer until contact → company carries "Board member". Meanwhile another
task (standing in for a person or a system working in HubSpot) sets that label after a delay.

The two branches start together. The setter has no upstream task on purpose: it must not wait for
the sensor's branch, and it makes sure the label exists itself (the label operator is idempotent),
so the two branches never depend on each other's timing. (``dag.test()`` runs tasks one at a
time and runs a deferred sensor's trigger inline; with this layout the setter runs before the
sensor there too.)

When: a DAG that must continue only after something happened in the CRM (a sales rep flags a
board member, an integration adds a label). Use ``mode="reschedule"`` instead of deferrable if
your deployment has no triggerer.

Prerequisites: the ``hubassoc_default`` connection (type ``hubassoc``; a HubSpot private-app token,
or the local emulator, e.g.
``AIRFLOW_CONN_HUBASSOC_DEFAULT='{"conn_type": "hubassoc", "host": "http://127.0.0.1:8765",
"password": "emulator-token"}'``), a triggerer running (``airflow triggerer``), and a contact and a
company with the ids given in the params (defaults: the demo portal's).
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from typing import Any

from airflow.sdk import DAG, Param, task

from airflow_provider_hubassoc.hooks.associations import HubSpotAssociationsHook
from airflow_provider_hubassoc.operators.labels import HubSpotCreateAssociationLabelOperator
from airflow_provider_hubassoc.sensors.associations import HubSpotAssociationSensor
from airflow_provider_hubassoc.sync import ensure_label, upsert_associations

LABEL_NAME, LABEL = "board_member", "Board member"

with DAG(
    dag_id="hubassoc_wait_for_label",
    description="A deferrable sensor waits for a label that another task sets",
    schedule=None,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    tags=["example", "hubassoc"],
    params={
        "contact_id": Param(os.environ.get("HUBASSOC_WAIT_CONTACT_ID", "1000021"), type="string"),
        "company_id": Param(os.environ.get("HUBASSOC_WAIT_COMPANY_ID", "2000021"), type="string"),
        "delay_seconds": Param(
            int(os.environ.get("HUBASSOC_WAIT_DELAY_SECONDS", "30")), type="integer", minimum=0
        ),
    },
    doc_md=__doc__,
) as dag:
    ensure_board_member_label = HubSpotCreateAssociationLabelOperator(
        task_id="ensure_board_member_label",
        from_object_type="contacts",
        to_object_type="companies",
        name=LABEL_NAME,
        label=LABEL,
    )

    # [START howto_sensor_hubassoc_deferrable]
    wait_for_board_member = HubSpotAssociationSensor(
        task_id="wait_for_board_member",
        from_object_type="contacts",
        from_object_id="{{ params.contact_id }}",
        to_object_type="companies",
        to_object_id="{{ params.company_id }}",
        labels=[LABEL],
        expect="present",
        deferrable=True,
        poke_interval=5,
        timeout=600,
    )
    # [END howto_sensor_hubassoc_deferrable]
    ensure_board_member_label >> wait_for_board_member

    @task
    def set_board_member_label_later(params: dict[str, Any] | None = None) -> dict[str, Any]:
        """After a delay, label the pair "Board member" (what a person would do in HubSpot)."""
        values = params or {}
        time.sleep(int(values.get("delay_seconds", 30)))
        hook = HubSpotAssociationsHook()
        try:
            client = hook.get_client()
            ensure_label(
                client, from_object_type="contacts", to_object_type="companies", name=LABEL_NAME, label=LABEL
            )
            result = upsert_associations(
                client,
                from_object_type="contacts",
                to_object_type="companies",
                rows=[{"from_id": values["contact_id"], "to_id": values["company_id"], "labels": [LABEL]}],
                mode="append",
            )
        finally:
            hook.close()  # the hook's HTTP session
        if result.summary.rejected:
            raise RuntimeError(f"could not set the label: {result.summary.rejected_sample}")
        return result.summary.to_dict()

    set_board_member_label_later()
