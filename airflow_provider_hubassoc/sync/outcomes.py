"""Per-row outcomes and the task summary."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from airflow_provider_hubassoc.sync.errors import (
    OutcomeAccountingError,
    SyncConfigurationError,
    TooManyRejectedRowsError,
)

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


def json_safe(value: object) -> Any:
    """Return a JSON-serialisable copy of ``value`` (unknown objects become their ``str``).

    :param value: an input row or part of one.
    """
    return json.loads(json.dumps(value, default=str))


@dataclass(slots=True)
class RowOutcome:
    """The outcome of one input row.

    :param index: the row's position in the input (0-based).
    :param row: the input row as given (for the rejects report).
    :param outcome: what happened to it.
    :param reason: why it was rejected (``None`` unless rejected).
    :param kind: the kind of rejection.
    :param hubspot_category: HubSpot's error category, for HubSpot's per-row errors.
    :param hubspot_message: HubSpot's message, for HubSpot's per-row errors.
    """

    index: int
    row: object
    outcome: Outcome | None = None
    reason: str | None = None
    kind: RejectKind | None = None
    hubspot_category: str | None = None
    hubspot_message: str | None = None

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
        }


@dataclass(slots=True)
class SyncSummary:
    """The counts a task pushes to XCom.

    For upserts ``created + updated + unchanged + rejected == rows`` and ``removed`` counts the
    pairs mirror mode removed (those are not input rows). For deletes
    ``removed + unchanged + rejected == rows``.

    :param mode: ``append``, ``replace``, ``mirror`` or ``delete``.
    :param dry_run: whether writes were skipped.
    :param rows: input rows.
    :param created: rows whose pair did not exist before.
    :param updated: rows whose pair existed and whose labels changed.
    :param unchanged: rows whose pair was already as desired.
    :param removed: pairs (mirror) or rows (delete) removed.
    :param rejected: rows rejected.
    :param requests: HTTP requests the task sent (reads included).
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
    requests: int = 0
    rejected_sample: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_outcomes(
        cls, outcomes: Iterable[RowOutcome], *, mode: str, dry_run: bool, removed_pairs: int, requests: int
    ) -> SyncSummary:
        """Count the outcomes and check that they add up.

        :param outcomes: one per input row.
        :param mode: the sync mode (``delete`` for deletions).
        :param dry_run: whether writes were skipped.
        :param removed_pairs: pairs removed by mirror mode (upserts only).
        :param requests: HTTP requests sent.
        :raises OutcomeAccountingError: when a row has no outcome or the counts do not add up.
        """
        summary = cls(mode=mode, dry_run=dry_run, requests=requests)
        for item in outcomes:
            summary.rows += 1
            if item.outcome is None:
                raise OutcomeAccountingError(f"row {item.index} has no outcome")
            if item.outcome is Outcome.CREATED:
                summary.created += 1
            elif item.outcome is Outcome.UPDATED:
                summary.updated += 1
            elif item.outcome is Outcome.UNCHANGED:
                summary.unchanged += 1
            elif item.outcome is Outcome.REMOVED:
                summary.removed += 1
            else:
                summary.rejected += 1
                if len(summary.rejected_sample) < REJECTED_SAMPLE_SIZE:
                    summary.rejected_sample.append(
                        {"index": item.index, "row": json_safe(item.row), "reason": item.reason}
                    )
        if mode != "delete":
            if summary.removed:
                raise OutcomeAccountingError("an upsert row ended as 'removed'")
            summary.removed = removed_pairs
        summary.check()
        return summary

    def add(self, other: SyncSummary) -> None:
        """Add another summary's counts to this one (a streamed sync adds one summary per chunk).

        The rejected sample keeps the first :data:`REJECTED_SAMPLE_SIZE` rejected rows overall.

        :param other: the summary of a later chunk of the same run.
        """
        self.rows += other.rows
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.removed += other.removed
        self.rejected += other.rejected
        self.requests += other.requests
        room = REJECTED_SAMPLE_SIZE - len(self.rejected_sample)
        if room > 0:
            self.rejected_sample.extend(other.rejected_sample[:room])

    def check(self) -> None:
        """Check the accounting invariant of the mode.

        :raises OutcomeAccountingError: when the counts do not add up to ``rows``.
        """
        if self.mode == "delete":
            total = self.removed + self.unchanged + self.rejected
            ok = total == self.rows and self.created == 0 and self.updated == 0
        else:
            total = self.created + self.updated + self.unchanged + self.rejected
            ok = total == self.rows
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
            "requests": self.requests,
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
            f"removed {self.removed}). First reasons: {reasons}. {where[0].upper()}{where[1:]}."
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
