"""A real Airflow deployment runs every example DAG, following README's "Run the examples in your Airflow".

From the virtual environment in ``HUBASSOC_DEPLOY_VENV`` (Airflow and the wheel, not editable), the
module fixture builds the demo warehouse and seed with ``python -m airflow_provider_hubassoc.demo``,
starts the emulator with that seed, migrates an Airflow home of its own, creates the two
connections and the portal's pool with the ``airflow`` CLI, copies the example DAGs into that
home's DAGs folder, and starts the api-server, scheduler, dag-processor and triggerer on loopback.
Each DAG is then unpaused and triggered through the REST API, and every wait is bounded. Every
process runs in its own process group and is stopped by that group id when the module ends,
whatever the outcome (and receives SIGTERM if the test runner dies).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_hubassoc.demo import data as demo_data
from tests.ui.servers import ManagedProcess, clean_env, free_port, http_json, start_process, wait_until

VENV = Path(os.environ.get("HUBASSOC_DEPLOY_VENV", "/nonexistent"))
SCALE = 0.05  # 1,000 contacts, 100 companies, 250 deals
PARTITIONS = 4
WAIT_DELAY_SECONDS = 20  # the setter waits this long: the sensor defers meanwhile
RUN_TIMEOUT = 420.0
DAG_IDS = (
    "hubassoc_warehouse_sync",
    "hubassoc_labels_and_primary",
    "hubassoc_wait_for_label",
    "hubassoc_keyed_sync",
)


@dataclass
class Deployment:
    home: Path
    work: Path
    url: str
    token: str
    env: dict[str, str]
    processes: dict[str, ManagedProcess]
    data: demo_data.DemoData
    runs: dict[str, str] = field(default_factory=dict)
    states_seen: dict[str, set[str]] = field(default_factory=dict)

    def api(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = http_json(method, f"{self.url}/api/v2{path}", body, timeout=30)
        assert 200 <= status < 300, (method, path, status, answer)
        return answer

    def run_path(self, dag_id: str) -> str:
        return f"/dags/{dag_id}/dagRuns/{self.runs[dag_id]}"

    def stop(self) -> None:
        for name in ("scheduler", "triggerer", "dag-processor", "api-server", "emulator"):
            if name in self.processes:
                self.processes[name].stop()


def _run(argv: list[str], env: dict[str, str], cwd: Path, timeout: float = 300) -> str:
    done = subprocess.run(
        argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, (
        f"{argv} exited {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


def _start(deployment: Deployment, name: str, argv: list[str], env: dict[str, str]) -> ManagedProcess:
    process = start_process(name, argv, env, deployment.work / "logs" / f"{name}.log", cwd=deployment.work)
    deployment.processes[name] = process
    return process


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    from cryptography.fernet import Fernet

    work = tmp_path_factory.mktemp("deploy")
    home = work / "airflow_home"
    token = "deploy-" + secrets.token_urlsafe(24)  # the portal's token: must appear nowhere in the home
    python, airflow = str(VENV / "bin" / "python"), str(VENV / "bin" / "airflow")
    port, emulator_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    env = clean_env(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
            "AIRFLOW__CORE__AUTH_MANAGER": (
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
            "AIRFLOW__API__BASE_URL": url,
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
            "AIRFLOW__SCHEDULER__STANDALONE_DAG_PROCESSOR": "True",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
            "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "2",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            # the scheduled run's params (the example DAGs read HUBASSOC_* when they are parsed)
            "HUBASSOC_REJECTS_DIR": str(work / "rejects"),
            "HUBASSOC_PARTITIONS": str(PARTITIONS),
        }
    )
    deployment = Deployment(
        home=home,
        work=work,
        url=url,
        token=token,
        env=env,
        processes={},
        data=None,  # type: ignore[arg-type]
    )
    try:
        # README "Run the examples in your Airflow", step by step, from the wheel install
        demo = work / "hubassoc-demo"
        _run(
            [python, "-m", "airflow_provider_hubassoc.demo", "build", str(demo), "--scale", str(SCALE)],
            env,
            work,
        )
        deployment.data = demo_data.build_demo_data(
            work / "expected", scale=SCALE
        )  # the same data, for the checks
        emulator = _start(
            deployment,
            "emulator",
            [
                python,
                "-m",
                "airflow_provider_hubassoc.emulator",
                "--host",
                "127.0.0.1",
                "--port",
                str(emulator_port),
                "--seed",
                str(demo / "emulator_seed.json"),
                "--token",
                token,
            ],
            clean_env({}),
        )
        wait_until(
            "the emulator listened",
            lambda: "listening on" in emulator.log_path.read_text(errors="replace"),
            emulator,
            60,
        )
        _run([airflow, "db", "migrate"], env, work)
        _run(
            [
                airflow,
                "connections",
                "add",
                "hubassoc_default",
                "--conn-type",
                "hubassoc",
                "--conn-host",
                f"http://127.0.0.1:{emulator_port}",
                "--conn-password",
                token,
            ],
            env,
            work,
        )
        _run(
            [
                airflow,
                "connections",
                "add",
                "hubassoc_warehouse",
                "--conn-type",
                "sqlite",
                "--conn-host",
                str(demo / "warehouse.db"),
            ],
            env,
            work,
        )
        _run([airflow, "pools", "set", "hubspot_portal", "4", "HubSpot portal"], env, work)
        _run([python, "-m", "airflow_provider_hubassoc.demo", "dags", str(home / "dags")], env, work)
        api = _start(
            deployment,
            "api-server",
            [airflow, "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            env,
        )
        for name in ("scheduler", "dag-processor", "triggerer"):
            _start(deployment, name, [airflow, name], env)

        def healthy() -> bool:
            status, body = http_json("GET", f"{url}/api/v2/monitor/health", timeout=5)
            return (
                status == 200
                and body["scheduler"]["status"] == "healthy"
                and (body["triggerer"]["status"] == "healthy")
            )

        wait_until("Airflow reported a healthy scheduler and triggerer", healthy, api, 180, interval=1)
        for dag_id in DAG_IDS:
            wait_until(
                f"the dag-processor parsed {dag_id}",
                lambda dag_id=dag_id: http_json("GET", f"{url}/api/v2/dags/{dag_id}", timeout=5)[0] == 200,
                deployment.processes["dag-processor"],
                180,
                interval=1,
            )
            deployment.api("PATCH", f"/dags/{dag_id}", {"is_paused": False})
        _trigger_and_wait(deployment)
        yield deployment
    finally:
        deployment.stop()


def _trigger(deployment: Deployment, dag_id: str, conf: dict[str, Any]) -> None:
    run = deployment.api("POST", f"/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf})
    deployment.runs[dag_id] = run["dag_run_id"]


def _wait(deployment: Deployment, dag_ids: list[str], watch: tuple[str, str] | None = None) -> None:
    """Poll until the runs end (bounded); record the states seen of the ``watch`` task (dag_id, task_id)."""
    deadline = time.monotonic() + RUN_TIMEOUT
    pending = set(dag_ids)
    while pending and time.monotonic() < deadline:
        if watch is not None:
            ti = deployment.api("GET", f"{deployment.run_path(watch[0])}/taskInstances/{watch[1]}")
            deployment.states_seen.setdefault(watch[1], set()).add(str(ti["state"]))
        for dag_id in sorted(pending):
            state = deployment.api("GET", deployment.run_path(dag_id))["state"]
            if state in ("success", "failed"):
                pending.discard(dag_id)
        for process in deployment.processes.values():
            assert process.running(), f"{process.name} exited:\n{process.log_tail()}"
        time.sleep(0.5)
    assert not pending, f"runs still going after {RUN_TIMEOUT:.0f} s: {sorted(pending)}"


def _trigger_and_wait(deployment: Deployment) -> None:
    # Unpausing the daily warehouse sync made the scheduler start its latest interval's run (its
    # params come from the HUBASSOC_* environment variables); a manual re-run through the API must
    # then find everything in place. Their counts are checked against the demo data, so they run
    # before the two other DAGs, which then run together.
    dag_id = "hubassoc_warehouse_sync"
    deadline = time.monotonic() + 120
    while not deployment.api("GET", f"/dags/{dag_id}/dagRuns")["dag_runs"]:
        assert time.monotonic() < deadline, "the scheduler started no run of the unpaused daily DAG"
        time.sleep(1)
    deployment.runs["first"] = deployment.api("GET", f"/dags/{dag_id}/dagRuns")["dag_runs"][0]["dag_run_id"]
    deployment.runs[dag_id] = deployment.runs["first"]
    _wait(deployment, [dag_id])
    _trigger(deployment, dag_id, {"partitions": PARTITIONS, "rejects_dir": str(deployment.work / "rejects")})
    _wait(deployment, [dag_id])
    _trigger(deployment, "hubassoc_labels_and_primary", {})
    _trigger(deployment, "hubassoc_wait_for_label", {"delay_seconds": WAIT_DELAY_SECONDS})
    _trigger(deployment, "hubassoc_keyed_sync", {"rejects_dir": str(deployment.work / "rejects")})
    _wait(
        deployment,
        ["hubassoc_labels_and_primary", "hubassoc_wait_for_label", "hubassoc_keyed_sync"],
        watch=("hubassoc_wait_for_label", "wait_for_board_member"),
    )


def _xcom(deployment: Deployment, dag_id: str, task_id: str, map_index: int = -1, run: str = "") -> Any:
    run_path = f"/dags/{dag_id}/dagRuns/{run}" if run else deployment.run_path(dag_id)
    path = f"{run_path}/taskInstances/{task_id}/xcomEntries/return_value"
    return deployment.api("GET", f"{path}?map_index={map_index}&deserialize=true&stringify=false")["value"]


def test_every_example_run_succeeds(deployment: Deployment) -> None:
    for dag_id in DAG_IDS:
        run = deployment.api("GET", deployment.run_path(dag_id))
        tis = deployment.api("GET", f"{deployment.run_path(dag_id)}/taskInstances")["task_instances"]
        failed = {ti["task_id"]: ti["state"] for ti in tis if ti["state"] != "success"}
        assert run["state"] == "success", (dag_id, failed)
        assert failed == {}


def test_the_keyed_sync_matched_by_email_and_domain(deployment: Deployment) -> None:
    appended = _xcom(deployment, "hubassoc_keyed_sync", "append_by_email_and_domain")
    replaced = _xcom(deployment, "hubassoc_keyed_sync", "replace_roles_by_email_and_domain")
    assert (appended["rows"], appended["rejected"], appended["lookups"]) == (1, 0, 2)
    # after the id-based warehouse sync, the same pairs named by key need no write
    assert replaced["rows"] > 0
    assert replaced["created"] == replaced["updated"] == 0
    assert replaced["lookups"] > 0


def test_the_deferrable_sensor_deferred_and_resumed_through_the_triggerer(deployment: Deployment) -> None:
    assert "deferred" in deployment.states_seen["wait_for_board_member"]
    ti = deployment.api(
        "GET", f"{deployment.run_path('hubassoc_wait_for_label')}/taskInstances/wait_for_board_member"
    )
    assert ti["state"] == "success"
    assert ti["try_number"] == 1  # resumed after the trigger fired, not retried
    # the triggerer writes the trigger's log beside the task's: the trigger polled, then fired success
    folder = deployment.home / "logs" / "dag_id=hubassoc_wait_for_label"
    trigger_logs = list(folder.glob("run_id=*/task_id=wait_for_board_member/attempt=1.log.trigger.*.log"))
    assert len(trigger_logs) == 1
    events = [json.loads(line) for line in trigger_logs[0].read_text().splitlines() if line.startswith("{")]
    assert any(e.get("logger") == "airflow_provider_hubassoc.triggers.associations" for e in events)
    fired = [e for e in events if e.get("event") == "Trigger fired event"]
    assert len(fired) == 1
    assert "'status': 'success'" in fired[0]["result"]


def test_the_first_warehouse_run_writes_and_the_rerun_only_reads(deployment: Deployment) -> None:
    dag_id = "hubassoc_warehouse_sync"
    first = deployment.runs["first"]
    assert first.startswith("scheduled__")
    assert deployment.runs[dag_id].startswith("manual__")
    assert deployment.api("GET", f"/dags/{dag_id}/dagRuns/{first}")["state"] == "success"
    rerun = _xcom(deployment, dag_id, "summarize")
    assert [x["created"] for x in rerun["labels"]] == [False, False]
    expected = deployment.data.expected
    contacts, deals = rerun["contact_company_roles"], rerun["deal_companies"]
    assert (contacts["unchanged"], contacts["rejected"], contacts["created"] + contacts["updated"]) == (
        expected.contact_rows - expected.contact_rejected,
        expected.contact_rejected,
        0,
    )
    assert (deals["unchanged"], deals["created"], deals["pruned"]) == (expected.deal_rows, 0, 0)


def test_mapped_partitions_ran_and_the_xcom_summaries_add_up(deployment: Deployment) -> None:
    dag_id, run = "hubassoc_warehouse_sync", deployment.runs["first"]
    mapped = deployment.api(
        "GET", f"/dags/{dag_id}/dagRuns/{run}/taskInstances/mirror_deal_companies/listMapped"
    )
    assert mapped["total_entries"] == PARTITIONS
    assert {ti["state"] for ti in mapped["task_instances"]} == {"success"}
    partitions = [_xcom(deployment, dag_id, "mirror_deal_companies", i, run) for i in range(PARTITIONS)]
    summary = _xcom(deployment, dag_id, "summarize", run=run)
    deals = summary["deal_companies"]
    assert deals["partitions"] == PARTITIONS
    for key in ("rows", "created", "unchanged", "pruned", "prune_refused", "rejected", "requests"):
        assert deals[key] == sum(int(p[key]) for p in partitions), key
    expected = deployment.data.expected
    assert (deals["rows"], deals["created"], deals["unchanged"], deals["pruned"]) == (
        expected.deal_rows,
        expected.deal_created,
        expected.deal_unchanged,
        expected.deal_removed,
    )
    contacts = summary["contact_company_roles"]
    assert contacts == {
        key: value
        for key, value in _xcom(deployment, dag_id, "upsert_contact_company_roles", run=run).items()
        if key in contacts
    }
    assert (contacts["rows"], contacts["created"], contacts["updated"], contacts["rejected"]) == (
        expected.contact_rows,
        expected.contact_created,
        expected.contact_updated,
        expected.contact_rejected,
    )
    assert [(x["label"], x["created"]) for x in summary["labels"]] == [
        ("Consultant", True),
        ("Board member", True),
    ]


def test_the_token_appears_nowhere_in_the_airflow_home_or_the_metadata_db(deployment: Deployment) -> None:
    files = [path for path in deployment.home.rglob("*") if path.is_file()]
    assert any(path.name == "airflow.db" for path in files)
    assert any(path.suffix == ".log" or "logs" in path.parts for path in files)
    needle = deployment.token.encode()
    holding = [str(path) for path in files if needle in path.read_bytes()]
    assert holding == []
    # the connection is there, with its password encrypted
    done = subprocess.run(
        [str(VENV / "bin" / "airflow"), "connections", "get", "hubassoc_default", "--output", "json"],
        env=deployment.env,
        cwd=deployment.work,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "hubassoc" in done.stdout


def test_every_process_started_is_stopped(deployment: Deployment) -> None:
    groups = {name: process.pid for name, process in deployment.processes.items()}
    assert set(groups) == {"emulator", "api-server", "scheduler", "dag-processor", "triggerer"}
    deployment.stop()
    for name, pgid in groups.items():
        with pytest.raises(ProcessLookupError):
            os.killpg(pgid, 0)
        assert not deployment.processes[name].running(), name
    marker = f"AIRFLOW_HOME={deployment.home}".encode()
    left = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if marker in (proc / "environ").read_bytes().split(b"\0"):
                    left.append(proc.name)
            except OSError:
                continue
    assert left == []
