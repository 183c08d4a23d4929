"""Airflow-free association sync: one pipeline from rows to the summary (see :mod:`.engine`)."""

from __future__ import annotations

from airflow_provider_hubassoc.sync.engine import (
    SyncResult,
    delete_associations,
    run_sync,
    upsert_associations,
)
from airflow_provider_hubassoc.sync.errors import (
    LabelConflictError,
    MassDeletionGuardError,
    OutcomeAccountingError,
    SyncConfigurationError,
    SyncError,
    TooManyRejectedRowsError,
    UngroupedInputError,
)
from airflow_provider_hubassoc.sync.labels import EnsureLabelResult, LabelResolver, ensure_label
from airflow_provider_hubassoc.sync.outcomes import DailyLimitReachedError, Outcome, RowOutcome, SyncSummary
from airflow_provider_hubassoc.sync.progress import ProgressLogger
from airflow_provider_hubassoc.sync.report import write_rejects_report
from airflow_provider_hubassoc.sync.spec import Guard, SyncMode, SyncSpec

__all__ = [
    "DailyLimitReachedError",
    "EnsureLabelResult",
    "Guard",
    "LabelConflictError",
    "LabelResolver",
    "MassDeletionGuardError",
    "Outcome",
    "OutcomeAccountingError",
    "ProgressLogger",
    "RowOutcome",
    "SyncConfigurationError",
    "SyncError",
    "SyncMode",
    "SyncResult",
    "SyncSpec",
    "SyncSummary",
    "TooManyRejectedRowsError",
    "UngroupedInputError",
    "delete_associations",
    "ensure_label",
    "run_sync",
    "upsert_associations",
    "write_rejects_report",
]
