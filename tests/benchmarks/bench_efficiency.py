"""Request efficiency: requests made / the minimum each mode needs, fresh and on an unchanged re-run.

Scenario (per mode and per kind of rows, on a reset emulator subprocess): 10,000 contacts; the
input asks each contact for 2 companies (A and B), with the label ``Consultant`` (labelled rows)
or without labels (unlabeled rows): 20,000 rows. Before the sync each contact already has A with
the label ``Billing contact`` and a third company Z without a label. So:

* ``append`` adds Consultant to A (labelled rows; unlabeled rows leave A as it is) and creates B
  (Billing stays, Z stays);
* ``replace`` also removes Billing from A;
* ``mirror`` also removes Z.

The minimum is computed from that scenario, not from the provider's plan: one ``GET`` of the
labels + one batch read per 1,000 contacts, then batch creates of 2,000 pairs that gain a label,
label archives of 1,000 pairs that lose one and pair archives of 1,000 pairs to remove (1,000 is
the client's size for endpoints whose limit HubSpot does not document). A new unlabeled pair is a
batch create too (the direction's unlabeled type; 2,000 per request). A re-run of the same sync
needs the reads only. Run::

    .venv/bin/python -m tests.benchmarks.bench_efficiency --json out.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
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

UNLABELED = 279
WRITE_ENDPOINT_WORDS = ("create", "archive", "default", "put", "delete")


def _company(kind: str, contact: int) -> str:
    return str({"A": 7_000_000, "B": 8_000_000, "Z": 9_000_000}[kind] + contact)


def _seed_state(emu: EmulatorProcess, contacts: list[int]) -> None:
    labels = emu.labels()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    url = f"{emu.url}/crm/v4/associations/contacts/companies/batch/create"
    billing = {"associationCategory": "USER_DEFINED", "associationTypeId": labels["Billing contact"]}
    unlabeled = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": UNLABELED}
    inputs = [{"from": {"id": str(c)}, "to": {"id": _company("A", c)}, "types": [billing]} for c in contacts]
    inputs += [
        {"from": {"id": str(c)}, "to": {"id": _company("Z", c)}, "types": [unlabeled]} for c in contacts
    ]
    for start in range(0, len(inputs), 2000):
        session.post(url, json={"inputs": inputs[start : start + 2000]}, timeout=60).raise_for_status()


def minimum_requests(mode: str, contacts: int, *, rerun: bool, labelled: bool = True) -> int:
    """The fewest requests the scenario needs.

    :param mode: ``append``, ``replace`` or ``mirror``.
    :param contacts: how many contacts.
    :param rerun: whether the state already equals the desired one.
    :param labelled: whether the rows ask for Consultant (else they carry no label).
    """
    reads = 1 + math.ceil(contacts / 1000)
    if rerun:
        return reads
    creates = 2 * contacts if labelled else contacts  # A gains Consultant (labelled rows), B is new
    label_removals = contacts if mode in ("replace", "mirror") else 0  # Billing off A
    prunes = contacts if mode == "mirror" else 0  # Z
    return reads + math.ceil(creates / 2000) + math.ceil(label_removals / 1000) + math.ceil(prunes / 1000)


def _writes(stats: dict[str, Any]) -> int:
    return sum(
        count
        for endpoint, by_status in stats["by_endpoint"].items()
        if "emulator" not in endpoint and any(word in endpoint for word in WRITE_ENDPOINT_WORDS)
        for count in by_status.values()
    )


def _rows(ids: list[int], *, labelled: bool) -> list[dict[str, Any]]:
    return [
        {"from_id": str(c), "to_id": _company(kind, c), **({"labels": ["Consultant"]} if labelled else {})}
        for c in ids
        for kind in "AB"
    ]


def run(contacts: int) -> list[dict[str, Any]]:
    """Measure every mode, labelled and unlabeled rows, fresh and re-run.

    :param contacts: how many contacts (rows = 2 x contacts).
    """
    ids = [2_000_000 + c for c in range(contacts)]
    results: list[dict[str, Any]] = []
    with EmulatorProcess(seed=LABELS_SEED) as emu:
        conn = connection_json(emu.url, requests_per_10s=10_000)
        for labelled, mode in itertools.product((True, False), ("append", "replace", "mirror")):
            rows = _rows(ids, labelled=labelled)
            emu.reset()
            _seed_state(emu, ids)
            for rerun in (False, True):
                before = emu.stats()
                with env(AIRFLOW_CONN_HUBASSOC_DEFAULT=conn):
                    operator = HubSpotUpsertAssociationsOperator(
                        task_id="efficiency",
                        from_object_type="contacts",
                        to_object_type="companies",
                        rows=rows,
                        mode=mode,
                    )
                    summary = operator.execute(context={})  # type: ignore[arg-type]
                    operator.hook.close()
                after = emu.stats()
                made = api_requests(after) - api_requests(before)
                needed = minimum_requests(mode, contacts, rerun=rerun, labelled=labelled)
                results.append(
                    {
                        "mode": mode,
                        "labels": "Consultant" if labelled else "none",
                        "run": "re-run" if rerun else "fresh",
                        "rows": len(rows),
                        "requests": made,
                        "minimum": needed,
                        "ratio": round(made / needed, 3),
                        "writes": _writes(after) - _writes(before),
                        "connections": after["connections"] - before["connections"],
                        "outcomes": {k: summary[k] for k in ("created", "updated", "unchanged", "pruned")},
                    }
                )
                print(json.dumps(results[-1]), flush=True)
            _check(emu, ids, mode, labelled=labelled)
    return results


def _check(emu: EmulatorProcess, ids: list[int], mode: str, *, labelled: bool) -> None:
    """Fail the benchmark when the portal does not hold what the sync asked for."""
    pairs = emu.pairs()
    labels = emu.labels()
    consultant, billing = labels["Consultant"], labels["Billing contact"]
    wanted = [(str(c), _company(k, c)) for c in ids for k in "AB"]
    if not all(pair in pairs for pair in wanted):
        raise SystemExit(f"{mode}: a pair of the input is missing")
    if labelled and not all(consultant in pairs[pair] for pair in wanted):
        raise SystemExit(f"{mode}: a pair lacks Consultant")
    if (mode != "append") == any(billing in pairs[(str(c), _company("A", c))] for c in ids):
        raise SystemExit(f"{mode}: Billing contact is wrong on A")
    if (mode == "mirror") == any((str(c), _company("Z", c)) in pairs for c in ids):
        raise SystemExit(f"{mode}: Z pairs are wrong")


def main() -> None:
    """Run; print JSON lines (and write a JSON document with ``--json``)."""
    parser = argparse.ArgumentParser(description="requests made / minimum, per mode")
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = run(args.contacts)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
