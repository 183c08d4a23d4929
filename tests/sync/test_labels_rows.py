from __future__ import annotations

import io
import json
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_provider_hubassoc.client.models import AssociationCategory, AssociationSpec, AssociationType
from airflow_provider_hubassoc.sync import (
    LabelConflictError,
    LabelResolver,
    ProgressLogger,
    SyncConfigurationError,
    TooManyRejectedRowsError,
    ensure_label,
    upsert_associations,
    write_rejects_report,
)
from airflow_provider_hubassoc.sync.labels import LabelResolutionError
from airflow_provider_hubassoc.sync.report import read_rejects_report
from airflow_provider_hubassoc.sync.rows import RowError, parse_labels
from tests.sync.fake_client import FakePortal

HD, UD = AssociationCategory.HUBSPOT_DEFINED, AssociationCategory.USER_DEFINED


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ()),
        ("", ()),
        ("Consultant", ("Consultant",)),
        ("A;B", ("A", "B")),
        ("A, B", ("A", "B")),
        ("A;B,C", ("A", "B,C")),
        ('["A", 7]', ("A", 7)),
        (["A", "A", 3], ("A", 3)),
        ("42", ("42",)),
        (5, (5,)),
    ],
)
def test_parse_labels(value: object, expected: tuple[object, ...]) -> None:
    assert parse_labels(value) == expected


@pytest.mark.parametrize("value", [{"a": 1}, [None], ["  "], [True], '{"a": 1}', "[1,", [[1]], 2.5, -1])
def test_parse_labels_rejects(value: object) -> None:
    with pytest.raises(RowError):
        parse_labels(value)


def resolver() -> LabelResolver:
    return LabelResolver(
        from_object_type="contacts",
        to_object_type="companies",
        definitions=[
            AssociationType(HD, 1, "Contact with Primary Company"),
            AssociationType(UD, 28, "Billing contact"),
            AssociationType(UD, 30, "Decision maker"),
            AssociationType(HD, 279, None),
        ],
    )


@pytest.mark.parametrize(
    ("reference", "type_id"),
    [
        ("Billing contact", 28),
        ("billing CONTACT", 28),
        ("decision_maker", 30),
        (30, 30),
        ("30", 30),
        ("primary", 1),
        ("PRIMARY", 1),
        ("Contact with Primary Company", 1),
    ],
)
def test_resolve(reference: object, type_id: int) -> None:
    assert resolver().resolve(reference).type_id == type_id  # type: ignore[arg-type]


def test_unknown_label_names_existing_labels() -> None:
    with pytest.raises(LabelResolutionError) as err:
        resolver().resolve("Consultant")
    assert "'Billing contact' (28)" in str(err.value)
    assert "'Decision maker' (30)" in str(err.value)
    with pytest.raises(LabelResolutionError):
        resolver().resolve(99)


def test_unknown_label_message_lists_primary_once() -> None:
    listed = LabelResolver(
        from_object_type="contacts",
        to_object_type="companies",
        definitions=[AssociationType(HD, 1, "Primary"), AssociationType(HD, 279, None)],
    )
    with pytest.raises(LabelResolutionError) as err:
        listed.resolve("Nope")
    assert str(err.value).count("Primary") == 1
    with pytest.raises(LabelResolutionError) as err:
        resolver().resolve("Nope")  # Primary under HubSpot's newer name: listed once, by that name
    assert str(err.value).count("(1)") == 1
    unlisted = LabelResolver(
        from_object_type="contacts", to_object_type="companies", definitions=[AssociationType(HD, 279, None)]
    )
    with pytest.raises(LabelResolutionError) as err:
        unlisted.resolve("Nope")  # Primary known only by its id: still named once
    assert "'Primary' (1)" in str(err.value)


@pytest.mark.parametrize(
    "reference", ["²", "①", "9" * 5000, 10**5000], ids=["superscript", "circled", "digits", "int"]
)
def test_odd_label_references_are_resolution_errors(reference: object) -> None:
    with pytest.raises(LabelResolutionError):
        resolver().resolve(reference)  # type: ignore[arg-type]


def test_unlabeled_is_dropped_and_primary_falls_back_to_known_id() -> None:
    r = resolver()
    assert r.resolve_all(["279", "Billing contact"]) == {AssociationSpec(UD, 28)}
    bare = LabelResolver(
        from_object_type="0-5", to_object_type="0-2", definitions=[AssociationType(HD, 339, None)]
    )
    assert bare.resolve("Primary") == AssociationSpec(HD, 26)
    assert bare.unlabeled_type_ids == {339}


def test_primary_is_matched_by_its_type_id_not_by_label_text() -> None:
    # a HubSpot-defined type listed first whose text also says "primary" (HubSpot renames labels;
    # e.g. a "Primary contact"-style type on the same pair) must not be taken for Primary
    listed = LabelResolver(
        from_object_type="contacts",
        to_object_type="companies",
        definitions=[
            AssociationType(HD, 444, "Primary contact of the company"),
            AssociationType(HD, 1, "Contact with Primary Company"),
            AssociationType(HD, 279, None),
        ],
    )
    assert listed.resolve("Primary") == AssociationSpec(HD, 1)
    # a direction without a documented primary id still finds it by its label text
    custom = LabelResolver(
        from_object_type="2-123",
        to_object_type="companies",
        definitions=[AssociationType(HD, 777, "Primary")],
    )
    assert custom.resolve("Primary") == AssociationSpec(HD, 777)


# ---- ensure_label ------------------------------------------------------------------------------


def test_ensure_label_is_idempotent_and_paired() -> None:
    fake = FakePortal()
    first = ensure_label(
        fake,
        from_object_type="contacts",
        to_object_type="companies",
        name="manager",
        label="Manager",
        inverse_label="Employee",
    )
    assert first.created
    forward = {
        d.label: d.type_id for d in fake.list_labels(from_object_type="contacts", to_object_type="companies")
    }
    inverse = {
        d.label: d.type_id for d in fake.list_labels(from_object_type="companies", to_object_type="contacts")
    }
    assert first.type_id == forward["Manager"]
    assert first.inverse_type_id == inverse["Employee"]
    before = len(fake.calls)
    second = ensure_label(
        fake,
        from_object_type="contacts",
        to_object_type="companies",
        name="manager",
        label="Manager",
        inverse_label="Employee",
    )
    assert not second.created
    assert second.to_dict() == {**first.to_dict(), "created": False}
    assert [c[0] for c in fake.calls[before:]] == ["list_labels", "list_labels"]


def test_ensure_label_updates_or_refuses_a_different_display_label() -> None:
    fake = FakePortal()
    type_id = fake.add_label("contacts", "companies", "Decision maker")
    with pytest.raises(LabelConflictError):
        ensure_label(
            fake,
            from_object_type="contacts",
            to_object_type="companies",
            name="decision_maker",
            label="Decision Maker (legal)",
            update_existing=False,
        )
    result = ensure_label(
        fake,
        from_object_type="contacts",
        to_object_type="companies",
        name="decision_maker",
        label="Decision Maker (legal)",
    )
    assert (result.created, result.updated, result.type_id) == (False, True, type_id)
    labels = {
        d.type_id: d.label for d in fake.list_labels(from_object_type="contacts", to_object_type="companies")
    }
    assert labels[type_id] == "Decision Maker (legal)"


def test_ensure_label_name_taken_by_unidentifiable_label() -> None:
    fake = FakePortal()
    fake.add_label("contacts", "companies", "Something else", name="boss")
    with pytest.raises(LabelConflictError) as err:
        ensure_label(fake, from_object_type="contacts", to_object_type="companies", name="boss", label="Boss")
    assert "does not return internal names" in str(err.value)


@pytest.mark.parametrize("name", ["1abc", "has-dash", ""])
def test_ensure_label_validates_name(name: str) -> None:
    with pytest.raises(SyncConfigurationError):
        ensure_label(
            FakePortal(), from_object_type="contacts", to_object_type="companies", name=name, label="X"
        )


# ---- report, ratio, progress -------------------------------------------------------------------


def test_rejects_report_and_ratio() -> None:
    fake = FakePortal()
    fake.row_errors[("2", "20")] = "no such company"
    rows = [
        {"from_id": 1, "to_id": 10},
        {"from_id": 2, "to_id": 20},
        {"from_id": "bad", "to_id": 1, "x": object()},
    ]
    result = upsert_associations(fake, from_object_type="contacts", to_object_type="companies", rows=rows)
    buffer = io.StringIO()

    @contextmanager
    def opener():
        yield buffer

    assert write_rejects_report(result.outcomes, opener) == 2
    entries = read_rejects_report(buffer.getvalue().splitlines())
    assert [e["index"] for e in entries] == [1, 2]
    assert entries[0]["hubspot_message"] == "no such company"
    assert entries[0]["row"] == {
        "from_id": 2,
        "to_id": 20,
    }
    assert entries[1]["kind"] == "validation"
    assert entries[1]["row"]["from_id"] == "bad"
    json.dumps(result.summary.to_dict())
    result.summary.check_rejected_ratio(0.7)
    with pytest.raises(TooManyRejectedRowsError) as err:
        result.summary.check_rejected_ratio(0.5, report_location="/tmp/r.jsonl")
    assert "2 of 3 rows rejected" in str(err.value)
    assert "/tmp/r.jsonl" in str(err.value)


def test_progress_logs_every_interval(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    fake = FakePortal()
    progress = ProgressLogger(interval=10.0, clock=lambda: now[0])
    progress.start(100, fake.stats)
    progress.advance(10, "writing")
    assert progress.lines == 0
    now[0] = 10.0
    fake.stats.requests = 7
    with caplog.at_level("INFO"):
        progress.advance(40, "writing")
    assert progress.lines == 1
    assert "50/100 rows" in caplog.text
    assert "7 requests" in caplog.text
    assert "ETA 10s" in caplog.text


# ---- property: outcomes always add up, both write modes reach the same state ------------------

ids = st.one_of(
    st.integers(-2, 6), st.sampled_from(["1", "2", "x", "", " 3 ", "1.0"]), st.none(), st.just(2.0)
)
labels = st.one_of(
    st.none(),
    st.lists(st.sampled_from(["Consultant", "Billing contact", "Primary", "Nope", 279, 100]), max_size=3),
    st.sampled_from(["Consultant;Billing contact", "", "[1]"]),
)
rows_strategy = st.lists(st.fixed_dictionaries({"from_id": ids, "to_id": ids, "labels": labels}), max_size=25)
#: pairs HubSpot answers with a per-row error (a 207), whatever is sent for them
failing_pairs = st.sets(st.tuples(st.integers(1, 6), st.integers(1, 6)).map(lambda p: (str(p[0]), str(p[1]))))


def _id(value: object) -> int | None:
    """An id read as leniently as a person would (``" 3 "``, ``"1.0"``, ``2.0`` name records 3, 1, 2)."""
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _portal(writes: str, direction: tuple[str, str], seed: int, failing: set[tuple[str, str]]) -> FakePortal:
    fake = FakePortal(
        label_writes=writes, row_errors=dict.fromkeys(failing, "OBJECT_NOT_FOUND: no such record")
    )
    fake.add_label(*direction, "Consultant")
    fake.add_label(*direction, "Billing contact")
    for i in range(seed):
        fake.seed(*direction, i + 1, 3 if i + 1 != 3 else 4, 100)
        if direction[1] == "companies":
            # HubSpot keeps at most one Primary per contact: only the first seeded company gets it.
            fake.seed(*direction, 2, i + 1, *((1,) if i == 0 else ()))
    return fake


def _same_type_rows(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Rows of one object type: never a pair with itself, and each pair named in one direction only
    (naming both directions with different labels asks two things of one association)."""
    kept = []
    for row in rows:
        f, t = _id(row["from_id"]), _id(row["to_id"])
        if f is None or t is None or f < t:
            kept.append(row)
    return kept


@settings(max_examples=60, deadline=None)
@given(
    rows=rows_strategy,
    mode=st.sampled_from(["append", "replace", "mirror"]),
    seed=st.integers(0, 3),
    same_type=st.booleans(),
    failing=failing_pairs,
)
def test_outcomes_add_up_and_modes_converge(
    rows: list[dict[str, object]], mode: str, seed: int, same_type: bool, failing: set[tuple[str, str]]
) -> None:
    direction = ("contacts", "contacts") if same_type else ("contacts", "companies")
    if same_type:
        rows = _same_type_rows(rows)
    states = []
    for writes in ("set", "add"):
        fake = _portal(writes, direction, seed, failing)
        kwargs: dict[str, Any] = {"from_object_type": direction[0], "to_object_type": direction[1]}
        result = upsert_associations(fake, **kwargs, rows=rows, mode=mode, max_deletes="all")
        s = result.summary
        assert s.created + s.updated + s.unchanged + s.rejected == s.rows == len(rows)
        again = upsert_associations(fake, **kwargs, rows=rows, mode=mode, max_deletes="all")
        assert again.summary.created == again.summary.updated == again.summary.pruned == 0
        states.append(fake.state(*direction))
    assert states[0] == states[1]


@settings(max_examples=80, deadline=None)
@given(rows=rows_strategy, seed=st.integers(0, 3), same_type=st.booleans(), failing=failing_pairs)
def test_mirror_never_prunes_a_from_record_with_a_rejected_row(
    rows: list[dict[str, object]], seed: int, same_type: bool, failing: set[tuple[str, str]]
) -> None:
    direction = ("contacts", "contacts") if same_type else ("contacts", "companies")
    if same_type:
        rows = _same_type_rows(rows)
    fake = _portal("set", direction, seed, failing)
    before = fake.state(*direction)
    result = upsert_associations(
        fake,
        from_object_type=direction[0],
        to_object_type=direction[1],
        rows=rows,
        mode="mirror",
        max_deletes="all",
    )
    protected = {
        str(from_id)
        for outcome in result.rejected
        if isinstance(outcome.row, dict) and (from_id := _id(outcome.row.get("from_id"))) is not None
    }
    after = fake.state(*direction)
    for from_id, tos in before.items():
        for to_id in tos:
            if from_id in protected or (same_type and to_id in protected):
                assert to_id in after.get(from_id, {}), (from_id, to_id, protected)
