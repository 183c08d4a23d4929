"""Typed errors of the sync layer.

Every error here is permanent: retrying the same task with the same input fails the same way.
Transient HubSpot errors are not wrapped; they propagate from the client unchanged. The daily-limit
error, which carries the run's outcomes, is :class:`~.outcomes.DailyLimitReachedError`.
"""

from __future__ import annotations


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

    No pair was removed: the guard is checked on the whole run's removals before the first one is
    sent. Creates and label changes may have been written before (the message says so); with the
    operator's mirror pre-check (the default for ``sql``), nothing was written at all.

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


class OutcomeAccountingError(SyncError):
    """The outcome counts do not add up to the input rows: a bug, never expected in practice."""
