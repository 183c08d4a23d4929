"""``make demo DEMO_SCALE=0.1``'s driver runs end to end and its summary checks pass."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_at_scale_0_1(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts/demo/run_demo.py"),
            "--scale",
            "0.1",
            "--build-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "All checks passed" in done.stdout
    assert "Emulator stopped." in done.stdout
    first = json.loads((tmp_path / "summary" / "run1.json").read_text())
    second = json.loads((tmp_path / "summary" / "run2.json").read_text())
    assert first["contact_company_roles"]["rows"] == 5004  # 2,000 contacts x 2.5 companies + 4 invalid rows
    assert first["contact_company_roles"]["created"] > 4000
    assert first["deal_companies"]["pruned"] == 50
    assert second["contact_company_roles"]["unchanged"] == 5000
    assert " 0 writes)" in done.stdout.split("=== Run 2")[1]
    rejects = (tmp_path / "rejects" / "contact_company_roles.jsonl").read_text().splitlines()
    assert len(rejects) == 4
