"""Client CPU through the upsert operator against the floor: plain ``requests`` + ``json``.

For each shape of input (``--rows`` rows; unlabeled with 4 rows per from-record, labelled with 4,
unlabeled with 1), on a reset emulator subprocess with no rate limit:

* ``operator fresh``: ``HubSpotUpsertAssociationsOperator(mode="append").execute()`` on an empty
  portal: validation, reads, planning, writes and the summary (the operator is built before the
  clock starts, as Airflow builds it when parsing the DAG);
* ``operator re-run``: the same task again, when everything is in place (reads only);
* ``floor fresh``: a plain ``requests.Session`` sends the same HTTP work by hand: the batch reads
  of the distinct from-ids (1,000 per request, every page followed) and the batch creates
  (2,000 inputs per request, bodies built with ``json``), nothing else;
* ``floor re-run``: the same batch reads only.

Only the client runs in this process, so ``time.process_time()`` around a run is the client's CPU.
Each run is repeated ``--repeat`` times, interleaved, and the run with the least CPU is kept (noise
from other processes only ever adds CPU time). The ratio operator ÷ floor is what the report reads:
both run in one process run against one emulator build. Run::

    .venv/bin/python -m tests.benchmarks.bench_floor --json out.json
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from airflow_provider_hubassoc.operators.associations import HubSpotUpsertAssociationsOperator
from tests.benchmarks.support import (
    LABELS_SEED,
    TOKEN,
    EmulatorProcess,
    api_requests,
    connection_json,
    env,
)

#: The API version both sides speak: the floor builds its paths for it by hand.
API_VERSION = "v4"
BATCH_READ_INPUTS = 1_000  # HubSpot's documented batch read limit
BATCH_CREATE_INPUTS = 2_000  # HubSpot's documented batch create limit
UNLABELED_CONTACT_TO_COMPANY = 279  # HUBSPOT_DEFINED contact -> company (unlabeled)


@dataclass(frozen=True)
class Shape:
    """One shape of input.

    :param name: how the report names it.
    :param per_record: rows per from-record.
    :param label: the label of every row, or ``None`` for unlabeled rows.
    """

    name: str
    per_record: int
    label: str | None


SHAPES = (
    Shape("unlabeled, 4 per from-record", 4, None),
    Shape("labelled, 4 per from-record", 4, "Consultant"),
    Shape("unlabeled, 1 per from-record", 1, None),
)


def shape_rows(shape: Shape, n: int) -> list[dict[str, Any]]:
    """``n`` rows of ``shape``: from-records ``3,000,000 + i``, to-records among 50,000 companies.

    :param shape: the shape.
    :param n: how many rows.
    """
    rows: list[dict[str, Any]] = []
    for i in range(n):
        contact, slot = divmod(i, shape.per_record)
        row: dict[str, Any] = {
            "from_id": str(3_000_000 + contact),
            "to_id": str(6_000_000 + (contact * shape.per_record + slot) % 50_000),
        }
        if shape.label:
            row["labels"] = [shape.label]
        rows.append(row)
    return rows


def operator_task(url: str, rows: list[dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """An append through the upsert operator, built now; calling it runs the whole ``execute()``.

    The operator is built outside the measured run: Airflow builds it when it parses the DAG (and
    walks templated arguments such as ``rows`` then), not in the task's ``execute()``.

    :param url: the emulator's base URL.
    :param rows: the rows.
    :returns: a callable that runs ``execute()`` and returns the operator's summary.
    """
    conn = connection_json(url, requests_per_10s=100_000, api_version=API_VERSION)
    operator = HubSpotUpsertAssociationsOperator(
        task_id="floor",
        from_object_type="contacts",
        to_object_type="companies",
        rows=rows,
        mode="append",
    )

    def execute() -> dict[str, Any]:
        with env(AIRFLOW_CONN_HUBASSOC_DEFAULT=conn):
            summary: dict[str, Any] = operator.execute(context={})  # type: ignore[arg-type]
        if summary["rejected"]:
            raise SystemExit(f"operator rejected {summary['rejected']} rows")
        return summary

    return execute


def _post(session: requests.Session, url: str, body: dict[str, Any]) -> Any:
    response = session.post(
        url, data=json.dumps(body), headers={"Content-Type": "application/json"}, timeout=120
    )
    if response.status_code >= 300 and response.status_code != 207:
        raise SystemExit(f"floor: {url} answered {response.status_code}: {response.text[:300]}")
    return json.loads(response.content)


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def run_floor(url: str, rows: list[dict[str, Any]], *, write: bool) -> None:
    """The same HTTP work by hand: batch reads of every from-id, then (``write``) batch creates.

    :param url: the emulator's base URL.
    :param rows: the rows.
    :param write: whether to send the batch creates (a fresh run) or only read (a re-run).
    """
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    base = f"{url}/crm/{API_VERSION}/associations/contacts/companies"
    labels = json.loads(session.get(f"{base}/labels", timeout=30).content)["results"]
    by_label = {item["label"]: int(item["typeId"]) for item in labels if item.get("label")}
    from_ids = list(dict.fromkeys(row["from_id"] for row in rows))
    for chunk in _chunks(from_ids, BATCH_READ_INPUTS):
        inputs: list[dict[str, Any]] = [{"id": from_id} for from_id in chunk]
        while inputs:
            answer = _post(session, f"{base}/batch/read", {"inputs": inputs})
            inputs = [
                {"id": result["from"]["id"], "after": result["paging"]["next"]["after"]}
                for result in answer.get("results", [])
                if result.get("paging", {}).get("next")
            ]
    if not write:
        return
    unlabeled = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": UNLABELED_CONTACT_TO_COMPANY}
    for chunk in _chunks(rows, BATCH_CREATE_INPUTS):
        creates = [
            {
                "from": {"id": row["from_id"]},
                "to": {"id": row["to_id"]},
                "types": [
                    {"associationCategory": "USER_DEFINED", "associationTypeId": by_label[row["labels"][0]]}
                    if row.get("labels")
                    else unlabeled
                ],
            }
            for row in chunk
        ]
        _post(session, f"{base}/batch/create", {"inputs": creates})


def _measure(emu: EmulatorProcess, work: Callable[[], Any]) -> dict[str, Any]:
    before = emu.stats()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    work()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    after = emu.stats()
    return {
        "cpu_s": round(cpu, 3),
        "wall_s": round(wall, 3),
        "requests": api_requests(after) - api_requests(before),
    }


def measure_shape(emu: EmulatorProcess, shape: Shape, n: int) -> dict[str, dict[str, Any]]:
    """One round of the four runs of ``shape`` (each fresh run on a reset portal).

    :param emu: the emulator.
    :param shape: the shape of input.
    :param n: rows.
    """
    rows = shape_rows(shape, n)
    emu.reset()
    runs = {"operator fresh": _measure(emu, operator_task(emu.url, rows))}
    runs["operator re-run"] = _measure(emu, operator_task(emu.url, rows))
    emu.reset()
    runs["floor fresh"] = _measure(emu, lambda: run_floor(emu.url, rows, write=True))
    runs["floor re-run"] = _measure(emu, lambda: run_floor(emu.url, rows, write=False))
    if len(emu.pairs()) != n:
        raise SystemExit(f"{shape.name}: the floor did not write {n} pairs")
    return runs


def run(n: int, repeat: int) -> list[dict[str, Any]]:
    """Measure every shape ``repeat`` times (interleaved) and keep each run's least CPU.

    :param n: rows per shape.
    :param repeat: rounds.
    """
    best: dict[str, dict[str, dict[str, Any]]] = {}
    with EmulatorProcess(seed=LABELS_SEED) as emu:
        for _ in range(repeat):
            for shape in SHAPES:
                runs = measure_shape(emu, shape, n)
                print(json.dumps({"shape": shape.name, **runs}), flush=True)
                kept = best.setdefault(shape.name, {})
                for name, figures in runs.items():
                    if name not in kept or figures["cpu_s"] < kept[name]["cpu_s"]:
                        kept[name] = figures
    results = []
    for shape in SHAPES:
        kept = best[shape.name]
        results.append(
            {
                "shape": shape.name,
                "rows": n,
                "runs": kept,
                "fresh_ratio": round(kept["operator fresh"]["cpu_s"] / kept["floor fresh"]["cpu_s"], 2),
                "rerun_ratio": round(kept["operator re-run"]["cpu_s"] / kept["floor re-run"]["cpu_s"], 2),
            }
        )
    return results


def main() -> None:
    """Run; print JSON lines (and write a JSON document with ``--json``)."""
    parser = argparse.ArgumentParser(description="operator CPU vs plain requests + json")
    parser.add_argument("--rows", type=int, default=80_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = run(args.rows, args.repeat)
    for result in results:
        print(json.dumps(result), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
