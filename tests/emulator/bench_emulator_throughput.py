"""Batch-create throughput of the emulator (a script, not a test).

Run: ``.venv/bin/python tests/emulator/bench_emulator_throughput.py [--rows 200000] [--batch 2000]``.
Starts the emulator CLI in a subprocess (``--in-process`` runs it in a thread of this process instead,
where client and server share one GIL), sends batch creates of ``--batch`` rows (auto-created records)
over one keep-alive ``requests.Session`` and prints the rows per second.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import requests

from airflow_provider_hubassoc.emulator import EmulatorConfig, EmulatorServer


@contextlib.contextmanager
def emulator_url(in_process: bool) -> Iterator[str]:
    if in_process:
        with EmulatorServer(EmulatorConfig(auto_create_records=True)) as emu:
            yield emu.url
        return
    cmd = [sys.executable, "-m", "airflow_provider_hubassoc.emulator", "--port", "0", "--auto-create-records"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        yield line.rsplit(" ", 1)[-1]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=2_000)
    parser.add_argument("--in-process", action="store_true")
    args = parser.parse_args()
    with emulator_url(args.in_process) as base_url:
        session = requests.Session()
        session.headers["Authorization"] = "Bearer emulator-token"
        session.headers["Content-Type"] = "application/json"
        url = f"{base_url}/crm/v4/associations/contacts/companies/batch/create"
        spec = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}]
        bodies = []
        for start in range(0, args.rows, args.batch):
            inputs = [
                {"from": {"id": str(1_000_000 + i)}, "to": {"id": str(5_000_000 + i % 997)}, "types": spec}
                for i in range(start, min(start + args.batch, args.rows))
            ]
            bodies.append(json.dumps({"inputs": inputs}).encode())  # client-side encoding not timed
        t0 = time.perf_counter()
        rows = 0
        for body in bodies:
            resp = session.post(url, data=body, timeout=60)
            if resp.status_code != 201:
                raise SystemExit(f"unexpected status {resp.status_code}: {resp.text[:300]}")
            rows += len(resp.json()["results"])
        elapsed = time.perf_counter() - t0
        stats = session.get(f"{base_url}/_emulator/stats", timeout=10).json()
        print(
            f"{rows} rows in {elapsed:.2f} s = {rows / elapsed:,.0f} rows/s "
            f"({len(bodies)} requests of {args.batch}, connections seen: {stats['connections']})"
        )


if __name__ == "__main__":
    main()
