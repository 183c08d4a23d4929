"""Keep HubSpot associations in step with a warehouse, every day.

What it does:

1. makes sure the association labels exist ("Consultant", "Board member", contacts → companies);
2. upserts contact ↔ company associations with their labels from a warehouse query
   (``mode="replace"``: each pair ends with exactly the warehouse's labels), streamed from the
   database in chunks so memory stays flat however large the table is;
3. mirrors deal ↔ company associations (each deal's companies become exactly the warehouse's),
   split into id-range partitions that run as mapped tasks (``.partial().expand()``), each with
   its own share of the portal's rate limit;
4. checks a sample association with a sensor, and writes a summary (counts, requests, where the
   rejects report is).

When: a scheduled reverse-ETL job. A re-run with unchanged data only reads (no write request).

Prerequisites:

* connection ``hubassoc_default`` (type ``hubassoc``): a HubSpot private-app token with the CRM
  objects and schema scopes, or the local emulator
  (``python -m airflow_provider_hubassoc.emulator``); for example
  ``AIRFLOW_CONN_HUBASSOC_DEFAULT='{"conn_type": "hubassoc", "host": "http://127.0.0.1:8765",
  "password": "emulator-token"}'``;
* connection ``hubassoc_warehouse``: any ``common.sql`` database holding the tables
  ``contact_company_roles(contact_id, company_id, roles)`` and ``deal_companies(deal_id,
  company_id)``; the demo uses SQLite
  (``AIRFLOW_CONN_HUBASSOC_WAREHOUSE='{"conn_type": "sqlite", "host": "/path/warehouse.db"}'``);
* providers: ``airflow-provider-hubassoc`` and the warehouse's (``apache-airflow-providers-sqlite``);
* an Airflow pool for the portal, ``airflow pools set hubspot_portal 4 "HubSpot portal"``: the
  tasks that sync rows run in it, each with ``requests_per_10s`` = the portal's limit / the pool's
  slots (README's "Scaling out"). ``HUBASSOC_POOL``, ``HUBASSOC_POOL_SLOTS`` and
  ``HUBASSOC_PORTAL_REQUESTS_PER_10S`` (read when the DAG is parsed) change the pool, its slots and
  the portal's limit (default 160 requests per 10 s).

The DAG's params (or the matching ``HUBASSOC_*`` environment variables, read when the DAG is
parsed) set the sample to verify, the number of partitions, the rejects folder and an optional
summary file, so that the demo and the tests run this same DAG.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, BaseHook, Param, chain, task

from airflow_provider_hubassoc.operators.associations import HubSpotUpsertAssociationsOperator
from airflow_provider_hubassoc.operators.labels import HubSpotCreateAssociationLabelOperator
from airflow_provider_hubassoc.sensors.associations import HubSpotAssociationSensor

WAREHOUSE_CONN_ID = "hubassoc_warehouse"
#: One pool per portal; every task that syncs rows runs in it and spends an equal share of the limit.
PORTAL_POOL = os.environ.get("HUBASSOC_POOL", "hubspot_portal")
POOL_SLOTS = int(os.environ.get("HUBASSOC_POOL_SLOTS", "4"))
PORTAL_REQUESTS_PER_10S = int(os.environ.get("HUBASSOC_PORTAL_REQUESTS_PER_10S", "160"))
TASK_REQUESTS_PER_10S = max(1, PORTAL_REQUESTS_PER_10S // POOL_SLOTS)
LABELS = {"consultant": "Consultant", "board_member": "Board member"}

CONTACT_ROLES_SQL = """
SELECT contact_id, company_id, roles
FROM contact_company_roles
ORDER BY contact_id
"""

with DAG(
    dag_id="hubassoc_warehouse_sync",
    description="Warehouse → HubSpot associations: labels, contact roles (replace), deal companies (mirror)",
    schedule="@daily",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["example", "hubassoc"],
    params={
        "sample_contact_id": Param(
            os.environ.get("HUBASSOC_SAMPLE_CONTACT_ID", "1000001"),
            type="string",
            description="contact to verify",
        ),
        "sample_company_id": Param(
            os.environ.get("HUBASSOC_SAMPLE_COMPANY_ID", "2000001"), type="string", description="its company"
        ),
        "partitions": Param(
            int(os.environ.get("HUBASSOC_PARTITIONS", "4")), type="integer", minimum=1, maximum=64
        ),
        "rejects_dir": Param(
            os.environ.get("HUBASSOC_REJECTS_DIR", "/tmp/hubassoc/rejects"),  # noqa: S108 - an example default
            type="string",
            description="folder (or object-storage URL) for the rejects reports",
        ),
        "summary_path": Param(
            os.environ.get("HUBASSOC_SUMMARY_PATH", ""),
            type="string",
            description="optional JSON summary file",
        ),
    },
    doc_md=__doc__,
) as dag:
    ensure_labels = [
        HubSpotCreateAssociationLabelOperator(
            task_id=f"ensure_label_{name}",
            from_object_type="contacts",
            to_object_type="companies",
            name=name,
            label=label,
        )
        for name, label in LABELS.items()
    ]

    # [START howto_operator_hubassoc_upsert_sql]
    upsert_contact_roles = HubSpotUpsertAssociationsOperator(
        task_id="upsert_contact_company_roles",
        from_object_type="contacts",
        to_object_type="companies",
        sql=CONTACT_ROLES_SQL,
        sql_conn_id=WAREHOUSE_CONN_ID,
        sql_chunk_size=10_000,
        from_id_field="contact_id",
        to_id_field="company_id",
        labels_field="roles",
        mode="replace",
        max_rejected_ratio=0.02,
        rejects_path="{{ params.rejects_dir }}/contact_company_roles.jsonl",
        pool=PORTAL_POOL,
        requests_per_10s=TASK_REQUESTS_PER_10S,
    )
    # [END howto_operator_hubassoc_upsert_sql]

    @task
    def deal_partitions(params: dict[str, Any] | None = None) -> list[str]:
        """Split the deals into id ranges: one query (ordered by deal, as mirror needs) per range."""
        count = int((params or {}).get("partitions", 4))
        hook = BaseHook.get_hook(WAREHOUSE_CONN_ID)
        low, high = hook.get_first("SELECT MIN(deal_id), MAX(deal_id) FROM deal_companies")
        if low is None:
            return []
        step = max(1, -(-(int(high) - int(low) + 1) // count))
        # the bounds are integers computed here, not user input
        return [
            "SELECT deal_id, company_id FROM deal_companies "  # noqa: S608
            f"WHERE deal_id BETWEEN {start} AND {min(start + step - 1, int(high))} ORDER BY deal_id"
            for start in range(int(low), int(high) + 1, step)
        ]

    # [START howto_operator_hubassoc_mirror_mapped]
    mirror_deal_companies = HubSpotUpsertAssociationsOperator.partial(
        task_id="mirror_deal_companies",
        from_object_type="deals",
        to_object_type="companies",
        sql_conn_id=WAREHOUSE_CONN_ID,
        from_id_field="deal_id",
        to_id_field="company_id",
        mode="mirror",
        max_deletes=0.25,  # refuse to remove more than a quarter of the deals' current companies
        rejects_path="{{ params.rejects_dir }}/deal_companies_{{ ti.map_index }}.jsonl",
        pool=PORTAL_POOL,
        requests_per_10s=TASK_REQUESTS_PER_10S,  # each partition: its share of the portal's limit
        max_active_tis_per_dagrun=POOL_SLOTS,
    ).expand(sql=deal_partitions())
    # [END howto_operator_hubassoc_mirror_mapped]

    verify_sample = HubSpotAssociationSensor(
        task_id="verify_sample_association",
        from_object_type="contacts",
        from_object_id="{{ params.sample_contact_id }}",
        to_object_type="companies",
        to_object_id="{{ params.sample_company_id }}",
        labels=["Consultant"],
        expect="present",
        poke_interval=10,
        timeout=300,
    )

    @task
    def summarize(
        labels: list[dict[str, Any]],
        contact_roles: dict[str, Any],
        deal_companies: list[dict[str, Any]],
        params: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Add up the syncs' summaries; write them to ``params.summary_path`` when set."""
        keys = ("rows", "created", "updated", "unchanged", "pruned", "prune_refused", "rejected", "requests")
        deals = {key: sum(int(s[key]) for s in deal_companies) for key in keys}
        summary = {
            "labels": [
                {"label": x["label"], "type_id": x["type_id"], "created": x["created"]} for x in labels
            ],
            "contact_company_roles": {key: contact_roles[key] for key in keys},
            "deal_companies": {**deals, "partitions": len(list(deal_companies))},
            "rejected_sample": contact_roles["rejected_sample"][:5],
            "rejects_dir": (params or {}).get("rejects_dir"),
        }
        target = str((params or {}).get("summary_path") or "")
        if target:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            Path(target).write_text(json.dumps(summary, indent=2), encoding="utf-8")
        return summary

    summary = summarize(
        [label.output for label in ensure_labels], upsert_contact_roles.output, mirror_deal_companies.output
    )
    chain(ensure_labels, upsert_contact_roles, verify_sample, summary)
    chain(ensure_labels, mirror_deal_companies)
