"""Keyed syncs: requests per 10,000 rows named by email and domain, against the same rows by id.

Scenario (on a fresh emulator subprocess each, limited to 100 requests per 10 s as a HubSpot
portal is, search to its default 5 per second): 10,000 contacts with emails and 10,000 companies
with domains; 10,000 rows, contact ``i`` → company ``i`` (every key distinct: the worst case for
lookups). The id-based sync gets the record ids; the keyed sync gets ``Email@Example.com``-style
emails and ``https://www.`` websites. Both append into an empty portal, then run again unchanged.

The minimum lookups HubSpot's limits force: 100 emails per objects batch read, and one search per
200 companies found (a search page holds at most 200 results, whatever the filters); the client
sends 200 domains per search (4 filter groups of 100 ``IN`` values: each domain with its ``www.``
form, see README), which is one page each. Time is the wall time of the whole sync, at the
client's default pace (ten-second limiter at the portal's 100, search at 4 per 1.1 s). Run::

    .venv/bin/python -m tests.benchmarks.bench_keys --json out.json
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import Any

import requests

from airflow_provider_hubassoc.sync.engine import run_sync
from airflow_provider_hubassoc.sync.keys import KeySpec, key_stage
from airflow_provider_hubassoc.sync.spec import SyncSpec
from tests.benchmarks.support import EmulatorProcess, api_requests, endpoint_requests, make_client

ROWS = 10_000
CONTACT_BASE, COMPANY_BASE = 1_000_001, 2_000_001
LOOKUP_ENDPOINTS = ("objects_batch_read", "objects_search", "properties_get")


def seed(rows: int) -> dict[str, Any]:
    """Contacts with emails, companies with domains."""
    return {
        "contacts": [
            {"id": str(CONTACT_BASE + i), "properties": {"email": f"person{i}@example.com"}}
            for i in range(rows)
        ],
        "companies": [
            {"id": str(COMPANY_BASE + i), "properties": {"domain": f"company{i}.example.com"}}
            for i in range(rows)
        ],
    }


def input_rows(rows: int, *, keyed: bool) -> list[dict[str, str]]:
    """The same pairs, by id or by key."""
    if keyed:
        return [
            {"from_id": f"Person{i}@Example.com", "to_id": f"https://www.company{i}.example.com/"}
            for i in range(rows)
        ]
    return [{"from_id": str(CONTACT_BASE + i), "to_id": str(COMPANY_BASE + i)} for i in range(rows)]


def minimum_lookups(rows: int) -> int:
    """The lookups HubSpot's limits force for ``rows`` distinct emails and domains."""
    return math.ceil(rows / 100) + math.ceil(rows / 200)


def measure(rows: int, *, keyed: bool, limit: int) -> list[dict[str, Any]]:
    """Two runs (fresh, then unchanged) on a fresh emulator; requests and time of each."""
    results = []
    with EmulatorProcess(["--requests-per-10s", str(limit)], seed=seed(rows)) as emu:
        spec = SyncSpec.build(from_object_type="contacts", to_object_type="companies", mode="append")
        keys = KeySpec.build(
            from_id_property="email" if keyed else None, to_id_property="domain" if keyed else None
        )
        for run in ("fresh", "re-run"):
            before = requests.get(f"{emu.url}/_emulator/stats", timeout=30).json()
            with make_client(emu.url, requests_per_10s=limit) as client:
                started = time.monotonic()
                result = run_sync(
                    client, spec, input_rows(rows, keyed=keyed), keys=key_stage(client, spec, keys)
                )
                seconds = time.monotonic() - started
            after = requests.get(f"{emu.url}/_emulator/stats", timeout=30).json()
            lookups = endpoint_requests(after, *LOOKUP_ENDPOINTS) - endpoint_requests(
                before, *LOOKUP_ENDPOINTS
            )
            total = api_requests(after) - api_requests(before)
            searches = endpoint_requests(after, "objects_search") - endpoint_requests(
                before, "objects_search"
            )
            results.append(
                {
                    "sync": "keyed" if keyed else "by id",
                    "run": run,
                    "rows": rows,
                    "created": result.summary.created,
                    "unchanged": result.summary.unchanged,
                    "rejected": result.summary.rejected,
                    "requests": total,
                    "lookups": lookups,
                    "searches": searches,
                    "association_requests": total - lookups,
                    "summary_lookups": result.summary.lookups,
                    "seconds": round(seconds, 1),
                    "rate_limited": int(after.get("rate_limited", 0)) - int(before.get("rate_limited", 0)),
                }
            )
    return results


def main() -> None:
    """Run both syncs and print (and optionally write) the numbers."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--limit", type=int, default=100, help="the emulator's requests per 10 s")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = measure(args.rows, keyed=False, limit=args.limit) + measure(
        args.rows, keyed=True, limit=args.limit
    )
    report = {
        "rows": args.rows,
        "limit": args.limit,
        "minimum_lookups": minimum_lookups(args.rows),
        "runs": rows,
    }
    for row in rows:
        print(
            f"{row['sync']:>6} {row['run']:>6}: {row['requests']:>4} requests ({row['lookups']} lookups, "
            f"{row['searches']} searches, {row['association_requests']} association), {row['seconds']} s, "
            f"{row['created']} created, {row['unchanged']} unchanged, {row['rejected']} rejected, "
            f"{row['rate_limited']} 429s"
        )
    print(f"minimum lookups forced by HubSpot's limits: {report['minimum_lookups']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
