"""Match records by business keys: contacts by email, companies by domain, no HubSpot ids needed.

What it does:

1. appends contact → company associations from TaskFlow rows that hold an email and a company
   website (``from_id_property="email"``, ``to_id_property="domain"``): case, ``https://``,
   ``www.`` and paths do not matter; each distinct value is looked up once per task;
2. replaces contact ↔ company labels from a warehouse query that has emails and domains only
   (``sql=``), for the contacts the ``hubassoc_warehouse_sync`` DAG synced by id: the same pairs
   named by key, so a run after that DAG writes nothing;
3. waits with a sensor given an email and a domain (resolved once per task run; a record that does
   not exist would fail the task at once), and writes a summary (counts and lookups).

When: the warehouse has emails, domains or your own external ids (a unique HubSpot property), not
HubSpot's record ids. A value matching no record, or several (``on_ambiguous_match="reject"``), is
rejected with a reason in the rejects report; ``"oldest"`` picks the record created first.

Prerequisites:

* connection ``hubassoc_default`` (type ``hubassoc``): a HubSpot private-app token with the CRM
  objects and schema scopes, or the local emulator; for example
  ``AIRFLOW_CONN_HUBASSOC_DEFAULT='{"conn_type": "hubassoc", "host": "http://127.0.0.1:8765",
  "password": "emulator-token"}'``;
* connection ``hubassoc_warehouse`` (any ``common.sql`` database) with ``crm_contacts(contact_id,
  email)`` and ``contact_company_roles(contact_id, company_id, roles)``, as built by
  ``python -m airflow_provider_hubassoc.demo build`` (whose emulator seed gives contacts their
  emails and companies the domains ``company<id>.example.com``);
* providers: ``airflow-provider-hubassoc`` and the warehouse's (``apache-airflow-providers-sqlite``).
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, Param, task

from airflow_provider_hubassoc.operators.associations import HubSpotUpsertAssociationsOperator
from airflow_provider_hubassoc.sensors.associations import HubSpotAssociationSensor

WAREHOUSE_CONN_ID = "hubassoc_warehouse"

# The warehouse knows emails; the company's domain is derived here as the demo's portal has it.
KEYED_ROLES_SQL = """
SELECT c.email AS email, 'https://www.company' || r.company_id || '.example.com/' AS website, r.roles
FROM contact_company_roles r JOIN crm_contacts c ON c.contact_id = r.contact_id
WHERE r.company_id > 0 AND r.contact_id < {{ params.contacts_below }}
ORDER BY c.email
"""

with DAG(
    dag_id="hubassoc_keyed_sync",
    description="Contacts by email, companies by domain: associations without HubSpot ids",
    schedule=None,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    tags=["example", "hubassoc"],
    params={
        "email": Param(os.environ.get("HUBASSOC_KEYED_EMAIL", "Contact1000031@Example.com"), type="string"),
        "website": Param(
            os.environ.get("HUBASSOC_KEYED_WEBSITE", "https://www.company2000032.example.com/about"),
            type="string",
        ),
        "contacts_below": Param(  # the SQL source's range: contacts with a smaller id
            int(os.environ.get("HUBASSOC_KEYED_CONTACTS_BELOW", "1000101")), type="integer"
        ),
        "rejects_dir": Param(
            os.environ.get("HUBASSOC_REJECTS_DIR", "/tmp/hubassoc/rejects"),  # noqa: S108 - an example default
            type="string",
        ),
        "summary_path": Param(os.environ.get("HUBASSOC_KEYED_SUMMARY_PATH", ""), type="string"),
    },
    doc_md=__doc__,
) as dag:

    @task
    def rows_with_keys(params: dict[str, Any] | None = None) -> list[dict[str, str]]:
        """Rows as a CRM export has them: an email and a company website."""
        values = params or {}
        return [{"email": str(values["email"]), "website": str(values["website"])}]

    # [START howto_operator_hubassoc_keyed]
    append_by_keys = HubSpotUpsertAssociationsOperator(
        task_id="append_by_email_and_domain",
        from_object_type="contacts",
        to_object_type="companies",
        rows=rows_with_keys(),
        from_id_field="email",
        to_id_field="website",
        from_id_property="email",
        to_id_property="domain",
        mode="append",
    )
    # [END howto_operator_hubassoc_keyed]

    replace_from_sql = HubSpotUpsertAssociationsOperator(
        task_id="replace_roles_by_email_and_domain",
        from_object_type="contacts",
        to_object_type="companies",
        sql=KEYED_ROLES_SQL,
        sql_conn_id=WAREHOUSE_CONN_ID,
        from_id_field="email",
        to_id_field="website",
        labels_field="roles",
        from_id_property="email",
        to_id_property="domain",
        on_ambiguous_match="reject",
        mode="replace",
        max_rejected_ratio=0.05,
        rejects_path="{{ params.rejects_dir }}/keyed_contact_company_roles.jsonl",
    )

    wait_by_keys = HubSpotAssociationSensor(
        task_id="wait_by_email_and_domain",
        from_object_type="contacts",
        from_object_id="{{ params.email }}",
        from_id_property="email",
        to_object_type="companies",
        to_object_id="{{ params.website }}",
        to_id_property="domain",
        poke_interval=5,
        timeout=120,
    )

    @task
    def summarize(
        appended: dict[str, Any], replaced: dict[str, Any], params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Write both syncs' counts (lookups included) to ``params.summary_path`` when set."""
        keys = ("rows", "created", "updated", "unchanged", "rejected", "requests", "lookups")
        summary = {
            "append_by_keys": {k: appended[k] for k in keys},
            "replace_from_sql": {k: replaced[k] for k in keys},
        }
        target = str((params or {}).get("summary_path") or "")
        if target:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            Path(target).write_text(json.dumps(summary, indent=2), encoding="utf-8")
        return summary

    summary = summarize(append_by_keys.output, replace_from_sql.output)
    append_by_keys >> wait_by_keys >> summary
