"""A sync process killed (SIGKILL) partway, then run again, ends where an uninterrupted run ends."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.benchmarks.support import ROOT, EmulatorProcess
from tests.reliability.conftest import scenario_rows, seed_state

CONTACTS = list(range(4_000_001, 4_001_501))  # 1,500 contacts x 4 rows = 6,000 rows
WRITE_WORDS = ("create", "archive", "default")


def _writes(stats: dict[str, Any]) -> int:
    return sum(
        count
        for endpoint, by_status in stats["by_endpoint"].items()
        if "emulator" not in endpoint and any(word in endpoint for word in WRITE_WORDS)
        for status, count in by_status.items()
        if status.startswith("2")
    )


def _child(url: str, mode: str, rows_path: Path, pace: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.sync_child", url, mode, str(rows_path), str(pace)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize("mode", ["append", "replace", "mirror"])
def test_killed_sync_rerun_converges(
    emulator_factory: Callable[..., EmulatorProcess], tmp_path: Path, mode: str
) -> None:
    rows = scenario_rows(CONTACTS)
    rows_path = tmp_path / "rows.json"
    rows_path.write_text(json.dumps(rows))
    reference, victim = emulator_factory(), emulator_factory()
    for emu in (reference, victim):
        seed_state(emu.url, CONTACTS, emu.labels())
    before = reference.pairs()
    assert before == victim.pairs()

    # the uninterrupted run
    summary = _finish(_child(reference.url, mode, rows_path, 10_000))
    assert summary["rejected"] == 0
    expected = reference.pairs()
    assert expected != before

    # the same sync, paced at 5 requests / 10 s, killed once some of its writes have landed
    writes_before = _writes(victim.stats())
    proc = _child(victim.url, mode, rows_path, 5)
    deadline = time.monotonic() + 90
    while _writes(victim.stats()) - writes_before < 2:
        assert proc.poll() is None, "the paced sync finished before it could be killed"
        assert time.monotonic() < deadline, "the paced sync made no writes"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    partial = victim.pairs()
    assert partial != before  # some writes landed ...
    assert partial != expected  # ... not all of them

    # run again: same end state as the uninterrupted run
    again = _finish(_child(victim.url, mode, rows_path, 10_000))
    assert again["rejected"] == 0
    assert again["created"] + again["updated"] + again["unchanged"] == len(rows)
    assert victim.pairs() == expected
    # and a further run finds nothing to do
    assert _finish(_child(victim.url, mode, rows_path, 10_000))["unchanged"] == len(rows)
