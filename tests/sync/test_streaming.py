"""The streamed engine: bounded chunks, same results as the collecting path, grouping, guard."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from airflow_provider_hubassoc.sync import (
    MassDeletionGuardError,
    SyncSpec,
    UngroupedInputError,
    delete_associations,
    upsert_associations,
)
from airflow_provider_hubassoc.sync.outcomes import REJECTED_SAMPLE_SIZE, Outcome, RowOutcome
from airflow_provider_hubassoc.sync.stream import ChunkReader
from tests.sync.fake_client import FakePortal

C2C = {"from_object_type": "contacts", "to_object_type": "companies"}
UNL, PRIMARY, CONSULTANT, BILLING = 279, 1, 100, 101


class CountingRows:
    """An instrumented row generator: how many rows the engine has pulled so far."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.pulled = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self.rows:
            self.pulled += 1
            yield row


class WatchedPortal(FakePortal):
    """Records how many rows had been pulled from the stream at each batch read."""

    source: CountingRows | None = None
    pulled_at_read: list[int]

    def batch_read(self, **kwargs: Any) -> Any:
        self.pulled_at_read.append(self.source.pulled if self.source else -1)
        return super().batch_read(**kwargs)


def watched_portal() -> WatchedPortal:
    fake = WatchedPortal()
    fake.pulled_at_read = []
    fake.add_label("contacts", "companies", "Consultant")
    fake.add_label("contacts", "companies", "Billing contact")
    return fake


def make_rows(contacts: int, per_contact: int, seed: int = 7) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    rows = []
    for contact in range(1, contacts + 1):
        for company in rnd.sample(range(1000, 1100), per_contact):
            labels = rnd.choice([None, "Consultant", "Consultant;Billing contact", '["Billing contact"]'])
            rows.append({"from_id": contact, "to_id": company, "labels": labels})
    return rows


def test_rows_are_consumed_in_bounded_chunks() -> None:
    fake = watched_portal()
    source = CountingRows(make_rows(contacts=250, per_contact=4))  # 1,000 rows, runs of 4
    fake.source = source
    result = upsert_associations(fake, **C2C, rows=source, chunk_size=100, mode="replace")
    assert result.summary.rows == 1000
    assert result.summary.created == 1000
    assert result.plan.chunks == 10
    assert result.plan.largest_chunk == 100
    # one batch read per chunk, each made when at most one chunk (+ the row that closed it) was pulled
    assert len(fake.pulled_at_read) == 10
    for number, pulled in enumerate(fake.pulled_at_read, start=1):
        assert number * 100 <= pulled <= number * 100 + 1
    names = [c[0] for c in fake.calls]
    assert names.count("list_labels") == 1  # labels are resolved once per run, not per chunk
    assert result.summary.requests == len(fake.calls)


def test_chunks_do_not_split_a_from_record() -> None:
    rows: list[dict[str, Any]] = [{"from_id": 1, "to_id": t} for t in range(10, 17)]  # run of 7
    rows += [{"from_id": 2, "to_id": 10}, {"from_id": "x", "to_id": 1}, {"from_id": 3, "to_id": 10}]
    rows += [{"from_id": 3, "to_id": 11}, {"from_id": 4, "to_id": 10}]
    spec = SyncSpec.build(from_object_type="contacts", to_object_type="companies", mode="append")
    chunks = list(ChunkReader(rows, spec, size=3, grouped=False))
    # a row without a valid from-id (8) neither opens nor closes a run
    assert [[o.index for o in c.outcomes] for c in chunks] == [[0, 1, 2, 3, 4, 5, 6], [7, 8, 9, 10], [11]]
    assert [c.last for c in chunks] == [False, False, True]


@pytest.mark.parametrize("mode", ["append", "replace", "mirror"])
def test_sorted_stream_matches_the_collecting_path(mode: str) -> None:
    rows = make_rows(contacts=60, per_contact=3)
    rows.append({"from_id": 5, "to_id": "abc"})  # rejected, taints contact 5 in mirror
    rows.sort(key=lambda r: int(r["from_id"]))
    portals = []
    for _ in range(2):
        fake = FakePortal()
        fake.add_label("contacts", "companies", "Consultant")
        fake.add_label("contacts", "companies", "Billing contact")
        for contact in range(1, 61):
            fake.seed("contacts", "companies", contact, 1050, BILLING)  # maybe kept, maybe pruned
        portals.append(fake)
    collected = upsert_associations(portals[0], **C2C, rows=rows, mode=mode, max_deletes="all")
    streamed = upsert_associations(
        portals[1], **C2C, rows=iter(rows), chunk_size=25, mode=mode, max_deletes="all"
    )
    expected = collected.summary.to_dict()
    got = streamed.summary.to_dict()
    expected.pop("requests"), got.pop("requests")
    assert got == expected
    assert streamed.plan.chunks > 5
    assert portals[1].state("contacts", "companies") == portals[0].state("contacts", "companies")


def test_pair_repeated_in_a_later_chunk_sees_the_written_state() -> None:
    fake = watched_portal()
    rows = [
        {"from_id": 1, "to_id": 10, "labels": "Consultant"},
        {"from_id": 2, "to_id": 20},
        {"from_id": 1, "to_id": 10, "labels": "Consultant"},  # same pair, same labels: unchanged
        {"from_id": 3, "to_id": 30},
        {"from_id": 1, "to_id": 10, "labels": "Billing contact"},  # replace: later labels win
    ]
    result = upsert_associations(fake, **C2C, rows=rows, chunk_size=1, mode="replace")
    assert result.plan.chunks == 5
    s = result.summary
    assert (s.created, s.updated, s.unchanged) == (3, 1, 1)
    assert fake.state("contacts", "companies")["1"]["10"] == {UNL, PRIMARY, BILLING}


def test_mirror_fails_on_ungrouped_rows_and_names_order_by() -> None:
    fake = watched_portal()
    rows = [{"from_id": 1, "to_id": 10}, {"from_id": 2, "to_id": 10}, {"from_id": 1, "to_id": 11}]
    with pytest.raises(UngroupedInputError) as err:
        upsert_associations(fake, **C2C, rows=rows, chunk_size=10, mode="mirror")
    assert err.value.from_id == "1"
    assert err.value.row_index == 2
    assert "ORDER BY from_id" in str(err.value)
    # append / replace accept the same rows
    ok = upsert_associations(fake, **C2C, rows=rows, chunk_size=10, mode="append")
    assert ok.summary.created == 3


def test_mirror_group_larger_than_a_chunk_is_planned_whole() -> None:
    fake = watched_portal()
    for to_id in range(10, 16):
        fake.seed("contacts", "companies", 1, to_id)
    rows = [{"from_id": 1, "to_id": t} for t in range(10, 15)] + [{"from_id": 2, "to_id": 10}]
    result = upsert_associations(fake, **C2C, rows=rows, chunk_size=2, mode="mirror")
    # contact 1's five rows stay one chunk: only its sixth pair (15) is pruned, nothing re-created
    assert result.plan.chunks == 2
    assert result.plan.largest_chunk == 5
    assert (result.summary.unchanged, result.summary.created, result.summary.pruned) == (5, 1, 1)
    assert sorted(fake.state("contacts", "companies")["1"]) == ["10", "11", "12", "13", "14"]


def _prunable(contacts: int) -> tuple[FakePortal, list[dict[str, Any]]]:
    fake = FakePortal()
    for contact in range(1, contacts + 1):
        fake.seed("contacts", "companies", contact, 10)
        fake.seed("contacts", "companies", contact, 11)  # pruned by mirror
    rows = [{"from_id": c, "to_id": 10} for c in range(1, contacts + 1)]
    return fake, rows


def test_streamed_int_guard_counts_the_whole_run_before_any_removal() -> None:
    fake, rows = _prunable(10)
    with pytest.raises(MassDeletionGuardError) as err:
        upsert_associations(fake, **C2C, rows=rows, chunk_size=3, mode="mirror", max_deletes=7)
    # the run's 10 removals are counted before the first is sent: none is removed
    assert err.value.would_remove == 10
    assert "no pair was removed" in str(err.value)
    state = fake.state("contacts", "companies")
    assert all("11" in c for c in state.values())


def test_streamed_share_guard_is_a_share_of_the_whole_run() -> None:
    fake, rows = _prunable(10)
    with pytest.raises(MassDeletionGuardError) as err:
        upsert_associations(fake, **C2C, rows=rows, chunk_size=3, mode="mirror", max_deletes=0.4)
    assert (err.value.would_remove, err.value.current_pairs) == (10, 20)
    assert fake.writes() == []
    fake, rows = _prunable(10)
    result = upsert_associations(fake, **C2C, rows=rows, chunk_size=3, mode="mirror", max_deletes=0.5)
    assert result.summary.pruned == 10


def test_dry_run_streams_without_writing() -> None:
    fake, rows = _prunable(10)
    result = upsert_associations(
        fake, **C2C, rows=rows, chunk_size=4, mode="mirror", dry_run=True, max_deletes=10
    )
    assert result.summary.pruned == 10
    assert result.summary.dry_run is True
    assert fake.writes() == []


def test_rejected_rows_go_to_the_sink_in_order_and_the_sample_is_bounded() -> None:
    fake = watched_portal()
    rows: list[dict[str, Any]] = []
    for i in range(1, 61):
        rows.append({"from_id": i, "to_id": 10})
        rows.append({"from_id": i, "to_id": -1})  # rejected
    seen: list[RowOutcome] = []
    result = upsert_associations(fake, **C2C, rows=rows, chunk_size=7, on_rejected=seen.append)
    assert result.summary.rejected == 60
    assert [o.index for o in seen] == list(range(1, 120, 2))
    assert all(o.outcome is Outcome.REJECTED for o in seen)
    assert len(result.summary.rejected_sample) == REJECTED_SAMPLE_SIZE
    assert result.summary.rejected_sample[0]["index"] == 1


def test_delete_streamed() -> None:
    fake = watched_portal()
    fake.seed("contacts", "companies", 1, 10, CONSULTANT)
    fake.seed("contacts", "companies", 2, 20)
    rows = [
        {"from_id": 1, "to_id": 10, "labels": "Consultant"},
        {"from_id": 2, "to_id": 20},
        {"from_id": 3, "to_id": 30},
        {"from_id": 2, "to_id": 20},  # removed already: unchanged
    ]
    result = delete_associations(fake, **C2C, rows=rows, chunk_size=1)
    s = result.summary
    assert (s.removed, s.unchanged, s.rejected) == (2, 2, 0)
    state = fake.state("contacts", "companies")
    assert state["1"]["10"] == {UNL}
    assert "2" not in state
