"""Peak memory of a ``sql=`` sync: 100,000 rows versus 1,000,000 rows (not a pytest test).

Run: ``.venv/bin/python -m tests.benchmarks.bench_sql_memory [--sizes 100000 1000000] [--warehouse postgres]``

``--warehouse postgres`` (needs Debian's ``postgresql`` and the ``postgres`` extra, as for
``make test-postgres``) builds the same table in a throwaway PostgreSQL cluster instead of SQLite;
the sync then streams it through a server-side cursor.

For each size it builds a SQLite table of contact → company rows (5 companies per contact, ordered
by contact, a mix of label formats), starts the HubSpot emulator in its own process (records are
created on first use, no rate limit), and runs ``HubSpotUpsertAssociationsOperator(sql=...,
mode="replace", sql_chunk_size=10_000)`` in a fresh Python process, which reports its peak RSS
(``ru_maxrss``) and its RSS after the imports. The emulator's memory (it stores every pair) is not
counted: it stands in for HubSpot. The streamed sync holds one chunk at a time, so the peak should
not grow with the number of rows (the target: 1,000,000 rows within 20% of 100,000).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PER_CONTACT = 5
LABELS = (None, "Consultant", "Consultant;Board member", '["Board member"]')


def build_table(path: Path, rows: int) -> None:
    """Write ``rows`` contact → company rows into ``path``."""
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE roles (contact_id INTEGER, company_id INTEGER, roles TEXT)")
        conn.executemany(
            "INSERT INTO roles VALUES (?, ?, ?)",
            (
                (1_000_000 + i // PER_CONTACT, 5_000_000 + (i * 7919) % 100_000, LABELS[i % len(LABELS)])
                for i in range(rows)
            ),
        )


def build_postgres_table(connection: str, rows: int) -> None:
    """Write the same ``rows`` rows into PostgreSQL (``connection``: an Airflow connection JSON)."""
    import psycopg

    c = json.loads(connection)
    labels = ", ".join("NULL" if x is None else "'" + x.replace("'", "''") + "'" for x in LABELS)
    with psycopg.connect(host=c["host"], port=c["port"], user=c["login"], dbname=c["schema"]) as conn:
        conn.execute("DROP TABLE IF EXISTS roles")
        conn.execute("CREATE TABLE roles (contact_id BIGINT, company_id BIGINT, roles TEXT)")
        conn.execute(
            f"INSERT INTO roles SELECT 1000000 + g / {PER_CONTACT}, 5000000 + (g::bigint * 7919) % 100000, "
            f"(ARRAY[{labels}])[g % {len(LABELS)} + 1] FROM generate_series(0, {rows - 1}) AS g"
        )


def child(db: str, url: str) -> None:
    """Run one sync in this process and print its figures as JSON."""
    warehouse = db if db.startswith("{") else json.dumps({"conn_type": "sqlite", "host": db})
    os.environ["AIRFLOW_CONN_BENCH_WAREHOUSE"] = warehouse
    os.environ["AIRFLOW_CONN_HUBASSOC_DEFAULT"] = json.dumps(
        {
            "conn_type": "hubassoc",
            "host": url,
            "password": "emulator-token",
            "extra": {"requests_per_10s": 100000},
        }
    )
    from airflow_provider_hubassoc.operators.associations import HubSpotUpsertAssociationsOperator
    from airflow_provider_hubassoc.sync.labels import ensure_label

    op = HubSpotUpsertAssociationsOperator(
        task_id="bench",
        from_object_type="contacts",
        to_object_type="companies",
        sql="SELECT contact_id, company_id, roles FROM roles ORDER BY contact_id",
        sql_conn_id="bench_warehouse",
        from_id_field="contact_id",
        to_id_field="company_id",
        labels_field="roles",
        mode="replace",
        sql_chunk_size=10_000,
    )
    client = op.hook.get_client()
    for name, label in (("consultant", "Consultant"), ("board_member", "Board member")):
        ensure_label(client, from_object_type="contacts", to_object_type="companies", name=name, label=label)
    rss_after_imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    summary = op.execute(context={})  # type: ignore[arg-type]
    print(
        json.dumps(
            {
                "rows": summary["rows"],
                "created": summary["created"],
                "rejected": summary["rejected"],
                "requests": summary["requests"],
                "seconds": round(time.monotonic() - started, 1),
                "rss_after_imports_mb": round(rss_after_imports / 1024, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


def measure(rows: int, workdir: Path, postgres: str | None = None) -> dict[str, object]:
    """Build the table, start an emulator, run the sync in a child process; return its figures.

    :param postgres: an Airflow connection JSON of a PostgreSQL database to use instead of SQLite.
    """
    db: Path | str
    if postgres:
        build_postgres_table(postgres, rows)
        db = postgres
    else:
        db = workdir / f"bench_{rows}.db"
        build_table(db, rows)
    emulator = subprocess.Popen(
        [sys.executable, "-m", "airflow_provider_hubassoc.emulator", "--port", "0", "--log-level", "ERROR"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert emulator.stdout is not None
        url = emulator.stdout.readline().strip().rsplit(" ", 1)[-1]
        env = {**os.environ, "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
        env.setdefault("AIRFLOW_HOME", str(workdir / "airflow_home"))
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(db), url],
            check=True,
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
        )
        result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
        return result
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)


def main() -> None:
    """Measure each size and print a table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--warehouse", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--child", nargs=2, metavar=("DB", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory(prefix="hubassoc-bench-") as tmp, contextlib.ExitStack() as stack:
        postgres = None
        if args.warehouse == "postgres":
            sys.path.insert(0, str(ROOT))
            from tests.postgres.server import postgres_server

            postgres = stack.enter_context(postgres_server()).connection_json()
        results = []
        for rows in args.sizes:
            print(f"measuring {rows:,} rows ({args.warehouse}) ...", flush=True)
            figures = measure(rows, Path(tmp), postgres)
            print(f"  {figures}", flush=True)
            results.append(figures)
    print("\nrows       peak RSS MB  RSS after imports MB  seconds  requests")
    for r in results:
        print(
            f"{r['rows']:>9,}  {r['peak_rss_mb']:>11}  {r['rss_after_imports_mb']:>20}  "
            f"{r['seconds']:>7}  {r['requests']:>8}"
        )
    if len(results) > 1:
        base, top = float(results[0]["peak_rss_mb"]), float(results[-1]["peak_rss_mb"])  # type: ignore[arg-type]
        print(f"\npeak RSS ratio {results[-1]['rows']:,} / {results[0]['rows']:,} rows: {top / base:.3f}")


if __name__ == "__main__":
    main()
