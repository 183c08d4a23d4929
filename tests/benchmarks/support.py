"""Helpers shared by the benchmark scripts and the reliability suite (not a test module).

* :class:`EmulatorProcess`: the emulator CLI (``python -m airflow_provider_hubassoc.emulator``) in a
  subprocess, so that the client's CPU is measured apart from the server's, with its stdout and
  stderr captured to files;
* :class:`FastClock`: a client clock on which time runs ``factor`` times faster, so that retry
  back-off (Retry-After, 10 s x attempt on 429, 1-2-4 s on 5xx) costs milliseconds in tests while
  the rate limiter and the retry policy keep their real logic;
* row generators and a provider client built the way the hook builds it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

from airflow_provider_hubassoc.client import (
    ClientSettings,
    HubSpotAssociationsClient,
    StaticTokenProvider,
)
from tests.seeds import CONTACT_COMPANY_LABELS

TOKEN = "emulator-token"
ROOT = Path(__file__).resolve().parents[2]


class EmulatorProcess:
    """The emulator CLI in a subprocess on a free loopback port.

    :param args: extra CLI arguments (``--requests-per-10s 100``, ``--faults ...``).
    :param log_dir: where ``emulator.out`` / ``emulator.err`` are written (a temp dir by default).
    :param tokens: bearer tokens the emulator accepts.
    :param seed: a seed mapping (``{"labels": [...], "associations": [...]}``), written to a file
        and passed with ``--seed``; records are then still created on first use.
    """

    def __init__(
        self,
        args: Sequence[str] = (),
        *,
        log_dir: Path | None = None,
        tokens: Sequence[str] = (TOKEN,),
        seed: dict[str, Any] | None = None,
    ) -> None:
        self.args = list(args)
        self.seed = seed
        self.tokens = list(tokens)
        self.log_dir = log_dir or Path(tempfile.mkdtemp(prefix="hubassoc-emulator-"))
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""

    @property
    def stdout_path(self) -> Path:
        """The file holding the emulator's stdout."""
        return self.log_dir / "emulator.out"

    @property
    def stderr_path(self) -> Path:
        """The file holding the emulator's stderr."""
        return self.log_dir / "emulator.err"

    def start(self, timeout: float = 30.0) -> EmulatorProcess:
        """Start the subprocess and wait until it prints its URL.

        :param timeout: seconds to wait for the URL.
        :raises RuntimeError: when it does not start.
        """
        cmd = [sys.executable, "-m", "airflow_provider_hubassoc.emulator", "--port", "0"]
        for token in self.tokens:
            cmd += ["--token", token]
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if self.seed is not None:
            seed_path = self.log_dir / "seed.json"
            seed_path.write_text(json.dumps(self.seed))
            cmd += ["--seed", str(seed_path), "--auto-create-records"]
        cmd += self.args
        out = self.stdout_path.open("w")
        err = self.stderr_path.open("w")
        self.proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, cwd=ROOT)
        out.close()
        err.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.stdout_path.read_text()
            if "listening on" in text:
                self.url = text.split("listening on", 1)[1].split()[0].strip()
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"emulator did not start: {self.stderr_path.read_text()[-2000:]}")

    def stop(self) -> None:
        """Stop the subprocess (SIGTERM, then SIGKILL)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ inspection

    def stats(self) -> dict[str, Any]:
        """``GET /_emulator/stats``."""
        return requests.get(f"{self.url}/_emulator/stats", timeout=30).json()  # type: ignore[no-any-return]

    def reset(self) -> None:
        """``POST /_emulator/reset``: portal back to the seed, counters (connections too) zeroed."""
        requests.post(f"{self.url}/_emulator/reset", timeout=30).raise_for_status()

    def configure(self, **changes: Any) -> dict[str, Any]:
        """``POST /_emulator/config`` with runtime fields.

        :param changes: config fields and their new values.
        """
        response = requests.post(f"{self.url}/_emulator/config", json=changes, timeout=30)
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]

    def pairs(
        self, from_type: str = "contacts", to_type: str = "companies"
    ) -> dict[tuple[str, str], set[int]]:
        """Every association of ``from_type`` → ``to_type``: (from, to) → type ids.

        :param from_type: the from object type.
        :param to_type: the to object type.
        """
        response = requests.get(
            f"{self.url}/_emulator/associations",
            params={"from_object_type": from_type, "to_object_type": to_type},
            timeout=120,
        )
        response.raise_for_status()
        return {
            (str(p["fromObjectId"]), str(p["toObjectId"])): set(p["typeIds"])
            for p in response.json()["results"]
        }

    def labels(self, from_type: str = "contacts", to_type: str = "companies") -> dict[str, int]:
        """The labels of a direction: display label → type id.

        :param from_type: the from object type.
        :param to_type: the to object type.
        """
        response = requests.get(
            f"{self.url}/_emulator/labels",
            params={"from_object_type": from_type, "to_object_type": to_type},
            timeout=30,
        )
        response.raise_for_status()
        return {
            str(item["label"]): int(item["typeId"]) for item in response.json()["results"] if item["label"]
        }


#: A seed with the ``Consultant`` and ``Billing contact`` contact → company labels.
LABELS_SEED: dict[str, Any] = {"labels": [dict(label) for label in CONTACT_COMPANY_LABELS]}


def api_requests(stats: dict[str, Any]) -> int:
    """HubSpot API requests in an emulator stats snapshot (``/_emulator`` and OAuth routes excluded).

    :param stats: ``GET /_emulator/stats``.
    """
    return sum(
        count
        for endpoint, by_status in stats["by_endpoint"].items()
        if "emulator" not in endpoint and "oauth" not in endpoint
        for count in by_status.values()
    )


def endpoint_requests(stats: dict[str, Any], *names: str) -> int:
    """Requests to the named endpoints (every status).

    :param stats: ``GET /_emulator/stats``.
    :param names: endpoint (route) names.
    """
    return sum(sum(stats["by_endpoint"].get(name, {}).values()) for name in names)


class FastClock:
    """A client clock on which time runs ``factor`` times faster than the wall clock.

    ``monotonic()`` is the real monotonic time times ``factor``; ``sleep(s)`` sleeps ``s / factor``
    for real. Waits are consistent (a limiter that waits for its window to pass sees it pass), only
    shorter: with ``factor=200`` a 10 s back-off takes 50 ms. Keep the rate limit high enough that
    pacing is not what a test measures (it is sped up by the same factor).

    :param factor: how much faster than real time.
    """

    def __init__(self, factor: float = 200.0) -> None:
        self.factor = factor
        self.slept = 0.0

    def monotonic(self) -> float:
        """Scaled monotonic time."""
        return time.monotonic() * self.factor

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds / factor`` for real.

        :param seconds: the wait in clock seconds.
        """
        if seconds > 0:
            self.slept += seconds
            time.sleep(seconds / self.factor)


def make_client(
    url: str,
    *,
    requests_per_10s: int = 10_000,
    timeout: float = 30.0,
    max_retries: int = 5,
    token: str = TOKEN,
    clock: FastClock | None = None,
    api_version: str | None = None,
) -> HubSpotAssociationsClient:
    """A provider client for the emulator at ``url``.

    :param url: the emulator's base URL.
    :param requests_per_10s: client-side pace.
    :param timeout: connect/read timeout in seconds.
    :param max_retries: retries after the first attempt.
    :param token: the bearer token.
    :param clock: a clock (e.g. :class:`FastClock`); the system clock by default.
    :param api_version: the API version; the client's default when ``None``.
    """
    version = {"api_version": api_version} if api_version is not None else {}
    settings = ClientSettings(
        base_url=url, requests_per_10s=requests_per_10s, timeout=timeout, max_retries=max_retries, **version
    )
    return HubSpotAssociationsClient(
        settings=settings, token_provider=StaticTokenProvider(token=token), clock=clock
    )


def connection_json(url: str, *, token: str = TOKEN, **extra: Any) -> str:
    """The ``AIRFLOW_CONN_HUBASSOC_DEFAULT`` value for the emulator at ``url``.

    :param url: the emulator's base URL.
    :param token: the private-app token.
    :param extra: connection extras (``requests_per_10s``, ``timeout``, ``max_retries``...).
    """
    return json.dumps({"conn_type": "hubassoc", "host": url, "password": token, "extra": extra})


def append_rows(
    n: int, *, labels: Sequence[str] = ("Consultant",), base: int = 1_000_000
) -> list[dict[str, Any]]:
    """``n`` rows, one distinct contact each, to one of 5,000 companies.

    :param n: how many rows.
    :param labels: the labels of every row.
    :param base: the first contact id.
    """
    return [
        {"from_id": str(base + i), "to_id": str(5_000_000 + i % 5_000), "labels": list(labels)}
        for i in range(n)
    ]


@contextmanager
def env(**values: str) -> Iterator[None]:
    """Set environment variables for the duration of the block.

    :param values: names and values.
    """
    old = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
