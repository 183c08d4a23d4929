"""Request bodies and chunking for every operation that sends one.

Pure functions, no I/O, shared by the sync client and the async hook. Record ids are accepted
as ``str`` or ``int`` and sent as canonical strings (see
:func:`~airflow_provider_hubassoc.client.models.normalize_id`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from airflow_provider_hubassoc.client.models import (
    AssociationInput,
    AssociationSpec,
    LimitConfigurationInput,
    normalize_id,
)

T = TypeVar("T")

#: ``GET`` list: HubSpot says "Limit 500 per call" (it said 1,000 until November 2023).
MAX_PAGE_LIMIT: Final = 500
#: batch/read: documented limit, 1,000 inputs per request (changelog effective 2025-02-10).
BATCH_READ_MAX_INPUTS: Final = 1000
#: batch/create: documented limit, 2,000 inputs per request.
BATCH_CREATE_MAX_INPUTS: Final = 2000
#: batch/associate/default: undocumented; 1,000 is a conservative guess.
BATCH_DEFAULT_MAX_INPUTS: Final = 1000
#: batch/archive: undocumented; at most 1,000 (from, to) pairs per request, a conservative guess.
BATCH_ARCHIVE_MAX_PAIRS: Final = 1000
#: batch/labels/archive: undocumented; 1,000 is a conservative guess.
BATCH_LABELS_ARCHIVE_MAX_INPUTS: Final = 1000
#: limit configuration batches: undocumented; a pair has few types, 1,000 is never reached in practice.
LIMIT_CONFIGURATION_MAX_INPUTS: Final = 1000


@dataclass(frozen=True, slots=True)
class InputRef:
    """What an error in a batch answer can be matched against, for one caller input row.

    :param index: the row's position in the caller's full input sequence.
    :param from_id: the from-record id the row sent (or the id, for batch read).
    :param to_id: the to-record id the row sent.
    :param type_ids: the association type ids the row sent.
    """

    index: int
    from_id: str | None = None
    to_id: str | None = None
    type_ids: frozenset[int] = frozenset()


def record_id(value: str | int, *, what: str = "record id") -> str:
    """Return an input id as HubSpot's canonical string.

    :param value: an id given by the caller, e.g. ``"101"`` or ``101``.
    :param what: how to name the value in the error.
    :raises ValueError: when the value is not a whole, non-negative number.
    """
    try:
        return normalize_id(value)
    except ValueError:
        raise ValueError(f"{what} must be a whole, non-negative number, got {value!r}") from None


def chunked(items: Sequence[T], size: int) -> Iterator[tuple[int, Sequence[T]]]:
    """Yield ``(offset, chunk)`` pairs of at most ``size`` items, in order.

    :param items: the sequence to split.
    :param size: the maximum chunk length; positive.
    """
    if size <= 0:
        raise ValueError(f"chunk size must be positive, got {size}")
    for offset in range(0, len(items), size):
        yield offset, items[offset : offset + size]


def page_limit(limit: int) -> int:
    """Return the ``limit`` query value to send: at least 1, clamped to :data:`MAX_PAGE_LIMIT`.

    :param limit: the caller's page size.
    :raises ValueError: when ``limit`` is below 1.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a whole number from 1 to {MAX_PAGE_LIMIT}, got {limit!r}")
    return min(limit, MAX_PAGE_LIMIT)


def association_specs_body(types: Iterable[AssociationSpec]) -> list[dict[str, Any]]:
    """Return the labelled ``PUT`` body: a JSON array of ``AssociationSpec``.

    :param types: the association types to put on the pair.
    """
    return [spec.to_json() for spec in types]


def batch_read_body(inputs: Iterable[tuple[str, str | None]]) -> dict[str, Any]:
    """Return a batch-read body.

    :param inputs: ``(id, after)`` pairs; ``after`` is the input's paging cursor or ``None``.
    """
    rows: list[dict[str, Any]] = []
    for object_id, after in inputs:
        row: dict[str, Any] = {"id": object_id}
        if after is not None:
            row["after"] = after
        rows.append(row)
    return {"inputs": rows}


def batch_create_body(inputs: Iterable[AssociationInput]) -> dict[str, Any]:
    """Return a batch-create body (also the batch labels-archive body).

    :param inputs: the pairs and the types to write or remove.
    """
    # one JSON list per distinct tuple of types, shared by the rows of a body (serialised the same)
    types_json: dict[tuple[AssociationSpec, ...], list[dict[str, Any]]] = {}
    rows: list[dict[str, Any]] = []
    for item in inputs:
        key = item.types if type(item.types) is tuple else tuple(item.types)  # a caller may pass a list
        types = types_json.get(key)
        if types is None:
            types = types_json[key] = [spec.to_json() for spec in key]
        from_id = record_id(item.from_id, what="from_id")
        to_id = record_id(item.to_id, what="to_id")
        rows.append({"from": {"id": from_id}, "to": {"id": to_id}, "types": types})
    return {"inputs": rows}


def batch_labels_archive_body(inputs: Iterable[AssociationInput]) -> dict[str, Any]:
    """Return a batch labels-archive body (same shape as batch create).

    :param inputs: the pairs and the types to remove.
    """
    return batch_create_body(inputs)


def batch_default_body(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Return a batch associate-default body.

    :param pairs: canonical ``(from_id, to_id)`` pairs.
    """
    return {"inputs": [{"from": {"id": from_id}, "to": {"id": to_id}} for from_id, to_id in pairs]}


def batch_archive_body(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Return a batch-archive body: pairs grouped by from-id, ``to`` being an array.

    :param pairs: canonical ``(from_id, to_id)`` pairs; duplicates are sent once.
    """
    grouped: dict[str, list[str]] = {}
    for from_id, to_id in pairs:
        targets = grouped.setdefault(from_id, [])
        if to_id not in targets:
            targets.append(to_id)
    return {
        "inputs": [
            {"from": {"id": from_id}, "to": [{"id": to_id} for to_id in to_ids]}
            for from_id, to_ids in grouped.items()
        ]
    }


#: A label's internal name: a letter or ``_`` first, then letters, digits and ``_`` (HubSpot: no
#: hyphen, not starting with a digit; internal names follow its property-name rules).
LABEL_NAME_PATTERN: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: The longest internal name or display label sent (HubSpot's internal names allow 100 characters).
LABEL_MAX_CHARS: Final = 100


def _check_label_text(value: str, what: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must not be empty")
    if len(value) > LABEL_MAX_CHARS:
        raise ValueError(f"{what} has {len(value):,} characters; HubSpot accepts at most {LABEL_MAX_CHARS}")
    if not value.isprintable():
        raise ValueError(f"{what} {value[:40]!r} contains a line break or another control character")


def create_label_body(*, name: str, label: str, inverse_label: str | None = None) -> dict[str, Any]:
    """Return a label-creation body.

    :param name: the internal name: letters, digits and ``_``, not starting with a digit, at most
        100 characters (see :data:`LABEL_NAME_PATTERN`).
    :param label: the display label (at most 100 characters, one line).
    :param inverse_label: the other direction's label, for a paired label (same rules).
    :raises ValueError: when ``name`` or a label breaks HubSpot's documented rules; nothing is sent.
    """
    _check_label_text(name, "label name")
    if LABEL_NAME_PATTERN.fullmatch(name) is None:  # fullmatch: "$" would accept a trailing newline
        raise ValueError(
            f"label name {name[:40]!r} is not accepted by HubSpot: use letters, digits and '_' only "
            "(no hyphen, no space), not starting with a digit"
        )
    _check_label_text(label, "label")
    if inverse_label is not None:
        _check_label_text(inverse_label, "inverse label")
    body: dict[str, Any] = {"name": name, "label": label}
    if inverse_label is not None:
        body["inverseLabel"] = inverse_label
    return body


def update_label_body(
    *, association_type_id: int, label: str, inverse_label: str | None = None
) -> dict[str, Any]:
    """Return a label-update body.

    :param association_type_id: the label's type id.
    :param label: the new display label.
    :param inverse_label: the new inverse label, for a paired label.
    :raises ValueError: when a label is empty, longer than 100 characters or not one line.
    """
    _check_label_text(label, "label")
    if inverse_label is not None:
        _check_label_text(inverse_label, "inverse label")
    body: dict[str, Any] = {"associationTypeId": int(association_type_id), "label": label}
    if inverse_label is not None:
        body["inverseLabel"] = inverse_label
    return body


def limit_configurations_body(inputs: Iterable[LimitConfigurationInput]) -> dict[str, Any]:
    """Return a limit-configuration create/update body.

    :param inputs: the limits to set.
    """
    return {"inputs": [item.to_json() for item in inputs]}


def purge_limit_configurations_body(inputs: Iterable[AssociationSpec]) -> dict[str, Any]:
    """Return a limit-configuration purge body: ``{"inputs": [{"category", "typeId"}]}``.

    :param inputs: the types whose limits revert to HubSpot's default.
    """
    return {"inputs": [{"category": str(spec.category), "typeId": spec.type_id} for spec in inputs]}
