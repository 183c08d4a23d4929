"""Reads the current state of a chunk's from-records (one call; the client chunks and pages)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from airflow_provider_hubassoc.client.models import (
    AssociationSpec,
    AssociationType,
    BatchRowError,
    normalize_id,
)
from airflow_provider_hubassoc.sync.labels import is_unlabeled
from airflow_provider_hubassoc.sync.protocols import AssociationsClient
from airflow_provider_hubassoc.sync.spec import SyncSpec

log = logging.getLogger(__name__)

#: A read error that names no input: every from-record of the read is failed with it.
_UNTIED = "HubSpot answered the batch read with an error that names no record"


@dataclass(slots=True)
class ReadState:
    """The current state of some from-records.

    :param state: from_id → to_id → types on the pair.
    :param errors: from_id → HubSpot's error for the from-records HubSpot could not read (an error
        tied to no input fails every from-record of the read: none is planned as having no pairs).
    :param unlabeled_ids: unlabeled type ids seen in the read.
    """

    state: dict[str, dict[str, frozenset[AssociationSpec]]] = field(default_factory=dict)
    errors: dict[str, BatchRowError] = field(default_factory=dict)
    unlabeled_ids: set[int] = field(default_factory=set)


def context_ids(error: BatchRowError, key: str) -> list[str]:
    """The canonical ids HubSpot names under ``key`` in an error's context.

    :param error: a per-row error.
    :param key: ``"fromObjectId"`` or ``"toObjectId"``.
    """
    ids: list[str] = []
    for value in error.context.get(key, []) or []:
        try:
            ids.append(normalize_id(value))
        except ValueError:
            continue
    return ids


def read_state(spec: SyncSpec, client: AssociationsClient, from_ids: Sequence[str]) -> ReadState:
    """Read every association of ``from_ids`` to the spec's to-type (one call; the client chunks).

    :param spec: the sync.
    :param client: the HubSpot client.
    :param from_ids: canonical from-record ids, each once.
    """
    result = ReadState()
    if not from_ids:
        return result
    answer = client.batch_read(
        from_object_type=spec.from_object_type, to_object_type=spec.to_object_type, object_ids=list(from_ids)
    )
    # one frozenset per distinct list of types (the client shares equal lists between pairs), so
    # that planning compares (and hashes) a handful of sets, not one per pair
    specs_of: dict[tuple[AssociationType, ...], frozenset[AssociationSpec]] = {}
    for raw_id, records in answer.associations.items():
        pairs = result.state.setdefault(normalize_id(raw_id), {})
        for record in records:
            types = specs_of.get(record.types)
            if types is None:
                types = specs_of[record.types] = frozenset(t.spec for t in record.types)
                result.unlabeled_ids.update(t.type_id for t in record.types if is_unlabeled(t))
            # ids as any client gives them (HubSpotAssociationsClient's are canonical already: cheap)
            to_id = normalize_id(record.to_object_id)
            earlier = pairs.get(to_id)
            pairs[to_id] = types if earlier is None else earlier | types
    for error in answer.errors:
        ids = [from_ids[i] for i in error.input_indexes if 0 <= i < len(from_ids)]
        ids = ids or [i for i in context_ids(error, "fromObjectId") if i in set(from_ids)]
        if not ids:
            log.warning("Batch read error not tied to an input: %s: %s", error.category, error.message)
            untied = BatchRowError(error.category, f"{_UNTIED}: {error.message}")
            ids = list(from_ids)
            error = untied
        for from_id in ids:
            result.errors.setdefault(from_id, error)
    return result
