from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_hubassoc.operators.associations import (
    HubSpotDeleteAssociationsOperator,
    HubSpotUpsertAssociationsOperator,
)
from airflow_provider_hubassoc.operators.labels import HubSpotCreateAssociationLabelOperator
from tests.operators.conftest import Emulator

UNL, PRIMARY = 279, 1


def upsert(**kwargs: Any) -> dict[str, Any]:
    op = HubSpotUpsertAssociationsOperator(
        task_id="upsert", from_object_type="contacts", to_object_type="companies", **kwargs
    )
    return op.execute(context={})  # type: ignore[arg-type]


ROWS = [
    {"from_id": 1, "to_id": 10, "labels": ["Consultant"]},
    {"from_id": "1", "to_id": "11", "labels": "Billing contact"},
    {"from_id": 2, "to_id": 20},
    {"from_id": 3, "to_id": 21, "labels": "consultant;PRIMARY"},
]


@pytest.mark.parametrize("mode", ["append", "replace", "mirror"])
def test_modes_end_state_and_rerun_reads_only(emulator: Emulator, mode: str) -> None:
    consultant, billing = emulator.label_id("Consultant"), emulator.label_id("Billing contact")
    summary = upsert(rows=ROWS, mode=mode)
    assert (summary["created"], summary["updated"], summary["unchanged"], summary["rejected"]) == (2, 2, 0, 0)
    pairs = emulator.pairs()
    assert pairs[(1, 10)] == {UNL, PRIMARY, consultant}  # Primary kept (HubSpot set it)
    assert pairs[(1, 11)] == {UNL, billing}
    assert pairs[(2, 20)] == {UNL, PRIMARY}  # first company becomes Primary
    assert pairs[(3, 21)] == {UNL, PRIMARY, consultant}
    if mode == "mirror":
        assert (1, 12) not in pairs
        assert summary["pruned"] == 1
    else:
        assert pairs[(1, 12)] == {UNL}
        assert summary["pruned"] == 0
    writes = emulator.write_calls()
    assert writes >= 1
    again = upsert(rows=ROWS, mode=mode)
    assert again["unchanged"] == 4
    assert again["requests"] == 2
    assert emulator.write_calls() == writes


def test_replace_removes_extra_labels(emulator: Emulator) -> None:
    consultant, billing = emulator.label_id("Consultant"), emulator.label_id("Billing contact")
    upsert(rows=[{"from_id": 1, "to_id": 11, "labels": ["Consultant", "Billing contact"]}])
    summary = upsert(rows=[{"from_id": 1, "to_id": 11, "labels": ["Billing contact"]}], mode="replace")
    assert summary["updated"] == 1
    assert emulator.pairs()[(1, 11)] == {UNL, billing}
    assert consultant not in emulator.pairs()[(1, 11)]


def test_dry_run_writes_nothing(emulator: Emulator) -> None:
    before = emulator.pairs()
    dry = upsert(rows=ROWS, mode="mirror", dry_run="true")  # as rendered from a template
    assert dry["dry_run"] is True
    assert emulator.pairs() == before
    assert emulator.write_calls() == 0
    real = upsert(rows=ROWS, mode="mirror")
    for key in ("created", "updated", "unchanged", "removed", "pruned", "rejected", "rows"):
        assert dry[key] == real[key], key


def test_mirror_guard_fails_without_writing(emulator: Emulator) -> None:
    before = emulator.pairs()
    with pytest.raises(AirflowFailException, match="mirror would remove 2"):
        upsert(rows=[{"from_id": 1, "to_id": 10}], mode="mirror", max_deletes=1)
    with pytest.raises(AirflowFailException, match="raise max_deletes"):
        upsert(rows=[{"from_id": 1, "to_id": 10}], mode="mirror", max_deletes=0.5)
    assert emulator.pairs() == before
    assert emulator.write_calls() == 0
    summary = upsert(rows=[{"from_id": 1, "to_id": 10}], mode="mirror", max_deletes="0.7")
    assert summary["pruned"] == 2


def test_primary_moves(emulator: Emulator) -> None:
    summary = upsert(rows=[{"from_id": 1, "to_id": 12, "labels": ["Primary"]}], mode="replace")
    assert summary["updated"] == 1
    pairs = emulator.pairs()
    assert PRIMARY in pairs[(1, 12)]
    assert PRIMARY not in pairs[(1, 10)]
    assert emulator.server.state.primary_company("0-1", 1) == 12


def test_row_errors_report_and_ratio(emulator: Emulator, tmp_path: Path) -> None:
    report = tmp_path / "out" / "rejects.jsonl"
    rows = [
        {"from_id": 4, "to_id": 10},
        {"from_id": 4, "to_id": 999},  # no such company: HubSpot's 207 row error
        {"from_id": 5, "to_id": 11, "labels": ["Nope"]},  # unknown label
        {"from_id": "x", "to_id": 11},  # invalid id
    ]
    with pytest.raises(AirflowFailException) as err:
        upsert(rows=rows, rejects_path=str(report), max_rejected_ratio=0.5)
    assert "3 of 4 rows rejected" in str(err.value)
    assert str(report) in str(err.value)
    entries = [json.loads(line) for line in report.read_text().splitlines()]
    assert [e["index"] for e in entries] == [1, 2, 3]
    assert entries[0]["hubspot_message"]
    assert "999" in entries[0]["hubspot_message"]
    assert "'Consultant'" in entries[1]["reason"]
    assert entries[1]["kind"] == "unknown_label"
    assert entries[2]["kind"] == "validation"
    assert entries[2]["row"] == {"from_id": "x", "to_id": 11}
    assert (4, 10) in emulator.pairs()  # the valid row was written before failing
    summary = upsert(rows=rows, rejects_path=f"file://{report}", max_rejected_ratio=0.75)
    assert summary["rejected"] == 3
    assert summary["unchanged"] == 1
    assert len(summary["rejected_sample"]) == 3
    assert len(report.read_text().splitlines()) == 3


def test_row_error_fault_lands_on_rows(emulator: Emulator) -> None:
    requests.post(emulator.server.url + "/_emulator/config", json={"faults": "row_error=1.0"}, timeout=10)
    summary = upsert(rows=[{"from_id": 6, "to_id": 10}, {"from_id": 7, "to_id": 11}], max_rejected_ratio=1.0)
    assert summary["rejected"] == 2
    assert all(s["reason"].startswith("HubSpot") for s in summary["rejected_sample"])
    assert emulator.write_calls() == 0


def test_rows_from_json_string_and_unknown_object_type(emulator: Emulator) -> None:
    summary = upsert(rows=json.dumps([{"from_id": 6, "to_id": 10}]))
    assert summary["created"] == 1
    with pytest.raises(AirflowFailException):
        HubSpotUpsertAssociationsOperator(
            task_id="x",
            from_object_type="contacts",
            to_object_type="widgets",
            rows=[{"from_id": 1, "to_id": 2}],
        ).execute(context={})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mode"):
        HubSpotUpsertAssociationsOperator(
            task_id="y", from_object_type="contacts", to_object_type="companies", rows=[], mode="merge"
        )


def test_delete_operator(emulator: Emulator) -> None:
    upsert(rows=[{"from_id": 1, "to_id": 11, "labels": ["Consultant", "Billing contact"]}])
    op = HubSpotDeleteAssociationsOperator(
        task_id="del",
        from_object_type="contacts",
        to_object_type="companies",
        rows=[{"from_id": 1, "to_id": 11}, {"from_id": 1, "to_id": 12}, {"from_id": 2, "to_id": 10}],
        labels=["Consultant"],
    )
    summary = op.execute(context={})  # type: ignore[arg-type]
    assert (summary["removed"], summary["unchanged"], summary["mode"]) == (1, 2, "delete")
    assert emulator.label_id("Consultant") not in emulator.pairs()[(1, 11)]
    whole = HubSpotDeleteAssociationsOperator(
        task_id="del2",
        from_object_type="contacts",
        to_object_type="companies",
        rows=[{"from_id": 1, "to_id": 12}],
    ).execute(context={})  # type: ignore[arg-type]
    assert whole["removed"] == 1
    assert (1, 12) not in emulator.pairs()


def test_label_operator_idempotent_and_paired(emulator: Emulator) -> None:
    def run(**kwargs: Any) -> dict[str, Any]:
        op = HubSpotCreateAssociationLabelOperator(
            task_id="label", from_object_type="contacts", to_object_type="companies", **kwargs
        )
        return op.execute(context={})  # type: ignore[arg-type]

    first = run(name="manager_employee", label="Manager", inverse_label="Employee")
    assert first["created"] is True
    assert first["type_id"] == emulator.label_id("Manager")
    assert first["inverse_type_id"] == emulator.label_id("Employee", "0-2", "0-1")
    second = run(name="manager_employee", label="Manager", inverse_label="Employee")
    assert second == {**first, "created": False}
    existing = run(name="consultant", label="Consultant")
    assert existing["created"] is False
    assert existing["type_id"] == emulator.label_id("Consultant")
    with pytest.raises(AirflowFailException):
        run(name="billing_contact", label="Billing (new)", update_existing=False)


def test_operators_close_their_http_session(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow_provider_hubassoc.hooks.associations import HubSpotAssociationsHook

    closed: list[bool] = []
    real_close = HubSpotAssociationsHook.close

    def spy(self: HubSpotAssociationsHook) -> None:
        closed.append("client" in self.__dict__)  # True: a built client is being closed
        real_close(self)

    monkeypatch.setattr(HubSpotAssociationsHook, "close", spy)
    upsert_op = HubSpotUpsertAssociationsOperator(
        task_id="closes", from_object_type="contacts", to_object_type="companies", rows=ROWS
    )
    label_op = HubSpotCreateAssociationLabelOperator(
        task_id="label_closes",
        from_object_type="contacts",
        to_object_type="companies",
        name="advisor",
        label="Advisor",
    )
    for op in (upsert_op, label_op):
        op.execute(context={})  # type: ignore[arg-type]
        assert "client" not in op.hook.__dict__
    assert closed == [True, True]
