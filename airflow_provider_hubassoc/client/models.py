"""Typed models for what the HubSpot Associations v4 API takes and returns.

The API spells one concept two ways: requests carry ``{"associationCategory", "associationTypeId"}``
(:class:`AssociationSpec`) while reads return ``{"category", "typeId", "label"}``
(:class:`AssociationType`). Record ids are kept as strings: HubSpot sends them as JSON strings in
some places and as numbers in others, and a string survives both without loss.

The models a sync builds once per row or per pair (specs, types, associated records, inputs, created
pairs) are frozen ``msgspec.Struct`` classes rather than frozen dataclasses: they are built in C
(about 10x faster than a frozen dataclass's ``object.__setattr__`` per field), hash in C, and with
``gc=False`` (they hold only strings, numbers and tuples of such models) they stay out of CPython's
cyclic garbage collector, which would otherwise walk every one of them again and again during a
large sync. They behave as the dataclasses did: keyword or positional construction, equality by
value, immutability, a readable ``repr``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

import msgspec

T = TypeVar("T")


_MAX_CATEGORY_LENGTH = 64


class AssociationCategory(StrEnum):
    """Who defined an association type.

    HubSpot grows this enum (``WORK`` arrived in a later spec). A category this client has never seen
    is kept as it was sent, as a member outside the four known ones (``is_known`` is ``False``), and
    is treated like ``USER_DEFINED``: anything but ``HUBSPOT_DEFINED`` is a label someone created.
    """

    HUBSPOT_DEFINED = "HUBSPOT_DEFINED"
    USER_DEFINED = "USER_DEFINED"
    INTEGRATOR_DEFINED = "INTEGRATOR_DEFINED"
    WORK = "WORK"

    @classmethod
    def _missing_(cls, value: object) -> AssociationCategory | None:
        # Only a plausible enum word (letters, digits, underscores; bounded) becomes a pseudo-member,
        # so an empty or garbled value still fails as an unexpected answer.
        if not isinstance(value, str) or not 0 < len(value) <= _MAX_CATEGORY_LENGTH:
            return None
        if not value.replace("_", "").isalnum() or not value.isascii():
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """Whether this client knows the category (one of the four declared members)."""
        return self._name_ in type(self).__members__


def normalize_id(value: object) -> str:
    """Return a record id as a canonical string, whether HubSpot sent a string or a number.

    :param value: an id as found in a response (``"101"``, ``101`` or ``101.0``).
    :raises ValueError: when the value is not a whole, non-negative number.
    """
    # Fast path (ids are normalized several times per row on the hot path): an ASCII digit string
    # without a leading zero is already canonical.
    if type(value) is str and value.isascii() and value.isdigit() and (value[0] != "0" or value == "0"):
        return value
    if type(value) is int and value >= 0:
        return str(value)
    if isinstance(value, bool):
        raise ValueError(f"not a record id: {value!r}")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ValueError(f"not a record id: {value!r}")
    if not text.isdigit():
        raise ValueError(f"not a record id: {value!r}")
    return str(int(text))


class AssociationSpec(msgspec.Struct, frozen=True, gc=False, cache_hash=True):
    """An association type as sent in a request body.

    :param category: who defined the type.
    :param type_id: the association type id (differs per portal and per direction for labels).
    """

    category: AssociationCategory
    type_id: int

    def to_json(self) -> dict[str, Any]:
        """Return the request form ``{"associationCategory", "associationTypeId"}``."""
        return {"associationCategory": str(self.category), "associationTypeId": self.type_id}


class AssociationType(msgspec.Struct, frozen=True, gc=False, cache_hash=True):
    """An association type as read back: on a record pair, or as a label definition.

    :param category: who defined the type.
    :param type_id: the association type id.
    :param label: the display label; ``None`` for the unlabeled (default) type.
    """

    category: AssociationCategory
    type_id: int
    label: str | None = None

    @property
    def spec(self) -> AssociationSpec:
        """The same type in request form."""
        return AssociationSpec(self.category, self.type_id)


class AssociatedRecord(msgspec.Struct, frozen=True, gc=False):
    """One record associated with the record that was read, with every type on the pair.

    :param to_object_id: the associated record's id, canonical (as :func:`normalize_id` gives it).
    :param types: all association types on the pair (the unlabeled type included); pairs of one
        answer that carry equal lists share one tuple.
    """

    to_object_id: str
    types: tuple[AssociationType, ...]


class AssociationInput(msgspec.Struct, frozen=True, gc=False):
    """One pair to write (batch create, labels archive).

    :param from_id: the from-record's id.
    :param to_id: the to-record's id.
    :param types: the association types to write for the pair.
    """

    from_id: str
    to_id: str
    types: tuple[AssociationSpec, ...] = ()


class LabelsBetweenObjectPair(msgspec.Struct, frozen=True, gc=False):
    """The answer to a labelled PUT or a batch create row.

    :param from_object_type_id: e.g. ``"0-1"``.
    :param from_object_id: the from-record's id.
    :param to_object_type_id: e.g. ``"0-2"``.
    :param to_object_id: the to-record's id.
    :param labels: the display labels on the pair.
    """

    from_object_type_id: str
    from_object_id: str
    to_object_type_id: str
    to_object_id: str
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DefaultAssociation:
    """One row of a default-association answer.

    :param from_id: the from-record's id.
    :param to_id: the to-record's id.
    :param spec: the default type that was applied.
    """

    from_id: str
    to_id: str
    spec: AssociationSpec


@dataclass(frozen=True, slots=True)
class BatchRowError:
    """A per-row error from a 207 (or an error list in a 200) batch answer.

    :param category: HubSpot's error category, e.g. ``"OBJECT_NOT_FOUND"``.
    :param message: HubSpot's message.
    :param sub_category: HubSpot's sub-category, when it sent one (any JSON value).
    :param context: HubSpot's context map (string to list of strings).
    :param input_indexes: positions, in the caller's input sequence, of the rows this error
        concerns; empty when the error could not be tied to an input.
    """

    category: str
    message: str
    sub_category: object = None
    context: dict[str, list[str]] = field(default_factory=dict)
    input_indexes: tuple[int, ...] = ()


class BatchResult(Generic[T]):
    """The merged outcome of one logical batch call, however many requests it took.

    Rows can be added unconverted (:meth:`add_later`): they become models when ``results`` is first
    read. A batch create answers every one of its 2,000 inputs per request with a row, and a sync
    reads those rows only to tie an error that names no input to the pairs HubSpot did confirm;
    building 2,000 objects per request that nobody reads would be most of the client's work.

    :param results: the successful rows.
    :param errors: the per-row errors, each mapped back to the input rows it concerns.
    """

    __slots__ = ("_later", "_results", "errors")

    def __init__(self, results: Iterable[T] = (), errors: Iterable[BatchRowError] = ()) -> None:
        self._results: list[T] = list(results)
        self._later: list[Callable[[], list[T]]] = []
        self.errors: list[BatchRowError] = list(errors)

    @property
    def results(self) -> list[T]:
        """The successful rows, in answer order (rows added unconverted are converted now, once).

        :raises HubSpotUnexpectedResponseError: when a row added unconverted holds a malformed value
            (the error names the request that answered it).
        """
        while self._later:
            rows = self._later[0]()  # removed only once converted: a failed conversion fails every read
            self._results.extend(rows)
            del self._later[0]
        return self._results

    def add_later(self, convert: Callable[[], list[T]]) -> None:
        """Add rows that become models when ``results`` is first read.

        :param convert: returns the rows as models (e.g. parses one answer's raw rows).
        """
        self._later.append(convert)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BatchResult):
            return NotImplemented
        return self.results == other.results and self.errors == other.errors

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"BatchResult(results={self.results!r}, errors={self.errors!r})"


@dataclass(slots=True)
class BatchReadResult:
    """The outcome of a batch read, every page of every input followed.

    :param associations: canonical from-id to its associated records; ids with none map to an empty
        list.
    :param errors: per-input errors other than ``NO_ASSOCIATIONS_FOUND``.
    """

    associations: dict[str, list[AssociatedRecord]] = field(default_factory=dict)
    errors: list[BatchRowError] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LimitConfiguration:
    """A user-set limit on how many records one record may be associated with by a type.

    :param category: who defined the type.
    :param type_id: the association type id.
    :param label: the type's display label, when HubSpot sent one.
    :param max_to_object_ids: the user-enforced maximum, when set.
    """

    category: AssociationCategory
    type_id: int
    label: str | None = None
    max_to_object_ids: int | None = None


@dataclass(frozen=True, slots=True)
class LimitConfigurationInput:
    """A limit to create or update.

    :param category: who defined the type.
    :param type_id: the association type id.
    :param max_to_object_ids: the maximum number of to-records per from-record.
    """

    category: AssociationCategory
    type_id: int
    max_to_object_ids: int

    def to_json(self) -> dict[str, Any]:
        """Return the request form."""
        return {
            "category": str(self.category),
            "typeId": self.type_id,
            "maxToObjectIds": self.max_to_object_ids,
        }


@dataclass(frozen=True, slots=True)
class HighUsageReport:
    """The answer to a high-usage report request.

    :param user_id: the user the report is emailed to.
    :param user_email: that user's email, when sent.
    :param enqueue_time_ms: when the report was queued (epoch milliseconds), when sent.
    """

    user_id: int
    user_email: str | None = None
    enqueue_time_ms: int | None = None
