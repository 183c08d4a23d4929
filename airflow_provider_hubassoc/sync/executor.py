"""Writes plans through a client. HubSpot's per-request limits live in the client, which chunks
every call; this module sends each kind of write as one call and maps every answer back to its
pairs through one index-to-outcome mapping (:meth:`PlanWriter._land`). The current state is read
by :mod:`.read`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from airflow_provider_hubassoc.client.errors import (
    HubSpotDailyLimitError,
    HubSpotUnexpectedResponseError,
    HubSpotValidationError,
)
from airflow_provider_hubassoc.client.models import (
    AssociationInput,
    BatchResult,
    BatchRowError,
    normalize_id,
)
from airflow_provider_hubassoc.sync.outcomes import DAILY_LIMIT_REASON, Outcome, RejectKind, RowOutcome
from airflow_provider_hubassoc.sync.plan import Pair, PairAction, SyncPlan
from airflow_provider_hubassoc.sync.protocols import AssociationsClient
from airflow_provider_hubassoc.sync.read import context_ids
from airflow_provider_hubassoc.sync.spec import SyncSpec

#: The answer of one write call: a batch result, or ``None`` for calls that return nothing.
Answer = BatchResult[object] | None


@dataclass(slots=True)
class WriteReport:
    """What the writes of one chunk (or the run's prunes) did.

    :param failed: pairs HubSpot rejected, with its error.
    :param unsent: pairs whose write was not sent because HubSpot's daily limit stopped the run.
    :param limit: the daily-limit error, when it stopped the writes.
    """

    failed: dict[Pair, BatchRowError] = field(default_factory=dict)
    unsent: set[Pair] = field(default_factory=set)
    limit: HubSpotDailyLimitError | None = None


class PlanWriter:
    """Writes plans: label archives, batch creates, default associations, pair archives, then (at
    the end of a mirror run) prunes; every write's answer lands on its pairs the same way.

    :param client: the HubSpot client.
    :param spec: the sync.
    """

    def __init__(self, client: AssociationsClient, spec: SyncSpec) -> None:
        self.client = client
        self.spec = spec

    def write(self, plan: SyncPlan) -> WriteReport:
        """Send a chunk's writes (nothing in a dry run).

        :param plan: the chunk's plan.
        """
        report = WriteReport()
        if self.spec.dry_run:
            return report
        for actions, send in (
            (plan.label_archives, self._archive_labels),
            (plan.creates, self._create),
            (plan.default_creates, self._default),
            (plan.pair_archives, self._archive_pairs),
        ):
            if actions:
                self._run([a.pair for a in actions], functools.partial(send, actions), report)
        return report

    def prune(self, pairs: Sequence[Pair]) -> WriteReport:
        """Remove mirror's pairs (nothing in a dry run).

        :param pairs: the pairs to remove.
        """
        report = WriteReport()
        if pairs and not self.spec.dry_run:
            self._run(pairs, functools.partial(self._archive, pairs), report)
        return report

    def _run(self, pairs: Sequence[Pair], send: Callable[[], Answer], report: WriteReport) -> None:
        """One write call, and its answer landed on ``pairs`` (the call's inputs, in order)."""
        if report.limit is not None:
            report.unsent.update(pairs)
            return
        try:
            answer = send()
        except HubSpotDailyLimitError as exc:
            applied = exc.applied_inputs or 0
            report.limit = exc
            report.unsent.update(pairs[applied:])
            partial = exc.partial_result if isinstance(exc.partial_result, BatchResult) else None
            self._land(pairs[:applied], partial, report)
            return
        except HubSpotValidationError as exc:
            # HubSpot refused one request whole (400): its pairs, and those not sent after it, fail
            applied = exc.applied_inputs or 0
            error = BatchRowError(category=exc.category or "VALIDATION_ERROR", message=exc.message)
            for pair in pairs[applied:]:
                report.failed.setdefault(pair, error)
            partial = exc.partial_result if isinstance(exc.partial_result, BatchResult) else None
            self._land(pairs[:applied], partial, report)
            return
        self._land(pairs, answer, report)

    @staticmethod
    def _land(pairs: Sequence[Pair], answer: Answer, report: WriteReport) -> None:
        """The one index-to-outcome mapping: put each per-row error on the pairs it concerns.

        An error is tied to its inputs by index, else by the ids in its context. An error tied to
        nothing fails every pair HubSpot did not confirm in ``answer.results`` (for calls whose
        results name no pair, every pair of the call): a pair is never counted written unless
        HubSpot said so.
        """
        if answer is None or not answer.errors:
            return
        in_call = set(pairs)
        untied: BatchRowError | None = None
        for error in answer.errors:
            tied = [pairs[i] for i in error.input_indexes if 0 <= i < len(pairs)]
            if not tied:
                froms, tos = context_ids(error, "fromObjectId"), context_ids(error, "toObjectId")
                tied = [p for p in zip(froms, tos, strict=False) if p in in_call]
            if not tied and untied is None:
                untied = error
            for pair in tied:
                report.failed.setdefault(pair, error)
        if untied is not None:
            try:
                confirmed = {_result_pair(r) for r in answer.results}
            except HubSpotUnexpectedResponseError:  # rows HubSpot sent malformed confirm nothing
                confirmed = set()
            for pair in pairs:
                if pair not in confirmed:
                    report.failed.setdefault(pair, untied)

    def _archive_labels(self, actions: Sequence[PairAction]) -> Answer:
        inputs = [AssociationInput(a.pair[0], a.pair[1], a.archive_types) for a in actions]
        answer: object = self.client.batch_archive_labels(
            from_object_type=self.spec.from_object_type,
            to_object_type=self.spec.to_object_type,
            inputs=inputs,
        )
        return answer if isinstance(answer, BatchResult) else None

    def _create(self, actions: Sequence[PairAction]) -> Answer:
        inputs = [AssociationInput(a.pair[0], a.pair[1], a.create_types or ()) for a in actions]
        answer: object = self.client.batch_create(
            from_object_type=self.spec.from_object_type,
            to_object_type=self.spec.to_object_type,
            inputs=inputs,
        )
        return answer if isinstance(answer, BatchResult) else None

    def _default(self, actions: Sequence[PairAction]) -> Answer:
        answer: object = self.client.batch_associate_default(
            from_object_type=self.spec.from_object_type,
            to_object_type=self.spec.to_object_type,
            pairs=[a.pair for a in actions],
        )
        return answer if isinstance(answer, BatchResult) else None

    def _archive_pairs(self, actions: Sequence[PairAction]) -> Answer:
        return self._archive([a.pair for a in actions])

    def _archive(self, pairs: Sequence[Pair]) -> Answer:
        answer: object = self.client.batch_archive(
            from_object_type=self.spec.from_object_type, to_object_type=self.spec.to_object_type, pairs=pairs
        )
        return answer if isinstance(answer, BatchResult) else None


def _result_pair(result: object) -> Pair | None:
    """The pair a batch answer's result row names (labelled create or default association)."""
    from_id = getattr(result, "from_object_id", None) or getattr(result, "from_id", None)
    to_id = getattr(result, "to_object_id", None) or getattr(result, "to_id", None)
    if from_id is None or to_id is None:
        return None
    try:
        return (normalize_id(from_id), normalize_id(to_id))
    except ValueError:
        return None


def apply_report(plan: SyncPlan, report: WriteReport, outcomes: Callable[[int], RowOutcome]) -> int:
    """Give every row of the plan's pairs its outcome: the planned one, or rejected. Returns the rows
    left unwritten by the daily limit.

    :param plan: the chunk's plan.
    :param report: what the writes did.
    :param outcomes: index → the row's outcome.
    """
    for item in plan.unchanged:  # nothing was written for them: nothing can have failed
        for index in item.row_indexes:
            outcomes(index).outcome = Outcome.UNCHANGED
    not_written = 0
    limit = report.limit
    for action in plan.actions:
        error = report.failed.get(action.pair)
        unsent = action.writes and action.pair in report.unsent
        for index in action.row_indexes:
            outcome = outcomes(index)
            if error is not None:
                outcome.reject(
                    f"HubSpot rejected the pair {action.pair[0]} → {action.pair[1]}: {error.message}",
                    RejectKind.HUBSPOT,
                    hubspot_category=error.category,
                    hubspot_message=error.message,
                )
            elif unsent and limit is not None:
                not_written += 1
                reject_unsent(outcome, limit)
            else:
                outcome.outcome = action.outcome
    return not_written


def reject_unsent(outcome: RowOutcome, limit: HubSpotDailyLimitError) -> None:
    """Reject a row that HubSpot's daily limit left unwritten.

    :param outcome: the row's outcome.
    :param limit: the client's daily-limit error.
    """
    outcome.reject(
        f"{DAILY_LIMIT_REASON}: {limit.message}",
        RejectKind.DAILY_LIMIT,
        hubspot_category=limit.category,
        hubspot_message=limit.message,
    )
