"""Malformed rows thrown at the operators: no crash, each bad row rejected with a reason, and no API
call carries anything from a row that failed validation.

The operators run against the emulator (in-process, one per module, reset between examples); their
hook's client is wrapped in a recorder that keeps every call the sync makes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from airflow_provider_hubassoc.emulator import EmulatorConfig, EmulatorServer
from airflow_provider_hubassoc.operators.associations import (
    HubSpotDeleteAssociationsOperator,
    HubSpotUpsertAssociationsOperator,
)
from tests.benchmarks.support import LABELS_SEED, api_requests, connection_json

LABELS = ["Consultant", "consultant", "Billing contact", "BILLING CONTACT"]
#: HubSpot record ids are 64-bit signed integers.
MAX_RECORD_ID = 2**63 - 1


class Recorder:
    """Wraps a client; records each method call's name and keyword arguments."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            if name != "close":  # closing the session is not an API call
                self.calls.append((name, kwargs))
            return attr(*args, **kwargs)

        return call

    def ids_sent(self) -> set[str]:
        """Every record id the recorded calls carried."""
        ids: set[str] = set()
        for _, kwargs in self.calls:
            ids.update(str(i) for i in kwargs.get("object_ids", ()))
            for item in kwargs.get("inputs", ()):
                ids.update((str(item.from_id), str(item.to_id)))
            for pair in kwargs.get("pairs", ()):
                ids.update(str(i) for i in pair)
        return ids


@dataclass(frozen=True)
class Case:
    """One input row and whether it is valid (``True``), invalid (``False``) or an unknown label."""

    row: object
    kind: str  # "good", "invalid", "unknown_label"


good_id = st.one_of(
    st.integers(1, 60), st.integers(1, 60).map(str), st.integers(1, 60).map(lambda i: f" 0{i} ")
)
good_labels = st.one_of(
    st.none(),
    st.just([]),
    st.just(""),
    st.sampled_from(LABELS),
    st.lists(st.sampled_from(LABELS), max_size=3),
    st.sampled_from(["Consultant;Billing contact", '["consultant", "billing contact"]']),
)
good_row = st.fixed_dictionaries({"from_id": good_id, "to_id": good_id, "labels": good_labels}).map(
    lambda r: Case(r, "good")
)

bad_scalar_id = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True),
    st.integers(max_value=0),
    st.integers(min_value=MAX_RECORD_ID + 1),
    st.just(""),
    st.just("   "),
    st.text(min_size=1).filter(lambda t: not t.strip().isascii() or not t.strip().isdigit()),
    st.sampled_from(["١٢", "\uff11\uff12", "12a", "-5", "1e3", "0x1F", "1.0", "9" * 500, "0"]),
    st.lists(st.integers(1, 9), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.builds(lambda i: {"id": i}, st.integers(1, 9)),
)
bad_id_row = st.one_of(
    st.fixed_dictionaries({"from_id": bad_scalar_id, "to_id": good_id}),
    st.fixed_dictionaries({"from_id": good_id, "to_id": bad_scalar_id}),
).map(lambda r: Case(r, "invalid"))
missing_key_row = st.one_of(
    st.fixed_dictionaries({"to_id": good_id, "labels": good_labels}),
    st.fixed_dictionaries({"from_id": good_id}),
    st.just({}),
    st.fixed_dictionaries({"FROM_ID": good_id, "to_id": good_id}),
).map(lambda r: Case(r, "invalid"))
bad_labels = st.one_of(
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), min_size=1, max_size=2),
    st.lists(
        st.one_of(st.none(), st.floats(), st.booleans(), st.just(""), st.integers(max_value=0)), min_size=1
    ),
    st.lists(st.lists(st.sampled_from(LABELS), min_size=1, max_size=2), min_size=1, max_size=2),
    st.sampled_from(['{"label": "Consultant"}', "[1,", "[[", "{}"]),
    st.floats(),
    st.booleans(),
)
bad_label_row = st.fixed_dictionaries({"from_id": good_id, "to_id": good_id, "labels": bad_labels}).map(
    lambda r: Case(r, "invalid")
)
not_a_mapping = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=20),
    st.lists(st.integers(1, 9), max_size=3),
    st.tuples(st.integers(1, 9), st.integers(1, 9)),
).map(lambda r: Case(r, "invalid"))
unknown_label_row = st.fixed_dictionaries(
    {
        "from_id": good_id,
        "to_id": good_id,
        "labels": st.one_of(
            st.text(min_size=1, max_size=30).filter(
                lambda t: (
                    t.strip()
                    and t.strip().lower() not in {label.lower() for label in LABELS}
                    and not t.strip().startswith(("[", "{"))
                    and ";" not in t
                    and "," not in t
                    and not t.strip().isdigit()
                )
            ),
            st.sampled_from(["Cönsültant 🚀", "x" * 5000, "Primary-ish", "Консультант", "99999"]),
        ),
    }
).map(lambda r: Case(r, "unknown_label"))

cases = st.lists(
    st.one_of(good_row, bad_id_row, missing_key_row, bad_label_row, not_a_mapping, unknown_label_row),
    min_size=1,
    max_size=25,
).flatmap(lambda items: st.lists(st.sampled_from(items), max_size=5).map(lambda dups: items + dups))
invalid_only = st.lists(st.one_of(bad_id_row, missing_key_row, bad_label_row, not_a_mapping), min_size=1)


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    config = EmulatorConfig(seed=json.loads(json.dumps(LABELS_SEED)), auto_create_records=True)
    with EmulatorServer(config, port=0) as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("AIRFLOW_CONN_HUBASSOC_DEFAULT", connection_json(server.url, requests_per_10s=100_000))
        yield server


def _stats(server: EmulatorServer) -> dict[str, Any]:
    return server.runtime.stats.snapshot()


def _run(operator_class: type[Any], rows: list[object], **kwargs: Any) -> tuple[dict[str, Any], Recorder]:
    operator = operator_class(
        task_id="bad_input",
        from_object_type="contacts",
        to_object_type="companies",
        rows=rows,
        max_rejected_ratio=1.0,
        **kwargs,
    )
    recorder = Recorder(operator.hook.get_client())
    operator.hook.__dict__["client"] = recorder
    try:
        summary = operator.execute(context={})
    finally:
        recorder._client.close()
    return summary, recorder


def _valid_ids(items: list[Case]) -> set[str]:
    ids: set[str] = set()
    for case in items:
        if case.kind != "invalid":
            assert isinstance(case.row, dict)
            ids.update(str(int(str(case.row[key]).strip())) for key in ("from_id", "to_id"))
    return ids


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=cases, mode=st.sampled_from(["append", "replace", "mirror", "delete"]))
def test_malformed_rows_are_rejected_with_a_reason(
    emulator: EmulatorServer, items: list[Case], mode: str
) -> None:
    emulator.reset()
    rows = [case.row for case in items]
    note(f"rows: {rows!r}")
    if mode == "delete":
        summary, recorder = _run(HubSpotDeleteAssociationsOperator, rows)
        done = summary["removed"] + summary["unchanged"]
    else:
        summary, recorder = _run(HubSpotUpsertAssociationsOperator, rows, mode=mode)
        done = summary["created"] + summary["updated"] + summary["unchanged"]
    assert summary["rows"] == len(rows)
    assert done + summary["rejected"] == len(rows)
    expected_rejected = sum(1 for case in items if case.kind != "good")
    assert summary["rejected"] == expected_rejected, summary["rejected_sample"]
    # the XCom sample carries each rejected row's reason (up to 20)
    sample = summary["rejected_sample"]
    assert len(sample) == min(expected_rejected, 20)
    for entry in sample:
        assert items[entry["index"]].kind != "good"
        assert isinstance(entry["reason"], str)
        assert entry["reason"].strip()
    json.dumps(summary)  # XCom-safe, however odd the input
    # no API call carries an id that only a row failing validation had
    assert recorder.ids_sent() <= _valid_ids(items)
    pairs = {(str(p["fromObjectId"]), str(p["toObjectId"])) for p in emulator.state.pairs("0-1", "0-2")}
    good_pairs = {
        (str(int(str(c.row["from_id"]).strip())), str(int(str(c.row["to_id"]).strip())))  # type: ignore[index]
        for c in items
        if c.kind == "good"
    }
    assert pairs <= good_pairs
    if mode in ("append", "replace", "mirror"):
        assert pairs == good_pairs


@settings(max_examples=40, deadline=None)
@given(items=invalid_only)
def test_rows_failing_validation_make_no_api_call(emulator: EmulatorServer, items: list[Case]) -> None:
    emulator.reset()
    before = api_requests(_stats(emulator))
    summary, recorder = _run(HubSpotUpsertAssociationsOperator, [case.row for case in items], mode="mirror")
    assert summary["rejected"] == summary["rows"] == len(items)
    assert recorder.calls == []
    assert api_requests(_stats(emulator)) == before
    report_reasons = [entry["reason"] for entry in summary["rejected_sample"]]
    assert all(reason and reason.strip() for reason in report_reasons)


def test_bad_rows_land_in_the_rejects_report_with_reasons(emulator: EmulatorServer, tmp_path: Any) -> None:
    emulator.reset()
    rows: list[object] = [
        {"from_id": 1, "to_id": 2, "labels": "Consultant"},
        {"from_id": "", "to_id": 2},
        {"from_id": 1, "to_id": str(MAX_RECORD_ID + 1)},
        {"from_id": 1, "to_id": 3, "labels": ["Nope"]},
        {"from_id": 1, "to_id": 4, "labels": {"nested": ["x"]}},
        "not a row",
        {"from_id": 1, "to_id": 2, "labels": "Consultant"},  # duplicate
    ]
    report = tmp_path / "rejects.jsonl"
    summary, _ = _run(HubSpotUpsertAssociationsOperator, rows, mode="append", rejects_path=str(report))
    entries = {e["index"]: e for e in map(json.loads, report.read_text().splitlines())}
    assert set(entries) == {1, 2, 3, 4, 5}
    assert entries[1]["kind"] == "validation"
    assert "from_id" in entries[1]["reason"]
    assert entries[2]["kind"] == "validation"
    assert "to_id" in entries[2]["reason"]
    assert entries[3]["kind"] == "unknown_label"
    assert "Nope" in entries[3]["reason"]
    assert entries[4]["kind"] == "validation"
    assert "labels" in entries[4]["reason"]
    assert entries[5]["kind"] == "validation"
    assert entries[5]["row"] == "not a row"
    assert (summary["created"], summary["rejected"]) == (2, 5)
    assert os.path.getsize(report) > 0
