"""The sync engine: rows → validate → resolve labels → read current state → plan → write → outcomes.

Two ways to run it:

* :func:`upsert_associations` / :func:`delete_associations` collect every row, read and plan the
  whole input (one batch read per 1,000 from-ids), then write, so that the mirror guard sees every
  removal before anything is written. Every row's outcome is kept (``SyncResult.outcomes``).
* :func:`upsert_associations_streamed` / :func:`delete_associations_streamed` consume any iterator
  (e.g. rows fetched from a warehouse cursor) one chunk at a time: each chunk is validated, its
  from-ids' current state is read, it is planned and written, and its outcomes are counted and
  dropped. Only the counts, the first rejected rows (a bounded sample) and the current chunk are in
  memory; rejected rows go to a callback (the operator streams them into the rejects report).

Streaming semantics (see :mod:`.stream` for chunking):

* chunk boundaries never split a from-record's run of rows, so input ordered by the from-id gives
  the same result as the collecting path;
* a pair that appears again in a later chunk is planned against the state after the earlier
  chunk was written: it is ``unchanged`` (same labels) or ``updated``; in ``replace`` the later
  row's labels win (in one chunk the labels of duplicate rows are unioned). In a dry run nothing
  is written, so the later occurrence is planned against the state before the run;
* a Primary asked for the same record in two chunks: the later row moves it again (in one chunk
  both rows are rejected as a conflict);
* mirror requires rows grouped by from-id (:class:`~.errors.UngroupedInputError` otherwise) and
  checks ``max_deletes`` before each chunk's writes, over the run so far (an int: pairs removed by
  the run; a float: share of the current pairs of the from-records read so far). Earlier chunks may
  already be written when the guard trips; the operator therefore runs a dry-run pass over the
  whole stream first, by default (``mirror_precheck``), so that nothing is written unless the whole
  run passes.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from airflow_provider_hubassoc.client.errors import HubSpotDailyLimitError
from airflow_provider_hubassoc.sync.errors import (
    DAILY_LIMIT_REASON,
    DailyLimitReachedError,
    SyncConfigurationError,
    daily_limit_error,
)
from airflow_provider_hubassoc.sync.executor import PlanExecutor, ReadState, read_state, unlabeled_spec
from airflow_provider_hubassoc.sync.gctune import relaxed_gc
from airflow_provider_hubassoc.sync.labels import LabelResolutionError, LabelResolver
from airflow_provider_hubassoc.sync.objects import canonical_object_type, primary_holder_side
from airflow_provider_hubassoc.sync.outcomes import Outcome, RejectKind, RowOutcome, SyncSummary
from airflow_provider_hubassoc.sync.plan import (
    DesiredPair,
    Pair,
    SyncMode,
    SyncPlan,
    TypeContext,
    check_mass_deletion,
    check_mass_deletion_running,
    parse_max_deletes,
    plan_delete,
    plan_upsert,
)
from airflow_provider_hubassoc.sync.progress import ProgressListener
from airflow_provider_hubassoc.sync.protocols import AssociationsClient, ClientStats
from airflow_provider_hubassoc.sync.rows import (
    LabelRef,
    RowError,
    parse_labels,
    parse_record_id,
    validate_row,
)
from airflow_provider_hubassoc.sync.stream import DEFAULT_CHUNK_SIZE, GroupingCheck, iter_row_chunks

#: Receives each rejected row of a streamed sync, in input order, as soon as its chunk is done.
RejectedRowSink = Callable[[RowOutcome], None]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SyncResult:
    """The result of a sync.

    :param summary: the counts (XCom form via ``summary.to_dict()``).
    :param outcomes: one per input row, in input order.
    :param plan: the plan that was (or, in a dry run, would be) written.
    """

    summary: SyncSummary
    outcomes: list[RowOutcome]
    plan: SyncPlan = field(default_factory=SyncPlan)

    @property
    def rejected(self) -> list[RowOutcome]:
        """The rejected rows, in input order."""
        return [o for o in self.outcomes if o.outcome is Outcome.REJECTED]

    def describe_plan(self, sample: int = 5) -> str:
        """A short description of the plan: counts and a few planned writes.

        :param sample: how many writes to show.
        """
        plan = self.plan
        parts = [
            f"{len(plan.creates)} batch-create pairs",
            f"{len(plan.default_creates)} default associations",
            f"{len(plan.label_archives)} label removals",
            f"{len(plan.pair_archives) + len(plan.prune)} pair removals",
            f"{sum(1 for a in plan.actions if not a.writes)} pairs already as desired",
        ]
        examples = []
        for action in [a for a in plan.actions if a.writes][:sample]:
            what = []
            if action.create_types:
                what.append("write " + ",".join(str(t.type_id) for t in action.create_types))
            if action.default_create:
                what.append("default")
            if action.archive_types:
                what.append("remove " + ",".join(str(t.type_id) for t in action.archive_types))
            if action.archive_pair:
                what.append("remove pair")
            examples.append(f"{action.pair[0]}→{action.pair[1]}: {' + '.join(what)}")
        examples += [
            f"{f}→{t}: remove pair (mirror)" for f, t in plan.prune[: max(0, sample - len(examples))]
        ]
        text = "; ".join(parts)
        return f"{text}. Sample: {' | '.join(examples)}" if examples else text


@dataclass(slots=True)
class _Prepared:
    outcomes: list[RowOutcome]
    desired: list[DesiredPair]
    state: ReadState
    ctx: TypeContext
    tainted_from_ids: set[str]
    resolver: LabelResolver | None = None
    start: int = 0

    def outcome(self, index: int) -> RowOutcome:
        return self.outcomes[index - self.start]


def _requests(client: AssociationsClient) -> int:
    stats = getattr(client, "stats", None)
    return int(getattr(stats, "requests", 0) or 0)


def _collect(
    rows: Iterable[object] | None,
    *,
    from_id_field: str,
    to_id_field: str,
    labels_field: str,
    start: int = 0,
    on_first_valid: Callable[[], None] | None = None,
) -> tuple[list[RowOutcome], list[tuple[int, str, str, tuple[LabelRef, ...]]], set[str]]:
    """Validate every row (no API call). Returns outcomes, valid rows and the from-ids of rejected rows.

    Row ``i`` of ``rows`` gets the index ``start + i``. ``on_first_valid`` is called once, as soon
    as a row passes validation (never when none does).
    """
    outcomes: list[RowOutcome] = []
    valid: list[tuple[int, str, str, tuple[LabelRef, ...]]] = []
    tainted: set[str] = set()
    for index, row in enumerate(rows or (), start=start):
        outcome = RowOutcome(index=index, row=row)
        outcomes.append(outcome)
        try:
            checked = validate_row(
                index, row, from_id_field=from_id_field, to_id_field=to_id_field, labels_field=labels_field
            )
        except RowError as exc:
            outcome.reject(str(exc), RejectKind.VALIDATION)
            if isinstance(row, Mapping):
                with contextlib.suppress(RowError):
                    tainted.add(parse_record_id(row.get(from_id_field), from_id_field))
            continue
        valid.append((checked.index, checked.from_id, checked.to_id, checked.labels))
        if on_first_valid is not None and len(valid) == 1:
            on_first_valid()
    return outcomes, valid, tainted


def _prepare(
    client: AssociationsClient,
    *,
    from_object_type: str,
    to_object_type: str,
    rows: Iterable[object] | None,
    from_id_field: str,
    to_id_field: str,
    labels_field: str,
    extra_labels: Sequence[LabelRef],
    deleting: bool,
    progress: ProgressListener | None,
    start: int = 0,
    resolver: LabelResolver | None = None,
    start_progress: bool = True,
) -> _Prepared:
    canonical_from = canonical_object_type(from_object_type)
    canonical_to = canonical_object_type(to_object_type)
    early: list[LabelResolver | Exception] = []

    def load_labels() -> None:
        # The first request (the labels) goes out as soon as one row is valid, so that validating
        # the other rows overlaps the rate limiter's first window instead of preceding it. An error
        # is raised after validation, where the daily-limit accounting below can see every row.
        try:
            early.append(
                LabelResolver.load(client, from_object_type=from_object_type, to_object_type=to_object_type)
            )
        except Exception as exc:
            early.append(exc)

    outcomes, valid, tainted = _collect(
        rows,
        from_id_field=from_id_field,
        to_id_field=to_id_field,
        labels_field=labels_field,
        start=start,
        on_first_valid=load_labels if resolver is None else None,
    )
    if progress is not None:
        if start_progress:
            progress.start(len(outcomes), getattr(client, "stats", None))
        progress.advance(len(outcomes) - len(valid), "validating")
    ctx = TypeContext(
        unlabeled_ids=frozenset(), primary_holder=primary_holder_side(canonical_from, canonical_to)
    )
    if not valid:
        return _Prepared(outcomes, [], ReadState(), ctx, tainted, resolver, start)

    try:
        if early and isinstance(early[0], Exception):
            raise early[0]
        if early and isinstance(early[0], LabelResolver):
            resolver = early[0]
        return _resolve_and_read(
            client,
            from_object_type=from_object_type,
            to_object_type=to_object_type,
            extra_labels=extra_labels,
            deleting=deleting,
            progress=progress,
            start=start,
            resolver=resolver,
            outcomes=outcomes,
            valid=valid,
            tainted=tainted,
            ctx=ctx,
        )
    except HubSpotDailyLimitError as exc:
        # nothing was written yet: every row not already rejected is left unwritten
        pending = [o for o in outcomes if o.outcome is None]
        for outcome in pending:
            outcome.reject(
                f"{DAILY_LIMIT_REASON}: {exc.message}",
                RejectKind.DAILY_LIMIT,
                hubspot_category=exc.category,
                hubspot_message=exc.message,
            )
        raise daily_limit_error(exc, outcomes, len(pending)) from exc


def _resolve_and_read(
    client: AssociationsClient,
    *,
    from_object_type: str,
    to_object_type: str,
    extra_labels: Sequence[LabelRef],
    deleting: bool,
    progress: ProgressListener | None,
    start: int,
    resolver: LabelResolver | None,
    outcomes: list[RowOutcome],
    valid: list[tuple[int, str, str, tuple[LabelRef, ...]]],
    tainted: set[str],
    ctx: TypeContext,
) -> _Prepared:
    """Resolve the labels of the valid rows and read the current state (the first API calls)."""
    if resolver is None:
        resolver = LabelResolver.load(
            client, from_object_type=from_object_type, to_object_type=to_object_type
        )
    merged: dict[Pair, tuple[set[object], list[int], bool]] = {}
    for index, from_id, to_id, references in valid:
        try:
            specs = {resolver.resolve(ref) for ref in (*references, *extra_labels)}
        except LabelResolutionError as exc:
            kind = RejectKind.PRIMARY_UNAVAILABLE if exc.primary else RejectKind.UNKNOWN_LABEL
            outcomes[index - start].reject(str(exc), kind)
            tainted.add(from_id)
            continue
        remove_all = deleting and (not specs or any(s.type_id in resolver.unlabeled_type_ids for s in specs))
        labels = {s for s in specs if s.type_id not in resolver.unlabeled_type_ids}
        entry = merged.setdefault((from_id, to_id), (set(), [], False))
        entry[0].update(labels)
        entry[1].append(index)
        if remove_all and not entry[2]:
            merged[(from_id, to_id)] = (entry[0], entry[1], True)
    desired = [
        DesiredPair(f, t, frozenset(labels), tuple(indexes), remove_all)  # type: ignore[arg-type]
        for (f, t), (labels, indexes, remove_all) in merged.items()
    ]
    from_ids = list(dict.fromkeys(d.from_id for d in desired))
    state = read_state(
        client,
        from_object_type=from_object_type,
        to_object_type=to_object_type,
        from_ids=from_ids,
        progress=progress,
    )
    if state.errors:
        kept = []
        for item in desired:
            error = state.errors.get(item.from_id)
            if error is None:
                kept.append(item)
                continue
            for index in item.row_indexes:
                outcomes[index - start].reject(
                    f"HubSpot could not read record {item.from_id}: {error.message}",
                    RejectKind.HUBSPOT,
                    hubspot_category=error.category,
                    hubspot_message=error.message,
                )
            tainted.add(item.from_id)
        desired = kept
    primary = resolver.primary.spec if resolver.primary is not None else None
    ctx = TypeContext(
        unlabeled_ids=resolver.unlabeled_type_ids | frozenset(state.unlabeled_ids),
        unlabeled=unlabeled_spec(resolver.definitions),
        primary=primary,
        primary_holder=ctx.primary_holder,
    )
    return _Prepared(outcomes, desired, state, ctx, tainted, resolver, start)


def _finish(
    client: AssociationsClient,
    prepared: _Prepared,
    plan: SyncPlan,
    *,
    mode: str,
    dry_run: bool,
    from_object_type: str,
    to_object_type: str,
    requests_before: int,
    progress: ProgressListener | None,
    finish_progress: bool = True,
) -> SyncResult:
    outcomes = prepared.outcomes
    for item, reason in plan.rejected:
        for index in item.row_indexes:
            prepared.outcome(index).reject(reason, RejectKind.PRIMARY_CONFLICT)
    executor = PlanExecutor(
        client, from_object_type=from_object_type, to_object_type=to_object_type, progress=progress
    )
    report = executor.execute(plan, {o.index: o for o in outcomes}, dry_run=dry_run)
    if progress is not None and finish_progress:
        progress.finish()
    summary = SyncSummary.from_outcomes(
        outcomes,
        mode=mode,
        dry_run=dry_run,
        removed_pairs=report.pruned,
        requests=_requests(client) - requests_before,
    )
    return SyncResult(summary=summary, outcomes=outcomes, plan=plan)


def _extra_labels(labels: object) -> tuple[LabelRef, ...]:
    try:
        return parse_labels(labels)
    except RowError as exc:
        raise SyncConfigurationError(f"labels: {exc}") from None


def _check_fields(**fields: object) -> None:
    for name, value in fields.items():
        if not isinstance(value, str) or not value:
            raise SyncConfigurationError(f"{name} must be a non-empty string, got {value!r}")


@relaxed_gc
def upsert_associations(
    client: AssociationsClient,
    *,
    from_object_type: str,
    to_object_type: str,
    rows: Iterable[object] | None,
    from_id_field: str = "from_id",
    to_id_field: str = "to_id",
    labels_field: str = "labels",
    labels: object = None,
    mode: SyncMode | str = SyncMode.APPEND,
    dry_run: bool = False,
    max_deletes: object = None,
    progress: ProgressListener | None = None,
) -> SyncResult:
    """Upsert associations from rows: ``append``, ``replace`` or ``mirror`` (see :mod:`.plan`).

    Duplicate rows of one pair are merged (labels unioned) and every one of them gets the merged
    pair's outcome (all ``created``, all ``rejected``...), so the counts add up to the input rows.

    :param client: the HubSpot client (anything implementing :class:`AssociationsClient`).
    :param from_object_type: e.g. ``"contacts"`` or ``"0-1"``.
    :param to_object_type: e.g. ``"companies"``.
    :param rows: mappings with a from id, a to id and optional labels.
    :param from_id_field: the field holding the from id.
    :param to_id_field: the field holding the to id.
    :param labels_field: the field holding the row's labels.
    :param labels: labels applied to every row, besides the row's own.
    :param mode: ``append``, ``replace`` or ``mirror``.
    :param dry_run: read and plan, write nothing; the summary is what a real run would report.
    :param max_deletes: mirror guard: ``None``, an int (pairs) or a float in (0, 1] (share of the
        current pairs of the from-records in the input).
    :param progress: receives progress (e.g. :class:`~.progress.ProgressLogger`).
    :raises SyncConfigurationError: bad settings or unknown object types (before any write).
    :raises MassDeletionGuardError: mirror would remove too many pairs (before any write).
    """
    sync_mode = SyncMode.parse(mode)
    guard = parse_max_deletes(max_deletes)
    _check_fields(from_id_field=from_id_field, to_id_field=to_id_field, labels_field=labels_field)
    extra = _extra_labels(labels)
    requests_before = _requests(client)
    prepared = _prepare(
        client,
        from_object_type=from_object_type,
        to_object_type=to_object_type,
        rows=rows,
        from_id_field=from_id_field,
        to_id_field=to_id_field,
        labels_field=labels_field,
        extra_labels=extra,
        deleting=False,
        progress=progress,
    )
    scope: set[str] = set()
    if sync_mode is SyncMode.MIRROR:
        # A from-record with any rejected row is upserted but never pruned: its input is incomplete.
        scope = {d.from_id for d in prepared.desired} - prepared.tainted_from_ids
        skipped = {d.from_id for d in prepared.desired} & prepared.tainted_from_ids
        if skipped:
            log.warning(
                "Mirror: %d from-records have rejected rows; their other pairs are not removed: %s",
                len(skipped),
                ", ".join(sorted(skipped)[:10]),
            )
    plan = plan_upsert(
        prepared.desired, prepared.state.state, mode=sync_mode, ctx=prepared.ctx, mirror_scope=scope
    )
    if sync_mode is SyncMode.MIRROR:
        check_mass_deletion(plan, guard)
    return _finish(
        client,
        prepared,
        plan,
        mode=sync_mode.value,
        dry_run=dry_run,
        from_object_type=from_object_type,
        to_object_type=to_object_type,
        requests_before=requests_before,
        progress=progress,
    )


@relaxed_gc
def delete_associations(
    client: AssociationsClient,
    *,
    from_object_type: str,
    to_object_type: str,
    rows: Iterable[object] | None,
    from_id_field: str = "from_id",
    to_id_field: str = "to_id",
    labels_field: str = "labels",
    labels: object = None,
    dry_run: bool = False,
    progress: ProgressListener | None = None,
) -> SyncResult:
    """Remove whole pairs, or only some labels of them.

    The labels removed from a pair are the row's labels plus ``labels``; when both are empty the
    whole pair is removed (so is it when the unlabeled type is named). Rows whose pair is absent, or
    carries none of the labels, are ``unchanged``. Duplicate rows are merged as in
    :func:`upsert_associations`; a row asking for the whole pair wins over label removals.

    :param client: the HubSpot client.
    :param from_object_type: e.g. ``"contacts"``.
    :param to_object_type: e.g. ``"companies"``.
    :param rows: mappings with a from id, a to id and optional labels.
    :param from_id_field: the field holding the from id.
    :param to_id_field: the field holding the to id.
    :param labels_field: the field holding the row's labels.
    :param labels: ``None`` to remove whole pairs, else the labels to remove from every pair.
    :param dry_run: read and plan, write nothing.
    :param progress: receives progress.
    :raises SyncConfigurationError: bad settings or unknown object types (before any write).
    """
    _check_fields(from_id_field=from_id_field, to_id_field=to_id_field, labels_field=labels_field)
    extra = _extra_labels(labels)
    requests_before = _requests(client)
    prepared = _prepare(
        client,
        from_object_type=from_object_type,
        to_object_type=to_object_type,
        rows=rows,
        from_id_field=from_id_field,
        to_id_field=to_id_field,
        labels_field=labels_field,
        extra_labels=extra,
        deleting=True,
        progress=progress,
    )
    plan = plan_delete(prepared.desired, prepared.state.state, ctx=prepared.ctx)
    return _finish(
        client,
        prepared,
        plan,
        mode="delete",
        dry_run=dry_run,
        from_object_type=from_object_type,
        to_object_type=to_object_type,
        requests_before=requests_before,
        progress=progress,
    )


@dataclass(slots=True)
class StreamedSyncResult:
    """The result of a streamed sync: counts only (the outcomes were passed on and dropped).

    :param summary: the counts of the whole run (XCom form via ``summary.to_dict()``).
    :param chunks: how many chunks were processed.
    :param largest_chunk: the most rows held at once (one chunk).
    :param plan_totals: planned writes over the run, by kind.
    """

    summary: SyncSummary
    chunks: int = 0
    largest_chunk: int = 0
    plan_totals: dict[str, int] = field(default_factory=dict)

    def add_plan(self, plan: SyncPlan) -> None:
        """Add one chunk's plan to :attr:`plan_totals`.

        :param plan: the chunk's plan.
        """
        totals = self.plan_totals
        for key, value in (
            ("batch-create pairs", len(plan.creates)),
            ("default associations", len(plan.default_creates)),
            ("label removals", len(plan.label_archives)),
            ("pair removals", len(plan.pair_archives) + len(plan.prune)),
            ("pairs already as desired", sum(1 for a in plan.actions if not a.writes)),
        ):
            totals[key] = totals.get(key, 0) + value

    def describe_plan(self) -> str:
        """A short description of the run's writes, in the same words as :meth:`SyncResult.describe_plan`."""
        parts = [f"{value} {key}" for key, value in self.plan_totals.items()]
        parts.append(f"{self.chunks} chunks of at most {self.largest_chunk} rows")
        return "; ".join(parts)


class _ChunkProgress:
    """Forwards a chunk's progress to the run's listener, without restarting or finishing it."""

    def __init__(self, listener: ProgressListener) -> None:
        self.listener = listener

    def start(self, total: int, stats: ClientStats | None) -> None:
        """Ignored: the run started once."""

    def advance(self, rows: int, phase: str) -> None:
        """Forward.

        :param rows: rows done.
        :param phase: what the sync is doing.
        """
        self.listener.advance(rows, phase)

    def finish(self) -> None:
        """Ignored: the run finishes once."""


def _stream(
    client: AssociationsClient,
    *,
    from_object_type: str,
    to_object_type: str,
    rows: Iterable[object],
    chunk_size: int,
    from_id_field: str,
    to_id_field: str,
    labels_field: str,
    labels: object,
    mode: SyncMode | None,
    dry_run: bool,
    guard: int | float | None,
    progress: ProgressListener | None,
    on_rejected: RejectedRowSink | None,
) -> StreamedSyncResult:
    _check_fields(from_id_field=from_id_field, to_id_field=to_id_field, labels_field=labels_field)
    extra = _extra_labels(labels)
    deleting = mode is None
    mirror = mode is SyncMode.MIRROR
    mode_name = "delete" if mode is None else mode.value
    requests_before = _requests(client)
    result = StreamedSyncResult(summary=SyncSummary(mode=mode_name, dry_run=dry_run))
    chunk_progress = _ChunkProgress(progress) if progress is not None else None
    if progress is not None:
        progress.start(0, getattr(client, "stats", None))
    resolver: LabelResolver | None = None
    removed = 0
    current_in_scope = 0
    # Grouping is checked here rather than in the chunker, so that the rows left after a daily
    # limit can still be drained and accounted for whatever their order.
    chunks = iter_row_chunks(rows, chunk_size, from_id_field=from_id_field)
    grouping = GroupingCheck(from_id_field=from_id_field) if mirror else None
    try:
        for chunk in chunks:
            if grouping is not None:
                for index, row in chunk:
                    grouping.see(index, row)
            prepared = _prepare(
                client,
                from_object_type=from_object_type,
                to_object_type=to_object_type,
                rows=[row for _, row in chunk],
                from_id_field=from_id_field,
                to_id_field=to_id_field,
                labels_field=labels_field,
                extra_labels=extra,
                deleting=deleting,
                progress=chunk_progress,
                start=chunk[0][0],
                resolver=resolver,
                start_progress=False,
            )
            resolver = prepared.resolver or resolver
            if mode is None:
                plan = plan_delete(prepared.desired, prepared.state.state, ctx=prepared.ctx)
            else:
                scope: set[str] = set()
                if mirror:
                    scope = {d.from_id for d in prepared.desired} - prepared.tainted_from_ids
                plan = plan_upsert(
                    prepared.desired, prepared.state.state, mode=mode, ctx=prepared.ctx, mirror_scope=scope
                )
                if mirror:
                    current_in_scope += plan.current_pairs_in_scope
                    check_mass_deletion_running(
                        would_remove=removed + len(plan.prune),
                        current_pairs=current_in_scope,
                        max_deletes=guard,
                        already_removed=0 if dry_run else removed,
                    )
            chunk_result = _finish(
                client,
                prepared,
                plan,
                mode=mode_name,
                dry_run=dry_run,
                from_object_type=from_object_type,
                to_object_type=to_object_type,
                requests_before=0,
                progress=chunk_progress,
                finish_progress=False,
            )
            removed += chunk_result.summary.removed if mirror else 0
            chunk_result.summary.requests = 0
            result.summary.add(chunk_result.summary)
            result.add_plan(plan)
            result.chunks += 1
            result.largest_chunk = max(result.largest_chunk, len(chunk))
            if on_rejected is not None:
                for outcome in chunk_result.outcomes:
                    if outcome.outcome is Outcome.REJECTED:
                        on_rejected(outcome)
            log.debug("Chunk %d done: %d rows from row %d", result.chunks, len(chunk), chunk[0][0])
    except DailyLimitReachedError as exc:
        raise _account_after_daily_limit(exc, chunks, result, on_rejected, mode=mode_name) from exc
    if progress is not None:
        progress.finish()
    result.summary.requests = _requests(client) - requests_before
    result.summary.check()
    return result


def _account_after_daily_limit(
    error: DailyLimitReachedError,
    remaining: Iterator[list[tuple[int, object]]],
    result: StreamedSyncResult,
    on_rejected: RejectedRowSink | None,
    *,
    mode: str,
) -> DailyLimitReachedError:
    """Account for every row of a stream that HubSpot's daily limit stopped, then say so.

    The stopped chunk's rows already carry their outcomes (those written keep theirs); the rows
    not yet fetched are drained from the source (no HubSpot call) and rejected with the reason
    :data:`DAILY_LIMIT_REASON`, so the summary and the rejects report cover the whole input.
    """
    not_written = error.not_written

    def account(outcomes: list[RowOutcome]) -> None:
        result.summary.add(
            SyncSummary.from_outcomes(outcomes, mode=mode, dry_run=False, removed_pairs=0, requests=0)
        )
        if on_rejected is not None:
            for outcome in outcomes:
                if outcome.outcome is Outcome.REJECTED:
                    on_rejected(outcome)

    account(error.outcomes)
    for chunk in remaining:
        outcomes = []
        for index, row in chunk:
            outcome = RowOutcome(index=index, row=row)
            outcome.reject(f"{DAILY_LIMIT_REASON}: not attempted", RejectKind.DAILY_LIMIT)
            outcomes.append(outcome)
        not_written += len(outcomes)
        account(outcomes)
    result.summary.check()
    summary = result.summary
    stopped = DailyLimitReachedError(
        f"HubSpot's daily API limit is reached ({error.__cause__ or error}); {not_written} of "
        f"{summary.rows} rows were not written and are rejected with reason {DAILY_LIMIT_REASON!r}. "
        "Nothing more can be sent to this portal until the limit resets (midnight in the portal's "
        "time zone); re-run the task then.",
        outcomes=[],
        not_written=not_written,
        summary=summary,
    )
    return stopped


@relaxed_gc
def upsert_associations_streamed(
    client: AssociationsClient,
    *,
    from_object_type: str,
    to_object_type: str,
    rows: Iterable[object],
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    from_id_field: str = "from_id",
    to_id_field: str = "to_id",
    labels_field: str = "labels",
    labels: object = None,
    mode: SyncMode | str = SyncMode.APPEND,
    dry_run: bool = False,
    max_deletes: object = None,
    progress: ProgressListener | None = None,
    on_rejected: RejectedRowSink | None = None,
) -> StreamedSyncResult:
    """Upsert associations from a stream of rows, one bounded chunk at a time.

    Memory stays flat however many rows the stream holds: one chunk of rows, the counts, and the
    first rejected rows (the summary's sample). See the module docstring for how duplicates across
    chunks, Primary and the mirror guard behave when streaming.

    :param client: the HubSpot client.
    :param from_object_type: e.g. ``"contacts"``.
    :param to_object_type: e.g. ``"companies"``.
    :param rows: any iterable of mappings, consumed lazily (a generator over a DB cursor).
    :param chunk_size: rows per chunk (chunks do not split a from-record's run of rows).
    :param from_id_field: the field holding the from id.
    :param to_id_field: the field holding the to id.
    :param labels_field: the field holding the row's labels.
    :param labels: labels applied to every row, besides the row's own.
    :param mode: ``append``, ``replace`` or ``mirror`` (mirror needs rows grouped by from-id).
    :param dry_run: read and plan, write nothing.
    :param max_deletes: mirror guard over the run so far: an int (pairs) or a float in (0, 1].
    :param progress: receives progress (the total is unknown: it counts rows done).
    :param on_rejected: receives every rejected row, in input order (e.g. to write the report).
    :raises SyncConfigurationError: bad settings or unknown object types (before any write).
    :raises UngroupedInputError: mirror input is not grouped by from-id (earlier chunks were written).
    :raises MassDeletionGuardError: mirror would remove too many pairs (earlier chunks were written).
    """
    sync_mode = SyncMode.parse(mode)
    return _stream(
        client,
        from_object_type=from_object_type,
        to_object_type=to_object_type,
        rows=rows,
        chunk_size=chunk_size,
        from_id_field=from_id_field,
        to_id_field=to_id_field,
        labels_field=labels_field,
        labels=labels,
        mode=sync_mode,
        dry_run=dry_run,
        guard=parse_max_deletes(max_deletes) if sync_mode is SyncMode.MIRROR else None,
        progress=progress,
        on_rejected=on_rejected,
    )


@relaxed_gc
def delete_associations_streamed(
    client: AssociationsClient,
    *,
    from_object_type: str,
    to_object_type: str,
    rows: Iterable[object],
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    from_id_field: str = "from_id",
    to_id_field: str = "to_id",
    labels_field: str = "labels",
    labels: object = None,
    dry_run: bool = False,
    progress: ProgressListener | None = None,
    on_rejected: RejectedRowSink | None = None,
) -> StreamedSyncResult:
    """Remove pairs or labels from a stream of rows, one bounded chunk at a time.

    Same row semantics as :func:`delete_associations`; a pair repeated in a later chunk is
    ``unchanged`` (already removed).

    :param client: the HubSpot client.
    :param from_object_type: e.g. ``"contacts"``.
    :param to_object_type: e.g. ``"companies"``.
    :param rows: any iterable of mappings, consumed lazily.
    :param chunk_size: rows per chunk.
    :param from_id_field: the field holding the from id.
    :param to_id_field: the field holding the to id.
    :param labels_field: the field holding the row's labels.
    :param labels: ``None`` to remove whole pairs, else the labels to remove from every pair.
    :param dry_run: read and plan, write nothing.
    :param progress: receives progress.
    :param on_rejected: receives every rejected row, in input order.
    :raises SyncConfigurationError: bad settings or unknown object types (before any write).
    """
    return _stream(
        client,
        from_object_type=from_object_type,
        to_object_type=to_object_type,
        rows=rows,
        chunk_size=chunk_size,
        from_id_field=from_id_field,
        to_id_field=to_id_field,
        labels_field=labels_field,
        labels=labels,
        mode=None,
        dry_run=dry_run,
        guard=None,
        progress=progress,
        on_rejected=on_rejected,
    )
