"""Typed errors of the sync layer.

Every error here is permanent: retrying the same task with the same input fails the same way.
Transient HubSpot errors are not wrapped; they propagate from the client unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from airflow_provider_hubassoc.sync.outcomes import RowOutcome, SyncSummary

#: The reason given to rows left unwritten when HubSpot's daily API limit stops a sync.
DAILY_LIMIT_REASON = "daily limit reached"


class SyncError(Exception):
    """Base class of the sync layer's errors.

    :param message: what went wrong and what to fix.
    """

    permanent: bool = True

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SyncConfigurationError(SyncError):
    """A task-level setting is unusable: unknown object type or mode, a bad guard value, and so on."""


class UngroupedInputError(SyncConfigurationError):
    """Streamed mirror input is not grouped by from-record: a from-id reappeared after its rows
    ended. The message says which id and asks for ``ORDER BY`` on the from-id column.

    :param message: the explanation.
    :param from_id: the from-record id that reappeared.
    :param row_index: the position (0-based) of the row where it reappeared.
    """

    def __init__(self, message: str, *, from_id: str, row_index: int) -> None:
        super().__init__(message)
        self.from_id = from_id
        self.row_index = row_index


class LabelConflictError(SyncError):
    """A label with the requested internal name exists with another display label, and updating
    it is not allowed (``update_existing=False``), or the existing label cannot be identified."""


class MassDeletionGuardError(SyncError):
    """Mirror mode would remove more pairs than ``max_deletes`` allows.

    Nothing was written by the chunk (or the whole input) that tripped the guard; in a streamed
    sync without the dry-run pre-check, earlier chunks may have been written (the message says how
    many pairs were already removed).

    :param message: the explanation.
    :param would_remove: how many pairs the plan would remove.
    :param allowed: how many pairs the guard allows.
    :param current_pairs: how many pairs the from-records in scope have now.
    """

    def __init__(self, message: str, *, would_remove: int, allowed: int, current_pairs: int) -> None:
        super().__init__(message)
        self.would_remove = would_remove
        self.allowed = allowed
        self.current_pairs = current_pairs


class TooManyRejectedRowsError(SyncError):
    """More rows were rejected than ``max_rejected_ratio`` allows (raised after all writes)."""


class DailyLimitReachedError(SyncError):
    """HubSpot's daily API limit (429 ``DAILY``) stopped the sync; nothing more can be sent today.

    Every row still has its outcome: rows written before the limit keep theirs, the others are
    rejected with the reason :data:`DAILY_LIMIT_REASON` (kind ``daily_limit``).

    :param message: the explanation, with HubSpot's message.
    :param outcomes: the outcome of every row of the sync (or of the chunk, when streamed).
    :param not_written: how many of them were rejected because of the limit.
    :param summary: the whole run's counts, when streamed (its ``outcomes`` are then not kept).
    """

    def __init__(
        self,
        message: str,
        *,
        outcomes: list[RowOutcome],
        not_written: int,
        summary: SyncSummary | None = None,
    ) -> None:
        super().__init__(message)
        self.outcomes = outcomes
        self.not_written = not_written
        self.summary = summary


def daily_limit_error(
    cause: Exception, outcomes: list[RowOutcome], not_written: int
) -> DailyLimitReachedError:
    """Build the :class:`DailyLimitReachedError` for a sync stopped by the daily limit.

    :param cause: the client's daily-limit error.
    :param outcomes: every row's outcome.
    :param not_written: how many rows the limit left unwritten.
    """
    return DailyLimitReachedError(
        f"HubSpot's daily API limit is reached ({cause}); {not_written} of {len(outcomes)} rows were not "
        f"written and are rejected with reason {DAILY_LIMIT_REASON!r}. Nothing more can be sent to this "
        "portal until the limit resets (midnight in the portal's time zone); re-run the task then.",
        outcomes=outcomes,
        not_written=not_written,
    )


class OutcomeAccountingError(SyncError):
    """The outcome counts do not add up to the input rows: a bug, never expected in practice."""
