"""Per-row outcomes, the task summary, and the daily-limit error that carries them."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from operator import attrgetter
from typing import Any, Final

import msgspec

from airflow_provider_hubassoc.sync.errors import (
    OutcomeAccountingError,
    SyncConfigurationError,
    SyncError,
    TooManyRejectedRowsError,
)
from airflow_provider_hubassoc.sync.rows import shown

#: The reason given to rows left unwritten when HubSpot's daily API limit stops a sync.
DAILY_LIMIT_REASON = "daily limit reached"
#: How deep :func:`json_safe` copies a row; deeper parts become their short ``repr``.
_MAX_JSON_DEPTH = 20
#: How many items of one container :func:`json_safe` copies.
_MAX_JSON_ITEMS = 1_000

#: How many rejected rows the summary carries (the report file has all of them).
REJECTED_SAMPLE_SIZE = 20


class Outcome(StrEnum):
    """What happened to one input row."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REMOVED = "removed"
    REJECTED = "rejected"


class RejectKind(StrEnum):
    """Why a row was rejected."""

    VALIDATION = "validation"
    UNKNOWN_LABEL = "unknown_label"
    PRIMARY_UNAVAILABLE = "primary_unavailable"
    PRIMARY_CONFLICT = "primary_conflict"
    HUBSPOT = "hubspot"
    DAILY_LIMIT = "daily_limit"
    UNRESOLVED_KEY = "unresolved_key"


def json_safe(value: object) -> Any:
    """Return a JSON-serialisable copy of ``value``, whatever it holds.

    Containers are copied at most :data:`_MAX_JSON_DEPTH` deep and :data:`_MAX_JSON_ITEMS` long, a
    container that contains itself is cut where it repeats, and anything else that JSON cannot
    hold (huge ints, NaN, objects) becomes a short text: a rejected row is always reportable.

    :param value: an input row or part of one.
    """
    return _json_copy(value, 0, set())


def _text(value: str) -> str:
    """A string that any UTF-8 sink can write (lone surrogates replaced), at most 10,000 characters."""
    if len(value) > 10_000:
        value = shown(value, 10_000)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")
    return value


def _key(key: object) -> str:
    """A mapping key as JSON text."""
    if isinstance(key, str):
        return _text(key)
    copied = _json_copy(key, _MAX_JSON_DEPTH, set())  # scalars only: containers become their repr
    return copied if isinstance(copied, str) else json.dumps(copied)


def _json_copy(value: object, depth: int, seen: set[int]) -> Any:
    if isinstance(value, str):
        return _text(value)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**63 else shown(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        if depth >= _MAX_JSON_DEPTH or id(value) in seen:
            return shown(value)
        seen.add(id(value))
        try:
            if isinstance(value, Mapping):
                return {
                    _key(key): _json_copy(item, depth + 1, seen)
                    for key, item in list(value.items())[:_MAX_JSON_ITEMS]
                }
            return [_json_copy(item, depth + 1, seen) for item in list(value)[:_MAX_JSON_ITEMS]]
        except Exception:  # a user container may fail while iterated
            return shown(value)
        finally:
            seen.discard(id(value))
    return shown(value, 200)


class RowOutcome(msgspec.Struct):
    """The outcome of one input row.

    A ``msgspec.Struct`` (one is built per input row, in C). Unlike the pipeline's other structs it
    stays tracked by the cyclic garbage collector: it holds the caller's row, and a caller's
    ``on_rejected`` may well store the outcome back into it.

    :param index: the row's position in the input (0-based).
    :param row: the input row as given (for the rejects report).
    :param outcome: what happened to it.
    :param reason: why it was rejected (``None`` unless rejected).
    :param kind: the kind of rejection.
    :param hubspot_category: HubSpot's error category, for HubSpot's per-row errors.
    :param hubspot_message: HubSpot's message, for HubSpot's per-row errors.
    :param note: what the row's keys resolved to when it is worth saying (the oldest of several
        matches chosen, a merged record followed), whatever the outcome.
    """

    index: int
    row: object
    outcome: Outcome | None = None
    reason: str | None = None
    kind: RejectKind | None = None
    hubspot_category: str | None = None
    hubspot_message: str | None = None
    note: str | None = None

    def reject(
        self,
        reason: str,
        kind: RejectKind,
        *,
        hubspot_category: str | None = None,
        hubspot_message: str | None = None,
    ) -> None:
        """Mark the row rejected.

        :param reason: a sentence a DAG author can act on.
        :param kind: the kind of rejection.
        :param hubspot_category: HubSpot's error category, when HubSpot rejected it.
        :param hubspot_message: HubSpot's message, when HubSpot rejected it.
        """
        self.outcome = Outcome.REJECTED
        self.reason = reason
        self.kind = kind
        self.hubspot_category = hubspot_category
        self.hubspot_message = hubspot_message

    def to_report(self) -> dict[str, Any]:
        """Return the row's rejects-report entry (JSON-serialisable)."""
        return {
            "index": self.index,
            "row": json_safe(self.row),
            "reason": self.reason,
            "kind": str(self.kind) if self.kind else None,
            "hubspot_category": self.hubspot_category,
            "hubspot_message": self.hubspot_message,
            "note": self.note,
        }


_OUTCOME_OF: Final = attrgetter("outcome")


@dataclass(slots=True)
class SyncSummary:
    """The counts a task pushes to XCom.

    Every count but ``pruned`` counts input rows. For upserts
    ``created + updated + unchanged + rejected == rows``; for deletes
    ``removed + unchanged + rejected == rows``. ``pruned`` counts the pairs mirror removed because
    they were absent from the input (those are not input rows; 0 outside mirror);
    ``prune_refused`` the pairs mirror meant to remove but HubSpot refused (they stay in the CRM; the
    next run plans them again).

    :param mode: ``append``, ``replace``, ``mirror`` or ``delete``.
    :param dry_run: whether writes were skipped.
    :param rows: input rows.
    :param created: rows whose pair did not exist before.
    :param updated: rows whose pair existed and whose labels changed.
    :param unchanged: rows whose pair was already as desired.
    :param removed: rows whose pair (or labels) the delete removed.
    :param rejected: rows rejected.
    :param pruned: pairs mirror removed (not input rows).
    :param prune_refused: pairs mirror meant to remove that HubSpot refused (not input rows).
    :param requests: HTTP requests the task sent (reads and lookups included).
    :param lookups: of those, the requests that resolved business keys (``from_id_property`` /
        ``to_id_property``; 0 without keys).
    :param rejected_sample: up to 20 rejected rows with their reasons.
    """

    mode: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: int = 0
    pruned: int = 0
    prune_refused: int = 0
    requests: int = 0
    lookups: int = 0
    rejected_sample: list[dict[str, Any]] = field(default_factory=list)

    def count(self, item: RowOutcome) -> None:
        """Count one row's outcome.

        :param item: a row that reached its outcome.
        :raises OutcomeAccountingError: when the row has no outcome.
        """
        self.count_all((item,))

    def count_all(self, items: Sequence[RowOutcome]) -> list[RowOutcome]:
        """Count the outcomes of some rows (a chunk), and return the rejected ones in order.

        :param items: rows that reached their outcome.
        :raises OutcomeAccountingError: when a row has no outcome.
        """
        tally = Counter(map(_OUTCOME_OF, items))
        if None in tally:
            missing = next(item for item in items if item.outcome is None)
            raise OutcomeAccountingError(f"row {missing.index} has no outcome")
        self.rows += len(items)
        self.created += tally[Outcome.CREATED]
        self.updated += tally[Outcome.UPDATED]
        self.unchanged += tally[Outcome.UNCHANGED]
        self.removed += tally[Outcome.REMOVED]
        if not tally[Outcome.REJECTED]:
            return []
        rejected = [item for item in items if item.outcome is Outcome.REJECTED]
        self.rejected += len(rejected)
        for item in rejected[: max(0, REJECTED_SAMPLE_SIZE - len(self.rejected_sample))]:
            self.rejected_sample.append(
                {"index": item.index, "row": json_safe(item.row), "reason": item.reason}
            )
        return rejected

    def check(self) -> None:
        """Check the accounting invariant of the mode.

        :raises OutcomeAccountingError: when the counts do not add up to ``rows``.
        """
        if self.mode == "delete":
            total = self.removed + self.unchanged + self.rejected
            ok = (
                total == self.rows
                and self.created == 0
                and self.updated == 0
                and self.pruned == self.prune_refused == 0
            )
        else:
            total = self.created + self.updated + self.unchanged + self.rejected
            ok = total == self.rows and self.removed == 0
        if not ok:
            raise OutcomeAccountingError(
                f"outcomes do not add up: {self.to_dict()} (accounted {total} of {self.rows} rows)"
            )

    def to_dict(self) -> dict[str, Any]:
        """Return the XCom form of the summary."""
        return {
            "mode": self.mode,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "rejected": self.rejected,
            "pruned": self.pruned,
            "prune_refused": self.prune_refused,
            "requests": self.requests,
            "lookups": self.lookups,
            "rejected_sample": list(self.rejected_sample),
        }

    def check_rejected_ratio(self, max_rejected_ratio: float, *, report_location: str | None = None) -> None:
        """Fail when more rows were rejected than allowed.

        :param max_rejected_ratio: the largest allowed ``rejected / rows``.
        :param report_location: where the rejects report was written, for the message.
        :raises TooManyRejectedRowsError: when ``rejected / rows > max_rejected_ratio``.
        """
        if not self.rows or self.rejected / self.rows <= max_rejected_ratio:
            return
        reasons = "; ".join(
            f"row {s['index']}: {str(s['reason']).rstrip('.')}" for s in self.rejected_sample[:5]
        )
        where = (
            f"the full list is in {report_location}"
            if report_location
            else "set rejects_path to get a report of every rejected row"
        )
        raise TooManyRejectedRowsError(
            f"{self.rejected} of {self.rows} rows rejected ({self.rejected / self.rows:.1%}), more than "
            f"max_rejected_ratio={max_rejected_ratio}; valid rows were written "
            f"(created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"removed {self.removed}, pruned {self.pruned}). First reasons: {reasons}. "
            f"{where[0].upper()}{where[1:]}."
        )


def validate_ratio(value: object) -> float:
    """Validate ``max_rejected_ratio``.

    :param value: a number (or numeric string) in ``[0, 1]``.
    :raises SyncConfigurationError: otherwise.
    """
    if isinstance(value, bool):
        raise SyncConfigurationError(f"max_rejected_ratio must be a number in [0, 1], got {value!r}")
    try:
        ratio = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SyncConfigurationError(
            f"max_rejected_ratio must be a number in [0, 1], got {value!r}"
        ) from None
    if not 0.0 <= ratio <= 1.0:
        raise SyncConfigurationError(f"max_rejected_ratio must be a number in [0, 1], got {value!r}")
    return ratio


def merge_report_entries(outcomes: Iterable[RowOutcome]) -> list[Mapping[str, Any]]:
    """Return the report entries of the rejected rows, in input order.

    :param outcomes: the outcomes of a run.
    """
    return [o.to_report() for o in sorted(outcomes, key=lambda o: o.index) if o.outcome is Outcome.REJECTED]


class DailyLimitReachedError(SyncError):
    """HubSpot's daily API limit (429 ``DAILY``) stopped the sync; nothing more can be sent today.

    Every input row is accounted for: rows written before the limit keep their outcome, the others
    are rejected with the reason :data:`DAILY_LIMIT_REASON` (kind ``daily_limit``), rows the source
    had not yet yielded included (they are drained without any request).

    :param message: the explanation, with HubSpot's message.
    :param summary: the whole run's counts.
    :param not_written: how many rows were rejected because of the limit.
    :param outcomes: every row's outcome, when the caller asked to keep them (else empty).
    """

    def __init__(
        self, message: str, *, summary: SyncSummary, not_written: int, outcomes: list[RowOutcome]
    ) -> None:
        super().__init__(message)
        self.summary = summary
        self.not_written = not_written
        self.outcomes = outcomes
