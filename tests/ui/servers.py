"""Start and stop the processes the browser tests need: an Airflow API server and the emulator.

Each process runs in its own session (so its process group id is its pid), writes its output to a
log file, and is stopped by that process group id: SIGTERM first, SIGKILL if it does not exit.
Nothing here kills processes by name.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """Return a loopback TCP port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _new_session_dying_with_parent() -> None:
    """Run in the child before exec: own process group, and SIGTERM if the test runner dies."""
    os.setsid()
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:  # not Linux/glibc: the fixtures' finalizers still stop the process
        pass


@dataclass
class ManagedProcess:
    """A child process in its own process group, with its output in ``log_path``."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    _log_file: Any = field(repr=False, default=None)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def running(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the process group led by this process (SIGTERM, then SIGKILL)."""
        try:
            if self.running():
                _signal_group(self.pid, signal.SIGTERM)
                try:
                    self.popen.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    _signal_group(self.pid, signal.SIGKILL)
                    self.popen.wait(timeout=timeout)
            # Children left in the group (if any) go too; the group id is the leader's pid.
            _signal_group(self.pid, signal.SIGKILL)
        finally:
            if self._log_file is not None:
                self._log_file.close()
                self._log_file = None


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def start_process(
    name: str, argv: list[str], env: Mapping[str, str], log_path: Path, cwd: Path = REPO_ROOT
) -> ManagedProcess:
    """Start ``argv`` in a new session (in ``cwd``) with stdout and stderr going to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_file = log_path.open("wb")
    popen = subprocess.Popen(
        argv,
        env=dict(env),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        preexec_fn=_new_session_dying_with_parent,
    )
    return ManagedProcess(name=name, popen=popen, log_path=log_path, _log_file=log_file)


def wait_until(
    what: str, check: Callable[[], bool], process: ManagedProcess, timeout: float, interval: float = 0.25
) -> None:
    """Poll ``check`` until it is true; fail early with the log tail if ``process`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.running():
            raise RuntimeError(
                f"{process.name} exited with code {process.popen.returncode} before {what}.\n"
                f"Last lines of {process.log_path}:\n{process.log_tail()}"
            )
        try:
            if check():
                return
        except (OSError, ValueError):
            pass
        time.sleep(interval)
    raise TimeoutError(
        f"{what} did not happen within {timeout:.0f} s.\n"
        f"Last lines of {process.log_path}:\n{process.log_tail()}"
    )


def http_json(
    method: str,
    url: str,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, Any]:
    """Send one request (no proxies) and return ``(status, decoded JSON or text)``."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    text = raw.decode(errors="replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def clean_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The runner's environment without any AIRFLOW* settings, plus ``extra``; loopback unproxied."""
    env = {key: value for key, value in os.environ.items() if not key.upper().startswith("AIRFLOW")}
    env.pop("PYTEST_CURRENT_TEST", None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


# ---------------------------------------------------------------------------------------- emulator


@dataclass
class Emulator:
    process: ManagedProcess
    url: str
    token: str


def start_emulator(log_dir: Path, token: str, timeout: float = 30.0) -> Emulator:
    """Start ``python -m airflow_provider_hubassoc.emulator`` on a free loopback port."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [
        sys.executable,
        "-m",
        "airflow_provider_hubassoc.emulator",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--token",
        token,
    ]
    process = start_process("HubSpot emulator", argv, clean_env({}), log_dir / "emulator.log")
    try:
        wait_until(
            f"the emulator printed 'HubSpot emulator listening on {url}'",
            lambda: f"listening on {url}" in process.log_path.read_text(errors="replace"),
            process,
            timeout,
        )
        labels = f"{url}/crm/v4/associations/contacts/companies/labels"
        wait_until(
            "the emulator answered an authorised request",
            lambda: http_json("GET", labels, headers={"Authorization": f"Bearer {token}"})[0] == 200,
            process,
            timeout,
        )
    except BaseException:
        process.stop()
        raise
    return Emulator(process=process, url=url, token=token)


# ---------------------------------------------------------------------------------------- airflow


@dataclass
class AirflowServer:
    process: ManagedProcess
    url: str
    home: Path
    env: dict[str, str]

    def api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return http_json(method, f"{self.url}{path}", body)

    def cli(self, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        """Run ``airflow <args>`` against this server's AIRFLOW_HOME."""
        return subprocess.run(
            [str(Path(sys.executable).with_name("airflow")), *args],
            env=self.env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def airflow_env(home: Path) -> dict[str, str]:
    """Settings of a throwaway Airflow: no login, Test button enabled, no examples, own secrets."""
    from cryptography.fernet import Fernet

    (home / "dags").mkdir(parents=True, exist_ok=True)
    return clean_env(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
            "AIRFLOW__CORE__AUTH_MANAGER": (
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        }
    )


def start_airflow(home: Path, log_dir: Path, timeout: float = 120.0) -> AirflowServer:
    """``airflow db migrate`` in a fresh AIRFLOW_HOME, then ``airflow api-server`` on a free port."""
    env = airflow_env(home)
    airflow = str(Path(sys.executable).with_name("airflow"))
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / "airflow-db-migrate.log").open("wb") as migrate_log:
        migrate = subprocess.run(
            [airflow, "db", "migrate"],
            env=env,
            cwd=REPO_ROOT,
            stdout=migrate_log,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    if migrate.returncode != 0:
        tail = "\n".join((log_dir / "airflow-db-migrate.log").read_text(errors="replace").splitlines()[-40:])
        raise RuntimeError(f"airflow db migrate failed ({migrate.returncode}):\n{tail}")

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [airflow, "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    process = start_process("Airflow API server", argv, env, log_dir / "airflow-api-server.log")

    def healthy() -> bool:
        status, body = http_json("GET", f"{url}/api/v2/monitor/health", timeout=3)
        return status == 200 and body["metadatabase"]["status"] == "healthy"

    try:
        wait_until(f"{url}/api/v2/monitor/health reported a healthy metadatabase", healthy, process, timeout)
    except BaseException:
        process.stop()
        raise
    return AirflowServer(process=process, url=url, home=home, env=env)
