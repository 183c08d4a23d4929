"""Test-wide settings: a throwaway AIRFLOW_HOME, no example DAGs, and no real network."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

# Airflow reads these at import time, so they are set before any test module imports it.
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="hubassoc-airflow-home-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """A migrated Airflow metadata DB (SQLite in the throwaway AIRFLOW_HOME), for ``dag.test()``.

    ``airflow db migrate`` runs once per test session, in a subprocess, so this process's
    Airflow settings are untouched until a test needs the DB.
    """
    home = Path(os.environ["AIRFLOW_HOME"])
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        check=True,
        env={**os.environ},
        stdout=subprocess.DEVNULL,
    )
    return home
