"""Three ways to do the same association writes, against the emulator in a subprocess.

* ``sdk``: the official ``hubspot-api-client`` (v12), batch creates of 2,000 in a plain loop, with its
  documented retry setting ``Retry(total=5, status_forcelist=(429,))`` plus a back-off
  (:data:`SDK_RETRY`: HubSpot sends no ``Retry-After``, so without one urllib3 retries at once and
  spends its retries inside one rate-limit window);
* ``sdk-dicts``: the same SDK calls with plain dicts as the request body instead of its typed
  models (the SDK's leanest use: it serializes a dict as it is; its answers are still typed);
* ``put``: one ``PUT .../objects/contacts/{id}/associations/companies/{toId}`` per row over a
  ``requests.Session`` (what a DAG with one ``HttpOperator`` call per row amounts to), same retry;
* ``provider``: this provider's ``append`` sync (``HubSpotAssociationsHook`` client + sync engine),
  which also reads every from-record before it writes;
* ``provider-client``: this provider's client sending the same batch creates as the SDK, nothing
  else (``HubSpotAssociationsClient.batch_create``, label type id looked up once).

Only the client runs in this process (the emulator is a subprocess), so ``time.process_time()``
around a run is the client's CPU. Run::

    .venv/bin/python -m tests.benchmarks.bench_alternatives --json out.json

Prints (and writes) rows/s at the emulator's 100 requests / 10 s limit, and client CPU seconds per
100,000 rows with the limit off (each client run ``--repeat`` times, interleaved; the run with the
least CPU is kept, as noise from other processes only ever adds CPU time).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from hubspot import HubSpot
from hubspot.crm.associations.v4 import (
    AssociationSpec,
    BatchInputPublicAssociationMultiPost,
    PublicAssociationMultiPost,
    PublicObjectId,
)
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from airflow_provider_hubassoc.client.models import AssociationCategory, AssociationInput
from airflow_provider_hubassoc.client.models import AssociationSpec as ProviderSpec
from airflow_provider_hubassoc.sync.engine import upsert_associations
from tests.benchmarks.support import (
    LABELS_SEED,
    TOKEN,
    EmulatorProcess,
    api_requests,
    append_rows,
    make_client,
)

#: The retry setting of the SDK and one-PUT-per-row clients: the SDK's documented
#: ``Retry(total=5, status_forcelist=(429,))`` with urllib3's exponential back-off (1, 2, 4, 8 s).
SDK_RETRY = Retry(total=5, status_forcelist=(429,), backoff_factor=1.0)

Runner = Callable[[str, list[dict[str, Any]]], None]


def _ensure_label(url: str) -> int:
    """Create the ``Consultant`` label (once) and return its contacts → companies type id.

    :param url: the emulator's base URL.
    """
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    path = f"{url}/crm/v4/associations/contacts/companies/labels"
    listed = session.get(path, timeout=30).json()["results"]
    for item in listed:
        if item.get("label") == "Consultant":
            return int(item["typeId"])
    created = session.post(path, json={"name": "consultant", "label": "Consultant"}, timeout=30).json()
    return int(created["results"][0]["typeId"])


def _sdk_batch_api(url: str) -> tuple[Any, int]:
    """The SDK's batch API with its documented retry setting, and the Consultant type id.

    :param url: the emulator's base URL.
    """
    api = HubSpot(access_token=TOKEN, host=url, retry=SDK_RETRY)
    type_id = next(
        t.type_id
        for t in api.crm.associations.v4.schema.definitions_api.get_all("contacts", "companies").results
        if t.label == "Consultant"
    )
    return api.crm.associations.v4.batch_api, int(type_id)


def run_sdk(url: str, rows: list[dict[str, Any]]) -> None:
    """The SDK: batch creates of 2,000 in a loop (label type id looked up once).

    :param url: the emulator's base URL.
    :param rows: the rows to write.
    """
    batch, type_id = _sdk_batch_api(url)
    spec = AssociationSpec(association_category="USER_DEFINED", association_type_id=type_id)
    for start in range(0, len(rows), 2000):
        inputs = [
            PublicAssociationMultiPost(
                _from=PublicObjectId(id=row["from_id"]), to=PublicObjectId(id=row["to_id"]), types=[spec]
            )
            for row in rows[start : start + 2000]
        ]
        batch.create("contacts", "companies", BatchInputPublicAssociationMultiPost(inputs=inputs))


def run_sdk_dicts(url: str, rows: list[dict[str, Any]]) -> None:
    """The SDK with plain dicts: the same batch creates of 2,000, bodies built as dicts.

    :param url: the emulator's base URL.
    :param rows: the rows to write.
    """
    batch, type_id = _sdk_batch_api(url)
    spec = {"associationCategory": "USER_DEFINED", "associationTypeId": type_id}
    for start in range(0, len(rows), 2000):
        inputs = [
            {"from": {"id": row["from_id"]}, "to": {"id": row["to_id"]}, "types": [spec]}
            for row in rows[start : start + 2000]
        ]
        batch.create("contacts", "companies", {"inputs": inputs})


def run_put(url: str, rows: list[dict[str, Any]]) -> None:
    """One PUT per row over ``requests`` with the same retry setting.

    :param url: the emulator's base URL.
    :param rows: the rows to write.
    """
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=SDK_RETRY))
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    type_id = next(
        int(t["typeId"])
        for t in session.get(f"{url}/crm/v4/associations/contacts/companies/labels", timeout=30).json()[
            "results"
        ]
        if t.get("label") == "Consultant"
    )
    body = [{"associationCategory": "USER_DEFINED", "associationTypeId": type_id}]
    for row in rows:
        response = session.put(
            f"{url}/crm/v4/objects/contacts/{row['from_id']}/associations/companies/{row['to_id']}",
            json=body,
            timeout=30,
        )
        response.raise_for_status()


def run_provider(url: str, rows: list[dict[str, Any]], *, requests_per_10s: int = 10_000) -> None:
    """This provider's ``append`` sync.

    :param url: the emulator's base URL.
    :param rows: the rows to write.
    :param requests_per_10s: the client-side pace.
    """
    with make_client(url, requests_per_10s=requests_per_10s) as client:
        result = upsert_associations(
            client, from_object_type="contacts", to_object_type="companies", rows=rows, mode="append"
        )
    if result.summary.created != len(rows):
        raise SystemExit(f"provider created {result.summary.created} of {len(rows)} rows")


def run_provider_client(url: str, rows: list[dict[str, Any]]) -> None:
    """This provider's client: the same batch creates as the SDK (label type id looked up once).

    :param url: the emulator's base URL.
    :param rows: the rows to write.
    """
    with make_client(url) as client:
        type_id = next(
            t.type_id
            for t in client.list_labels(from_object_type="contacts", to_object_type="companies")
            if t.label == "Consultant"
        )
        spec = ProviderSpec(AssociationCategory.USER_DEFINED, type_id)
        inputs = [AssociationInput(row["from_id"], row["to_id"], (spec,)) for row in rows]
        result = client.batch_create(from_object_type="contacts", to_object_type="companies", inputs=inputs)
    if result.errors:
        raise SystemExit(f"provider-client: {len(result.errors)} rows refused")


def measure(
    name: str, runner: Runner, rows: list[dict[str, Any]], emulator_args: list[str]
) -> dict[str, Any]:
    """Run one client against a fresh emulator subprocess and measure it.

    :param name: the client's name.
    :param runner: the client.
    :param rows: the rows.
    :param emulator_args: emulator CLI arguments (e.g. the rate limit).
    """
    with EmulatorProcess(emulator_args, seed=LABELS_SEED) as emu:
        before = emu.stats()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        runner(emu.url, rows)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        after = emu.stats()
        written = len(emu.pairs())
    if written != len(rows):
        raise SystemExit(f"{name}: the emulator holds {written} pairs, expected {len(rows)}")
    return {
        "client": name,
        "rows": len(rows),
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "rows_per_s": round(len(rows) / wall, 1),
        "cpu_s_per_100k": round(cpu * 100_000 / len(rows), 3),
        "requests": api_requests(after) - api_requests(before),
        "status_429": after["by_status"].get("429", 0) - before["by_status"].get("429", 0),
    }


def main() -> None:
    """Run the comparison; print a JSON document (and write it with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000, help="rows for sdk and provider")
    parser.add_argument("--put-rows", type=int, default=2_000, help="rows for one-PUT-per-row, limit off")
    parser.add_argument("--limited-rows", type=int, default=200_000, help="rows at the rate limit")
    parser.add_argument("--put-limited-rows", type=int, default=200, help="one-PUT-per-row rows at the limit")
    parser.add_argument("--repeat", type=int, default=3, help="limit-off runs per client (least CPU kept)")
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args()
    limited = ["--requests-per-10s", "100"]
    results: dict[str, Any] = {"unlimited": [], "limited": []}
    runs: list[tuple[str, Runner, int, int]] = [
        ("sdk", run_sdk, args.rows, args.limited_rows),
        ("sdk-dicts", run_sdk_dicts, args.rows, args.limited_rows),
        ("put", run_put, args.put_rows, args.put_limited_rows),
        ("provider", run_provider, args.rows, args.limited_rows),
        ("provider-client", run_provider_client, args.rows, args.limited_rows),
    ]
    # limit off: every client --repeat times, interleaved, keeping each one's least-CPU run (the
    # machine is shared: noise only ever adds CPU time); every run's CPU is kept for the report
    best: dict[str, dict[str, Any]] = {}
    for _ in range(args.repeat):
        for name, runner, n_free, _ in runs:
            run = measure(name, runner, append_rows(n_free), [])
            print(json.dumps(run), flush=True)
            runs_cpu = [*best.get(name, {}).get("cpu_s_per_100k_runs", []), run["cpu_s_per_100k"]]
            if name not in best or run["cpu_s"] < best[name]["cpu_s"]:
                best[name] = run
            best[name]["cpu_s_per_100k_runs"] = runs_cpu
    results["unlimited"] = [best[name] for name, *_ in runs]

    def provider_paced(url: str, rows: list[dict[str, Any]]) -> None:
        run_provider(url, rows, requests_per_10s=100)

    for name, runner, _, n_limited in runs:
        if name in ("sdk-dicts", "provider-client"):  # CPU comparisons only: rows/s as sdk, provider
            continue
        chosen = provider_paced if name == "provider" else runner
        results["limited"].append(measure(name, chosen, append_rows(n_limited), limited))
        print(json.dumps(results["limited"][-1]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
