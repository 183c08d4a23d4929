"""Row validation (pure, no API calls): one input row becomes one :class:`RowRecord`, or a reason.

A row is a mapping such as ``{"from_id": "101", "to_id": "202", "labels": ["Consultant"]}``.

Ids are canonicalised here and nowhere else in the sync layer. An id is accepted as an ``int``, a
string of ASCII digits (surrounding blanks and leading zeros allowed) or an integral
:class:`~decimal.Decimal` (what a ``NUMERIC`` column returns); it must be in HubSpot's range
``1 .. 2**63 - 1``. Floats and strings such as ``"1.0"`` are rejected (a float cannot hold every
64-bit id exactly), but the from-record such a rejected row may name is still known
(:func:`tainted_from_id`), so that mirror never prunes it.

The labels field may be a list, a single string, a delimited string (``"A;B"``, or ``"A,B"`` when
there is no ``;``), a JSON array string, or missing / ``None`` / ``""`` (no labels: the default
association). A label item is a display label, an internal name, a numeric type id (``int`` or
ASCII digit string) or ``"Primary"``. A display label that contains ``;`` or ``,`` must be given
inside a list.

Nothing here raises anything but :class:`RowError` whatever the input: ids of thousands of digits,
non-ASCII digits, JSON nested 100,000 deep and rows that contain themselves are rejected rows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Final

import msgspec

#: HubSpot record ids are 64-bit signed integers.
MAX_RECORD_ID = 2**63 - 1
#: Digits of :data:`MAX_RECORD_ID`: longer digit strings are refused before any ``int()``.
_MAX_ID_DIGITS = len(str(MAX_RECORD_ID))
#: The longest text of a label reference (HubSpot's labels are far shorter).
MAX_LABEL_LENGTH = 1_000
#: How deep the JSON of a labels string may nest (a list of labels needs 1).
_MAX_LABELS_JSON_DEPTH = 32

#: A label as written by the DAG author, before resolution: text or a type id.
LabelRef = str | int


class RowError(ValueError):
    """A row (or a label value) is invalid; the message is the rejection reason."""


class RowRecord(msgspec.Struct, frozen=True, gc=False):
    """A row that passed validation: the only shape a row has inside the pipeline.

    A frozen ``msgspec.Struct``: one is built per input row, in C, and kept out of the cyclic
    garbage collector (it holds only strings, ints and a tuple of them).

    :param index: the row's position in the input.
    :param from_id: canonical from-record id.
    :param to_id: canonical to-record id.
    :param labels: the label references of the row (possibly empty).
    """

    index: int
    from_id: str
    to_id: str
    labels: tuple[LabelRef, ...]


class UnreadableRow:
    """A row the source could not decode (e.g. a JSON item nested 100,000 deep); always rejected.

    :param text: the row's text as given.
    :param reason: why it could not be read.
    """

    __slots__ = ("reason", "text")

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason

    def __repr__(self) -> str:
        return (
            f"<unreadable row {self.text[:40]!r}…>"
            if len(self.text) > 40
            else f"<unreadable row {self.text!r}>"
        )


def shown(value: object, limit: int = 60) -> str:
    """A short ``repr`` of a value for a message; never fails, whatever the value.

    :param value: anything from an input row.
    :param limit: the longest text returned.
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**limit:
        return f"<int of about {int(math.log10(abs(value))) + 1} digits>"
    try:
        text = repr(value)
    except Exception:  # a row's __repr__ may do anything; the message must not fail
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _digits(text: str, field_name: str, value: object) -> str:
    if not text:
        raise RowError(f"{field_name} is empty")
    if not text.isascii() or not text.isdigit():
        raise RowError(f"{field_name} must be a positive integer, got {shown(value)}")
    stripped = text.lstrip("0")
    if not stripped:
        raise RowError(f"{field_name} must be a positive integer, got {shown(value)}")
    if len(stripped) > _MAX_ID_DIGITS or int(stripped) > MAX_RECORD_ID:
        # HubSpot would refuse the whole batch request (400) and with it every other row of it
        raise RowError(
            f"{field_name} {shown(value)} is larger than HubSpot's largest record id ({MAX_RECORD_ID})"
        )
    return stripped


def parse_record_id(value: object, field_name: str) -> str:
    """Return a record id in canonical form (the one place ids are normalised).

    :param value: an ``int``, a string of ASCII digits or an integral ``Decimal``, positive.
    :param field_name: the field's name, for the message.
    :raises RowError: when the value is missing, empty, not an integer, out of range.
    """
    if type(value) is str:  # fast path: the common case
        text = value.strip()
        if (
            0 < len(text) <= _MAX_ID_DIGITS
            and text.isascii()
            and text.isdigit()
            and text[0] != "0"
            and (len(text) < _MAX_ID_DIGITS or int(text) <= MAX_RECORD_ID)
        ):
            return text
        return _digits(text, field_name, value)
    if value is None:
        raise RowError(f"{field_name} is missing")
    if isinstance(value, bool):
        raise RowError(f"{field_name} must be a positive integer, got {value!r}")
    if isinstance(value, int):
        if value <= 0:
            raise RowError(f"{field_name} must be a positive integer, got {shown(value)}")
        if value > MAX_RECORD_ID:
            raise RowError(
                f"{field_name} {shown(value)} is larger than HubSpot's largest record id ({MAX_RECORD_ID})"
            )
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value() or value.adjusted() > _MAX_ID_DIGITS:
            raise RowError(f"{field_name} must be a positive integer, got {shown(value)}")
        return parse_record_id(int(value), field_name)
    if isinstance(value, str):
        return _digits(value.strip(), field_name, value)
    raise RowError(
        f"{field_name} must be a positive integer given as int or digit string, "
        f"got {type(value).__name__} {shown(value)}"
    )


def tainted_from_id(row: object, from_id_field: str) -> str | None:
    """The from-record a rejected row may name, read leniently (``1.0``, ``"1.0"``, ``" 01 "``).

    Mirror never prunes a from-record that a rejected row may name; this reads the from-id of a
    row that failed validation as generously as possible for that purpose only.

    :param row: the rejected row.
    :param from_id_field: the field holding the from-record id.
    """
    if not isinstance(row, Mapping):
        return None
    try:
        value = row.get(from_id_field)
    except Exception:  # a user mapping's get() may fail; it names no record then
        return None
    try:
        return parse_record_id(value, from_id_field)
    except RowError:
        pass
    if isinstance(value, float) and value.is_integer():
        value = Decimal(int(value))
    elif isinstance(value, str) and len(value) <= 2 * _MAX_ID_DIGITS:
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    try:
        return parse_record_id(value, from_id_field)
    except RowError:
        return None


def _label_item(item: object) -> LabelRef:
    if isinstance(item, bool):
        raise RowError(f"label {item!r} is not a label name or type id")
    if isinstance(item, int):
        if item <= 0:
            raise RowError(f"label type id must be positive, got {shown(item)}")
        if item > MAX_RECORD_ID:
            raise RowError(f"label type id {shown(item)} is not an association type id")
        return item
    if isinstance(item, str):
        text = item.strip()
        if not text:
            raise RowError("empty label in labels")
        if len(text) > MAX_LABEL_LENGTH:
            raise RowError(f"label {shown(text)} is longer than {MAX_LABEL_LENGTH} characters")
        return text
    raise RowError(f"label {shown(item)} ({type(item).__name__}) is not a label name or type id")


def _json_depth_ok(text: str) -> bool:
    """Whether the brackets of ``text`` nest at most :data:`_MAX_LABELS_JSON_DEPTH` deep."""
    depth = 0
    for char in text:
        if char in "[{":
            depth += 1
            if depth > _MAX_LABELS_JSON_DEPTH:
                return False
        elif char in "]}":
            depth -= 1
    return True


def parse_labels(value: object) -> tuple[LabelRef, ...]:
    """Parse a labels field (or the operator's ``labels`` argument).

    :param value: a list/tuple/set of labels, a single label, a delimited string, a JSON array
        string, or ``None``.
    :raises RowError: when the value or one of its items is not a label.
    """
    if value is None:
        return ()
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return ()
        if text.startswith("{"):
            raise RowError(f"labels {shown(value)} is a JSON object; give a list of labels")
        if text.startswith("["):
            if not _json_depth_ok(text):
                raise RowError(f"labels {shown(value)} nests deeper than a JSON array of labels")
            try:
                decoded = json.loads(text)
            except (ValueError, RecursionError):
                raise RowError(
                    f"labels {shown(value)} looks like a JSON array but is not valid JSON"
                ) from None
            if not isinstance(decoded, list):
                raise RowError(f"labels {shown(value)} is not a JSON array")
            return _dedupe(_label_item(item) for item in decoded)
        separator = ";" if ";" in text else ("," if "," in text else None)
        parts = [text] if separator is None else [p for p in text.split(separator) if p.strip()]
        return _dedupe(_label_item(p) for p in parts)
    if type(value) is list:  # fast path: a list of non-empty strings (same result as below)
        texts: dict[LabelRef, None] = {}
        for item in value:
            if type(item) is not str or not (text := item.strip()) or len(text) > MAX_LABEL_LENGTH:
                break
            texts.setdefault(text, None)
        else:
            return tuple(texts)
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=shown) if isinstance(value, set | frozenset) else value
        return _dedupe(_label_item(item) for item in items)
    return (_label_item(value),)


def _dedupe(items: object) -> tuple[LabelRef, ...]:
    seen: dict[LabelRef, None] = {}
    for item in items:  # type: ignore[attr-defined]
        seen.setdefault(item, None)
    return tuple(seen)


#: Marks a field absent from a row (``None`` is a value a row may hold).
_ABSENT: Final = object()


class RowValidator:
    """Validates input rows into :class:`RowRecord` objects, for one set of row fields.

    One is built per sync; :meth:`validate` runs once per input row.

    :param from_id_field: the field holding the from-record id.
    :param to_id_field: the field holding the to-record id.
    :param labels_field: the field holding the row's labels (optional in the row).
    """

    __slots__ = ("from_id_field", "labels_field", "to_id_field")

    def __init__(self, *, from_id_field: str, to_id_field: str, labels_field: str) -> None:
        self.from_id_field = from_id_field
        self.to_id_field = to_id_field
        self.labels_field = labels_field

    def validate(self, index: int, row: object) -> RowRecord:
        """Validate one input row.

        :param index: the row's position in the input.
        :param row: the row as given.
        :raises RowError: with the reason when the row is invalid (and only then).
        """
        try:
            if type(row) is dict:  # the common case (XCom, SQL rows): plain lookups
                raw_from = row.get(self.from_id_field, _ABSENT)
                raw_to = row.get(self.to_id_field, _ABSENT)
                raw_labels = row.get(self.labels_field)
            else:
                raw_from, raw_to, raw_labels = self._fields(row)
        except RowError:
            raise
        except Exception as exc:  # a row may raise anything on access (even a dict, through a key's __eq__)
            raise RowError(f"row cannot be read: {type(exc).__name__}") from None
        if raw_from is _ABSENT:
            raise RowError(f"field {self.from_id_field!r} is missing")
        if raw_to is _ABSENT:
            raise RowError(f"field {self.to_id_field!r} is missing")
        from_id = parse_record_id(raw_from, self.from_id_field)
        to_id = parse_record_id(raw_to, self.to_id_field)
        if raw_labels is None:
            return RowRecord(index, from_id, to_id, ())
        try:
            labels = parse_labels(raw_labels)
        except RowError as exc:
            raise RowError(f"{self.labels_field}: {exc}") from None
        return RowRecord(index, from_id, to_id, labels)

    def _fields(self, row: object) -> tuple[object, object, object]:
        """Read the three fields of any other row: a mapping, or a rejection.

        Both id fields are looked for before either is read, so a missing field is named as such
        even when reading the other one would fail.
        """
        if isinstance(row, UnreadableRow):
            raise RowError(row.reason)
        if not isinstance(row, Mapping):
            raise RowError(f"row is a {type(row).__name__}, not a mapping")
        if self.from_id_field not in row:
            return _ABSENT, None, None
        if self.to_id_field not in row:
            return None, _ABSENT, None
        return row[self.from_id_field], row[self.to_id_field], row.get(self.labels_field)
