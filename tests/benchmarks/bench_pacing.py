"""Pacing: a 200,000-row ``append`` sync against an emulator enforcing 100 requests / 10 s.

The task is :class:`HubSpotUpsertAssociationsOperator` (``execute`` called directly), its connection
``requests_per_10s`` 100, the emulator a subprocess started with ``--requests-per-10s 100``. Run::

    .venv/bin/python -m tests.benchmarks.bench_pacing --json out.json

Reports achieved requests/s over the request phase (first request sent → last answer) and over
the whole task, each divided by the allowed 10/s; rows/s; 429s; TCP connections the emulator saw.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import requests

from airflow_provider_hubassoc.operators.associations import HubSpotUpsertAssociationsOperator
from tests.benchmarks.support import (
    LABELS_SEED,
    EmulatorProcess,
    api_requests,
    append_rows,
    connection_json,
    env,
)

ALLOWED_PER_S = 10.0


def run(rows: int) -> dict[str, Any]:
    """Run the paced sync and measure it.

    :param rows: how many rows.
    """
    data = append_rows(rows)
    with EmulatorProcess(["--requests-per-10s", "100"], seed=LABELS_SEED) as emu:
        before = emu.stats()
        with env(AIRFLOW_CONN_HUBASSOC_DEFAULT=connection_json(emu.url, requests_per_10s=100)):
            operator = HubSpotUpsertAssociationsOperator(
                task_id="pacing", from_object_type="contacts", to_object_type="companies", rows=data
            )
            marks: list[tuple[float, float]] = []

            def mark(response: requests.Response, *args: Any, **kwargs: Any) -> None:
                end = time.monotonic()
                marks.append((end - response.elapsed.total_seconds(), end))

            client = operator.hook.get_client()  # closed by execute(); its counters stay readable
            client.transport.session.hooks["response"].append(mark)
            wall0 = time.monotonic()
            summary = operator.execute(context={})  # type: ignore[arg-type]
            wall = time.monotonic() - wall0
            stats = client.stats
        after = emu.stats()
    sent = api_requests(after) - api_requests(before)
    phase = max(end for _, end in marks) - min(start for start, _ in marks)
    if summary["created"] != rows:
        raise SystemExit(f"created {summary['created']} of {rows}")
    return {
        "rows": rows,
        "requests": sent,
        "client_requests": stats.requests,
        "request_phase_s": round(phase, 2),
        "task_wall_s": round(wall, 2),
        "req_per_s_phase": round(sent / phase, 2),
        "req_per_s_task": round(sent / wall, 2),
        "ratio_phase": round(sent / phase / ALLOWED_PER_S, 3),
        "ratio_task": round(sent / wall / ALLOWED_PER_S, 3),
        "rows_per_s": round(rows / wall, 1),
        "status_429": after["by_status"].get("429", 0) - before["by_status"].get("429", 0),
        "client_429": stats.rate_limited,
        "throttled_s": round(stats.throttled_seconds, 2),
        "connections": after["connections"],
    }


def main() -> None:
    """Run; print a JSON document (and write it with ``--json``)."""
    parser = argparse.ArgumentParser(description="200,000-row append at 100 requests / 10 s")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args.rows)
    print(json.dumps(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
