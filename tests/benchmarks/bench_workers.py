"""Many workers, one portal: four task processes share one portal's rate limit.

Four processes (each one ``HubSpotUpsertAssociationsOperator(mode="append").execute()``, as four
mapped tasks on four workers would run) sync uneven partitions, one of 90,000 rows and three of
10,000 (unlabeled, 4 rows per contact, distinct contacts per partition), against one emulator
subprocess that enforces ``--requests-per-10s`` (30 by default) and sends no ``Retry-After``
header on its 429s (HubSpot documents none). Each task's connection is set to the portal's limit
and nothing else, as a DAG author who follows the README would set it.

Figures: accepted requests per second over the span from the first task's start to the last
task's end, divided by what the limit allows (limit / 10 s); the share of requests answered 429;
rejected rows (must be 0). Run::

    .venv/bin/python -m tests.benchmarks.bench_workers --json out.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.support import LABELS_SEED, ROOT, EmulatorProcess, api_requests, connection_json, env

PARTITIONS = (90_000, 10_000, 10_000, 10_000)
ROWS_PER_CONTACT = 4


def partition_rows(index: int, n: int) -> list[dict[str, Any]]:
    """Partition ``index``: ``n`` unlabeled rows over ``n / 4`` contacts of its own.

    :param index: the partition number (its contacts start at ``4,000,000 + index * 1,000,000``).
    :param n: rows.
    """
    first = 4_000_000 + index * 1_000_000
    return [
        {"from_id": str(first + i // ROWS_PER_CONTACT), "to_id": str(8_000_000 + i % 20_000)}
        for i in range(n)
    ]


def worker(index: int, rows: int) -> None:
    """One task process: run the partition and print its summary and times as one JSON line.

    :param index: the partition number.
    :param rows: rows in the partition.
    """
    from airflow_provider_hubassoc.operators.associations import HubSpotUpsertAssociationsOperator

    operator = HubSpotUpsertAssociationsOperator(
        task_id=f"partition_{index}",
        from_object_type="contacts",
        to_object_type="companies",
        rows=partition_rows(index, rows),
        mode="append",
    )
    started = time.time()
    summary = operator.execute(context={})  # type: ignore[arg-type]
    print(json.dumps({"started": started, "ended": time.time(), "summary": summary}), flush=True)


def run(limit: int, partitions: tuple[int, ...]) -> dict[str, Any]:
    """Start one process per partition against one emulator and wait for all of them.

    :param limit: the portal's requests per 10 s (the emulator enforces it; each task's
        connection says it).
    :param partitions: rows per partition.
    """
    args = ["--requests-per-10s", str(limit), "--no-retry-after"]
    with EmulatorProcess(args, seed=LABELS_SEED) as emu:
        conn = connection_json(emu.url, requests_per_10s=limit)
        before = emu.stats()
        with env(AIRFLOW_CONN_HUBASSOC_DEFAULT=conn, PYTHONPATH=str(ROOT)):
            procs = [
                subprocess.Popen(
                    [sys.executable, "-m", "tests.benchmarks.bench_workers", "--worker", str(i), str(n)],
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    text=True,
                )
                for i, n in enumerate(partitions)
            ]
            outputs = [proc.communicate(timeout=1800)[0] for proc in procs]
        after = emu.stats()
        pairs = len(emu.pairs())
    if any(proc.returncode for proc in procs):
        raise SystemExit(f"a worker failed: exit codes {[proc.returncode for proc in procs]}")
    reports = [json.loads(out.strip().splitlines()[-1]) for out in outputs]
    span = max(r["ended"] for r in reports) - min(r["started"] for r in reports)
    requests = api_requests(after) - api_requests(before)
    status_429 = after["by_status"].get("429", 0) - before["by_status"].get("429", 0)
    accepted = requests - status_429
    return {
        "partitions": list(partitions),
        "limit_per_10s": limit,
        "requests": requests,
        "status_429": status_429,
        "share_429": round(status_429 / requests, 4),
        "span_s": round(span, 2),
        "ratio": round(accepted / span / (limit / 10), 3),
        "rejected": sum(r["summary"]["rejected"] for r in reports),
        "created": sum(r["summary"]["created"] for r in reports),
        "pairs_in_portal": pairs,
        "tasks_s": [round(r["ended"] - r["started"], 1) for r in reports],
    }


def main() -> None:
    """Run; print a JSON document (and write it with ``--json``)."""
    parser = argparse.ArgumentParser(description="four task processes on one portal's rate limit")
    parser.add_argument("--limit", type=int, default=30, help="the portal's requests per 10 s")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every partition's rows")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--worker", nargs=2, type=int, metavar=("INDEX", "ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    result = run(args.limit, tuple(int(n * args.scale) for n in PARTITIONS))
    print(json.dumps(result), flush=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
