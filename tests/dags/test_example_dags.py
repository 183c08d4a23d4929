"""The example DAGs parse, and each runs end to end with ``dag.test()`` against the emulator."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from airflow_provider_hubassoc.demo import EXAMPLE_DAGS_FOLDER as DAGS_FOLDER
from airflow_provider_hubassoc.demo import data as demo_data
from airflow_provider_hubassoc.emulator import EmulatorConfig, EmulatorServer

DAG_IDS = {
    "hubassoc_warehouse_sync",
    "hubassoc_labels_and_primary",
    "hubassoc_wait_for_label",
    "hubassoc_keyed_sync",
}
#: 100 contacts, 21 companies, 25 deals (the 4 invalid rows stay under the DAG's 2% rejects limit);
#: the DAGs run below with their default ids, which every demo portal holds.
SCALE = 0.005


class Portal:
    def __init__(self, server: EmulatorServer, data: Any) -> None:
        self.server = server
        self.data = data

    def pairs(self, from_type: str, to_type: str) -> dict[tuple[int, int], set[str]]:
        names = {
            int(t["typeId"]): t["label"] or "Unlabeled"
            for t in self.server.state.list_labels(from_type, to_type)
        }
        return {
            (p["fromObjectId"], p["toObjectId"]): {names.get(i, str(i)) for i in p["typeIds"]}
            for p in self.server.state.pairs(from_type, to_type)
        }

    def write_calls(self) -> int:
        stats = requests.get(self.server.url + "/_emulator/stats", timeout=10).json()["by_endpoint"]
        verbs = ("create", "associate", "archive", "update", "delete", "purge")
        return sum(sum(v.values()) for k, v in stats.items() if any(verb in k for verb in verbs))


@pytest.fixture
def portal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: Path) -> Iterator[Portal]:
    data = demo_data.build_demo_data(tmp_path / "data", scale=SCALE)
    # dag.test() syncs the DAG from the configured bundle (the DAGs folder) before running it
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(DAGS_FOLDER))
    monkeypatch.setenv(
        "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST",
        json.dumps(
            [
                {
                    "name": "dags-folder",
                    "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
                    "kwargs": {"path": str(DAGS_FOLDER)},
                }
            ]
        ),
    )
    with EmulatorServer(EmulatorConfig(seed=str(data.seed)), port=0) as server:
        monkeypatch.setenv(
            "AIRFLOW_CONN_HUBASSOC_DEFAULT",
            json.dumps(
                {
                    "conn_type": "hubassoc",
                    "host": server.url,
                    "password": "emulator-token",
                    "extra": {"requests_per_10s": 1000},
                }
            ),
        )
        monkeypatch.setenv(
            "AIRFLOW_CONN_HUBASSOC_WAREHOUSE",
            json.dumps({"conn_type": "sqlite", "host": str(data.warehouse)}),
        )
        yield Portal(server, data)


@pytest.fixture(scope="module")
def dagbag() -> Any:
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 3.1
        from airflow.models.dagbag import DagBag  # type: ignore[no-redef]

    return DagBag(dag_folder=str(DAGS_FOLDER))  # example DAGs are off (tests/conftest.py)


def test_dagbag_has_no_import_errors(dagbag: Any) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == DAG_IDS
    for dag_id in DAG_IDS:
        dag = dagbag.dags[dag_id]
        assert "example" in dag.tags
        assert dag.doc_md, dag_id
        assert "Prerequisites" in dag.doc_md, dag_id
    for path in DAGS_FOLDER.glob("*.py"):
        text = path.read_text()
        assert "from airflow.models" not in text, path
        assert "from airflow.decorators" not in text, path
        assert "pat-" not in text, path  # no HubSpot token in an example


def _run(dagbag: Any, dag_id: str, conf: dict[str, Any]) -> Any:
    from airflow.utils.state import DagRunState

    dag_run = dagbag.dags[dag_id].test(run_conf=conf)
    assert dag_run.state == DagRunState.SUCCESS, dag_id
    return dag_run


def test_warehouse_sync_runs_and_a_rerun_only_reads(dagbag: Any, portal: Portal, tmp_path: Path) -> None:
    summary_path = tmp_path / "summary.json"
    conf = {"rejects_dir": str(tmp_path / "rejects"), "summary_path": str(summary_path), "partitions": 3}
    _run(dagbag, "hubassoc_warehouse_sync", conf)
    summary = json.loads(summary_path.read_text())
    expected = portal.data.expected
    assert [(x["label"], x["created"]) for x in summary["labels"]] == [
        ("Consultant", True),
        ("Board member", True),
    ]
    contacts = summary["contact_company_roles"]
    assert (contacts["rows"], contacts["created"], contacts["updated"], contacts["unchanged"]) == (
        expected.contact_rows,
        expected.contact_created,
        expected.contact_updated,
        expected.contact_unchanged,
    )
    assert contacts["rejected"] == expected.contact_rejected == len(demo_data.INVALID_ROWS)
    deals = summary["deal_companies"]
    assert deals["partitions"] == 3
    assert (deals["rows"], deals["created"], deals["unchanged"], deals["pruned"], deals["rejected"]) == (
        expected.deal_rows,
        expected.deal_created,
        expected.deal_unchanged,
        expected.deal_removed,
        0,
    )
    rejects = (tmp_path / "rejects" / "contact_company_roles.jsonl").read_text().splitlines()
    assert len(rejects) == expected.contact_rejected
    sample = portal.pairs("0-1", "0-2")[(demo_data.SAMPLE_CONTACT_ID, demo_data.SAMPLE_COMPANY_ID)]
    assert "Consultant" in sample

    writes = portal.write_calls()
    _run(dagbag, "hubassoc_warehouse_sync", conf)
    again = json.loads(summary_path.read_text())
    assert [x["created"] for x in again["labels"]] == [False, False]
    assert again["contact_company_roles"]["unchanged"] == expected.contact_rows - expected.contact_rejected
    assert again["deal_companies"]["unchanged"] == expected.deal_rows
    assert again["deal_companies"]["pruned"] == 0
    assert portal.write_calls() == writes  # the second run only read (rejected rows cost no write)


def _default_ids(dagbag: Any) -> tuple[set[int], set[int]]:
    """The contact and company ids the example DAGs' params name by default."""
    contacts: set[int] = set()
    companies: set[int] = set()
    for dag_id in sorted(DAG_IDS):
        for name, param in dagbag.dags[dag_id].params.items():
            value = param.value if hasattr(param, "value") else param
            values = value if isinstance(value, list) else [value]
            if "contact_id" in name:
                contacts |= {int(v) for v in values}
            elif "company_id" in name:
                companies |= {int(v) for v in values}
            elif name in ("email", "website"):  # the keyed DAG names the demo's records by key
                for kind, found in re.findall(r"(contact|company)(\d+)", str(value).lower()):
                    (contacts if kind == "contact" else companies).add(int(found))
    return contacts, companies


def test_the_demo_seed_holds_every_id_the_examples_use_by_default(dagbag: Any, tmp_path: Path) -> None:
    contacts, companies = _default_ids(dagbag)
    assert len(contacts) == 7
    assert len(companies) == 5
    assert contacts == set(demo_data.EXAMPLE_CONTACT_IDS)
    assert companies == set(demo_data.EXAMPLE_COMPANY_IDS)
    for scale in (0.0001, SCALE, 0.1):  # the smallest portal: 21 contacts, 21 companies
        seed = json.loads(demo_data.build_demo_data(tmp_path / str(scale), scale=scale).seed.read_text())
        assert contacts <= {int(r["id"]) for r in seed["contacts"]}, scale
        assert companies <= {int(r["id"]) for r in seed["companies"]}, scale


def test_warehouse_sync_gives_each_sync_task_its_share_of_the_portal(dagbag: Any) -> None:
    dag = dagbag.dags["hubassoc_warehouse_sync"]
    mirror = dag.get_task("mirror_deal_companies")
    upsert = dag.get_task("upsert_contact_company_roles")
    for task in (mirror, upsert):
        assert task.pool == "hubspot_portal"
        assert task.partial_kwargs["requests_per_10s"] if task is mirror else task.requests_per_10s
    assert mirror.partial_kwargs["requests_per_10s"] == 160 // 4
    assert upsert.requests_per_10s == 160 // 4
    assert mirror.max_active_tis_per_dagrun == 4


def test_labels_and_primary_runs_with_its_defaults(dagbag: Any, portal: Portal) -> None:
    contacts, companies = [1000011, 1000012, 1000013, 1000014], [2000011, 2000012]
    _run(dagbag, "hubassoc_labels_and_primary", {})
    people = portal.pairs("0-1", "0-1")
    assert "Manager" in people[(contacts[0], contacts[1])]
    assert "Employee" in people[(contacts[1], contacts[0])]
    firms = portal.pairs("0-1", "0-2")
    assert "Decision maker" in firms[(contacts[0], companies[0])]
    for employee in contacts[1:]:
        assert "Decision maker" not in firms[(employee, companies[0])]  # label removed, pair kept
        # Primary moved here (the DAG says "Primary"; the portal's label text is today's)
        assert {"Contact with Primary Company", "Decision maker"} <= firms[(employee, companies[1])]
        assert not any(
            "Contact with Primary Company" in types
            for (f, t), types in firms.items()
            if f == employee and t != companies[1]
        )


def test_wait_for_label_runs_with_its_default_ids_and_closes_every_hook(
    dagbag: Any, portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_provider_hubassoc.hooks.associations import HubSpotAssociationsHook

    opened: list[int] = []
    closed: list[int] = []
    original_get_client, original_close = HubSpotAssociationsHook.get_client, HubSpotAssociationsHook.close

    def get_client(self: HubSpotAssociationsHook) -> Any:
        opened.append(id(self))
        return original_get_client(self)

    def close(self: HubSpotAssociationsHook) -> None:
        closed.append(id(self))
        original_close(self)

    monkeypatch.setattr(HubSpotAssociationsHook, "get_client", get_client)
    monkeypatch.setattr(HubSpotAssociationsHook, "close", close)
    conf = {"delay_seconds": 1}
    _run(dagbag, "hubassoc_wait_for_label", conf)
    assert opened  # the tasks ran in this process
    assert set(opened) <= set(closed)  # the setter task's hook too
    assert "Board member" in portal.pairs("0-1", "0-2")[(1000021, 2000021)]


def test_keyed_sync_runs_and_after_the_id_based_sync_writes_nothing(
    dagbag: Any, portal: Portal, tmp_path: Path
) -> None:
    summary_path = tmp_path / "keyed.json"
    conf = {"rejects_dir": str(tmp_path / "rejects"), "summary_path": str(summary_path)}
    _run(dagbag, "hubassoc_warehouse_sync", {**conf, "summary_path": str(tmp_path / "summary.json")})
    writes = portal.write_calls()
    _run(dagbag, "hubassoc_keyed_sync", conf)
    summary = json.loads(summary_path.read_text())
    appended, replaced = summary["append_by_keys"], summary["replace_from_sql"]
    assert appended["lookups"] == 2  # one email batch read, one domain search
    assert (1000031, 2000032) in portal.pairs("0-1", "0-2")
    # the keyed replace names the pairs the id-based sync wrote: nothing to write but the append
    assert replaced["rows"] > 0
    assert replaced["created"] == replaced["updated"] == 0
    assert replaced["rejected"] == 1  # the warehouse's row with a misspelt label, as by id
    assert portal.write_calls() - writes <= 1 + appended["created"]
