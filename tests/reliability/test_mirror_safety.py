"""Mirror never deletes what it should keep (issue 11), against the emulator through the operator.

Each test is a case a hostile user found: same-type pairs read back as their inverse, rows HubSpot
rejects, rows rejected for a non-canonical id, a batch-read error tied to no input, a share guard
that depended on the row order, and mirror without any guard.
"""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_hubassoc.client.models import BatchReadResult, BatchRowError
from airflow_provider_hubassoc.emulator import EmulatorServer
from airflow_provider_hubassoc.operators.associations import HubSpotUpsertAssociationsOperator
from tests.reliability.portal import pairs
from tests.reliability.test_bad_input import Recorder


def operator(**kwargs: Any) -> HubSpotUpsertAssociationsOperator:
    kwargs.setdefault("from_object_type", "contacts")
    kwargs.setdefault("to_object_type", "companies")
    return HubSpotUpsertAssociationsOperator(
        task_id="mirror", mode="mirror", max_rejected_ratio=1.0, **kwargs
    )


def run(**kwargs: Any) -> dict[str, Any]:
    return operator(**kwargs).execute(context={})  # type: ignore[arg-type]


def recorded(op: HubSpotUpsertAssociationsOperator) -> Recorder:
    recorder = Recorder(op.hook.get_client())
    op.hook.__dict__["client"] = recorder
    return recorder


def writes(recorder: Recorder) -> list[str]:
    return [name for name, _ in recorder.calls if name not in ("batch_read", "list_labels")]


# ---- 1. same object type: a pair and its inverse are one association -----------------------------


@pytest.mark.parametrize("labels", [["Manager"], None])
def test_same_type_mirror_is_stable_and_a_rerun_writes_nothing(portal: EmulatorServer, labels: Any) -> None:
    rows = [{"from_id": 1, "to_id": 2, "labels": labels}, {"from_id": 2, "to_id": 3, "labels": labels}]
    expected = {(1, 2), (2, 1), (2, 3), (3, 2)}
    first = run(rows=rows, from_object_type="contacts", to_object_type="contacts")
    assert (first["created"], first["pruned"]) == (2, 0)
    for _ in range(2):
        op = operator(rows=rows, from_object_type="contacts", to_object_type="contacts")
        recorder = recorded(op)
        again = op.execute(context={})  # type: ignore[arg-type]
        assert pairs(portal, "0-1", "0-1") == expected
        assert (again["unchanged"], again["created"], again["updated"], again["pruned"]) == (2, 0, 0, 0)
        assert writes(recorder) == []


# ---- 2. a row HubSpot rejects protects its from-record ---------------------------------------------


def test_row_rejected_by_hubspot_protects_its_from_record(portal: EmulatorServer, tmp_path: Path) -> None:
    report = tmp_path / "rejects.jsonl"
    summary = run(rows=[{"from_id": 1, "to_id": 500}], max_deletes=10, rejects_path=str(report))
    assert (summary["rejected"], summary["pruned"]) == (1, 0)
    assert {(1, 10), (1, 11), (1, 12)} <= pairs(portal)
    (entry,) = map(json.loads, report.read_text().splitlines())
    assert entry["kind"] == "hubspot"
    assert entry["hubspot_message"]


# ---- 3. a row rejected for a non-canonical id protects its from-record ------------------------------


@pytest.mark.parametrize("from_id", ["1.0", 1.0, " 1.00 "])
def test_row_rejected_for_a_non_canonical_id_protects_its_from_record(
    portal: EmulatorServer, from_id: object
) -> None:
    rows = [{"from_id": 1, "to_id": 10}, {"from_id": from_id, "to_id": 11}]
    summary = run(rows=rows, max_deletes=10)
    assert (summary["unchanged"], summary["rejected"], summary["pruned"]) == (1, 1, 0)
    assert {(1, 10), (1, 11), (1, 12)} <= pairs(portal)


def test_integral_decimal_ids_from_numeric_columns_are_accepted(portal: EmulatorServer) -> None:
    rows = [{"from_id": 1, "to_id": 10}, {"from_id": Decimal("1"), "to_id": Decimal("11.0")}]
    summary = run(rows=rows, max_deletes=10)
    assert (summary["unchanged"], summary["rejected"], summary["pruned"]) == (2, 0, 1)
    assert {p for p in pairs(portal) if p[0] == 1} == {(1, 10), (1, 11)}


# ---- 4. a batch-read error tied to no input -------------------------------------------------------


class UntiedReadError(Recorder):
    """The emulator's batch read, with contact 1's answer replaced by an error that names no input."""

    def batch_read(self, **kwargs: Any) -> BatchReadResult:
        self.calls.append(("batch_read", kwargs))
        answer: BatchReadResult = self._client.batch_read(**kwargs)
        answer.associations["1"] = []  # what the client leaves for an id whose error it cannot map
        answer.errors.append(BatchRowError("INTERNAL_ERROR", "Something went wrong"))
        return answer


def test_batch_read_error_tied_to_no_input_fails_those_rows(portal: EmulatorServer) -> None:
    op = operator(rows=[{"from_id": 1, "to_id": 10}, {"from_id": 1, "to_id": 13}], max_deletes=10)
    recorder = UntiedReadError(op.hook.get_client())
    op.hook.__dict__["client"] = recorder
    summary = op.execute(context={})  # type: ignore[arg-type]
    assert (summary["rejected"], summary["pruned"], summary["created"]) == (2, 0, 0)
    assert "Something went wrong" in summary["rejected_sample"][0]["reason"]
    assert writes(recorder) == []
    assert {p for p in pairs(portal) if p[0] == 1} == {(1, 10), (1, 11), (1, 12)}


# ---- 5. a share guard gives one verdict whatever the source, order and pre-check -------------------

#: contact 5 moves to company 15 (13 and 14 pruned); contacts 6-8 keep theirs: 2 of 8 pairs removed
GUARD_ROWS = [{"from_id": 5, "to_id": 15}] + [{"from_id": k, "to_id": c} for k in (6, 7, 8) for c in (20, 21)]


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    database = tmp_path / "warehouse.db"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE links (from_id INTEGER, to_id INTEGER)")
        db.executemany("INSERT INTO links VALUES (?, ?)", [(r["from_id"], r["to_id"]) for r in GUARD_ROWS])
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", json.dumps({"conn_type": "sqlite", "host": str(database)}))
    return database


SOURCES = [
    {"rows": GUARD_ROWS},
    {"rows": GUARD_ROWS[::-1]},
    *(
        {
            "sql": f"SELECT from_id, to_id FROM links ORDER BY from_id {order}",
            "sql_conn_id": "warehouse",
            "sql_chunk_size": 1,
            "mirror_precheck": precheck,
        }
        for order in ("ASC", "DESC")
        for precheck in (True, False)
    ),
]


@pytest.mark.parametrize(
    "source", SOURCES, ids=lambda s: "rows" if "rows" in s else s["sql"][-4:] + str(s["mirror_precheck"])
)
@pytest.mark.parametrize(("share", "passes"), [(0.3, True), (0.2, False)])
def test_share_guard_verdict_is_the_same_for_every_source(
    portal: EmulatorServer, warehouse: Path, source: dict[str, Any], share: float, passes: bool
) -> None:
    if passes:
        summary = run(**source, max_deletes=share)
        assert summary["pruned"] == 2
        assert not {(5, 13), (5, 14)} & pairs(portal)
    else:
        with pytest.raises(AirflowFailException, match="mirror would remove 2 of the 8 current pairs"):
            run(**source, max_deletes=share)
        assert {(5, 13), (5, 14)} <= pairs(portal)


# ---- 6. a default guard, and no ambiguous guard ----------------------------------------------------


def test_mirror_has_a_default_guard_that_can_be_widened(portal: EmulatorServer) -> None:
    rows = [{"from_id": 1, "to_id": 10}]
    with pytest.raises(AirflowFailException, match="default guard"):
        run(rows=rows)
    assert {(1, 10), (1, 11), (1, 12)} <= pairs(portal)
    with pytest.raises(AirflowFailException, match="more than max_deletes=1 allows"):
        run(rows=rows, max_deletes=1)  # one pair
    assert run(rows=rows, max_deletes="100%")["pruned"] == 2
    assert {p for p in pairs(portal) if p[0] == 1} == {(1, 10)}


@pytest.mark.parametrize("ambiguous", [1.0, "1.0", 2.0])
def test_ambiguous_guard_is_refused_with_what_to_write(ambiguous: object) -> None:
    with pytest.raises(ValueError, match="100%") as err:
        operator(rows=[], max_deletes=ambiguous)
    assert "1 for one pair" in str(err.value)
