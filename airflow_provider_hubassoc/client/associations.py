"""The HubSpot Associations v4 client: 19 operations, chunked and paged transparently.

This class only glues the transport to the pure parts: :mod:`.paths` (URLs), :mod:`.bodies`
(request bodies, chunk sizes) and :mod:`.responses` (parsing, 207 mapping), which an async hook
reuses as they are.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, TypeVar

import requests

from airflow_provider_hubassoc.client import bodies, paths
from airflow_provider_hubassoc.client.auth import TokenProvider
from airflow_provider_hubassoc.client.bodies import InputRef, record_id
from airflow_provider_hubassoc.client.clock import Clock
from airflow_provider_hubassoc.client.errors import HubSpotError
from airflow_provider_hubassoc.client.models import (
    AssociatedRecord,
    AssociationInput,
    AssociationSpec,
    AssociationType,
    BatchReadResult,
    BatchResult,
    DefaultAssociation,
    HighUsageReport,
    LabelsBetweenObjectPair,
    LimitConfiguration,
    LimitConfigurationInput,
)
from airflow_provider_hubassoc.client.paging import BATCH_READ_MIN_PAGE_SIZE, Pager
from airflow_provider_hubassoc.client.ratelimit import RateLimiter
from airflow_provider_hubassoc.client.responses import (
    BatchCreateAnswer,
    BatchReadAnswer,
    batch_envelope,
    map_batch_errors,
    parse_association_types,
    parse_associations_page,
    parse_batch_answer,
    parse_batch_create_answer,
    parse_batch_read_page,
    parse_created_pairs,
    parse_default_association,
    parse_high_usage_report,
    parse_labels_between_pair,
    parse_limit_configuration,
    parse_limit_configurations,
)
from airflow_provider_hubassoc.client.settings import ClientSettings
from airflow_provider_hubassoc.client.transport import HubSpotTransport, TransportStats
from airflow_provider_hubassoc.client.versions import VersionedOperation, success_statuses

logger = logging.getLogger(__name__)

RecordId = str | int
T = TypeVar("T")


def _pair_refs(offset: int, pairs: Sequence[tuple[str, str]]) -> list[InputRef]:
    return [InputRef(index=offset + i, from_id=f, to_id=t) for i, (f, t) in enumerate(pairs)]


def _input_refs(offset: int, inputs: Sequence[AssociationInput]) -> list[InputRef]:
    return [
        InputRef(
            index=offset + i,
            from_id=record_id(item.from_id, what="from_id"),
            to_id=record_id(item.to_id, what="to_id"),
            type_ids=frozenset(spec.type_id for spec in item.types),
        )
        for i, item in enumerate(inputs)
    ]


def _type_refs(offset: int, specs: Sequence[AssociationSpec]) -> list[InputRef]:
    return [InputRef(index=offset + i, type_ids=frozenset({spec.type_id})) for i, spec in enumerate(specs)]


@contextmanager
def _applied_before(offset: int, merged: object = None) -> Iterator[None]:
    """Mark an error raised by one chunk of a batch write with what the earlier chunks applied."""
    try:
        yield
    except HubSpotError as exc:
        exc.applied_inputs = offset
        exc.partial_result = merged
        raise


def _pairs(pairs: Sequence[tuple[RecordId, RecordId]]) -> list[tuple[str, str]]:
    return [(record_id(f, what="from id"), record_id(t, what="to id")) for f, t in pairs]


class HubSpotAssociationsClient:
    """A synchronous client for HubSpot's CRM Associations API (v4 or a date version).

    Nothing is sent at construction. Object types are strings such as ``"contacts"`` or
    ``"0-1"``; record ids may be ``str`` or ``int``. Batch calls split their input into chunks of
    the documented (or a conservative) size and merge the answers; a chunk that fails as a whole
    raises, and the chunks before it have then already been applied.

    :param settings: base URL, API version, pace, timeout, retries.
    :param token_provider: a private-app token or OAuth refresh-token provider.
    :param session: a ``requests`` session to use (its owner closes it); by default one is created.
    :param clock: the clock for pacing and retry waits (a FakeClock in tests).
    :param limiter: a rate limiter shared with other clients of the same portal, if any.
    :param owns_session: close a given ``session`` in :meth:`close` (a created one always is).
    """

    def __init__(
        self,
        *,
        settings: ClientSettings,
        token_provider: TokenProvider,
        session: requests.Session | None = None,
        clock: Clock | None = None,
        limiter: RateLimiter | None = None,
        owns_session: bool = False,
    ) -> None:
        self.settings = settings
        self.transport = HubSpotTransport(
            settings=settings,
            token_provider=token_provider,
            session=session,
            clock=clock,
            limiter=limiter,
            owns_session=owns_session,
        )

    @property
    def stats(self) -> TransportStats:
        """Request, retry, 429 and per-status counters of this client's transport."""
        return self.transport.stats

    @property
    def _version(self) -> str:
        return self.settings.api_version

    def close(self) -> None:
        """Close the HTTP session, if the client created it."""
        self.transport.close()

    def __enter__(self) -> HubSpotAssociationsClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"HubSpotAssociationsClient(base_url={self.settings.base_url!r}, "
            f"api_version={self.settings.api_version!r})"
        )

    # ================================================================== records

    def get_associations(
        self, *, from_object_type: str, object_id: RecordId, to_object_type: str, limit: int = 500
    ) -> list[AssociatedRecord]:
        """List every record associated with one record, following every page.

        :param from_object_type: the record's object type.
        :param object_id: the record's id.
        :param to_object_type: the associated object type.
        :param limit: page size, 1 to 500 (larger values are clamped to 500, HubSpot's maximum).
        :returns: the associated records with all their association types.
        """
        path = paths.record_associations_path(
            self._version, from_object_type, record_id(object_id, what="object_id"), to_object_type
        )
        params: dict[str, Any] = {"limit": bodies.page_limit(limit)}
        pager = Pager(what=f"GET {path}", page_size=params["limit"])
        records: list[AssociatedRecord] = []
        while True:
            page = self.transport.request("GET", path, params=params).parse(parse_associations_page)
            records.extend(page.records)
            after = pager.follow(page.after)
            if after is None:
                return records
            params = {**params, "after": after}

    def associate(
        self,
        *,
        from_object_type: str,
        from_object_id: RecordId,
        to_object_type: str,
        to_object_id: RecordId,
        types: Sequence[AssociationSpec],
    ) -> LabelsBetweenObjectPair:
        """Associate two records with the given types (``PUT``; replaces the pair's labels).

        To keep existing labels, send them along with the new ones.

        :param from_object_type: the from-object type.
        :param from_object_id: the from-record's id.
        :param to_object_type: the to-object type.
        :param to_object_id: the to-record's id.
        :param types: the association types; at least one (use :meth:`associate_default` for none).
        :returns: the pair with its labels.
        :raises ValueError: when ``types`` is empty.
        """
        if not types:
            raise ValueError("types must not be empty; use associate_default() for the unlabeled association")
        path = paths.record_pair_path(
            self._version,
            from_object_type,
            record_id(from_object_id, what="from_object_id"),
            to_object_type,
            record_id(to_object_id, what="to_object_id"),
        )
        response = self.transport.request(
            "PUT", path, json=bodies.association_specs_body(types), expected=(201, 200)
        )
        return response.parse(parse_labels_between_pair)

    def associate_default(
        self, *, from_object_type: str, from_object_id: RecordId, to_object_type: str, to_object_id: RecordId
    ) -> list[DefaultAssociation]:
        """Associate two records with the default (unlabeled) type.

        :param from_object_type: the from-object type.
        :param from_object_id: the from-record's id.
        :param to_object_type: the to-object type.
        :param to_object_id: the to-record's id.
        :returns: the default associations HubSpot reports.
        :raises HubSpotError: also when a 200 answer carries an error for the pair.
        """
        path = paths.default_association_path(
            self._version,
            from_object_type,
            record_id(from_object_id, what="from_object_id"),
            to_object_type,
            record_id(to_object_id, what="to_object_id"),
        )
        response = self.transport.request("PUT", path, expected=(200, 201))
        results, errors = response.parse(parse_batch_answer, parse_default_association)
        if errors:
            first = map_batch_errors(errors[:1], [])[0]
            raise HubSpotError(
                f"HubSpot did not create the default association: {first.message}",
                status=response.status,
                category=first.category,
                correlation_id=response.correlation_id,
                context=first.context,
            )
        return results

    def remove_association(
        self, *, from_object_type: str, from_object_id: RecordId, to_object_type: str, to_object_id: RecordId
    ) -> None:
        """Remove every association between two records (the records stay).

        :param from_object_type: the from-object type.
        :param from_object_id: the from-record's id.
        :param to_object_type: the to-object type.
        :param to_object_id: the to-record's id.
        """
        path = paths.record_pair_path(
            self._version,
            from_object_type,
            record_id(from_object_id, what="from_object_id"),
            to_object_type,
            record_id(to_object_id, what="to_object_id"),
        )
        self.transport.request("DELETE", path, expected=(204, 200))

    # ================================================================== batch

    def batch_read(
        self, *, from_object_type: str, to_object_type: str, object_ids: Sequence[RecordId]
    ) -> BatchReadResult:
        """Read the associations of many records, every page of every input followed.

        Ids are de-duplicated and sent in chunks of 1,000. ``NO_ASSOCIATIONS_FOUND`` means an
        empty list, not an error. Results and cursors for ids that were not in the request are
        ignored; paging per id ends as :class:`~.paging.Pager` rules.

        :param from_object_type: the records' object type.
        :param to_object_type: the associated object type.
        :param object_ids: the records' ids.
        :returns: every requested id mapped to its associated records (empty when none), and the
            other per-input errors with the caller's input indexes (an id whose read failed is
            left out of ``associations``).
        """
        canonical = [record_id(raw, what="object id") for raw in object_ids]
        unique_ids = list(dict.fromkeys(canonical))
        path = paths.batch_path(self._version, from_object_type, to_object_type, "read")
        result = BatchReadResult()
        failed: set[str] = set()
        positions: dict[str, list[int]] | None = None  # id -> its input indexes, built on the first error
        for _, chunk in bodies.chunked(unique_ids, bodies.BATCH_READ_MAX_INPUTS):
            for oid in chunk:
                result.associations[oid] = []
            pending: dict[str, str | None] = dict.fromkeys(chunk)
            pager = Pager(what=f"POST {path}", page_size=BATCH_READ_MIN_PAGE_SIZE)
            while pending:
                response = self.transport.request(
                    "POST",
                    path,
                    json=bodies.batch_read_body(pending.items()),
                    expected=success_statuses(self._version, "batch_read"),
                    schema=BatchReadAnswer,
                )
                page = response.parse(parse_batch_read_page)
                for from_id, records in page.records.items():
                    if from_id in pending:  # a from-id this request did not ask for is ignored
                        result.associations[from_id].extend(records)
                if page.errors:  # tied to the caller's input indexes (every index of a repeated id)
                    if positions is None:
                        positions = {}
                        for index, oid in enumerate(canonical):
                            positions.setdefault(oid, []).append(index)
                    refs = [InputRef(index=i, from_id=oid) for oid in pending for i in positions[oid]]
                    errors = map_batch_errors(page.errors, refs)
                    result.errors.extend(errors)
                    for error in errors:
                        failed.update(canonical[index] for index in error.input_indexes)
                asked, pending = pending, {}
                for from_id, after in page.after.items():
                    if from_id in asked:
                        following = pager.follow(after, key=from_id)
                        if following is not None:
                            pending[from_id] = following
        for oid in failed:
            result.associations.pop(oid, None)
        return result

    def batch_create(
        self, *, from_object_type: str, to_object_type: str, inputs: Sequence[AssociationInput]
    ) -> BatchResult[LabelsBetweenObjectPair]:
        """Create labelled associations in bulk (chunks of 2,000).

        :param from_object_type: the from-object type.
        :param to_object_type: the to-object type.
        :param inputs: the pairs and their types; each needs at least one type.
        :returns: the created pairs, and per-row errors mapped to indexes in ``inputs``.
        :raises ValueError: when an input has no types.
        """
        for index, item in enumerate(inputs):
            if not item.types:
                raise ValueError(
                    f"inputs[{index}] has no association types; use batch_associate_default() for unlabeled"
                )
        path = paths.batch_path(self._version, from_object_type, to_object_type, "create")
        merged: BatchResult[LabelsBetweenObjectPair] = BatchResult()
        for offset, chunk in bodies.chunked(inputs, bodies.BATCH_CREATE_MAX_INPUTS):
            with _applied_before(offset, merged):
                response = self.transport.request(
                    "POST",
                    path,
                    json=bodies.batch_create_body(chunk),
                    expected=success_statuses(self._version, "batch_create"),
                    schema=BatchCreateAnswer,
                )
            rows, errors = response.parse(parse_batch_create_answer)
            if rows:  # converted when someone reads merged.results (a sync rarely does)
                merged.add_later(functools.partial(response.parse, parse_created_pairs))
            if errors:  # the refs are only needed to map errors back (costly on 2,000 rows)
                merged.errors.extend(map_batch_errors(errors, _input_refs(offset, chunk)))
        return merged

    def batch_associate_default(
        self, *, from_object_type: str, to_object_type: str, pairs: Sequence[tuple[RecordId, RecordId]]
    ) -> BatchResult[DefaultAssociation]:
        """Create default (unlabeled) associations in bulk (chunks of 1,000).

        :param from_object_type: the from-object type.
        :param to_object_type: the to-object type.
        :param pairs: ``(from_id, to_id)`` pairs.
        :returns: the created associations, and per-row errors (also those inside a 200 answer)
            mapped to indexes in ``pairs``.
        """
        normalized = _pairs(pairs)
        path = paths.batch_path(self._version, from_object_type, to_object_type, "associate/default")
        merged: BatchResult[DefaultAssociation] = BatchResult()
        for offset, chunk in bodies.chunked(normalized, bodies.BATCH_DEFAULT_MAX_INPUTS):
            with _applied_before(offset, merged):
                response = self.transport.request(
                    "POST", path, json=bodies.batch_default_body(chunk), expected=(200, 201, 207)
                )
            results, errors = response.parse(parse_batch_answer, parse_default_association)
            merged.results.extend(results)
            merged.errors.extend(map_batch_errors(errors, _pair_refs(offset, chunk)))
        return merged

    def batch_archive(
        self, *, from_object_type: str, to_object_type: str, pairs: Sequence[tuple[RecordId, RecordId]]
    ) -> BatchResult[object]:
        """Remove every association between each pair (grouped by from-id; 1,000 pairs per request).

        :param from_object_type: the from-object type.
        :param to_object_type: the to-object type.
        :param pairs: ``(from_id, to_id)`` pairs.
        :returns: per-row errors mapped to indexes in ``pairs`` (the date versions answer a batch
            envelope that can refuse pairs; v4 answers 204, so there it is always empty), and the
            envelope's raw ``results``.
        """
        return self._removal_batch(
            paths.batch_path(self._version, from_object_type, to_object_type, "archive"),
            "batch_archive",
            _pairs(pairs),
            bodies.BATCH_ARCHIVE_MAX_PAIRS,
            bodies.batch_archive_body,
            _pair_refs,
        )

    def batch_archive_labels(
        self, *, from_object_type: str, to_object_type: str, inputs: Sequence[AssociationInput]
    ) -> BatchResult[object]:
        """Remove specific association types from pairs (chunks of 1,000).

        Removing the unlabeled type removes every association of the pair.

        :param from_object_type: the from-object type.
        :param to_object_type: the to-object type.
        :param inputs: the pairs and the types to remove.
        :returns: per-row errors mapped to indexes in ``inputs`` (empty in v4, whose answer is a
            204), and the envelope's raw ``results``.
        """
        return self._removal_batch(
            paths.batch_path(self._version, from_object_type, to_object_type, "labels/archive"),
            "batch_labels_archive",
            inputs,
            bodies.BATCH_LABELS_ARCHIVE_MAX_INPUTS,
            bodies.batch_labels_archive_body,
            _input_refs,
        )

    def _removal_batch(
        self,
        path: str,
        operation: VersionedOperation,
        items: Sequence[T],
        max_inputs: int,
        body: Callable[[Sequence[T]], Any],
        refs: Callable[[int, Sequence[T]], list[InputRef]],
    ) -> BatchResult[object]:
        """Send a delete-style batch (archive, labels archive, limit purge) in chunks.

        v4 answers 204 without a body; the date versions answer 200 with a batch envelope whose
        ``errors`` name the rows HubSpot refused. A body is read whenever there is one, so a refused
        row is never counted as done.
        """
        merged: BatchResult[object] = BatchResult()
        for offset, chunk in bodies.chunked(items, max_inputs):
            with _applied_before(offset, merged):
                response = self.transport.request(
                    "POST", path, json=body(chunk), expected=success_statuses(self._version, operation)
                )
            if response.body is None or response.status == 204:
                continue
            results, errors = response.parse(batch_envelope)
            merged.results.extend(results)
            merged.errors.extend(map_batch_errors(errors, refs(offset, chunk)))
        return merged

    def request_high_usage_report(self, *, user_id: int) -> HighUsageReport:
        """Ask HubSpot to email a user the records near their association limits.

        Not idempotent (each call queues another report), so retried only when the request
        certainly did not reach HubSpot.

        :param user_id: the HubSpot user to email.
        :returns: HubSpot's acknowledgement.
        """
        path = paths.high_usage_report_path(self._version, int(user_id))
        response = self.transport.request("POST", path, expected=(200, 201), idempotent=False)
        return response.parse(parse_high_usage_report)

    # ================================================================== labels

    def list_labels(self, *, from_object_type: str, to_object_type: str) -> list[AssociationType]:
        """List the association types (labels, Primary, unlabeled) from one object type to another.

        :param from_object_type: the from-object type.
        :param to_object_type: the to-object type.
        """
        path = paths.labels_path(self._version, from_object_type, to_object_type)
        return self.transport.request("GET", path).parse(parse_association_types)

    def create_label(
        self,
        *,
        from_object_type: str,
        to_object_type: str,
        name: str,
        label: str,
        inverse_label: str | None = None,
    ) -> list[AssociationType]:
        """Create a label (a paired one when ``inverse_label`` is given: one type id per direction).

        Not idempotent, so retried only when the request certainly did not reach HubSpot.

        :param from_object_type: the from-object type.
        :param to_object_type: the to-object type.
        :param name: the internal name (no hyphen, not starting with a digit).
        :param label: the display label.
        :param inverse_label: the label of the other direction.
        :returns: the created types.
        """
        path = paths.labels_path(self._version, from_object_type, to_object_type)
        body = bodies.create_label_body(name=name, label=label, inverse_label=inverse_label)
        response = self.transport.request("POST", path, json=body, expected=(200, 201), idempotent=False)
        return response.parse(parse_association_types)

    def update_label(
        self,
        *,
        from_object_type: str,
        to_object_type: str,
        association_type_id: int,
        label: str,
        inverse_label: str | None = None,
    ) -> None:
        """Change a label's display text (its name and type id cannot change).

        :param from_object_type: the from-object type.
        :param to_object_type: the to-object type.
        :param association_type_id: the label's type id.
        :param label: the new display label.
        :param inverse_label: the new inverse label, for a paired label.
        """
        path = paths.labels_path(self._version, from_object_type, to_object_type)
        body = bodies.update_label_body(
            association_type_id=association_type_id, label=label, inverse_label=inverse_label
        )
        self.transport.request("PUT", path, json=body, expected=(204, 200))

    def delete_label(self, *, from_object_type: str, to_object_type: str, association_type_id: int) -> None:
        """Delete a label (it must no longer be used by any association).

        :param from_object_type: the from-object type.
        :param to_object_type: the to-object type.
        :param association_type_id: the label's type id.
        """
        path = paths.labels_path(self._version, from_object_type, to_object_type, int(association_type_id))
        self.transport.request("DELETE", path, expected=(204, 200))

    # ================================================================== limit configurations

    def get_limit_configurations(
        self, *, from_object_type: str | None = None, to_object_type: str | None = None
    ) -> list[LimitConfiguration]:
        """Read user-set association limits: all of them, or those of one object-type pair.

        :param from_object_type: the from-object type (give both types, or neither).
        :param to_object_type: the to-object type.
        :raises ValueError: when only one of the two types is given.
        """
        if from_object_type is None and to_object_type is None:
            path = paths.limit_configurations_all_path(self._version)
        elif from_object_type is not None and to_object_type is not None:
            path = paths.limit_configurations_pair_path(self._version, from_object_type, to_object_type)
        else:
            raise ValueError("give both from_object_type and to_object_type, or neither (for all pairs)")
        return self.transport.request("GET", path).parse(parse_limit_configurations)

    def _limit_configuration_batch(
        self,
        action: paths.LimitConfigurationAction,
        from_object_type: str,
        to_object_type: str,
        inputs: Sequence[LimitConfigurationInput],
        expected: tuple[int, ...],
    ) -> BatchResult[LimitConfiguration]:
        path = paths.limit_configurations_batch_path(self._version, from_object_type, to_object_type, action)
        merged: BatchResult[LimitConfiguration] = BatchResult()
        for offset, chunk in bodies.chunked(inputs, bodies.LIMIT_CONFIGURATION_MAX_INPUTS):
            response = self.transport.request(
                "POST", path, json=bodies.limit_configurations_body(chunk), expected=expected
            )
            results, errors = response.parse(parse_batch_answer, parse_limit_configuration)
            merged.results.extend(results)
            refs = [
                InputRef(index=offset + i, type_ids=frozenset({item.type_id})) for i, item in enumerate(chunk)
            ]
            merged.errors.extend(map_batch_errors(errors, refs))
        return merged

    def create_limit_configurations(
        self, *, from_object_type: str, to_object_type: str, inputs: Sequence[LimitConfigurationInput]
    ) -> BatchResult[LimitConfiguration]:
        """Set association limits for types that have none yet.

        :param from_object_type: the from-object type.
        :param to_object_type: the to-object type.
        :param inputs: the limits.
        :returns: the created limits and per-row errors (mapped by type id).
        """
        return self._limit_configuration_batch(
            "create",
            from_object_type,
            to_object_type,
            inputs,
            expected=success_statuses(self._version, "limit_create"),
        )

    def update_limit_configurations(
        self, *, from_object_type: str, to_object_type: str, inputs: Sequence[LimitConfigurationInput]
    ) -> BatchResult[LimitConfiguration]:
        """Change existing association limits.

        :param from_object_type: the from-object type.
        :param to_object_type: the to-object type.
        :param inputs: the new limits.
        :returns: the updated limits and per-row errors (mapped by type id).
        """
        return self._limit_configuration_batch(
            "update",
            from_object_type,
            to_object_type,
            inputs,
            expected=success_statuses(self._version, "limit_update"),
        )

    def purge_limit_configurations(
        self, *, from_object_type: str, to_object_type: str, inputs: Sequence[AssociationSpec]
    ) -> BatchResult[object]:
        """Remove user-set limits, so the types revert to HubSpot's default limits.

        :param from_object_type: the from-object type.
        :param to_object_type: the to-object type.
        :param inputs: the types whose limits to remove.
        :returns: per-row errors mapped to indexes in ``inputs`` by type id (empty in v4, whose
            answer is a 204), and the envelope's raw ``results``.
        """
        return self._removal_batch(
            paths.limit_configurations_batch_path(self._version, from_object_type, to_object_type, "purge"),
            "limit_purge",
            inputs,
            bodies.LIMIT_CONFIGURATION_MAX_INPUTS,
            bodies.purge_limit_configurations_body,
            _type_refs,
        )
