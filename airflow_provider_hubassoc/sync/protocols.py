"""The part of the HubSpot client the sync layer uses, as a structural type.

The sync layer depends on this protocol, not on the concrete client, so that it can be driven by
an in-memory fake in unit tests and by :class:`HubSpotAssociationsClient` in production.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from airflow_provider_hubassoc.client.models import (
    AssociationInput,
    AssociationType,
    BatchReadResult,
    BatchResult,
    DefaultAssociation,
    LabelsBetweenObjectPair,
)

RecordId = str | int


class ClientStats(Protocol):
    """Request counters kept by the client."""

    @property
    def requests(self) -> int:
        """HTTP requests sent so far."""

    @property
    def retries(self) -> int:
        """Requests retried so far."""

    @property
    def rate_limited(self) -> int:
        """429 answers received so far."""


class LabelListing(Protocol):
    """What label resolution needs."""

    def list_labels(self, *, from_object_type: str, to_object_type: str) -> list[AssociationType]:
        """List the association types of one direction."""


class LabelsClient(LabelListing, Protocol):
    """What label management needs."""

    def create_label(
        self,
        *,
        from_object_type: str,
        to_object_type: str,
        name: str,
        label: str,
        inverse_label: str | None = None,
    ) -> list[AssociationType]:
        """Create a (possibly paired) label."""

    def update_label(
        self,
        *,
        from_object_type: str,
        to_object_type: str,
        association_type_id: int,
        label: str,
        inverse_label: str | None = None,
    ) -> None:
        """Change a label's display text."""


class AssociationsClient(LabelListing, Protocol):
    """What association syncs need."""

    @property
    def stats(self) -> ClientStats:
        """The client's request counters."""

    def batch_read(
        self, *, from_object_type: str, to_object_type: str, object_ids: Sequence[RecordId]
    ) -> BatchReadResult:
        """Read every association of the given from-records (all pages)."""

    def batch_create(
        self, *, from_object_type: str, to_object_type: str, inputs: Sequence[AssociationInput]
    ) -> BatchResult[LabelsBetweenObjectPair]:
        """Write labelled associations."""

    def batch_associate_default(
        self,
        *,
        from_object_type: str,
        to_object_type: str,
        pairs: Sequence[tuple[RecordId, RecordId]],
    ) -> BatchResult[DefaultAssociation]:
        """Create default (unlabeled) associations."""

    def batch_archive(
        self,
        *,
        from_object_type: str,
        to_object_type: str,
        pairs: Sequence[tuple[RecordId, RecordId]],
    ) -> BatchResult[Any] | None:
        """Remove every association between the given pairs.

        Returns per-input errors mapped to indexes in ``pairs``, or ``None`` (no error known).
        """

    def batch_archive_labels(
        self, *, from_object_type: str, to_object_type: str, inputs: Sequence[AssociationInput]
    ) -> BatchResult[Any] | None:
        """Remove only the given types from the given pairs.

        Returns per-input errors mapped to indexes in ``inputs``, or ``None`` (no error known).
        """
