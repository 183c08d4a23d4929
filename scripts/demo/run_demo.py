"""``make demo``: build a SQLite warehouse, start the HubSpot emulator, run the warehouse-sync DAG.

Steps (everything lives in ``build/demo/``, which git ignores):

1. build ``warehouse.db`` (contacts, companies, deals, contact-company roles with labels, deal
   companies, a few invalid rows) and the emulator's seed with the same records;
2. ``airflow db migrate`` in ``build/demo/airflow_home`` (DAGs folder: the package's ``example_dags/``);
3. start ``python -m airflow_provider_hubassoc.emulator`` on a free loopback port;
4. run ``airflow dags test hubassoc_warehouse_sync`` twice (connections from environment
   variables): the first run writes, the second finds everything in place and only reads;
5. print a summary of each run, check it against what the data implies (exit status 1 if not),
   and stop the emulator.

``--scale`` (``DEMO_SCALE``) multiplies every data size; ``make demo DEMO_SCALE=0.1`` is the CI
variant.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from airflow_provider_hubassoc.demo import EXAMPLE_DAGS_FOLDER
from airflow_provider_hubassoc.demo.data import DemoData, build_demo_data

ROOT = Path(__file__).resolve().parents[2]

DAG_ID = "hubassoc_warehouse_sync"
#: Run once after the warehouse sync: the same pairs named by email and domain (issue 16).
KEYED_DAG_ID = "hubassoc_keyed_sync"
TOKEN = "demo-emulator-token"  # the local emulator's token; not a HubSpot secret
WRITE_VERBS = ("create", "associate", "archive", "update", "delete", "purge")
#: Lines of ``airflow dags test`` worth echoing while it runs.
ECHO = ("[DAG TEST] end task", "Progress (", " rows, ", "Pre-check passed", "Wrote ", "ERROR", "Traceback")


def say(text: str) -> None:
    """Print a demo progress line at once."""
    print(text, flush=True)


def airflow_env(build: Path, emulator_url: str | None, data: DemoData) -> dict[str, str]:
    """The environment of the Airflow commands: home, DAGs folder, connections."""
    dags = str(EXAMPLE_DAGS_FOLDER)
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(build / "airflow_home"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": dags,
        "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(
            [
                {
                    "name": "dags-folder",
                    "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
                    "kwargs": {"path": dags},
                }
            ]
        ),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        # the emulator has no rate limit: each sync task's share (the DAG's requests_per_10s) is large
        "HUBASSOC_PORTAL_REQUESTS_PER_10S": "400000",
        "AIRFLOW_CONN_HUBASSOC_WAREHOUSE": json.dumps({"conn_type": "sqlite", "host": str(data.warehouse)}),
    }
    if emulator_url:
        env["AIRFLOW_CONN_HUBASSOC_DEFAULT"] = json.dumps(
            {
                "conn_type": "hubassoc",
                "host": emulator_url,
                "password": TOKEN,
                # the emulator has no rate limit here; a real portal: 100-190 per 10 s
                "extra": {"requests_per_10s": 100_000},
            }
        )
    return env


def start_emulator(python: str, seed: Path, log_path: Path) -> tuple[subprocess.Popen[str], str]:
    """Start the emulator on a free port; return the process and its URL."""
    command = [
        python,
        "-m",
        "airflow_provider_hubassoc.emulator",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--token",
        TOKEN,
        "--seed",
        str(seed),
    ]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, stdout=subprocess.PIPE, stderr=log_path.open("w"), text=True, cwd=ROOT
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                raise SystemExit(f"the emulator exited with {process.returncode}; see {log_path}")
            continue
        if "listening on" in line:
            return process, line.strip().rsplit(" ", 1)[-1]
    process.terminate()
    raise SystemExit("the emulator did not start within 120 s")


def emulator_counts(url: str) -> tuple[int, int]:
    """(read requests, write requests) the emulator answered so far."""
    with urllib.request.urlopen(url + "/_emulator/stats", timeout=10) as response:  # noqa: S310 - loopback
        stats = json.load(response)["by_endpoint"]
    writes = reads = 0
    for endpoint, by_status in stats.items():
        if endpoint in ("emulator", "oauth"):
            continue
        count = sum(by_status.values())
        if any(verb in endpoint for verb in WRITE_VERBS):
            writes += count
        else:
            reads += count
    return reads, writes


def run_dag(
    airflow: str, env: dict[str, str], conf: dict[str, Any], log_path: Path, dag_id: str = DAG_ID
) -> float:
    """Run a DAG with ``airflow dags test``, echoing progress; return the seconds it took."""
    started = time.monotonic()
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - the venv's airflow, fixed arguments
            [airflow, "dags", "test", dag_id, "-c", json.dumps(conf)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=ROOT,
        )
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            if any(marker in line for marker in ECHO):
                text = line.strip()
                if "Z [" in text[:40]:  # structlog: "<time> [level    ] message [logger] loc=..."
                    text = text.split("] ", 1)[-1].rsplit(" [", 1)[0].strip()
                if "[DAG TEST] end task" in text:
                    text = "task done: " + text.split("task_id=", 1)[-1]
                say(f"    {text[:200]}")
        code = process.wait()
    if code != 0:
        raise SystemExit(f"airflow dags test failed (exit {code}); the full log is {log_path}")
    return time.monotonic() - started


def show(run: int, summary: dict[str, Any], seconds: float, reads: int, writes: int) -> None:
    """Print one run's summary."""
    labels = summary["labels"]
    created = [x["label"] for x in labels if x["created"]]
    requests = f"{reads + writes} HubSpot requests ({reads} reads, {writes} writes)"
    say(f"\n=== Run {run}: {seconds:.0f} s, {requests}")
    existed = len(labels) - len(created)
    say(f"  labels: {len(created)} created ({', '.join(created) or 'none'}), {existed} existed")
    for name in ("contact_company_roles", "deal_companies"):
        s = summary[name]
        extra = f" in {s['partitions']} mapped partitions" if "partitions" in s else ""
        say(
            f"  {name}{extra}: {s['rows']} rows → created {s['created']}, updated {s['updated']}, "
            f"unchanged {s['unchanged']}, pruned {s['pruned']}, rejected {s['rejected']} "
            f"({s['requests']} requests)"
        )
    for sample in summary["rejected_sample"]:
        say(f"    rejected row {sample['index']}: {sample['reason'][:110]}")
    say(f"  rejects reports: {summary['rejects_dir']}/")


def check(run: int, summary: dict[str, Any], data: DemoData, writes: int) -> list[str]:
    """What is wrong with a run's summary, given the demo data (empty when all is as expected)."""
    e = data.expected
    c, d = summary["contact_company_roles"], summary["deal_companies"]
    if run == 1:
        wanted = {
            "labels created": ([x["created"] for x in summary["labels"]], [True, True]),
            "contact rows": (
                (c["rows"], c["created"], c["updated"], c["unchanged"], c["rejected"]),
                (
                    e.contact_rows,
                    e.contact_created,
                    e.contact_updated,
                    e.contact_unchanged,
                    e.contact_rejected,
                ),
            ),
            "deal rows": (
                (d["rows"], d["created"], d["unchanged"], d["pruned"], d["rejected"]),
                (e.deal_rows, e.deal_created, e.deal_unchanged, e.deal_removed, 0),
            ),
        }
    else:
        wanted = {
            "labels created": ([x["created"] for x in summary["labels"]], [False, False]),
            "contact rows": (
                (c["unchanged"], c["rejected"], c["created"] + c["updated"]),
                (e.contact_rows - e.contact_rejected, e.contact_rejected, 0),
            ),
            "deal rows": ((d["unchanged"], d["pruned"], d["created"]), (e.deal_rows, 0, 0)),
            "write requests": (writes, 0),
        }
    return [
        f"run {run}: {name} {got} != expected {want}" for name, (got, want) in wanted.items() if got != want
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the demo."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=float(os.environ.get("DEMO_SCALE", "1") or 1))
    parser.add_argument("--build-dir", type=Path, default=ROOT / "build" / "demo")
    parser.add_argument("--runs", type=int, default=2, help="DAG runs (the second one shows a no-op re-run)")
    parser.add_argument("--partitions", type=int, default=4)
    args = parser.parse_args(argv)
    build: Path = args.build_dir.resolve()
    bin_dir = Path(sys.executable).parent
    airflow = (
        str(bin_dir / "airflow") if (bin_dir / "airflow").exists() else shutil.which("airflow") or "airflow"
    )
    total_started = time.monotonic()

    say(f"[1/5] Building the demo warehouse (scale {args.scale}) in {build}")
    for stale in ("rejects", "logs", "summary"):
        shutil.rmtree(build / stale, ignore_errors=True)
    (build / "logs").mkdir(parents=True, exist_ok=True)
    data = build_demo_data(build, scale=args.scale)
    say("      " + ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in data.counts.items()))
    say(f"      warehouse: {data.warehouse}; emulator seed: {data.seed}")

    say(f"[2/5] Migrating the Airflow metadata DB in {build / 'airflow_home'}")
    env = airflow_env(build, None, data)
    started = time.monotonic()
    subprocess.run(  # noqa: S603 - the venv's airflow, fixed arguments
        [airflow, "db", "migrate"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    say(f"      done in {time.monotonic() - started:.0f} s")

    say("[3/5] Starting the HubSpot emulator with the same records")
    emulator, url = start_emulator(sys.executable, data.seed, build / "logs" / "emulator.log")
    say(f"      {url} (pid {emulator.pid})")
    failures: list[str] = []
    try:
        env = airflow_env(build, url, data)
        for run in range(1, args.runs + 1):
            say(f"[{3 + run}/5] airflow dags test {DAG_ID} (run {run} of {args.runs})")
            summary_path = build / "summary" / f"run{run}.json"
            conf = {
                "summary_path": str(summary_path),
                "rejects_dir": str(build / "rejects"),
                "partitions": args.partitions,
            }
            reads_before, writes_before = emulator_counts(url)
            seconds = run_dag(airflow, env, conf, build / "logs" / f"run{run}.log")
            reads_after, writes_after = emulator_counts(url)
            summary = json.loads(summary_path.read_text())
            writes = writes_after - writes_before
            show(run, summary, seconds, reads_after - reads_before, writes)
            failures += check(run, summary, data, writes)
        say(f"[+] airflow dags test {KEYED_DAG_ID}: contacts by email, companies by domain")
        keyed_path = build / "summary" / "keyed.json"
        keyed_conf = {"summary_path": str(keyed_path), "rejects_dir": str(build / "rejects")}
        run_dag(airflow, env, keyed_conf, build / "logs" / "keyed.log", dag_id=KEYED_DAG_ID)
        keyed = json.loads(keyed_path.read_text())
        say(f"      {json.dumps(keyed)}")
        if keyed["replace_from_sql"]["created"] or keyed["replace_from_sql"]["updated"]:
            failures.append("the keyed replace wrote pairs that the id-based sync had already written")
    finally:
        emulator.terminate()
        try:
            emulator.wait(timeout=20)
        except subprocess.TimeoutExpired:
            emulator.kill()
        say("\nEmulator stopped.")
    total = time.monotonic() - total_started
    say(f"Logs: {build / 'logs'}; summaries: {build / 'summary'}; total time {total:.0f} s")
    if failures:
        for failure in failures:
            say(f"CHECK FAILED: {failure}")
        return 1
    say("All checks passed: the counts match the demo data, and the re-run made reads only.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
