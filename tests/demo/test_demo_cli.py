"""``python -m airflow_provider_hubassoc.demo``: the demo warehouse, its seed and the example DAGs."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from airflow_provider_hubassoc.demo import EXAMPLE_DAGS_FOLDER
from airflow_provider_hubassoc.demo.__main__ import main
from airflow_provider_hubassoc.demo.data import EXAMPLE_COMPANY_IDS, EXAMPLE_CONTACT_IDS


def test_build_writes_the_warehouse_and_a_seed_with_the_example_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", str(tmp_path / "demo"), "--scale", "0.001"]) == 0
    seed = json.loads((tmp_path / "demo" / "emulator_seed.json").read_text())
    assert set(EXAMPLE_CONTACT_IDS) <= {int(r["id"]) for r in seed["contacts"]}
    assert set(EXAMPLE_COMPANY_IDS) <= {int(r["id"]) for r in seed["companies"]}
    with sqlite3.connect(tmp_path / "demo" / "warehouse.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM contact_company_roles").fetchone()[0] > 0
        assert conn.execute("SELECT COUNT(*) FROM deal_companies").fetchone()[0] > 0
    out = capsys.readouterr().out
    assert f"--seed {tmp_path / 'demo' / 'emulator_seed.json'}" in out
    assert "airflow connections add hubassoc_warehouse --conn-type sqlite" in out


def test_dags_copies_the_four_example_dags(tmp_path: Path) -> None:
    assert main(["dags", str(tmp_path / "dags")]) == 0
    copied = sorted(p.name for p in (tmp_path / "dags").iterdir())
    assert copied == sorted(p.name for p in EXAMPLE_DAGS_FOLDER.glob("hubassoc_*.py"))
    assert len(copied) == 4
