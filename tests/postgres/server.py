"""A throwaway PostgreSQL cluster: ``initdb`` in a temporary directory, a free loopback port, stopped at exit.

Uses the server binaries of Debian's ``postgresql`` package (``/usr/lib/postgresql/<major>/bin``).
As root (CI), the cluster runs as the ``postgres`` user the package creates, because the server
refuses to run as root. Nothing else on the machine is touched: no system cluster, no service.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.ui.servers import free_port

USER = "hubassoc"
DATABASE = "warehouse"


def server_bin_dir() -> Path | None:
    """The newest installed PostgreSQL server's ``bin`` folder, or ``None``."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


@dataclass(frozen=True)
class PostgresServer:
    """A running cluster: loopback host, port, user (trust auth) and database."""

    host: str
    port: int
    user: str
    database: str

    def connection_json(self) -> str:
        """The Airflow connection (``AIRFLOW_CONN_...`` JSON) of the database."""
        import json

        return json.dumps(
            {
                "conn_type": "postgres",
                "host": self.host,
                "port": self.port,
                "login": self.user,
                "schema": self.database,
            }
        )


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


@contextlib.contextmanager
def postgres_server(timeout: float = 60.0) -> Iterator[PostgresServer]:
    """Start a cluster (``initdb`` + ``pg_ctl start``) and stop it (``pg_ctl stop``) afterwards."""
    bin_dir = server_bin_dir()
    if bin_dir is None:
        raise RuntimeError(
            "no PostgreSQL server found under /usr/lib/postgresql (apt-get install postgresql)"
        )
    root = Path(tempfile.mkdtemp(prefix="hubassoc-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        for path in (root, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    port = free_port()
    log = root / "server.log"
    run = {"check": True, "capture_output": True, "text": True, "timeout": timeout}
    started = False
    try:
        subprocess.run(
            _as_server_user(
                [str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8"]
            ),
            **run,  # type: ignore[call-overload]
        )
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            _as_server_user(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(log),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            **run,  # type: ignore[call-overload]
        )
        started = True
        subprocess.run(
            [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", USER, DATABASE],
            **run,  # type: ignore[call-overload]
        )
        yield PostgresServer(host="127.0.0.1", port=port, user=USER, database=DATABASE)
    finally:
        if started:
            subprocess.run(
                _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                check=False,
                capture_output=True,
                timeout=timeout,
            )
        shutil.rmtree(root, ignore_errors=True)
