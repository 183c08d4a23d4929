"""``python -m airflow_provider_hubassoc.emulator``: ready line, flags, clean SIGINT/SIGTERM stop."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.emulator.conftest import Api

READY = re.compile(r"^HubSpot emulator listening on (http://127\.0\.0\.1:(\d+))$")


@pytest.fixture
def start_cli() -> Iterator[object]:
    procs: list[subprocess.Popen[str]] = []

    def start(*args: str) -> tuple[subprocess.Popen[str], str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "airflow_provider_hubassoc.emulator", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        assert proc.stdout is not None
        line = proc.stdout.readline().rstrip("\n")
        match = READY.match(line)
        assert match, f"unexpected ready line {line!r}"
        assert int(match.group(2)) > 0
        return proc, match.group(1)

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_starts_serves_and_stops_cleanly(start_cli: object, sig: signal.Signals) -> None:
    proc, url = start_cli("--seed", "demo", "--token", "secret-one")  # type: ignore[operator]
    api = Api(url, "secret-one")
    resp = api.get("/crm/v4/objects/contacts/1001/associations/companies")
    assert resp.status_code == 200
    assert resp.json()["results"][0]["toObjectId"] == 5001
    assert Api(url).get("/crm/v4/objects/contacts/1001/associations/companies").status_code == 401
    proc.send_signal(sig)
    assert proc.wait(timeout=10) == 0
    out, err = proc.communicate()
    assert out == ""  # exactly one line on stdout
    assert "secret-one" not in err
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url + "/_emulator/health", timeout=2)


def test_cli_flags_reach_the_config(start_cli: object, tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(
        json.dumps({"contacts": [{"id": "1"}], "companies": [{"id": "2"}], "2-77": [{"id": "3"}]})
    )
    proc, url = start_cli(  # type: ignore[operator]
        "--seed",
        str(seed),
        "--requests-per-10s",
        "5",
        "--daily-limit",
        "50",
        "--no-retry-after",
        "--page-size",
        "7",
        "--label-writes",
        "add",
        "--faults",
        "500=0.01",
        "--fault-seed",
        "9",
        "--oauth-client-id",
        "cid",
        "--oauth-client-secret",
        "cs",
        "--oauth-refresh-token",
        "rt",
        "--oauth-token-lifetime",
        "60",
    )
    config = requests.get(url + "/_emulator/config", timeout=10).json()
    assert config["requests_per_10s"] == 5
    assert config["daily_limit"] == 50
    assert config["retry_after"] is False
    assert config["page_size"] == 7
    assert config["label_writes"] == "add"
    assert config["faults"] == "500=0.01"
    assert config["fault_seed"] == 9
    assert config["oauth_token_lifetime"] == 60
    assert "oauth_client_secret" not in config
    assert "tokens" not in config
    token = requests.post(
        url + "/oauth/2026-03/token",
        data={
            "grant_type": "refresh_token",
            "client_id": "cid",
            "client_secret": "cs",
            "refresh_token": "rt",
        },
        timeout=10,
    ).json()["access_token"]
    api = Api(url, token)
    assert api.put("/crm/v4/objects/2-77/3/associations/default/contacts/1").status_code == 200
    # a seed is given, so unknown records are not auto-created
    assert api.put("/crm/v4/objects/contacts/9/associations/default/companies/2").status_code == 404
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0


def test_cli_help_documents_limits() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "airflow_provider_hubassoc.emulator", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for text in (
        "batch_read=1000",
        "batch_create=2000",
        "batch_archive=10000",
        "--auto-create-records",
        "--faults",
    ):
        assert text in out
