"""Runs reads and plans through a client, and lands HubSpot's per-row errors on their rows."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from airflow_provider_hubassoc.client.errors import HubSpotDailyLimitError, HubSpotValidationError
from airflow_provider_hubassoc.client.models import (
    AssociationInput,
    AssociationSpec,
    AssociationType,
    BatchRowError,
    normalize_id,
)
from airflow_provider_hubassoc.sync.errors import DAILY_LIMIT_REASON, daily_limit_error
from airflow_provider_hubassoc.sync.labels import is_unlabeled
from airflow_provider_hubassoc.sync.outcomes import RejectKind, RowOutcome
from airflow_provider_hubassoc.sync.plan import PairAction, SyncPlan
from airflow_provider_hubassoc.sync.progress import ProgressListener
from airflow_provider_hubassoc.sync.protocols import AssociationsClient

log = logging.getLogger(__name__)

#: HubSpot's batch read limit (inputs per request).
READ_BATCH = 1000
#: HubSpot's batch create limit (inputs per request).
CREATE_BATCH = 2000
#: Slice size for archives and default associations: the client's request size for them, so that
#: when HubSpot's daily limit stops a sync, each slice was either sent whole or not at all.
OTHER_SLICE = 1_000

T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    """Split a sequence into slices of at most ``size``.

    :param items: the sequence.
    :param size: the slice size.
    """
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(slots=True)
class ReadState:
    """The current state of some from-records.

    :param state: from_id → to_id → types on the pair.
    :param errors: from_id → HubSpot's error for the from-records HubSpot could not read.
    :param unlabeled_ids: unlabeled type ids seen in the read.
    """

    state: dict[str, dict[str, frozenset[AssociationSpec]]] = field(default_factory=dict)
    errors: dict[str, BatchRowError] = field(default_factory=dict)
    unlabeled_ids: set[int] = field(default_factory=set)


def _error_ids(error: BatchRowError, key: str) -> list[str]:
    ids: list[str] = []
    for value in error.context.get(key, []) or []:
        try:
            ids.append(normalize_id(value))
        except ValueError:
            continue
    return ids


def read_state(
    client: AssociationsClient,
    *,
    from_object_type: str,
    to_object_type: str,
    from_ids: Sequence[str],
    progress: ProgressListener | None = None,
) -> ReadState:
    """Read every association of ``from_ids`` to ``to_object_type``, 1,000 from-ids per batch read.

    :param client: the HubSpot client.
    :param from_object_type: the from object type.
    :param to_object_type: the to object type.
    :param from_ids: canonical from-record ids.
    :param progress: gets a signal after each batch.
    """
    result = ReadState()
    for chunk in chunks(list(from_ids), READ_BATCH):
        answer = client.batch_read(
            from_object_type=from_object_type, to_object_type=to_object_type, object_ids=list(chunk)
        )
        for raw_id, records in answer.associations.items():
            pairs = result.state.setdefault(normalize_id(raw_id), {})
            for record in records:
                types: set[AssociationSpec] = set(pairs.get(normalize_id(record.to_object_id), frozenset()))
                for association_type in record.types:
                    types.add(association_type.spec)
                    if is_unlabeled(association_type):
                        result.unlabeled_ids.add(association_type.type_id)
                pairs[normalize_id(record.to_object_id)] = frozenset(types)
        for error in answer.errors:
            ids = [chunk[i] for i in error.input_indexes if 0 <= i < len(chunk)] or _error_ids(
                error, "fromObjectId"
            )
            if not ids:
                log.warning("Batch read error not tied to an input: %s: %s", error.category, error.message)
            for from_id in ids:
                result.errors[from_id] = error
        if progress is not None:
            progress.advance(0, "reading")
    return result


@dataclass(slots=True)
class ExecutionReport:
    """What the executor did.

    :param failed_pairs: pairs HubSpot rejected, with the error.
    :param pruned: pairs removed by mirror mode.
    """

    failed_pairs: dict[tuple[str, str], BatchRowError] = field(default_factory=dict)
    pruned: int = 0


class PlanExecutor:
    """Writes a plan: label archives, batch creates (2,000 per request), default associations,
    pair archives; then gives every row of the plan its outcome.

    :param client: the HubSpot client.
    :param from_object_type: the from object type.
    :param to_object_type: the to object type.
    :param progress: gets the rows done after each write.
    """

    def __init__(
        self,
        client: AssociationsClient,
        *,
        from_object_type: str,
        to_object_type: str,
        progress: ProgressListener | None = None,
    ) -> None:
        self.client = client
        self.from_object_type = from_object_type
        self.to_object_type = to_object_type
        self.progress = progress
        #: per kind of write, the pairs whose request was answered (to account for a daily limit)
        self._done: dict[str, set[tuple[str, str]]] = {}

    def _advance(self, actions: Iterable[PairAction]) -> None:
        if self.progress is not None:
            self.progress.advance(sum(len(a.row_indexes) for a in actions), "writing")

    def execute(
        self, plan: SyncPlan, outcomes: Mapping[int, RowOutcome], *, dry_run: bool
    ) -> ExecutionReport:
        """Run the plan (or not, in a dry run) and set the outcome of every planned row.

        :param plan: the plan.
        :param outcomes: index → outcome of every input row.
        :param dry_run: skip every write; outcomes are the planned ones.
        :raises DailyLimitReachedError: HubSpot's daily limit stopped the writes; every row still has
            its outcome (rows whose writes were not all sent are rejected, reason "daily limit reached").
        """
        report = ExecutionReport()
        self._done = {"labels": set(), "create": set(), "default": set(), "archive": set()}
        limit: HubSpotDailyLimitError | None = None
        if not dry_run:
            try:
                self._write(plan, report)
            except HubSpotDailyLimitError as exc:
                limit = exc
        report.pruned = (
            len(plan.prune)
            if limit is None
            else sum(1 for pair in plan.prune if pair in self._done["archive"])
        )
        not_written = 0
        for action in plan.actions:
            error = report.failed_pairs.get(action.pair)
            if limit is not None and action.writes and not self._written(action):
                not_written += len(action.row_indexes)
                for index in action.row_indexes:
                    outcomes[index].reject(
                        f"{DAILY_LIMIT_REASON}: {limit.message}",
                        RejectKind.DAILY_LIMIT,
                        hubspot_category=limit.category,
                        hubspot_message=limit.message,
                    )
                continue
            for index in action.row_indexes:
                if error is None:
                    outcomes[index].outcome = action.outcome
                else:
                    outcomes[index].reject(
                        f"HubSpot rejected the pair {action.pair[0]} → {action.pair[1]}: {error.message}",
                        RejectKind.HUBSPOT,
                        hubspot_category=error.category,
                        hubspot_message=error.message,
                    )
        if self.progress is not None:
            self.progress.advance(sum(len(a.row_indexes) for a in plan.actions if not a.writes), "planned")
        if limit is not None:
            raise daily_limit_error(limit, list(outcomes.values()), not_written) from limit
        return report

    def _write(self, plan: SyncPlan, report: ExecutionReport) -> None:
        self._archive_labels(plan.label_archives)
        self._creates(plan.creates, report)
        self._defaults(plan.default_creates, report)
        pairs = [a.pair for a in plan.pair_archives] + list(plan.prune)
        for chunk in chunks(pairs, OTHER_SLICE):
            self.client.batch_archive(
                from_object_type=self.from_object_type, to_object_type=self.to_object_type, pairs=chunk
            )
            self._done["archive"].update(chunk)
        self._advance(plan.pair_archives)

    def _written(self, action: PairAction) -> bool:
        """Whether every write of ``action`` was sent (and answered)."""
        pair, done = action.pair, self._done
        return (
            (not action.archive_types or pair in done["labels"])
            and (not action.create_types or pair in done["create"])
            and (not action.default_create or pair in done["default"])
            and (not action.archive_pair or pair in done["archive"])
        )

    def _archive_labels(self, actions: Sequence[PairAction]) -> None:
        inputs = [AssociationInput(a.pair[0], a.pair[1], a.archive_types) for a in actions]
        for chunk in chunks(inputs, OTHER_SLICE):
            self.client.batch_archive_labels(
                from_object_type=self.from_object_type, to_object_type=self.to_object_type, inputs=chunk
            )
            self._done["labels"].update((item.from_id, item.to_id) for item in chunk)
        # rows with creates too are counted when their create is done
        self._advance(a for a in actions if not a.create_types)

    def _creates(self, actions: Sequence[PairAction], report: ExecutionReport) -> None:
        for chunk in chunks(actions, CREATE_BATCH):
            inputs = [AssociationInput(a.pair[0], a.pair[1], a.create_types or ()) for a in chunk]
            try:
                answer = self.client.batch_create(
                    from_object_type=self.from_object_type, to_object_type=self.to_object_type, inputs=inputs
                )
            except HubSpotValidationError as exc:
                self._done["create"].update(a.pair for a in chunk)
                self._reject_chunk(chunk, report, exc)
                continue
            self._done["create"].update(a.pair for a in chunk)
            # which pairs HubSpot confirmed matters only for errors that name no input
            succeeded = (
                {(normalize_id(r.from_object_id), normalize_id(r.to_object_id)) for r in answer.results}
                if answer.errors
                else set()
            )
            self._land_errors(chunk, report, answer.errors, succeeded)

    def _defaults(self, actions: Sequence[PairAction], report: ExecutionReport) -> None:
        for chunk in chunks(actions, OTHER_SLICE):
            try:
                answer = self.client.batch_associate_default(
                    from_object_type=self.from_object_type,
                    to_object_type=self.to_object_type,
                    pairs=[a.pair for a in chunk],
                )
            except HubSpotValidationError as exc:
                self._done["default"].update(a.pair for a in chunk)
                self._reject_chunk(chunk, report, exc)
                continue
            self._done["default"].update(a.pair for a in chunk)
            succeeded = {(normalize_id(r.from_id), normalize_id(r.to_id)) for r in answer.results}
            self._land_errors(chunk, report, answer.errors, succeeded)

    def _reject_chunk(
        self, chunk: Sequence[PairAction], report: ExecutionReport, exc: HubSpotValidationError
    ) -> None:
        """HubSpot refused a whole request (400): every pair of it is rejected with the message."""
        error = BatchRowError(category=exc.category or "VALIDATION_ERROR", message=exc.message)
        for action in chunk:
            report.failed_pairs[action.pair] = error
        self._advance(chunk)

    def _land_errors(
        self,
        chunk: Sequence[PairAction],
        report: ExecutionReport,
        errors: Sequence[BatchRowError],
        succeeded: set[tuple[str, str]],
    ) -> None:
        """Put each per-row error on the pairs it concerns (by input index, else by context ids).

        An error that names no input fails the pairs of the chunk that HubSpot did not confirm.
        """
        in_chunk = {a.pair for a in chunk}
        unattributed: list[BatchRowError] = []
        for error in errors:
            pairs = [chunk[i].pair for i in error.input_indexes if 0 <= i < len(chunk)]
            if not pairs:
                froms, tos = _error_ids(error, "fromObjectId"), _error_ids(error, "toObjectId")
                pairs = [p for p in zip(froms, tos, strict=False) if p in in_chunk]
            if not pairs:
                unattributed.append(error)
            for pair in pairs:
                report.failed_pairs[pair] = error
        if unattributed:
            for action in chunk:
                if action.pair not in succeeded and action.pair not in report.failed_pairs:
                    report.failed_pairs[action.pair] = unattributed[0]
        self._advance(chunk)


def unlabeled_spec(definitions: Iterable[AssociationType]) -> AssociationSpec | None:
    """The unlabeled type of a direction, from its label definitions.

    :param definitions: the direction's types.
    """
    for definition in definitions:
        if is_unlabeled(definition):
            return definition.spec
    return None
