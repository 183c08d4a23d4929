from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_hubassoc.client.errors import HubSpotDailyLimitError
from airflow_provider_hubassoc.sync import (
    MassDeletionGuardError,
    SyncConfigurationError,
    delete_associations,
    upsert_associations,
)
from airflow_provider_hubassoc.sync.outcomes import DailyLimitReachedError, RejectKind
from tests.sync.fake_client import FakePortal

C2C = {"from_object_type": "contacts", "to_object_type": "companies"}
UNL, PRIMARY, CONSULTANT, BILLING = 279, 1, 100, 101


def counts(result) -> tuple[int, int, int, int, int]:
    s = result.summary
    return (s.created, s.updated, s.unchanged, s.removed, s.rejected)


def upsert(portal: FakePortal, rows, **kwargs):
    return upsert_associations(portal, **C2C, rows=rows, **kwargs)


# ---- append ------------------------------------------------------------------------------------


def test_append_creates_and_adds_without_removing(portal: FakePortal) -> None:
    portal.seed("contacts", "companies", 1, 10, BILLING)
    portal.seed("contacts", "companies", 1, 11, PRIMARY)
    rows = [
        {"from_id": "1", "to_id": "10", "labels": ["Consultant"]},  # add to existing labels
        {"from_id": 1, "to_id": 11, "labels": None},  # already associated
        {"from_id": "2", "to_id": "20", "labels": "Consultant"},  # new, labelled
        {"from_id": "3", "to_id": "30"},  # new, unlabeled
    ]
    result = upsert(portal, rows, mode="append")
    assert counts(result) == (2, 1, 1, 0, 0)
    state = portal.state("contacts", "companies")
    assert state["1"]["10"] == {UNL, BILLING, CONSULTANT}
    assert state["1"]["11"] == {UNL, PRIMARY}
    # HubSpot makes the first company primary by itself
    assert state["2"]["20"] == {UNL, CONSULTANT, PRIMARY}
    assert state["3"]["30"] == {UNL, PRIMARY}
    # the unlabeled new pair rides in the same batch create (the direction's unlabeled type id)
    assert [c for c in portal.calls if c[0] not in ("list_labels", "batch_read")] == [("batch_create", 3)]


def test_labels_are_listed_as_soon_as_the_first_row_is_valid(portal: FakePortal) -> None:
    # the first request overlaps validating the rest of a large chunk (pacing: the rate limiter's
    # first window starts then), and no request is made before a row is valid
    read: list[int] = []
    seen_at_labels: list[int] = []
    real_list_labels = portal.list_labels

    def list_labels(**kwargs: Any) -> Any:
        seen_at_labels.append(len(read))
        return real_list_labels(**kwargs)

    portal.list_labels = list_labels  # type: ignore[method-assign]

    def rows() -> Any:
        yield {"from_id": "x", "to_id": "10"}  # invalid: no request for it
        for i in range(1, 1001):
            read.append(i)
            yield {"from_id": str(i), "to_id": "10"}

    result = upsert(portal, rows(), mode="append")
    assert (result.summary.rows, result.summary.rejected) == (1001, 1)
    assert seen_at_labels == [1]  # right after the first valid row, once


def test_an_error_of_the_early_label_list_fails_the_run_as_before(portal: FakePortal) -> None:
    def list_labels(**kwargs: Any) -> Any:
        raise HubSpotDailyLimitError("daily limit", status=429, category="RATE_LIMITS")

    portal.list_labels = list_labels  # type: ignore[method-assign]
    with pytest.raises(DailyLimitReachedError) as stopped:
        upsert(portal, [{"from_id": "1", "to_id": "10"}, {"from_id": "2", "to_id": "20"}], mode="append")
    assert stopped.value.summary.rejected == 2  # every row accounted for, none written


def test_rerun_makes_reads_only(portal: FakePortal) -> None:
    portal.seed("contacts", "companies", 1, 10, BILLING)
    rows = [
        {"from_id": "1", "to_id": "10", "labels": ["Consultant"]},
        {"from_id": "1", "to_id": "12", "labels": []},
        {"from_id": "2", "to_id": "20", "labels": "Consultant;Primary"},
    ]
    for mode in ("append", "replace", "mirror"):
        upsert(portal, rows, mode=mode)
        before = len(portal.calls)
        again = upsert(portal, rows, mode=mode)
        assert counts(again) == (0, 0, 3, 0, 0), mode
        assert [c[0] for c in portal.calls[before:]] == ["list_labels", "batch_read"]
        assert again.summary.requests == 2


# ---- replace / mirror: same end state under set and add ----------------------------------------


@pytest.mark.parametrize("mode", ["replace", "mirror"])
def test_replace_and_mirror_converge_under_both_write_modes(mode: str) -> None:
    end_states = []
    for writes in ("set", "add"):
        fake = FakePortal(label_writes=writes)
        fake.add_label("contacts", "companies", "Consultant")
        fake.add_label("contacts", "companies", "Billing contact")
        fake.seed("contacts", "companies", 1, 10, PRIMARY, BILLING)
        fake.seed("contacts", "companies", 1, 11, CONSULTANT)
        fake.seed("contacts", "companies", 1, 12)
        fake.seed("contacts", "companies", 2, 20, BILLING)
        rows = [
            {"from_id": 1, "to_id": 10, "labels": ["Consultant"]},  # Billing→Consultant, Primary stays
            {"from_id": 1, "to_id": 11, "labels": ["Billing contact"]},
            {"from_id": 2, "to_id": 21, "labels": []},
        ]
        result = upsert(fake, rows, mode=mode)
        state = fake.state("contacts", "companies")
        assert state["1"]["10"] == {UNL, PRIMARY, CONSULTANT}
        assert state["1"]["11"] == {UNL, BILLING}
        if mode == "mirror":
            assert "12" not in state["1"]
            assert "20" not in state["2"]
            assert result.summary.pruned == 2
        else:
            assert state["1"]["12"] == {UNL}
            assert state["2"]["20"] == {UNL, BILLING}
            assert result.summary.pruned == 0
        assert counts(result)[:3] == (1, 2, 0)
        end_states.append(state)
    assert end_states[0] == end_states[1]


def test_primary_moves_and_is_not_sent_back(portal: FakePortal) -> None:
    portal.seed("contacts", "companies", 1, 10, PRIMARY)
    portal.seed("contacts", "companies", 1, 11)
    rows = [
        {"from_id": 1, "to_id": 11, "labels": ["primary"]},
        {"from_id": 1, "to_id": 10, "labels": ["Consultant"]},
    ]
    result = upsert(portal, rows, mode="append")
    state = portal.state("contacts", "companies")
    assert state["1"]["11"] == {UNL, PRIMARY}
    assert state["1"]["10"] == {UNL, CONSULTANT}
    assert counts(result) == (0, 2, 0, 0, 0)
    again = upsert(portal, rows, mode="append")
    assert counts(again) == (0, 0, 2, 0, 0)


def test_primary_conflict_rejects_both_rows(portal: FakePortal) -> None:
    rows = [
        {"from_id": 1, "to_id": 10, "labels": ["Primary"]},
        {"from_id": 1, "to_id": 11, "labels": ["Primary"]},
        {"from_id": 2, "to_id": 20, "labels": ["Primary"]},
    ]
    result = upsert(portal, rows)
    assert counts(result) == (1, 0, 0, 0, 2)
    assert all(o.kind is RejectKind.PRIMARY_CONFLICT for o in result.rejected)
    assert "only one Primary" in (result.rejected[0].reason or "")


def test_primary_label_renamed_by_hubspot_is_found() -> None:
    fake = FakePortal()
    rows = [{"from_id": 5, "to_id": 50, "labels": ["PRIMARY"]}]
    result = upsert_associations(fake, from_object_type="deals", to_object_type="company", rows=rows)
    assert counts(result) == (1, 0, 0, 0, 0)
    assert fake.state("deals", "companies")["5"]["50"] == {341, 5}


def test_primary_not_available_for_contacts_to_deals() -> None:
    fake = FakePortal()
    rows = [{"from_id": 5, "to_id": 50, "labels": ["Primary"]}, {"from_id": 5, "to_id": 51}]
    result = upsert_associations(fake, from_object_type="contacts", to_object_type="deals", rows=rows)
    assert counts(result) == (1, 0, 0, 0, 1)
    assert result.outcomes[0].kind is RejectKind.PRIMARY_UNAVAILABLE
    assert "not available" in (result.outcomes[0].reason or "")


# ---- mirror guard ------------------------------------------------------------------------------


def _mirror_portal() -> FakePortal:
    fake = FakePortal()
    for to_id in range(10, 20):
        fake.seed("contacts", "companies", 1, to_id)
    return fake


@pytest.mark.parametrize(("guard", "passes"), [(3, False), (9, True), (0.5, False), (0.9, True), ("9", True)])
def test_mirror_guard(guard: object, passes: bool) -> None:
    fake = _mirror_portal()
    rows = [{"from_id": 1, "to_id": 10}]
    if passes:
        result = upsert(fake, rows, mode="mirror", max_deletes=guard)
        assert result.summary.pruned == 9
        assert list(fake.state("contacts", "companies")["1"]) == ["10"]
    else:
        with pytest.raises(MassDeletionGuardError) as err:
            upsert(fake, rows, mode="mirror", max_deletes=guard)
        assert err.value.would_remove == 9
        assert "raise max_deletes to at least 9" in str(err.value)
        assert fake.writes() == []
        assert len(fake.state("contacts", "companies")["1"]) == 10


def test_mirror_does_not_prune_from_records_with_rejected_rows() -> None:
    fake = _mirror_portal()
    rows = [{"from_id": 1, "to_id": 10}, {"from_id": 1, "to_id": 11, "labels": ["Nope"]}]
    result = upsert(fake, rows, mode="mirror")
    assert result.summary.pruned == 0
    assert len(fake.state("contacts", "companies")["1"]) == 10


@pytest.mark.parametrize("bad", [-1, 1.5, 0.0, True, "abc"])
def test_bad_guard_is_a_configuration_error(bad: object) -> None:
    with pytest.raises(SyncConfigurationError):
        upsert(FakePortal(), [], mode="mirror", max_deletes=bad)


# ---- dry run -----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["append", "replace", "mirror"])
def test_dry_run_writes_nothing_and_reports_the_same(mode: str) -> None:
    def build() -> FakePortal:
        fake = FakePortal()
        fake.add_label("contacts", "companies", "Consultant")
        fake.seed("contacts", "companies", 1, 10, PRIMARY)
        fake.seed("contacts", "companies", 1, 11, CONSULTANT)
        return fake

    rows = [
        {"from_id": 1, "to_id": 10, "labels": "Consultant"},
        {"from_id": 1, "to_id": 12},
        {"from_id": 2, "to_id": 12, "labels": "Nope"},
    ]
    dry_fake, real_fake = build(), build()
    before = dry_fake.state("contacts", "companies")
    dry = upsert(dry_fake, rows, mode=mode, dry_run=True)
    real = upsert(real_fake, rows, mode=mode)
    assert dry_fake.writes() == []
    assert dry_fake.state("contacts", "companies") == before
    dry_dict, real_dict = dry.summary.to_dict(), real.summary.to_dict()
    assert dry_dict.pop("dry_run") is True
    assert real_dict.pop("dry_run") is False
    dry_dict.pop("requests"), real_dict.pop("requests")
    assert dry_dict == real_dict
    assert "Sample:" in dry.describe_plan()


# ---- chunking ----------------------------------------------------------------------------------


def test_chunking_reads_and_creates(portal: FakePortal) -> None:
    rows = [{"from_id": i, "to_id": 5, "labels": ["Consultant"]} for i in range(1, 1501)]
    rows += [{"from_id": i, "to_id": 6, "labels": ["Consultant"]} for i in range(1, 1001)]
    result = upsert(portal, rows)
    assert result.summary.created == 2500
    assert [c for c in portal.calls if c[0] == "batch_read"] == [("batch_read", 1000), ("batch_read", 500)]
    assert [c for c in portal.calls if c[0] == "batch_create"] == [
        ("batch_create", 2000),
        ("batch_create", 500),
    ]
    assert result.summary.requests == 1 + 2 + 2


def test_fewest_archive_calls() -> None:
    fake = FakePortal()
    fake.add_label("contacts", "companies", "Consultant")
    for i in range(1, 1201):
        fake.seed("contacts", "companies", i, 7, CONSULTANT)
        fake.seed("contacts", "companies", i, 8)
    rows = [{"from_id": i, "to_id": 7} for i in range(1, 1201)]
    result = upsert(fake, rows, mode="mirror")
    assert result.summary.updated == 1200
    assert result.summary.pruned == 1200
    assert [c for c in fake.calls if c[0] == "batch_archive_labels"] == [
        ("batch_archive_labels", 1000),
        ("batch_archive_labels", 200),
    ]
    assert [c[0] for c in fake.calls].count("batch_archive") == 2
    assert [c[0] for c in fake.calls].count("batch_create") == 0


# ---- 207 errors --------------------------------------------------------------------------------


def test_row_errors_land_on_their_rows(portal: FakePortal) -> None:
    portal.row_errors[("2", "20")] = "Record 20 does not exist"
    portal.row_errors[("3", "30")] = "Record 30 does not exist"
    rows = [
        {"from_id": 1, "to_id": 10, "labels": "Consultant"},
        {"from_id": 2, "to_id": 20, "labels": "Consultant"},
        {"from_id": 2, "to_id": 20},  # duplicate of the failing pair
        {"from_id": 3, "to_id": 30},  # an unlabeled create fails
        {"from_id": 4, "to_id": 40},
    ]
    result = upsert(portal, rows)
    assert counts(result) == (2, 0, 0, 0, 3)
    by_index = {o.index: o for o in result.rejected}
    assert set(by_index) == {1, 2, 3}
    assert by_index[1].hubspot_message == "Record 20 does not exist"
    assert by_index[3].hubspot_message == "Record 30 does not exist"
    assert by_index[1].hubspot_category == "VALIDATION_ERROR"


def test_read_errors_reject_that_records_rows(portal: FakePortal) -> None:
    portal.read_errors["2"] = "Contact 2 does not exist"
    rows = [{"from_id": 1, "to_id": 10}, {"from_id": 2, "to_id": 20}]
    result = upsert(portal, rows)
    assert counts(result) == (1, 0, 0, 0, 1)
    assert "Contact 2 does not exist" in (result.outcomes[1].reason or "")


# ---- validation & configuration ----------------------------------------------------------------


def test_invalid_rows_cost_no_call() -> None:
    fake = FakePortal()
    rows = [
        {"to_id": 1},
        {"from_id": 1},
        {"from_id": "", "to_id": 1},
        {"from_id": "abc", "to_id": 1},
        {"from_id": -3, "to_id": 1},
        {"from_id": 0, "to_id": 1},
        {"from_id": 1.5, "to_id": 1},
        {"from_id": True, "to_id": 1},
        {"from_id": 1, "to_id": 2, "labels": {"a": 1}},
        {"from_id": 1, "to_id": 2, "labels": [None]},
        {"from_id": 1, "to_id": 2, "labels": "[not json"},
        ["not", "a", "mapping"],
        None,
    ]
    result = upsert(fake, rows)
    assert counts(result) == (0, 0, 0, 0, len(rows))
    assert fake.calls == []
    assert all(o.kind is RejectKind.VALIDATION for o in result.outcomes)
    reasons = [o.reason for o in result.outcomes]
    assert reasons[0] == "field 'from_id' is missing"
    assert reasons[2] == "from_id is empty"
    assert "positive integer" in (reasons[5] or "")


def test_unknown_object_type_is_configuration_error() -> None:
    with pytest.raises(SyncConfigurationError):
        upsert_associations(
            FakePortal(),
            from_object_type="contacts",
            to_object_type="widgets",
            rows=[{"from_id": 1, "to_id": 2}],
        )
    with pytest.raises(SyncConfigurationError):
        upsert_associations(FakePortal(), from_object_type="con/tacts", to_object_type="companies", rows=[])
    with pytest.raises(SyncConfigurationError):
        upsert(FakePortal(), [], mode="merge")


def test_duplicates_are_merged_and_each_row_gets_the_pair_outcome(portal: FakePortal) -> None:
    rows = [
        {"from_id": 1, "to_id": 10, "labels": "Consultant"},
        {"from_id": "1", "to_id": "10", "labels": "Billing contact"},
        {"from_id": "01", "to_id": 10},
    ]
    result = upsert(portal, rows, mode="replace")
    assert counts(result) == (3, 0, 0, 0, 0)
    assert portal.state("contacts", "companies")["1"]["10"] == {UNL, CONSULTANT, BILLING, PRIMARY}
    assert [c[1] for c in portal.calls if c[0] == "batch_create"] == [1]


def test_operator_level_labels_apply_to_every_row(portal: FakePortal) -> None:
    rows = [{"from_id": 1, "to_id": 10}, {"from_id": 2, "to_id": 20, "labels": "Billing contact"}]
    upsert(portal, rows, labels=["Consultant"])
    state = portal.state("contacts", "companies")
    assert CONSULTANT in state["1"]["10"]
    assert {CONSULTANT, BILLING} <= state["2"]["20"]


# ---- delete ------------------------------------------------------------------------------------


def test_delete_pairs_and_labels(portal: FakePortal) -> None:
    portal.seed("contacts", "companies", 1, 10, CONSULTANT, BILLING)
    portal.seed("contacts", "companies", 1, 11, PRIMARY)
    portal.seed("contacts", "companies", 2, 20, CONSULTANT)
    rows = [
        {"from_id": 1, "to_id": 10, "labels": ["Consultant"]},
        {"from_id": 1, "to_id": 11, "labels": ["Consultant"]},  # label not there
        {"from_id": 2, "to_id": 20},  # whole pair
        {"from_id": 3, "to_id": 30},  # absent
        {"from_id": "x", "to_id": 30},
    ]
    result = delete_associations(portal, **C2C, rows=rows)
    s = result.summary
    assert (s.removed, s.unchanged, s.rejected, s.rows) == (2, 2, 1, 5)
    state = portal.state("contacts", "companies")
    assert state["1"]["10"] == {UNL, BILLING}
    assert state["1"]["11"] == {UNL, PRIMARY}
    assert "2" not in state
    again = delete_associations(portal, **C2C, rows=rows)
    assert (again.summary.removed, again.summary.unchanged) == (0, 4)
    assert [c[0] for c in portal.writes()].count("batch_archive") == 1


def test_delete_primary_explicitly(portal: FakePortal) -> None:
    portal.seed("contacts", "companies", 1, 10, PRIMARY)
    result = delete_associations(portal, **C2C, rows=[{"from_id": 1, "to_id": 10}], labels=["Primary"])
    assert result.summary.removed == 1
    assert portal.state("contacts", "companies")["1"]["10"] == {UNL}


# ---- the garbage collector is tuned for the sync only ------------------------------------------


def test_gc_threshold_is_raised_during_the_sync_and_restored_after_it() -> None:
    import gc

    from airflow_provider_hubassoc.sync.gctune import SYNC_GC_THRESHOLD0

    seen: list[tuple[int, int, int]] = []

    class Watching(FakePortal):
        def batch_read(self, **kwargs: Any) -> Any:
            seen.append(gc.get_threshold())
            return super().batch_read(**kwargs)

    before = gc.get_threshold()
    upsert(Watching(), [{"from_id": 1, "to_id": 2}])
    assert seen[0][0] == SYNC_GC_THRESHOLD0
    assert gc.get_threshold() == before
    fake = Watching()
    fake.seed("contacts", "companies", 1, 3)
    with pytest.raises(MassDeletionGuardError):
        upsert(fake, [{"from_id": 1, "to_id": 2}], mode="mirror", max_deletes=0)
    assert gc.get_threshold() == before


# ---- removals flow through the same index-to-outcome mapping as creates ------------------------


class ArchiveErrors(FakePortal):
    """A portal whose archive answers carry per-input errors (as the client will return them)."""

    refuse: frozenset[tuple[str, str]] = frozenset()

    def batch_archive(self, **kwargs: Any) -> Any:
        from airflow_provider_hubassoc.client.models import BatchResult, BatchRowError

        pairs = [(str(f), str(t)) for f, t in kwargs["pairs"]]
        allowed = [p for p in pairs if p not in self.refuse]
        super().batch_archive(**{**kwargs, "pairs": allowed})
        errors = [
            BatchRowError("VALIDATION_ERROR", f"cannot remove {p}", input_indexes=(i,))
            for i, p in enumerate(pairs)
            if p in self.refuse
        ]
        return BatchResult(results=[], errors=errors)


def test_archive_errors_reject_their_rows_and_are_never_counted_removed() -> None:
    fake = ArchiveErrors()
    fake.refuse = frozenset({("1", "10")})
    fake.seed("contacts", "companies", 1, 10)
    fake.seed("contacts", "companies", 2, 20)
    rows = [{"from_id": 1, "to_id": 10}, {"from_id": 2, "to_id": 20}]
    result = delete_associations(fake, from_object_type="contacts", to_object_type="companies", rows=rows)
    assert counts(result) == (0, 0, 0, 1, 1)
    assert result.outcomes[0].kind is RejectKind.HUBSPOT
    assert result.outcomes[0].hubspot_message == "cannot remove ('1', '10')"
    assert "10" in fake.state("contacts", "companies")["1"]


def test_mirror_prunes_refused_by_hubspot_are_not_counted() -> None:
    fake = ArchiveErrors()
    fake.refuse = frozenset({("1", "11")})
    for to_id in (10, 11, 12):
        fake.seed("contacts", "companies", 1, to_id)
    result = upsert(fake, [{"from_id": 1, "to_id": 10}], mode="mirror", max_deletes=2)
    assert result.summary.pruned == 1
    assert sorted(fake.state("contacts", "companies")["1"]) == ["10", "11"]


# ---- the plan is logged before the writes -------------------------------------------------------


def test_each_chunks_plan_is_reported_before_its_writes() -> None:
    events: list[str] = []

    class Listener:
        def start(self, total: int, stats: object) -> None:
            events.append("start")

        def advance(self, rows: int, phase: str) -> None:
            pass

        def planned(self, description: str, *, dry_run: bool) -> None:
            events.append("plan: " + description.split(";")[0])

        def finish(self) -> None:
            events.append("finish")

    class Portal(FakePortal):
        def batch_create(self, **kwargs: Any) -> Any:
            events.append("batch_create")
            return super().batch_create(**kwargs)

    rows = [{"from_id": 1, "to_id": 10}, {"from_id": 2, "to_id": 20}]
    upsert_associations(
        Portal(),
        from_object_type="contacts",
        to_object_type="companies",
        rows=rows,
        chunk_size=1,
        progress=Listener(),
    )
    assert events == [
        "start",
        "plan: 1 batch-create pairs",
        "batch_create",
        "plan: 1 batch-create pairs",
        "batch_create",
        "finish",
    ]


# ---- review of the hot-path rewrite: duplicates, odd rows, odd clients -------------------------


def test_many_duplicate_rows_of_one_pair_build_its_desired_pair_at_most_twice(
    portal: FakePortal, monkeypatch: pytest.MonkeyPatch
) -> None:
    # merging duplicates rebuilt the pair once per duplicate row, copying its row indexes each
    # time: quadratic in the rows of a pair (40,000 duplicates took 18x as long as 10,000 x 4)
    from airflow_provider_hubassoc.sync import engine

    built: list[object] = []
    real = engine.DesiredPair

    def counting(*args: Any) -> Any:
        built.append(args[:2])
        return real(*args)

    monkeypatch.setattr(engine, "DesiredPair", counting)
    rows = [
        {"from_id": 1, "to_id": 10, "labels": "Consultant" if i % 2 else "Billing contact"}
        for i in range(500)
    ]
    rows.append({"from_id": 2, "to_id": 20})
    result = upsert(portal, rows)
    assert counts(result) == (501, 0, 0, 0, 0)
    assert built.count(("1", "10")) <= 2
    assert built.count(("2", "20")) == 1
    assert portal.state("contacts", "companies")["1"]["10"] == {UNL, CONSULTANT, BILLING, PRIMARY}


class ExplosiveKey(str):
    """A key equal in hash to "from_id" whose comparison raises."""

    def __hash__(self) -> int:
        return hash("from_id")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("boom")


def test_a_missing_field_is_named_even_when_the_other_cannot_be_read() -> None:
    from collections.abc import Mapping

    class Unreadable(Mapping):  # type: ignore[type-arg]
        def __getitem__(self, key: object) -> Any:
            raise LookupError(key)

        def __iter__(self) -> Any:
            return iter(["from_id"])

        def __len__(self) -> int:
            return 1

        def __contains__(self, key: object) -> bool:
            return key == "from_id"

    odd_dict = {ExplosiveKey("x"): 1}
    result = upsert(FakePortal(), [Unreadable(), odd_dict, {"from_id": 1, "to_id": 2}])
    assert [o.reason for o in result.outcomes[:2]] == [
        "field 'to_id' is missing",
        "row cannot be read: RuntimeError",
    ]
    assert counts(result) == (1, 0, 0, 0, 2)


class OddIdsPortal(FakePortal):
    """A client of the protocol that answers reads with non-canonical ids ("010" for 10)."""

    def batch_read(self, **kwargs: Any) -> Any:
        from airflow_provider_hubassoc.client.models import AssociatedRecord, BatchReadResult

        answer = super().batch_read(**kwargs)
        return BatchReadResult(
            associations={
                f"0{from_id}": [AssociatedRecord(f"0{r.to_object_id}", r.types) for r in records]
                for from_id, records in answer.associations.items()
            },
            errors=answer.errors,
        )


def test_a_client_answering_non_canonical_ids_still_plans_against_canonical_ones() -> None:
    fake = OddIdsPortal()
    fake.seed("contacts", "companies", 1, 10)
    fake.seed("contacts", "companies", 1, 11)
    result = upsert(fake, [{"from_id": 1, "to_id": 10}], mode="mirror", max_deletes=1)
    assert counts(result) == (0, 0, 1, 0, 0)
    assert result.summary.pruned == 1
    assert set(fake.state("contacts", "companies")["1"]) == {"10"}


class UntiedErrorMalformedRows(FakePortal):
    """A batch create whose answer has an error naming no input, and rows that do not parse."""

    def batch_create(self, **kwargs: Any) -> Any:
        from airflow_provider_hubassoc.client.errors import HubSpotUnexpectedResponseError
        from airflow_provider_hubassoc.client.models import BatchResult, BatchRowError

        super().batch_create(**kwargs)
        result: Any = BatchResult(errors=[BatchRowError("INTERNAL_ERROR", "something failed")])

        def malformed() -> list[Any]:
            raise HubSpotUnexpectedResponseError("HubSpot sent an unexpected fromObjectId: 'x'")

        result.add_later(malformed)
        return result


def test_rows_of_an_answer_that_cannot_be_read_confirm_no_pair() -> None:
    # an error tied to no input fails every pair HubSpot did not confirm; rows that cannot be
    # parsed confirm nothing (and do not turn into an exception of their own)
    result = upsert(UntiedErrorMalformedRows(), [{"from_id": 1, "to_id": 10}, {"from_id": 2, "to_id": 20}])
    assert counts(result) == (0, 0, 0, 0, 2)
    assert {o.hubspot_message for o in result.outcomes} == {"something failed"}
