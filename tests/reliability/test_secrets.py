"""Secrets never leave the connection: a real DAG run (``dag.test()``) with an OAuth connection and a
private-app connection against the emulator, plus failing tasks (wrong client secret, wrong token,
unreachable host); afterwards no token, client secret, refresh token, nor any access token the
emulator issued, appears anywhere under AIRFLOW_HOME (task logs, the SQLite DB with XComs and
rendered template fields), in the rejects reports, in exception text, in this process's output,
or in the emulator's own stdout/stderr.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_hubassoc.operators.associations import HubSpotUpsertAssociationsOperator
from tests.benchmarks.support import LABELS_SEED, EmulatorProcess

PRIVATE_TOKEN = "pat-na1-PRIVTOKEN-5d1e7c2b-94aa-4f0e-8c77-3b9f1e0d6a41"
CLIENT_ID = "client-id-not-secret-1234"
CLIENT_SECRET = "CLIENTSECRET-8f2c4e6a-b1d3-4f57-9e0a-c2d4f6a8b0e1"
REFRESH_TOKEN = "REFRESHTOKEN-na1-71c3e5a7-92b4-4d6f-8a0c-e1f3a5c7d9b2"
WRONG_TOKEN = "pat-na1-WRONGTOKEN-0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d"
WRONG_SECRET = "WRONGSECRET-3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7"
SECRETS = (PRIVATE_TOKEN, CLIENT_SECRET, REFRESH_TOKEN, WRONG_TOKEN, WRONG_SECRET)
#: Access tokens the emulator issues: "emu-" + 64 URL-safe characters.
ISSUED_TOKEN = re.compile(rb"emu-[A-Za-z0-9_-]{40,}")

ROWS: list[Any] = [
    {"from_id": 101, "to_id": 201, "labels": ["Consultant"]},
    {"from_id": 101, "to_id": 202, "labels": "Billing contact"},
    {"from_id": 102, "to_id": 203},
    {"from_id": "x", "to_id": 203},  # rejected: validation
    {"from_id": 103, "to_id": 204, "labels": ["No such label"]},  # rejected: unknown label
]

DAG_FILE = """
from __future__ import annotations

import pendulum
from airflow.sdk import DAG

from airflow_provider_hubassoc.operators.associations import HubSpotUpsertAssociationsOperator

ROWS = {rows}
REJECTS = {rejects!r}

with DAG(
    "hubassoc_secrets_check", schedule=None, start_date=pendulum.datetime(2025, 1, 1), catchup=False
) as dag:
    for conn_id in ("hubassoc_oauth", "hubassoc_private", "hubassoc_bad_secret", "hubassoc_bad_token",
                    "hubassoc_unreachable"):
        HubSpotUpsertAssociationsOperator(
            task_id=f"sync_{{conn_id}}",
            hubassoc_conn_id=conn_id,
            from_object_type="contacts",
            to_object_type="{{{{ 'companies' }}}}",
            rows=ROWS,
            mode="replace",
            max_rejected_ratio=1.0,
            rejects_path=REJECTS + "/" + conn_id + ".jsonl",
            retries=0,
        )
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _connections(url: str) -> dict[str, dict[str, Any]]:
    oauth = {"auth_type": "oauth", "client_id": CLIENT_ID, "requests_per_10s": 1000, "max_retries": 0}
    return {
        "hubassoc_oauth": {
            "conn_type": "hubassoc",
            "host": url,
            "extra": {**oauth, "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN},
        },
        "hubassoc_private": {"conn_type": "hubassoc", "host": url, "password": PRIVATE_TOKEN},
        "hubassoc_bad_secret": {
            "conn_type": "hubassoc",
            "host": url,
            "extra": {**oauth, "client_secret": WRONG_SECRET, "refresh_token": REFRESH_TOKEN},
        },
        "hubassoc_bad_token": {"conn_type": "hubassoc", "host": url, "password": WRONG_TOKEN},
        "hubassoc_unreachable": {
            "conn_type": "hubassoc",
            "host": f"http://127.0.0.1:{_free_port()}",
            "password": PRIVATE_TOKEN,
            "extra": {"max_retries": 1, "timeout": 2},
        },
    }


def _leaks(root: Path) -> list[str]:
    """Every file under ``root`` holding a secret or an issued access token."""
    found = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        found += [f"{path}: {secret[:12]}..." for secret in SECRETS if secret.encode() in data]
        found += [f"{path}: issued token {m.group()[:10]}..." for m in ISSUED_TOKEN.finditer(data)]
    return found


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[EmulatorProcess]:
    emu = EmulatorProcess(
        [
            "--oauth-client-id",
            CLIENT_ID,
            "--oauth-client-secret",
            CLIENT_SECRET,
            "--oauth-refresh-token",
            REFRESH_TOKEN,
            "--log-level",
            "DEBUG",
        ],
        tokens=(PRIVATE_TOKEN,),
        seed=LABELS_SEED,
        log_dir=tmp_path / "emulator",
    )
    with emu:
        yield emu


def test_no_secret_in_logs_xcom_rendered_fields_reports_or_errors(
    emulator: EmulatorProcess,
    airflow_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from airflow.dag_processing.dagbag import DagBag
    from airflow.utils.state import TaskInstanceState

    home = airflow_db
    dags = tmp_path / "dags"
    dags.mkdir()
    rejects = home / "hubassoc-secrets-rejects"
    (dags / "secrets_dag.py").write_text(DAG_FILE.format(rows=repr(ROWS), rejects=str(rejects)))
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(dags))
    monkeypatch.setenv(
        "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST",
        json.dumps(
            [
                {
                    "name": "dags-folder",
                    "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
                    "kwargs": {"path": str(dags)},
                }
            ]
        ),
    )
    connections = _connections(emulator.url)
    for conn_id, value in connections.items():
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(value))

    # a control: the scanner does find the secrets where they are
    control = tmp_path / "control"
    control.mkdir()
    (control / "connections.json").write_text(json.dumps(connections))
    assert len(_leaks(control)) == len(SECRETS)

    dagbag = DagBag(dag_folder=str(dags))
    assert dagbag.import_errors == {}
    dag_run = dagbag.dags["hubassoc_secrets_check"].test()
    states = {ti.task_id: ti.state for ti in dag_run.get_task_instances()}
    assert states["sync_hubassoc_oauth"] == TaskInstanceState.SUCCESS
    assert states["sync_hubassoc_private"] == TaskInstanceState.SUCCESS
    for failing in ("sync_hubassoc_bad_secret", "sync_hubassoc_bad_token", "sync_hubassoc_unreachable"):
        assert states[failing] == TaskInstanceState.FAILED, failing

    # the good tasks did their work (the OAuth one with access tokens the emulator issued: that
    # connection has no token of its own, and the emulator accepts only those and PRIVATE_TOKEN)
    stats = emulator.stats()
    assert stats["by_endpoint"]["labels_get"].get("200", 0) >= 2
    assert ("101", "201") in emulator.pairs()
    for conn_id in ("hubassoc_oauth", "hubassoc_private"):
        report = [json.loads(line) for line in (rejects / f"{conn_id}.jsonl").read_text().splitlines()]
        assert [entry["index"] for entry in report] == [3, 4]

    # exception text of the failing operators, in this process
    for conn_id in ("hubassoc_bad_secret", "hubassoc_bad_token", "hubassoc_unreachable"):
        operator = HubSpotUpsertAssociationsOperator(
            task_id="direct",
            hubassoc_conn_id=conn_id,
            from_object_type="contacts",
            to_object_type="companies",
            rows=ROWS,
        )
        with pytest.raises(Exception) as raised:  # noqa: PT011 - any failure; its text is the point
            operator.execute(context={})  # type: ignore[arg-type]
        chain: list[BaseException] = []
        error: BaseException | None = raised.value
        while error is not None and error not in chain:
            chain.append(error)
            error = error.__cause__ or error.__context__
        text = "\n".join(f"{type(e).__name__}: {e} {e!r} {e.args!r}" for e in chain)
        assert not [secret for secret in SECRETS if secret in text], conn_id
        assert not ISSUED_TOKEN.search(text.encode()), conn_id

    out, err = capfd.readouterr()
    captured = tmp_path / "captured"
    captured.mkdir()
    (captured / "stdout.txt").write_text(out)
    (captured / "stderr.txt").write_text(err)
    emulator.stop()
    assert emulator.stdout_path.stat().st_size + emulator.stderr_path.stat().st_size > 0
    # controls: the run is recorded under AIRFLOW_HOME and its task logs were captured
    assert any(b"hubassoc_secrets_check" in p.read_bytes() for p in home.rglob("*") if p.is_file()), [
        str(p) for p in home.rglob("*")
    ]
    assert "HubSpot did not accept the credentials" in out + err
    assert "5 rows, 1 created" in out + err or "5 rows, 3 created" in out + err
    assert _leaks(home) == []
    assert _leaks(captured) == []
    assert _leaks(tmp_path / "emulator") == []
