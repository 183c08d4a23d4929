"""Row validation and label-field parsing (pure, no API calls).

A row is a mapping such as ``{"from_id": "101", "to_id": "202", "labels": ["Consultant"]}``.
Ids must be positive integers, given as ``int`` or as a string of digits. The labels field may be
a list, a single string, a delimited string (``"A;B"``, or ``"A,B"`` when there is no ``;``), a
JSON array string, or missing / ``None`` / ``""`` (no labels: the default association). A label
item is a display label, an internal name, a numeric type id (``int`` or digit string) or
``"Primary"``. A display label that itself contains ``;`` or ``,`` must be given inside a list.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

#: HubSpot record ids are 64-bit signed integers.
MAX_RECORD_ID = 2**63 - 1

#: A label as written by the DAG author, before resolution: text or a type id.
LabelRef = str | int


class RowError(ValueError):
    """A row (or a label value) is invalid; the message is the rejection reason."""


@dataclass(frozen=True, slots=True)
class ValidatedRow:
    """A row that passed validation.

    :param index: the row's position in the input.
    :param from_id: canonical from-record id.
    :param to_id: canonical to-record id.
    :param labels: the label references of the row (possibly empty).
    """

    index: int
    from_id: str
    to_id: str
    labels: tuple[LabelRef, ...]


def parse_record_id(value: object, field_name: str) -> str:
    """Return a record id in canonical form.

    :param value: an ``int`` or a string of digits, positive.
    :param field_name: the field's name, for the message.
    :raises RowError: when the value is missing, empty, not an integer or not positive.
    """
    if type(value) is str:  # fast path: the common case, same checks as below
        text = value.strip()
        if text.isascii() and text.isdigit() and 0 < (number := int(text)) <= MAX_RECORD_ID:
            return str(number)
    if value is None:
        raise RowError(f"{field_name} is missing")
    if isinstance(value, bool):
        raise RowError(f"{field_name} must be a positive integer, got {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise RowError(f"{field_name} is empty")
        if not text.isascii() or not text.isdigit():
            raise RowError(f"{field_name} must be a positive integer, got {value!r}")
        number = int(text)
    else:
        raise RowError(
            f"{field_name} must be a positive integer given as int or digit string, "
            f"got {type(value).__name__} {value!r}"
        )
    if number <= 0:
        raise RowError(f"{field_name} must be a positive integer, got {value!r}")
    if number > MAX_RECORD_ID:
        # HubSpot would refuse the whole batch request (400) and with it every other row of it
        raise RowError(f"{field_name} {value!r} is larger than HubSpot's largest record id ({MAX_RECORD_ID})")
    return str(number)


def _label_item(item: object) -> LabelRef:
    if isinstance(item, bool):
        raise RowError(f"label {item!r} is not a label name or type id")
    if isinstance(item, int):
        if item <= 0:
            raise RowError(f"label type id must be positive, got {item!r}")
        return item
    if isinstance(item, str):
        text = item.strip()
        if not text:
            raise RowError("empty label in labels")
        return text
    raise RowError(f"label {item!r} ({type(item).__name__}) is not a label name or type id")


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
            raise RowError(f"labels {value!r} is a JSON object; give a list of labels")
        if text.startswith("["):
            try:
                decoded = json.loads(text)
            except ValueError:
                raise RowError(f"labels {value!r} looks like a JSON array but is not valid JSON") from None
            if not isinstance(decoded, list):
                raise RowError(f"labels {value!r} is not a JSON array")
            return parse_labels(decoded)
        separator = ";" if ";" in text else ("," if "," in text else None)
        parts = [text] if separator is None else [p for p in text.split(separator) if p.strip()]
        return _dedupe(_label_item(p) for p in parts)
    if type(value) is list:  # fast path: a list of non-empty strings (same result as below)
        texts: dict[LabelRef, None] = {}
        for item in value:
            if type(item) is not str or not (text := item.strip()):
                break
            texts.setdefault(text, None)
        else:
            return tuple(texts)
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return _dedupe(_label_item(item) for item in items)
    return (_label_item(value),)


def _dedupe(items: object) -> tuple[LabelRef, ...]:
    seen: dict[LabelRef, None] = {}
    for item in items:  # type: ignore[attr-defined]
        seen.setdefault(item, None)
    return tuple(seen)


def validate_row(
    index: int,
    row: object,
    *,
    from_id_field: str,
    to_id_field: str,
    labels_field: str,
) -> ValidatedRow:
    """Validate one input row.

    :param index: the row's position in the input.
    :param row: the row as given.
    :param from_id_field: the field holding the from-record id.
    :param to_id_field: the field holding the to-record id.
    :param labels_field: the field holding the row's labels (optional in the row).
    :raises RowError: with the reason when the row is invalid.
    """
    if not isinstance(row, Mapping):
        raise RowError(f"row is a {type(row).__name__}, not a mapping")
    if from_id_field not in row:
        raise RowError(f"field {from_id_field!r} is missing")
    if to_id_field not in row:
        raise RowError(f"field {to_id_field!r} is missing")
    from_id = parse_record_id(row[from_id_field], from_id_field)
    to_id = parse_record_id(row[to_id_field], to_id_field)
    try:
        labels = parse_labels(row.get(labels_field))
    except RowError as exc:
        raise RowError(f"{labels_field}: {exc}") from None
    return ValidatedRow(index=index, from_id=from_id, to_id=to_id, labels=labels)
