"""The demo portal: a SQLite warehouse, the matching emulator seed, and the example DAGs.

``python -m airflow_provider_hubassoc.demo --help`` builds them from a wheel install; ``make demo``
and the tests use the same code (:mod:`airflow_provider_hubassoc.demo.data`).
"""

from __future__ import annotations

from pathlib import Path

#: The example DAG files shipped in the package (copied into a DAGs folder by ``demo dags``).
EXAMPLE_DAGS_FOLDER = Path(__file__).resolve().parent.parent / "example_dags"
