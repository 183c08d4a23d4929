"""Parsing HubSpot's answers: bodies into models, error bodies into typed errors.

Pure functions, no I/O, shared by the sync client and the async hook. Ids may arrive as JSON
strings or numbers; every id goes through
:func:`~airflow_provider_hubassoc.client.models.normalize_id`.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final, TypeVar

import msgspec

from airflow_provider_hubassoc.client.bodies import InputRef
from airflow_provider_hubassoc.client.errors import (
    HubSpotAuthenticationError,
    HubSpotDailyLimitError,
    HubSpotError,
    HubSpotNotFoundError,
    HubSpotPermissionError,
    HubSpotRateLimitError,
    HubSpotServerError,
    HubSpotUnexpectedResponseError,
    HubSpotValidationError,
    cap_text,
)
from airflow_provider_hubassoc.client.models import (
    AssociatedRecord,
    AssociationCategory,
    AssociationSpec,
    AssociationType,
    BatchRowError,
    DefaultAssociation,
    HighUsageReport,
    LabelsBetweenObjectPair,
    LimitConfiguration,
    normalize_id,
)

T = TypeVar("T")

POLICY_DAILY: Final = "DAILY"
POLICY_TEN_SECONDLY_ROLLING: Final = "TEN_SECONDLY_ROLLING"
POLICY_SECONDLY: Final = "SECONDLY"
POLICY_UNKNOWN: Final = "UNKNOWN"

CORRELATION_ID_HEADER: Final = "X-HubSpot-Correlation-Id"
NO_ASSOCIATIONS_FOUND: Final = "NO_ASSOCIATIONS_FOUND"

_FROM_ID_KEYS: Final = ("fromObjectId", "fromObjectIds", "fromId", "fromIds")
_TO_ID_KEYS: Final = ("toObjectId", "toObjectIds", "toId", "toIds")
_ANY_ID_KEYS: Final = ("id", "ids", "objectId", "objectIds")
_TYPE_ID_KEYS: Final = ("typeId", "typeIds", "associationTypeId", "associationTypeIds")
_SCOPE_KEYS: Final = ("requiredGranularScopes", "requiredScopes")
_MAX_QUOTED_BODY: Final = 300
#: Type ids and other counters are 64-bit integers: a longer digit string is not one.
_MAX_INT_DIGITS: Final = 19
#: Record ids are 64-bit integers too (20 digits allow the unsigned range).
_MAX_ID_DIGITS: Final = 20
#: A JSON integer below this is a record id that is canonical once written in decimal.
_ID_BOUND: Final = 2**64
#: How many values of an error entry are searched for ``NO_ASSOCIATIONS_FOUND``.
_MAX_MENTION_NODES: Final = 1_000
#: How many missing scopes a 403 message names.
_MAX_SCOPES_SHOWN: Final = 20
_QUOTE = reprlib.Repr()
_QUOTE.maxlevel = 3
_QUOTE.maxstring = 120
_QUOTE.maxother = 120
_QUOTE.maxlong = 40


# --------------------------------------------------------------------------- helpers


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """Return a header's value, matching its name case-insensitively.

    :param headers: response headers (a plain dict or a case-insensitive one).
    :param name: the header name.
    """
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        for key, candidate in headers.items():
            if key.lower() == lowered:
                return candidate
    return value


def _unexpected(what: str, value: object) -> HubSpotUnexpectedResponseError:
    # reprlib: bounded depth and length, whatever a server nested or sent.
    text = cap_text(_QUOTE.repr(value), _MAX_QUOTED_BODY)
    return HubSpotUnexpectedResponseError(f"HubSpot sent an unexpected {what}: {text}")


def _object(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _unexpected(f"{what} (expected a JSON object)", value)
    return value


def _list(value: object, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _unexpected(f"{what} (expected a JSON array)", value)
    return value


def _id(value: object, what: str) -> str:
    if type(value) is int and 0 <= value < _ID_BOUND:
        return str(value)  # HubSpot's usual form, canonical as written (once per pair of a read)
    if isinstance(value, str) and len(value) > _MAX_ID_DIGITS + 2:
        raise _unexpected(what, value)
    try:
        normalized = normalize_id(value)
    except ValueError:
        raise _unexpected(what, value) from None
    if len(normalized) > _MAX_ID_DIGITS:
        raise _unexpected(what, value)
    return normalized


def _int(value: object, what: str) -> int:
    if isinstance(value, bool):
        raise _unexpected(what, value)
    if isinstance(value, int):
        if value.bit_length() > 63:
            raise _unexpected(what, value)
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2.0**63:
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text.startswith("-") else text
        if digits.isascii() and digits.isdigit() and len(digits) <= _MAX_INT_DIGITS:
            return int(text)
    raise _unexpected(what, value)


def _optional_int(value: object, what: str) -> int | None:
    return None if value is None else _int(value, what)


def _category(value: object) -> AssociationCategory:
    # An unseen category word is kept (see AssociationCategory); a missing or non-text one is not.
    if not isinstance(value, str):
        raise _unexpected("association category", value)
    try:
        return AssociationCategory(value)
    except ValueError:
        raise _unexpected("association category", value) from None


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def _label(value: object) -> str | None:
    # a display label is text or absent (the unlabeled type); a number or an object is not one
    if value is None or isinstance(value, str):
        return value
    raise _unexpected("association label", value)


def next_after(body: Mapping[str, Any]) -> str | None:
    """Return ``paging.next.after`` of a page, or ``None`` on the last page.

    :param body: a page, or a batch-read result carrying its own ``paging``.
    """
    paging = body.get("paging")
    if not isinstance(paging, Mapping):
        return None
    following = paging.get("next")
    if not isinstance(following, Mapping):
        return None
    after = following.get("after")
    if after is None or str(after) == "":
        return None
    return str(after)


def batch_envelope(body: object) -> tuple[list[Any], list[Any]]:
    """Split a batch answer into its raw ``results`` and ``errors`` arrays.

    :param body: the parsed JSON of a 200, 201 or 207 batch answer.
    """
    envelope = _object(body, "batch response")
    return _list(envelope.get("results"), "batch results"), _list(envelope.get("errors"), "batch errors")


# --------------------------------------------------------------------------- models


def parse_association_type(raw: object) -> AssociationType:
    """Parse ``{"category", "typeId", "label"}``.

    :param raw: one ``AssociationSpecWithLabel``.
    """
    data = _object(raw, "association type")
    return AssociationType(
        category=_category(data.get("category")),
        type_id=_int(data.get("typeId"), "association typeId"),
        label=_label(data.get("label")),
    )


def parse_association_spec(raw: object) -> AssociationSpec:
    """Parse the request form ``{"associationCategory", "associationTypeId"}``.

    :param raw: one ``AssociationSpec`` as echoed in an answer.
    """
    data = _object(raw, "association spec")
    return AssociationSpec(
        category=_category(data.get("associationCategory")),
        type_id=_int(data.get("associationTypeId"), "associationTypeId"),
    )


def parse_associated_record(raw: object) -> AssociatedRecord:
    """Parse ``{"toObjectId", "associationTypes"}``.

    :param raw: one ``MultiAssociatedObjectWithLabel``.
    """
    data = _object(raw, "associated record")
    return AssociatedRecord(
        to_object_id=_id(data.get("toObjectId"), "toObjectId"),
        types=tuple(parse_association_type(item) for item in _list(data.get("associationTypes"), "types")),
    )


@dataclass(frozen=True, slots=True)
class AssociationsPage:
    """One page of a record's associations.

    :param records: the associated records on this page.
    :param after: the cursor of the next page, ``None`` on the last one.
    """

    records: list[AssociatedRecord]
    after: str | None


def parse_associations_page(body: object) -> AssociationsPage:
    """Parse a ``GET`` list page.

    :param body: the parsed JSON of a 200 answer.
    """
    data = _object(body, "associations page")
    records = [parse_associated_record(item) for item in _list(data.get("results"), "results")]
    return AssociationsPage(records=records, after=next_after(data))


class _CreatedPair(msgspec.Struct, rename="camel", gc=False):
    """A ``LabelsBetweenObjectPair`` as sent (a labelled ``PUT``'s answer, a batch-create row)."""

    from_object_type_id: Any = None
    from_object_id: Any = None
    to_object_type_id: Any = None
    to_object_id: Any = None
    labels: Any = None


class BatchCreateAnswer(msgspec.Struct, gc=False):
    """A batch-create answer: its rows and its raw per-row errors (other fields are skipped).

    The client decodes the answer's bytes straight into it (2,000 rows per answer).
    """

    results: list[_CreatedPair] | None = None
    errors: list[Any] | None = None


def _labels_between_pair(row: _CreatedPair) -> LabelsBetweenObjectPair:
    labels = row.labels
    return LabelsBetweenObjectPair(
        from_object_type_id=str(row.from_object_type_id if row.from_object_type_id is not None else ""),
        from_object_id=_id(row.from_object_id, "fromObjectId"),
        to_object_type_id=str(row.to_object_type_id if row.to_object_type_id is not None else ""),
        to_object_id=_id(row.to_object_id, "toObjectId"),
        labels=()
        if not labels and type(labels) is list
        else tuple(str(label) for label in _list(labels, "labels") if label is not None),
    )


def parse_labels_between_pair(raw: object) -> LabelsBetweenObjectPair:
    """Parse a ``LabelsBetweenObjectPair`` (labelled ``PUT``, batch-create row).

    :param raw: the JSON object.
    """
    return _labels_between_pair(msgspec.convert(_object(raw, "labelled association"), _CreatedPair))


def parse_batch_create_answer(body: object) -> tuple[list[Any], list[Any]]:
    """Split a batch-create answer into its rows, unconverted, and its raw ``errors``.

    The rows' structure is checked here (by ``msgspec``); :func:`parse_created_pairs` converts them
    into models, when (and if) someone reads them (``BatchResult.add_later``).

    :param body: the answer decoded into :class:`BatchCreateAnswer`, or its parsed JSON.
    :raises msgspec.ValidationError: (a ``ValueError``) when the structure is not the documented one.
    """
    if not isinstance(body, BatchCreateAnswer):
        body = msgspec.convert(_object(body, "batch response"), BatchCreateAnswer)
    return list(body.results or ()), list(body.errors or ())


def parse_created_pairs(body: object) -> list[LabelsBetweenObjectPair]:
    """Convert the rows of a batch-create answer into models.

    :param body: the answer decoded into :class:`BatchCreateAnswer`, or its parsed JSON.
    """
    rows, _ = parse_batch_create_answer(body)
    return [_labels_between_pair(row) for row in rows]


def parse_default_association(raw: object) -> DefaultAssociation:
    """Parse ``{"from": {"id"}, "to": {"id"}, "associationSpec": {...}}``.

    :param raw: one default-association row.
    """
    data = _object(raw, "default association")
    return DefaultAssociation(
        from_id=_id(_object(data.get("from"), "from").get("id"), "from.id"),
        to_id=_id(_object(data.get("to"), "to").get("id"), "to.id"),
        spec=parse_association_spec(data.get("associationSpec")),
    )


def parse_association_types(body: object) -> list[AssociationType]:
    """Parse ``{"results": [AssociationSpecWithLabel]}`` (list or create labels).

    :param body: the parsed JSON answer.
    """
    data = _object(body, "labels response")
    return [parse_association_type(item) for item in _list(data.get("results"), "results")]


def parse_limit_configuration(raw: object) -> LimitConfiguration:
    """Parse a limit configuration (read, create or update result).

    :param raw: ``{"category", "typeId", "label"?, "userEnforcedMaxToObjectIds"?}``.
    """
    data = _object(raw, "limit configuration")
    maximum = data.get("userEnforcedMaxToObjectIds", data.get("maxToObjectIds"))
    return LimitConfiguration(
        category=_category(data.get("category")),
        type_id=_int(data.get("typeId"), "typeId"),
        label=_optional_str(data.get("label")),
        max_to_object_ids=_optional_int(maximum, "userEnforcedMaxToObjectIds"),
    )


def parse_limit_configurations(body: object) -> list[LimitConfiguration]:
    """Parse ``{"results": [...]}`` of limit configurations.

    :param body: the parsed JSON answer.
    """
    data = _object(body, "limit configurations response")
    return [parse_limit_configuration(item) for item in _list(data.get("results"), "results")]


def _iso_to_epoch_ms(text: str) -> int:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise _unexpected("enqueueTime", text) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def parse_high_usage_report(body: object) -> HighUsageReport:
    """Parse ``{"userId", "userEmail", "enqueueTime"}``.

    The current spec types ``enqueueTime`` as ``{"value": <epoch ms>, "timeZoneShift", "dateOnly"}``;
    older specs (and the official SDK) as an ISO 8601 date-time string. Both are accepted, as is a
    bare epoch-millisecond number.

    :param body: the parsed JSON answer.
    """
    data = _object(body, "high-usage report response")
    enqueue = data.get("enqueueTime")
    enqueue_ms: int | None = None
    if isinstance(enqueue, Mapping):
        enqueue_ms = _optional_int(enqueue.get("value"), "enqueueTime.value")
    elif isinstance(enqueue, str) and not enqueue.strip().isdigit():
        enqueue_ms = _iso_to_epoch_ms(enqueue)
    elif enqueue is not None:
        enqueue_ms = _optional_int(enqueue, "enqueueTime")
    return HighUsageReport(
        user_id=_int(data.get("userId"), "userId"),
        user_email=_optional_str(data.get("userEmail")),
        enqueue_time_ms=enqueue_ms,
    )


def parse_batch_rows(results: Iterable[Any], parse_row: Callable[[object], T]) -> list[T]:
    """Parse every row of a batch ``results`` array.

    :param results: the raw rows.
    :param parse_row: the row parser, e.g. :func:`parse_labels_between_pair`.
    """
    return [parse_row(row) for row in results]


def parse_batch_answer(body: object, parse_row: Callable[[object], T]) -> tuple[list[T], list[Any]]:
    """Parse a batch answer: its rows with ``parse_row``, and its raw ``errors``.

    :param body: the parsed JSON of a 200, 201 or 207 batch answer.
    :param parse_row: the row parser, e.g. :func:`parse_labels_between_pair`.
    """
    results, errors = batch_envelope(body)
    return parse_batch_rows(results, parse_row), errors


# --------------------------------------------------------------------------- batch read


@dataclass(slots=True)
class BatchReadPage:
    """One batch-read answer, split into what it means.

    :param records: from-id to the associated records on this page.
    :param after: from-id to its next cursor, for the inputs that have more pages.
    :param errors: the raw error entries other than ``NO_ASSOCIATIONS_FOUND``.
    """

    records: dict[str, list[AssociatedRecord]] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)
    errors: list[Any] = field(default_factory=list)


def _mentions(value: object, token: str) -> bool:
    # Iterative and bounded: a server's nesting must not cost a RecursionError or unbounded time.
    pending: list[object] = [value]
    visited = 0
    while pending and visited < _MAX_MENTION_NODES:
        current = pending.pop()
        visited += 1
        if isinstance(current, str):
            if token in current.upper():
                return True
        elif isinstance(current, Mapping):
            pending.extend(current.values())
        elif isinstance(current, list):
            pending.extend(current)
    return False


def is_no_associations_error(raw: object) -> bool:
    """Tell whether a batch-read error entry just means "this id has no associations".

    :param raw: one entry of ``errors``; its ``subCategory`` (any JSON value) or ``category``
        mentions ``NO_ASSOCIATIONS_FOUND``.
    """
    if not isinstance(raw, Mapping):
        return False
    sub_category = raw.get("subCategory")
    if type(sub_category) is str and NO_ASSOCIATIONS_FOUND in sub_category.upper():
        return True  # the usual form, one per record without associations: no walk
    return _mentions(sub_category, NO_ASSOCIATIONS_FOUND) or _mentions(
        raw.get("category"), NO_ASSOCIATIONS_FOUND
    )


class _ReadType(msgspec.Struct, frozen=True, rename="camel", gc=False):
    """One association type on a pair, as sent; its values are checked by :func:`parse_association_type`.

    Typed only as far as keeps two different answers from comparing equal (``true == 1`` in Python:
    a boolean is not a type id), so that equal raw lists can share one parse.
    """

    category: str | None = None
    type_id: int | str | float | None = None
    label: str | None = None


class _ReadTo(msgspec.Struct, rename="camel", gc=False):
    """One associated record of a batch-read result, as sent."""

    to_object_id: Any = None
    association_types: tuple[_ReadType, ...] | None = None


class _ReadFrom(msgspec.Struct, gc=False):
    """The from-record of a batch-read result."""

    id: Any = None


class _ReadResult(msgspec.Struct, gc=False):
    """One batch-read result: a from-record, its associated records, its next cursor."""

    from_: _ReadFrom = msgspec.field(name="from")
    to: list[_ReadTo] | None = None
    paging: Any = None


class BatchReadAnswer(msgspec.Struct, gc=False):
    """A batch-read answer: only the fields the read needs (others are skipped while decoding).

    The client decodes the answer's bytes straight into it (``schema=`` of the transport's request:
    no intermediate dicts for the thousands of pairs of a read).
    """

    results: list[_ReadResult] | None = None
    errors: list[Any] | None = None


def parse_batch_read_page(body: object) -> BatchReadPage:
    """Parse a batch-read answer (200 or 207).

    The structure is checked by ``msgspec`` (in C: this runs for every pair a read returns, 1,000
    from-records per request); the values go through the same checks as everywhere else
    (:func:`_id`, :func:`parse_association_type`), each distinct list of association types once per
    answer (the pairs that carry equal lists share one tuple of types).

    :param body: the answer decoded into :class:`BatchReadAnswer`, or its parsed JSON.
    :raises msgspec.ValidationError: (a ``ValueError``) when the structure is not the documented one.
    """
    answer = body if isinstance(body, BatchReadAnswer) else msgspec.convert(body, BatchReadAnswer)
    page = BatchReadPage()
    parsed: dict[tuple[_ReadType, ...], tuple[AssociationType, ...]] = {}
    for result in answer.results or ():
        from_id = _id(result.from_.id, "from.id")
        records = page.records.setdefault(from_id, [])
        for to in result.to or ():
            raw_types = to.association_types or ()
            types = parsed.get(raw_types)
            if types is None:
                types = parsed[raw_types] = tuple(
                    parse_association_type({"category": t.category, "typeId": t.type_id, "label": t.label})
                    for t in raw_types
                )
            records.append(AssociatedRecord(_id(to.to_object_id, "toObjectId"), types))
        after = next_after({"paging": result.paging})
        if after is not None:
            page.after[from_id] = after
    page.errors = [raw for raw in answer.errors or () if not is_no_associations_error(raw)]
    return page


# --------------------------------------------------------------------------- 207 mapping


def _context(raw: Mapping[str, Any]) -> dict[str, list[str]]:
    context = raw.get("context")
    if not isinstance(context, Mapping):
        return {}
    normalized: dict[str, list[str]] = {}
    for key, value in context.items():
        values = value if isinstance(value, list) else [value]
        normalized[str(key)] = [str(item) for item in values if item is not None]
    return normalized


def _ids_for(context: Mapping[str, list[str]], keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for key in keys:
        for value in context.get(key, ()):
            try:
                found.add(normalize_id(value))
            except ValueError:
                found.add(value.strip())
    return found


def _type_ids_for(context: Mapping[str, list[str]]) -> set[int]:
    found: set[int] = set()
    for key in _TYPE_ID_KEYS:
        for value in context.get(key, ()):
            if value.strip().isdigit():
                found.add(int(value.strip()))
    return found


def _matches(
    ref: InputRef, from_ids: set[str], to_ids: set[str], any_ids: set[str], type_ids: set[int]
) -> bool:
    """Return True when every constraint that applies to ``ref`` holds, and at least one applied."""
    checked = False
    if from_ids and ref.from_id is not None:
        if ref.from_id not in from_ids:
            return False
        checked = True
    if to_ids and ref.to_id is not None:
        if ref.to_id not in to_ids:
            return False
        checked = True
    if any_ids and (ref.from_id is not None or ref.to_id is not None):
        if ref.from_id not in any_ids and ref.to_id not in any_ids:
            return False
        checked = True
    if type_ids and ref.type_ids:
        if not (ref.type_ids & type_ids):
            return False
        checked = True
    return checked


def parse_batch_error(raw: object, input_indexes: Sequence[int] = ()) -> BatchRowError:
    """Parse one ``StandardError`` entry of a batch answer.

    :param raw: the entry.
    :param input_indexes: the caller's input rows it concerns.
    """
    data = raw if isinstance(raw, Mapping) else {"message": str(raw)}
    return BatchRowError(
        category=cap_text(str(data.get("category") or data.get("status") or "UNKNOWN"), 200),
        message=cap_text(str(data.get("message") or "")),
        sub_category=data.get("subCategory"),
        context=_context(data),
        input_indexes=tuple(input_indexes),
    )


def map_batch_errors(errors_json: Iterable[Any] | None, inputs: Sequence[InputRef]) -> list[BatchRowError]:
    """Tie each error of a batch answer to the caller's input rows it concerns.

    The error's ``context`` (``fromObjectId``, ``toObjectId``, ``id``/``ids``, ``typeId`` ...) is
    matched against the chunk's inputs; a row matches when every context key that applies to it
    agrees. An error in a one-row chunk concerns that row. Errors that match nothing keep an
    empty ``input_indexes``.

    :param errors_json: the ``errors`` array (``None`` means no errors).
    :param inputs: the chunk's rows, each carrying its index in the caller's full input.
    :returns: one :class:`BatchRowError` per entry, in HubSpot's order.
    """
    mapped: list[BatchRowError] = []
    for raw in errors_json or ():
        data = raw if isinstance(raw, Mapping) else {}
        context = _context(data)
        from_ids = _ids_for(context, _FROM_ID_KEYS)
        to_ids = _ids_for(context, _TO_ID_KEYS)
        any_ids = _ids_for(context, _ANY_ID_KEYS)
        type_ids = _type_ids_for(context)
        if from_ids or to_ids or any_ids or type_ids:
            indexes = [ref.index for ref in inputs if _matches(ref, from_ids, to_ids, any_ids, type_ids)]
        elif len(inputs) == 1:
            indexes = [inputs[0].index]
        else:
            indexes = []
        mapped.append(parse_batch_error(raw, sorted(set(indexes))))
    return mapped


# --------------------------------------------------------------------------- errors


def correlation_id(headers: Mapping[str, str], body: object) -> str | None:
    """Return HubSpot's correlation id from the body, or else from the header.

    :param headers: response headers.
    :param body: the parsed body (any JSON value, text or ``None``).
    """
    if isinstance(body, Mapping):
        value = body.get("correlationId")
        if value:
            return cap_text(str(value), 100)
    value = header_value(headers, CORRELATION_ID_HEADER)
    return None if value is None else cap_text(value, 100)


def rate_limit_policy(body: object) -> str:
    """Classify a 429 answer by the limit it hit.

    :param body: the parsed 429 body.
    :returns: ``policyName`` upper-cased when present (``"DAILY"``, ``"TEN_SECONDLY_ROLLING"``,
        ``"SECONDLY"`` ...), else a guess from the message, else ``"UNKNOWN"``.
    """
    message = ""
    if isinstance(body, Mapping):
        policy = body.get("policyName")
        if isinstance(policy, str) and policy.strip():
            return policy.strip().upper()
        message = str(body.get("message") or "")
    elif isinstance(body, str):
        message = body
    lowered = message.lower()
    if "daily" in lowered:
        return POLICY_DAILY
    if "ten_secondly" in lowered or "ten secondly" in lowered:
        return POLICY_TEN_SECONDLY_ROLLING
    if "secondly" in lowered:
        return POLICY_SECONDLY
    return POLICY_UNKNOWN


def retry_after_seconds(headers: Mapping[str, str], *, now: datetime | None = None) -> float | None:
    """Return the ``Retry-After`` wait in seconds, or ``None`` when absent or unreadable.

    :param headers: response headers.
    :param now: the current time, for the HTTP-date form (defaults to the system's UTC time).
    """
    value = header_value(headers, "Retry-After")
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        return None
    return max(0.0, seconds)


def _message(body: object) -> str:
    if isinstance(body, Mapping):
        message = str(body.get("message") or "").strip()
        message = cap_text(message)
        details = [
            cap_text(str(item.get("message")).strip(), _MAX_QUOTED_BODY)
            for item in _list_or_empty(body.get("errors"))[:_MAX_SCOPES_SHOWN]
            if isinstance(item, Mapping) and item.get("message")
        ]
        details = [detail for detail in details if detail and detail != message]
        if details:
            message = f"{message} ({'; '.join(details)})" if message else "; ".join(details)
        return message or "no message"
    if isinstance(body, str) and body.strip():
        text = body.strip()
        return text if len(text) <= _MAX_QUOTED_BODY else text[:_MAX_QUOTED_BODY] + "..."
    return "no message"


def _list_or_empty(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def missing_scopes(body: object) -> list[str]:
    """Return the scopes a 403 answer says are required, in order, without duplicates.

    Looks in ``errors[*].context.requiredGranularScopes`` / ``requiredScopes`` and in the
    top-level ``context``.

    :param body: the parsed 403 body.
    """
    if not isinstance(body, Mapping):
        return []
    contexts: list[Mapping[str, Any]] = [
        item["context"]
        for item in _list_or_empty(body.get("errors"))
        if isinstance(item, Mapping) and isinstance(item.get("context"), Mapping)
    ]
    if isinstance(body.get("context"), Mapping):
        contexts.append(body["context"])
    scopes: dict[str, None] = {}  # ordered and de-duplicated in linear time
    for context in contexts:
        for key in _SCOPE_KEYS:
            scopes.update(dict.fromkeys(str(scope) for scope in _list_or_empty(context.get(key))))
    return list(scopes)


def error_from_response(status: int, headers: Mapping[str, str], body: object) -> HubSpotError:
    """Build the typed error for a failed answer; the message says what to fix where known.

    :param status: the HTTP status.
    :param headers: the response headers.
    :param body: the parsed JSON body, the text of a non-JSON body, or ``None``.
    """
    message = _message(body)
    data: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    category = data.get("category") or data.get("errorType")
    context = data.get("context") if isinstance(data.get("context"), Mapping) else None
    common: dict[str, Any] = {
        "status": status,
        "category": cap_text(str(category), 200) if category else None,
        "correlation_id": correlation_id(headers, body),
        "context": context,
    }
    if status == 400:
        return HubSpotValidationError(f"HubSpot rejected the request as invalid: {message}", **common)
    if status == 401:
        return HubSpotAuthenticationError(
            "HubSpot did not accept the credentials. Check the private-app access token, or the OAuth "
            "client id, client secret and refresh token, and that the app is installed in this portal. "
            f"HubSpot said: {message}",
            **common,
        )
    if status == 403:
        scopes = missing_scopes(body)
        if scopes:
            shown = ", ".join(scopes[:_MAX_SCOPES_SHOWN])
            if len(scopes) > _MAX_SCOPES_SHOWN:
                shown += f" and {len(scopes) - _MAX_SCOPES_SHOWN:,} more"
            text = (
                f"The token lacks the scopes this call needs: {shown}. Add them to the "
                f"private app (or the OAuth app's scopes) and reinstall it. HubSpot said: {message}"
            )
        else:
            text = (
                "HubSpot refused access (403). Check the app's scopes (read/write on each object type "
                f"involved) and that the portal allows this feature. HubSpot said: {message}"
            )
        return HubSpotPermissionError(text, missing_scopes=scopes, **common)
    if status == 404:
        return HubSpotNotFoundError(
            f"HubSpot found no such object type, record or label: {message}", **common
        )
    if status == 429:
        policy = rate_limit_policy(body)
        if policy == POLICY_DAILY:
            return HubSpotDailyLimitError(
                "HubSpot's daily API request limit for this portal is used up (429, policy DAILY). It "
                "resets at midnight in the portal's time zone; retrying earlier is futile. "
                f"HubSpot said: {message}",
                **common,
            )
        return HubSpotRateLimitError(
            f"HubSpot rate limited the request (policy {policy}): {message}", **common
        )
    if status >= 500:
        return HubSpotServerError(f"HubSpot answered with a server error: {message}", **common)
    return HubSpotError(f"HubSpot answered HTTP {status}: {message}", **common)
