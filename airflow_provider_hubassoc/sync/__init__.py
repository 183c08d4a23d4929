"""Airflow-free association sync: rows → validate → resolve labels → read → plan → write → outcomes."""

from __future__ import annotations

from airflow_provider_hubassoc.sync.engine import (
    StreamedSyncResult,
    SyncResult,
    delete_associations,
    delete_associations_streamed,
    upsert_associations,
    upsert_associations_streamed,
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
from airflow_provider_hubassoc.sync.outcomes import Outcome, RowOutcome, SyncSummary
from airflow_provider_hubassoc.sync.plan import SyncMode
from airflow_provider_hubassoc.sync.progress import ProgressLogger
from airflow_provider_hubassoc.sync.report import write_rejects_report

__all__ = [
    "EnsureLabelResult",
    "LabelConflictError",
    "LabelResolver",
    "MassDeletionGuardError",
    "Outcome",
    "OutcomeAccountingError",
    "ProgressLogger",
    "RowOutcome",
    "StreamedSyncResult",
    "SyncConfigurationError",
    "SyncError",
    "SyncMode",
    "SyncResult",
    "SyncSummary",
    "TooManyRejectedRowsError",
    "UngroupedInputError",
    "delete_associations",
    "delete_associations_streamed",
    "ensure_label",
    "upsert_associations",
    "upsert_associations_streamed",
    "write_rejects_report",
]
