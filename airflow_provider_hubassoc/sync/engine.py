"""The sync pipeline: one path from the input rows to the summary, for every source and mode.

A newcomer can follow one run top to bottom in :func:`run_sync`:

1. **Describe.** The caller's arguments become one frozen :class:`~.spec.SyncSpec` (direction,
   mode, fields, labels for every row, mirror guard, dry run), validated before any request.
2. **Read rows in chunks.** With ``from_id_property`` / ``to_id_property``, :class:`~.keys.KeyStage`
   first turns the rows' business keys into record ids (distinct keys per batch, cached for the run,
   batched lookups; a key that does not resolve rejects its rows and taints their from-record), so
   what follows sees record ids only. :class:`~.stream.ChunkReader` reads the source: a list is a stream of
   one chunk; rows from SQL come ``chunk_size`` at a time, never splitting a from-record's run.
   Each row is validated once into a :class:`~.rows.RowRecord` (canonical ids: the only place ids
   are normalised) or gets its ``rejected`` outcome with the reason.
3. **Resolve.** The direction's labels are listed once per run (the first request, sent as soon as
   the first row is valid, so validating a large chunk overlaps the first rate-limit window); each
   row's label references become type specs
   (:class:`~.labels.LabelResolver`); duplicate rows of a pair are merged into one
   :class:`~.plan.DesiredPair` that remembers its rows' input positions.
4. **Read current state.** One batch read of the chunk's from-ids (:func:`~.read.read_state`;
   the client chunks and pages). A from-record HubSpot could not read rejects its rows.
5. **Plan.** :mod:`.plan` diffs desired against current state: pure, no I/O. Mirror also lists
   the pairs of each from-record that the chunk does not name (prune candidates).
6. **Write.** :class:`~.executor.PlanWriter` sends label archives, creates (new unlabeled pairs
   too, with the direction's unlabeled type id), default associations (only when that id is unknown)
   and (deletes) pair archives, one call per kind (HubSpot's per-request limits live in the
   client), and lands each answer on its pairs; then every row of the chunk gets its outcome.
7. **Outcomes.** Each row's outcome is counted into the :class:`~.outcomes.SyncSummary`, passed
   to ``on_rejected`` when rejected (the rejects report), and kept only if asked for.
8. **Mirror removals, at the end of the run.** A from-record is pruned only when none of its rows
   was rejected (by validation, by label resolution, by the read or by HubSpot's answer to the
   creates), and a same-type pair is never pruned when the run names it either way round. The
   mass-deletion guard (:class:`~.spec.Guard`) is checked on the whole run's removals: before the
   last chunk's writes (so a list input writes nothing when it trips) and again on the final set.
9. **Summary.** Counts add up to the input rows or :class:`~.errors.OutcomeAccountingError`.

HubSpot's daily limit can stop any step: the rows of the chunk not yet written and every row not
yet read are rejected with reason ``daily limit reached`` (no request), and
:class:`~.outcomes.DailyLimitReachedError` carries the run's summary. Nothing else but a typed
sync (:class:`~.errors.SyncError`) or HubSpot (``HubSpotError``) error leaves this module.

Streams: a pair repeated in a later chunk is planned against the state after the earlier chunk was
written (``unchanged`` or ``updated``; in a dry run, against the state before the run). A streamed
mirror needs rows grouped by from-id. Memory holds one chunk plus, for mirror, the run's prune
candidates, the current-pair count per from-record and (same object type only) the input pairs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sized
from dataclasses import dataclass, field

from airflow_provider_hubassoc.client.errors import HubSpotDailyLimitError
from airflow_provider_hubassoc.client.models import AssociationSpec
from airflow_provider_hubassoc.sync.executor import PlanWriter, apply_report, reject_unsent
from airflow_provider_hubassoc.sync.gctune import relaxed_gc
from airflow_provider_hubassoc.sync.keys import KEY_BATCH_ROWS, KeyStage
from airflow_provider_hubassoc.sync.labels import LabelResolutionError, LabelResolver
from airflow_provider_hubassoc.sync.objects import primary_holder_side
from airflow_provider_hubassoc.sync.outcomes import (
    DAILY_LIMIT_REASON,
    DailyLimitReachedError,
    Outcome,
    RejectKind,
    RowOutcome,
    SyncSummary,
)
from airflow_provider_hubassoc.sync.plan import (
    DesiredPair,
    Pair,
    PlanTotals,
    SyncPlan,
    TypeContext,
    id_order,
    plan_delete,
    plan_upsert,
)
from airflow_provider_hubassoc.sync.progress import ProgressListener
from airflow_provider_hubassoc.sync.protocols import AssociationsClient
from airflow_provider_hubassoc.sync.read import ReadState, read_state
from airflow_provider_hubassoc.sync.rows import LabelRef, RowRecord, tainted_from_id
from airflow_provider_hubassoc.sync.spec import SyncMode, SyncSpec
from airflow_provider_hubassoc.sync.stream import DEFAULT_CHUNK_SIZE, Chunk, ChunkReader

#: A row's label references resolved: the labels to write and whether a delete removes the whole
#: pair; or why they do not resolve.
_Resolved = tuple[frozenset[AssociationSpec], bool] | LabelResolutionError

#: Receives each rejected row, in input order, as soon as its chunk is done.
RejectedRowSink = Callable[[RowOutcome], None]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SyncResult:
    """The result of a sync.

    :param summary: the counts (XCom form via ``summary.to_dict()``).
    :param outcomes: every row's outcome in input order, when kept (``keep_outcomes``), else empty.
    :param plan: what the run wrote (or, in a dry run, would write).
    """

    summary: SyncSummary
    outcomes: list[RowOutcome] = field(default_factory=list)
    plan: PlanTotals = field(default_factory=PlanTotals)

    @property
    def rejected(self) -> list[RowOutcome]:
        """The rejected rows of the kept outcomes, in input order."""
        return [o for o in self.outcomes if o.outcome is Outcome.REJECTED]

    def describe_plan(self) -> str:
        """What the run wrote (or would write): counts and a few examples."""
        return self.plan.describe()


class _DailyLimit(Exception):
    """Internal: HubSpot's daily limit stopped the chunk; its rows already carry their outcomes."""

    def __init__(self, cause: HubSpotDailyLimitError, not_written: int) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.not_written = not_written


@dataclass(slots=True)
class _Mirror:
    """What a mirror run remembers across chunks to decide its removals at the end."""

    candidates: list[Pair] = field(default_factory=list)
    current: dict[str, int] = field(default_factory=dict)
    named: set[Pair] = field(default_factory=set)  # same object type only: input pairs, both ways


class _Run:
    """One run of the pipeline (see the module docstring for the steps)."""

    def __init__(
        self,
        client: AssociationsClient,
        spec: SyncSpec,
        *,
        progress: ProgressListener | None,
        on_rejected: RejectedRowSink | None,
        keep_outcomes: bool,
        keys: KeyStage | None = None,
    ) -> None:
        self.client = client
        self.keys = keys
        self.spec = spec
        self.progress = progress
        self.on_rejected = on_rejected
        self.keep_outcomes = keep_outcomes
        self.summary = SyncSummary(mode=spec.mode_name, dry_run=spec.dry_run)
        self.totals = PlanTotals()
        self.outcomes: list[RowOutcome] = []
        self.writer = PlanWriter(client, spec)
        self.resolver: LabelResolver | None = None
        self.labels_error: Exception | None = None  # from the early label list, raised in step 3
        self.tainted: set[str] = set()
        self.mirror = _Mirror() if spec.mode is SyncMode.MIRROR else None
        self.requests_before = _requests(client)
        self.written_pairs = 0  # pairs whose writes were sent by earlier chunks

    # ---- the run ---------------------------------------------------------------------------
    def execute(self, rows: Iterable[object] | None, chunk_size: int | None) -> SyncResult:
        source = rows if rows is not None else ()
        grouped = chunk_size is not None and self.mirror is not None
        reader = ChunkReader(
            source, self.spec, size=chunk_size, grouped=grouped, on_first_record=self._prefetch_labels
        )
        if self.progress is not None:
            total = len(source) if isinstance(source, Sized) and chunk_size is None else 0
            self.progress.start(total, getattr(self.client, "stats", None))
        if self.keys is not None:  # the one extra stage of a keyed sync: keys become record ids
            reader = ChunkReader(
                self.keys.rows(source, KEY_BATCH_ROWS, self.tainted),
                self.spec,
                size=chunk_size,
                grouped=grouped,
                on_first_record=self._prefetch_labels,
            )
        chunk = Chunk()
        try:
            for chunk in reader:
                self._chunk(chunk)
                self._finish_chunk(chunk)
            if self.keys is not None and self.keys.stopped is not None:  # the daily limit stopped lookups
                raise _DailyLimit(self.keys.stopped, self.keys.not_resolved)
            if self.mirror is not None:
                self._prune(final=True)
        except _DailyLimit as stopped:
            raise self._stopped(stopped, chunk, reader) from stopped.cause
        if self.progress is not None:
            self.progress.finish()
        self.summary.requests = _requests(self.client) - self.requests_before
        self.summary.lookups = self.keys.lookups if self.keys is not None else 0
        self.summary.check()
        return SyncResult(summary=self.summary, outcomes=self.outcomes, plan=self.totals)

    def _chunk(self, chunk: Chunk) -> None:
        outcome_at = _index(chunk)
        if not chunk.records:
            if chunk.last and self.mirror is not None:
                self._prune(final=False)
            return
        try:
            self._load_labels()
            desired = self._resolve(chunk.records, outcome_at)
            state = read_state(self.spec, self.client, list(dict.fromkeys(d.from_id for d in desired)))
        except HubSpotDailyLimitError as exc:
            raise _DailyLimit(exc, self._reject_pending(chunk, exc)) from exc
        desired = self._drop_unread(desired, state, outcome_at)
        plan = self._plan(desired, state)
        for item, reason in plan.rejected:
            for index in item.row_indexes:
                outcome_at(index).reject(reason, RejectKind.PRIMARY_CONFLICT)
        chunk_totals = PlanTotals()
        chunk_totals.add(plan, len(chunk.outcomes))
        self.totals.merge(chunk_totals)
        self._log_plan(chunk_totals, chunk)
        if chunk.last and self.mirror is not None:
            self._taint(chunk)
            self._add_candidates(plan)
            self._check_guard()  # before the last chunk's writes: a list writes nothing when it trips
        report = self.writer.write(plan)
        if not self.spec.dry_run:
            self.written_pairs += sum(1 for a in plan.actions if a.writes)
        not_written = apply_report(plan, report, outcome_at)
        if self.mirror is not None and not chunk.last:
            self._add_candidates(plan)
        if report.limit is not None:
            raise _DailyLimit(report.limit, not_written + self._reject_pending(chunk, report.limit))

    def _taint(self, chunk: Chunk) -> None:
        """Note the from-records of the chunk's rejected rows: mirror never prunes them."""
        if self.mirror is None:
            return
        from_ids = {r.index: r.from_id for r in chunk.records}
        for outcome in chunk.outcomes:
            if outcome.outcome is Outcome.REJECTED:
                from_id = from_ids.get(outcome.index) or tainted_from_id(outcome.row, self.spec.from_id_field)
                if from_id is not None:
                    self.tainted.add(from_id)

    def _finish_chunk(self, chunk: Chunk) -> None:
        """Count every row of the chunk, note the from-records with a rejected row, pass rejects on."""
        if self.keys is not None:
            self.keys.annotate(chunk)
        rejected = self.summary.count_all(chunk.outcomes)
        if rejected:
            self._taint(chunk)
            if self.on_rejected is not None:
                for outcome in rejected:
                    self.on_rejected(outcome)
        if self.keep_outcomes:
            self.outcomes.extend(chunk.outcomes)
        if self.progress is not None:
            self.progress.advance(len(chunk.outcomes), "writing" if not self.spec.dry_run else "planned")
        log.debug("Chunk done: %d rows from row %d", len(chunk.outcomes), chunk.start)

    # ---- steps -----------------------------------------------------------------------------
    def _prefetch_labels(self) -> None:
        """List the labels as soon as the first row is valid (step 3's request, sent early).

        Validating the rest of a large chunk then overlaps the rate limiter's first window. An
        error is kept and raised by :meth:`_load_labels`, where step 3 handles it (the daily
        limit rejects the chunk's rows; anything else fails the run as before).
        """
        try:
            self._load_labels()
        except Exception as exc:  # raised again, unchanged, by _load_labels in step 3
            self.labels_error = exc

    def _load_labels(self) -> None:
        if self.labels_error is not None:
            error, self.labels_error = self.labels_error, None
            raise error
        if self.resolver is None:
            self.resolver = LabelResolver.load(
                self.client,
                from_object_type=self.spec.from_object_type,
                to_object_type=self.spec.to_object_type,
            )

    def _resolve(
        self, records: list[RowRecord], outcome_at: Callable[[int], RowOutcome]
    ) -> list[DesiredPair]:
        """Resolve labels (once per distinct list of references); merge the rows of each pair into
        one desired pair."""
        resolved: dict[tuple[LabelRef, ...], _Resolved] = {}
        at: dict[Pair, int] = {}
        desired: list[DesiredPair] = []
        # the pairs given by more than one row: position -> (labels, row indexes, remove_all), merged
        # in place and turned into their DesiredPair once at the end (linear in the rows)
        repeated: dict[int, tuple[set[AssociationSpec], list[int], list[bool]]] = {}
        for record in records:
            found = resolved.get(record.labels)
            if found is None:
                found = resolved[record.labels] = self._resolve_labels(record.labels)
            if isinstance(found, LabelResolutionError):
                kind = RejectKind.PRIMARY_UNAVAILABLE if found.primary else RejectKind.UNKNOWN_LABEL
                outcome_at(record.index).reject(str(found), kind)
                continue
            types, remove_all = found
            pair = (record.from_id, record.to_id)
            position = at.get(pair)
            if position is None:
                at[pair] = len(desired)
                desired.append(DesiredPair(record.from_id, record.to_id, types, (record.index,), remove_all))
                continue
            # a duplicate row of the pair: labels unioned, every row gets the pair's outcome
            merged = repeated.get(position)
            if merged is None:
                first = desired[position]
                merged = repeated[position] = (set(first.types), list(first.row_indexes), [first.remove_all])
            merged[0].update(types)
            merged[1].append(record.index)
            merged[2][0] = merged[2][0] or remove_all
        for position, (labels, indexes, remove) in repeated.items():
            first = desired[position]
            desired[position] = DesiredPair(
                first.from_id, first.to_id, frozenset(labels), tuple(indexes), remove[0]
            )
        if self.mirror is not None and self.spec.same_type:
            for f, t in at:
                self.mirror.named.update(((f, t), (t, f)))
        return desired

    def _resolve_labels(self, references: tuple[LabelRef, ...]) -> _Resolved:
        """A row's label references (and the spec's) as the labels to write, and whether a delete
        removes the whole pair; or why they do not resolve."""
        resolver = self.resolver
        assert resolver is not None
        try:
            specs = {resolver.resolve(ref) for ref in (*references, *self.spec.labels)}
        except LabelResolutionError as exc:
            return exc
        unlabeled = resolver.unlabeled_type_ids
        labels = frozenset(s for s in specs if s.type_id not in unlabeled)
        remove_all = self.spec.mode is SyncMode.DELETE and (
            not specs or any(s.type_id in unlabeled for s in specs)
        )
        return labels, remove_all

    def _drop_unread(
        self, desired: list[DesiredPair], state: ReadState, outcome_at: Callable[[int], RowOutcome]
    ) -> list[DesiredPair]:
        if not state.errors:
            return desired
        kept = []
        for item in desired:
            error = state.errors.get(item.from_id)
            if error is None:
                kept.append(item)
                continue
            for index in item.row_indexes:
                outcome_at(index).reject(
                    f"HubSpot could not read record {item.from_id}: {error.message}",
                    RejectKind.HUBSPOT,
                    hubspot_category=error.category,
                    hubspot_message=error.message,
                )
        return kept

    def _plan(self, desired: list[DesiredPair], state: ReadState) -> SyncPlan:
        resolver = self.resolver
        assert resolver is not None
        unlabeled = next(
            (d.spec for d in resolver.definitions if d.type_id in resolver.unlabeled_type_ids), None
        )
        ctx = TypeContext(
            unlabeled_ids=resolver.unlabeled_type_ids | frozenset(state.unlabeled_ids),
            unlabeled=unlabeled,
            primary=resolver.primary.spec if resolver.primary is not None else None,
            primary_holder=primary_holder_side(self.spec.from_type_id, self.spec.to_type_id),
        )
        if self.spec.mode is SyncMode.DELETE:
            return plan_delete(desired, state.state, ctx=ctx)
        return plan_upsert(
            desired,
            state.state,
            mode=self.spec.mode,
            ctx=ctx,
            mirror_scope={d.from_id for d in desired},
            same_type=self.spec.same_type,
        )

    def _log_plan(self, totals: PlanTotals, chunk: Chunk) -> None:
        text = totals.describe()
        if self.progress is not None:
            self.progress.planned(text, dry_run=self.spec.dry_run)
        else:
            log.info(
                "Plan%s (rows from %d): %s", " (not written)" if self.spec.dry_run else "", chunk.start, text
            )

    # ---- mirror removals -------------------------------------------------------------------
    def _add_candidates(self, plan: SyncPlan) -> None:
        assert self.mirror is not None
        self.mirror.candidates.extend(plan.prune)
        self.mirror.current.update(plan.current_pairs)

    def _removals(self) -> tuple[list[Pair], int]:
        """The run's removals now, and the current pairs of the from-records they are counted against."""
        mirror = self.mirror
        assert mirror is not None
        tainted = self.tainted
        chosen: list[Pair] = []
        seen: set[Pair] = set()
        for pair in mirror.candidates:
            if pair[0] in tainted or pair in mirror.named:
                continue
            if self.spec.same_type and pair[1] in tainted:  # the same association, seen from pair[1]
                continue
            key = (min(pair, key=id_order), max(pair, key=id_order)) if self.spec.same_type else pair
            if key not in seen:
                seen.add(key)
                chosen.append(pair)
        current = sum(n for from_id, n in mirror.current.items() if from_id not in tainted)
        return chosen, current

    def _check_guard(self, removals: tuple[list[Pair], int] | None = None) -> None:
        pairs, current = removals or self._removals()
        guard = self.spec.guard
        assert guard is not None
        written = self.written_pairs
        before = f"; creates and label changes were already written for {written} pairs" if written else ""
        guard.check(would_remove=len(pairs), current_pairs=current, written_before=before)

    def _prune(self, *, final: bool) -> None:
        """Decide and send mirror's removals (``final``: after every chunk was written)."""
        if not final:
            self._check_guard()
            return
        pairs, current = removals = self._removals()
        self._check_guard(removals)
        skipped = {f for f, _ in self.mirror.candidates if f in self.tainted} if self.mirror else set()
        if skipped:
            log.warning(
                "Mirror: %d from-records have rejected rows; their other pairs are not removed: %s",
                len(skipped),
                ", ".join(sorted(skipped, key=id_order)[:10]),
            )
        self.totals.add_prunes(pairs)
        report = self.writer.prune(pairs)
        self.summary.pruned = len([p for p in pairs if p not in report.failed and p not in report.unsent])
        self.summary.prune_refused = len(report.failed)
        if report.failed:
            first = next(iter(report.failed.values()))
            log.warning(
                "Mirror: HubSpot refused to remove %d of %d pairs (first: %s); they are not counted pruned "
                "(prune_refused) and the next run plans them again",
                len(report.failed),
                len(pairs),
                first.message,
            )
        if report.limit is not None:
            raise _DailyLimit(report.limit, 0)
        log.debug("Mirror removed %d pairs out of %d current pairs", self.summary.pruned, current)

    # ---- the daily limit -------------------------------------------------------------------
    def _reject_pending(self, chunk: Chunk, limit: HubSpotDailyLimitError) -> int:
        """Reject every row of ``chunk`` that has no outcome yet; return how many."""
        pending = [o for o in chunk.outcomes if o.outcome is None]
        for outcome in pending:
            reject_unsent(outcome, limit)
        return len(pending)

    def _stopped(self, stopped: _DailyLimit, chunk: Chunk, reader: ChunkReader) -> DailyLimitReachedError:
        """Account for every row after the daily limit, then say so."""
        not_written = stopped.not_written
        if chunk.outcomes and chunk.outcomes[0].index >= self.summary.rows:  # the chunk was not counted yet
            self._finish_chunk(chunk)
        drained = Chunk()
        for outcome in reader.drain(f"{DAILY_LIMIT_REASON}: not attempted"):
            drained.outcomes.append(outcome)
            not_written += 1
        if drained.outcomes:
            self._finish_chunk(drained)
        self.summary.requests = _requests(self.client) - self.requests_before
        self.summary.lookups = self.keys.lookups if self.keys is not None else 0
        self.summary.check()
        return DailyLimitReachedError(
            f"HubSpot's daily API limit is reached ({stopped.cause}); {not_written} of {self.summary.rows} "
            f"rows were not written and are rejected with reason {DAILY_LIMIT_REASON!r}. Nothing more can "
            "be sent to this portal until the limit resets (midnight in the portal's time zone); re-run "
            "the task then.",
            summary=self.summary,
            not_written=not_written,
            outcomes=self.outcomes,
        )


def _index(chunk: Chunk) -> Callable[[int], RowOutcome]:
    start, outcomes = chunk.start, chunk.outcomes
    return lambda index: outcomes[index - start]


def _requests(client: AssociationsClient) -> int:
    stats = getattr(client, "stats", None)
    return int(getattr(stats, "requests", 0) or 0)


@relaxed_gc
def run_sync(
    client: AssociationsClient,
    spec: SyncSpec,
    rows: Iterable[object] | None,
    *,
    chunk_size: int | None = None,
    progress: ProgressListener | None = None,
    on_rejected: RejectedRowSink | None = None,
    keep_outcomes: bool | None = None,
    keys: KeyStage | None = None,
) -> SyncResult:
    """Run one sync (see the module docstring for the steps).

    :param client: the HubSpot client (anything implementing :class:`AssociationsClient`).
    :param spec: what to sync (:meth:`SyncSpec.build`).
    :param rows: the input rows: a list, or any iterable consumed lazily (a DB cursor).
    :param chunk_size: rows per chunk; ``None`` plans the whole input as one chunk.
    :param progress: receives progress (e.g. :class:`~.progress.ProgressLogger`).
    :param on_rejected: receives every rejected row, in input order (e.g. to write the report).
    :param keep_outcomes: keep every row's outcome in the result; default: when ``chunk_size`` is
        ``None`` (a streamed sync keeps only counts).
    :param keys: resolves business keys to record ids first (``from_id_property`` /
        ``to_id_property``; :class:`~.keys.KeyStage`), ``None`` when the rows hold record ids.
    :raises SyncConfigurationError: bad settings or unknown object types (before any write).
    :raises UngroupedInputError: a streamed mirror's rows are not grouped by from-id.
    :raises MassDeletionGuardError: mirror would remove too many pairs (no pair was removed).
    :raises DailyLimitReachedError: HubSpot's daily limit stopped the run (every row accounted for).
    """
    run = _Run(
        client,
        spec,
        progress=progress,
        on_rejected=on_rejected,
        keep_outcomes=chunk_size is None if keep_outcomes is None else keep_outcomes,
        keys=keys if keys is not None and keys.keys.active else None,
    )
    return run.execute(rows, chunk_size)


def upsert_associations(
    client: AssociationsClient,
    *,
    from_object_type: str,
    to_object_type: str,
    rows: Iterable[object] | None,
    mode: SyncMode | str = SyncMode.APPEND,
    from_id_field: str = "from_id",
    to_id_field: str = "to_id",
    labels_field: str = "labels",
    labels: object = None,
    dry_run: bool = False,
    max_deletes: object = None,
    chunk_size: int | None = None,
    progress: ProgressListener | None = None,
    on_rejected: RejectedRowSink | None = None,
) -> SyncResult:
    """Upsert associations from rows: ``append``, ``replace`` or ``mirror`` (see :mod:`.plan`).

    Duplicate rows of one pair are merged (labels unioned) and every one of them gets the merged
    pair's outcome, so the counts add up to the input rows.

    :param client: the HubSpot client.
    :param from_object_type: e.g. ``"contacts"`` or ``"0-1"``.
    :param to_object_type: e.g. ``"companies"``.
    :param rows: mappings with a from id, a to id and optional labels (a list, or any iterable).
    :param mode: ``append``, ``replace`` or ``mirror``.
    :param from_id_field: the field holding the from id.
    :param to_id_field: the field holding the to id.
    :param labels_field: the field holding the row's labels.
    :param labels: labels applied to every row, besides the row's own.
    :param dry_run: read and plan, write nothing; the summary is what a real run would report.
    :param max_deletes: mirror's guard (:meth:`~.spec.Guard.parse`; default: half the current pairs).
    :param chunk_size: stream the rows in chunks of this many (``None``: one chunk).
    :param progress: receives progress.
    :param on_rejected: receives every rejected row, in input order.
    :raises SyncConfigurationError: bad settings or unknown object types (before any write).
    :raises MassDeletionGuardError: mirror would remove too many pairs (no pair was removed).
    """
    spec = SyncSpec.build(
        from_object_type=from_object_type,
        to_object_type=to_object_type,
        mode=mode,
        from_id_field=from_id_field,
        to_id_field=to_id_field,
        labels_field=labels_field,
        labels=labels,
        max_deletes=max_deletes,
        dry_run=dry_run,
    )
    return run_sync(client, spec, rows, chunk_size=chunk_size, progress=progress, on_rejected=on_rejected)


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
    chunk_size: int | None = None,
    progress: ProgressListener | None = None,
    on_rejected: RejectedRowSink | None = None,
) -> SyncResult:
    """Remove whole pairs, or only some labels of them.

    The labels removed from a pair are the row's labels plus ``labels``; when both are empty the
    whole pair is removed (so is it when the unlabeled type is named). Rows whose pair is absent, or
    carries none of the labels, are ``unchanged``. A row asking for the whole pair wins over label
    removals of the same pair.

    :param client: the HubSpot client.
    :param from_object_type: e.g. ``"contacts"``.
    :param to_object_type: e.g. ``"companies"``.
    :param rows: mappings with a from id, a to id and optional labels (a list, or any iterable).
    :param from_id_field: the field holding the from id.
    :param to_id_field: the field holding the to id.
    :param labels_field: the field holding the row's labels.
    :param labels: ``None`` to remove whole pairs, else the labels to remove from every pair.
    :param dry_run: read and plan, write nothing.
    :param chunk_size: stream the rows in chunks of this many (``None``: one chunk).
    :param progress: receives progress.
    :param on_rejected: receives every rejected row, in input order.
    :raises SyncConfigurationError: bad settings or unknown object types (before any write).
    """
    spec = SyncSpec.build(
        from_object_type=from_object_type,
        to_object_type=to_object_type,
        mode=SyncMode.DELETE,
        from_id_field=from_id_field,
        to_id_field=to_id_field,
        labels_field=labels_field,
        labels=labels,
        dry_run=dry_run,
    )
    return run_sync(client, spec, rows, chunk_size=chunk_size, progress=progress, on_rejected=on_rejected)


__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "RejectedRowSink",
    "SyncResult",
    "delete_associations",
    "run_sync",
    "upsert_associations",
]
