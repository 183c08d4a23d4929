"""Association labels, paired labels and the primary company, from rows built in Python.

What it shows:

* a paired label ("Manager" / "Employee", contacts → contacts) and a one-way label
  ("Decision maker", contacts → companies), created only when missing;
* rows built by a TaskFlow task and passed through XCom to
  ``HubSpotUpsertAssociationsOperator`` (``mode="append"``: labels are added, nothing removed);
* moving a contact's primary company: a row whose labels include ``"Primary"`` makes that company
  primary (HubSpot takes Primary off the contact's previous primary company);
* removing one label from some pairs with ``HubSpotDeleteAssociationsOperator(labels=[...])``
  (the pairs stay associated).

When: small, event-driven changes computed in Python (not a warehouse table; for those see
``hubassoc_warehouse_sync``). Rows travel through XCom, so keep them to thousands, not millions.

Prerequisites: the ``hubassoc_default`` connection (type ``hubassoc``: a HubSpot private-app
token, or the local emulator, e.g.
``AIRFLOW_CONN_HUBASSOC_DEFAULT='{"conn_type": "hubassoc", "host": "http://127.0.0.1:8765",
"password": "emulator-token"}'``), and records with the ids given in the DAG params (the defaults
are ids of the demo portal: ``make demo`` seeds them).
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from airflow.sdk import DAG, Param, chain, task

from airflow_provider_hubassoc.operators.associations import (
    HubSpotDeleteAssociationsOperator,
    HubSpotUpsertAssociationsOperator,
)
from airflow_provider_hubassoc.operators.labels import HubSpotCreateAssociationLabelOperator


def _ids(variable: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(variable, default).split(",") if item.strip()]


with DAG(
    dag_id="hubassoc_labels_and_primary",
    description="Paired labels, labelled associations from Python rows, moving Primary, removing a label",
    schedule=None,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    tags=["example", "hubassoc"],
    params={
        "contact_ids": Param(
            _ids("HUBASSOC_EXAMPLE_CONTACT_IDS", "1000011,1000012,1000013,1000014"),
            type="array",
            description="contacts: the first manages the others",
        ),
        "company_ids": Param(
            _ids("HUBASSOC_EXAMPLE_COMPANY_IDS", "2000011,2000012"),
            type="array",
            description="two companies: the contacts' decision-maker company, then their new primary",
        ),
    },
    doc_md=__doc__,
) as dag:
    manager_label = HubSpotCreateAssociationLabelOperator(
        task_id="ensure_manager_employee_label",
        from_object_type="contacts",
        to_object_type="contacts",
        name="manager_employee",
        label="Manager",
        inverse_label="Employee",
    )
    decision_maker_label = HubSpotCreateAssociationLabelOperator(
        task_id="ensure_decision_maker_label",
        from_object_type="contacts",
        to_object_type="companies",
        name="decision_maker",
        label="Decision maker",
    )

    @task
    def build_rows(params: dict[str, Any] | None = None) -> dict[str, list[dict[str, Any]]]:
        """Compute the rows: who manages whom, who decides for which company, the new primaries."""
        contacts = [str(c) for c in (params or {})["contact_ids"]]
        first_company, new_primary = [str(c) for c in (params or {})["company_ids"]][:2]
        manager, employees = contacts[0], contacts[1:]
        return {
            "managers": [{"from_id": manager, "to_id": e, "labels": ["Manager"]} for e in employees],
            "decision_makers": [
                {"from_id": c, "to_id": first_company, "labels": ["Decision maker"]} for c in contacts
            ],
            # Primary moves to the second company for these contacts (its other labels are kept)
            "primary_moves": [
                {"from_id": c, "to_id": new_primary, "labels": ["Primary", "Decision maker"]}
                for c in employees
            ],
            # the employees stop being decision makers at the first company (the pair stays)
            "label_removals": [{"from_id": e, "to_id": first_company} for e in employees],
        }

    rows = build_rows()

    # [START howto_operator_hubassoc_upsert_rows]
    link_managers = HubSpotUpsertAssociationsOperator(
        task_id="link_managers",
        from_object_type="contacts",
        to_object_type="contacts",
        rows=rows["managers"],
        mode="append",
    )
    # [END howto_operator_hubassoc_upsert_rows]
    link_decision_makers = HubSpotUpsertAssociationsOperator(
        task_id="link_decision_makers",
        from_object_type="contacts",
        to_object_type="companies",
        rows=rows["decision_makers"],
        mode="append",
    )
    move_primary_company = HubSpotUpsertAssociationsOperator(
        task_id="move_primary_company",
        from_object_type="contacts",
        to_object_type="companies",
        rows=rows["primary_moves"],
        mode="append",
    )
    # [START howto_operator_hubassoc_remove_label]
    remove_decision_maker_label = HubSpotDeleteAssociationsOperator(
        task_id="remove_decision_maker_label",
        from_object_type="contacts",
        to_object_type="companies",
        rows=rows["label_removals"],
        labels=["Decision maker"],
    )
    # [END howto_operator_hubassoc_remove_label]

    chain(manager_label, link_managers)
    chain(decision_maker_label, link_decision_makers, move_primary_company, remove_decision_maker_label)
