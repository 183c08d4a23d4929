"""No input row crashes the task (issue 11): each hostile row ends as one rejected row with a reason,
the other rows are synced, and the summary and the rejects report are written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_hubassoc.emulator import EmulatorServer
from airflow_provider_hubassoc.operators.associations import (
    HubSpotDeleteAssociationsOperator,
    HubSpotUpsertAssociationsOperator,
)
from tests.reliability.portal import pairs

DEEP = 100_000


def _self_containing() -> dict[str, Any]:
    row: dict[str, Any] = {"from_id": 2, "to_id": 20}
    row["labels"] = row
    return row


def _self_in_a_list() -> dict[str, Any]:
    row: dict[str, Any] = {"from_id": 2, "to_id": 20}
    row["labels"] = [row]
    return row


HOSTILE: dict[str, Any] = {
    "id_of_5000_digits_str": {"from_id": "9" * 5000, "to_id": 20},
    "id_of_5000_digits_int": {"from_id": 2, "to_id": 10**5000},
    "label_superscript_two": {"from_id": 2, "to_id": 20, "labels": "²"},
    "label_circled_one": {"from_id": 2, "to_id": 20, "labels": ["①"]},
    "type_id_of_5000_digits": {"from_id": 2, "to_id": 20, "labels": "9" * 5000},
    "type_id_of_5000_digits_int": {"from_id": 2, "to_id": 20, "labels": [10**5000]},
    "labels_json_100000_deep": {"from_id": 2, "to_id": 20, "labels": "[" * DEEP + "]" * DEEP},
    "row_contains_itself": _self_containing(),
    "lone_surrogate_id": {"from_id": "\ud800", "to_id": 20, "\udfff": "\udfff"},
    "row_contains_itself_in_labels": _self_in_a_list(),
}

VALID = {"from_id": 3, "to_id": 21}


@pytest.mark.parametrize(
    "operator_class", [HubSpotUpsertAssociationsOperator, HubSpotDeleteAssociationsOperator]
)
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_row_is_one_rejected_row(
    portal: EmulatorServer, tmp_path: Path, name: str, operator_class: type[Any]
) -> None:
    report = tmp_path / "rejects.jsonl"
    extra = {"mode": "append"} if operator_class is HubSpotUpsertAssociationsOperator else {}
    op = operator_class(
        task_id="hostile",
        from_object_type="contacts",
        to_object_type="companies",
        rows=[],
        rejects_path=str(report),
        max_rejected_ratio=1.0,
        **extra,
    )
    # as handed over at run time (Airflow's own XComArg walk in __setattr__ recurses on a row
    # containing itself, so the value is set past it)
    object.__setattr__(op, "rows", [HOSTILE[name], VALID])
    summary = op.execute(context={})
    assert (summary["rows"], summary["rejected"]) == (2, 1)
    assert summary["rejected_sample"][0]["index"] == 0
    assert summary["rejected_sample"][0]["reason"].strip()
    json.dumps(summary)
    (entry,) = map(json.loads, report.read_text().splitlines())
    assert entry["index"] == 0
    assert entry["reason"]
    if operator_class is HubSpotUpsertAssociationsOperator:
        assert summary["created"] == 1
        assert (3, 21) in pairs(portal)


def test_rows_json_string_nested_100000_deep_is_one_rejected_row(
    portal: EmulatorServer, tmp_path: Path
) -> None:
    report = tmp_path / "rejects.jsonl"
    rows = '[{"from_id": 3, "to_id": 21}, ' + "[" * DEEP + "]" * DEEP + "]"
    summary = HubSpotUpsertAssociationsOperator(
        task_id="hostile",
        from_object_type="contacts",
        to_object_type="companies",
        rows=rows,
        rejects_path=str(report),
        max_rejected_ratio=1.0,
    ).execute(context={})  # type: ignore[arg-type]
    assert (summary["rows"], summary["created"], summary["rejected"]) == (2, 1, 1)
    assert "too deep" in summary["rejected_sample"][0]["reason"]
    assert len(report.read_text().splitlines()) == 1
    assert (3, 21) in pairs(portal)


def test_no_rejects_report_when_nothing_is_rejected(portal: EmulatorServer, tmp_path: Path) -> None:
    report = tmp_path / "rejects.jsonl"
    summary = HubSpotUpsertAssociationsOperator(
        task_id="clean",
        from_object_type="contacts",
        to_object_type="companies",
        rows=[VALID],
        rejects_path=str(report),
    ).execute(context={})  # type: ignore[arg-type]
    assert summary["rejected"] == 0
    assert not report.exists()
