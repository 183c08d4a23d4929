"""Object types: validation, canonical ids, and the HubSpot-defined Primary types."""

from __future__ import annotations

import re
from typing import Literal

from airflow_provider_hubassoc.sync.errors import SyncConfigurationError

#: Object names HubSpot accepts in paths, singular and plural, mapped to their type ids.
_NAMED_TYPES: dict[str, str] = {
    "contact": "0-1",
    "company": "0-2",
    "deal": "0-3",
    "ticket": "0-5",
    "product": "0-7",
    "line_item": "0-8",
    "quote": "0-14",
    "communication": "0-18",
    "feedback_submission": "0-19",
    "task": "0-27",
    "note": "0-46",
    "meeting": "0-47",
    "call": "0-48",
    "email": "0-49",
    "invoice": "0-53",
    "marketing_event": "0-54",
    "subscription": "0-69",
    "goal": "0-74",
    "discount": "0-84",
    "fee": "0-85",
    "tax": "0-86",
    "payment": "0-101",
    "user": "0-115",
    "postal_mail": "0-116",
    "order": "0-123",
    "lead": "0-136",
    "cart": "0-142",
    "service": "0-162",
    "course": "0-410",
    "listing": "0-420",
    "appointment": "0-421",
    "project": "0-970",
}
_PLURALS: dict[str, str] = {
    "companies": "company",
    "line_items": "line_item",
    "taxes": "tax",
    "feedback_submissions": "feedback_submission",
    "postal_mails": "postal_mail",
}
_TYPE_ID = re.compile(r"^[0-9]+-[0-9]+$")
_CUSTOM_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

COMPANY = "0-2"

#: (from, to) -> the HUBSPOT_DEFINED Primary type id of that direction.
KNOWN_PRIMARY_TYPE_IDS: dict[tuple[str, str], int] = {
    ("0-1", "0-2"): 1,
    ("0-3", "0-2"): 5,
    ("0-5", "0-2"): 26,
    ("0-2", "0-1"): 2,
    ("0-2", "0-3"): 6,
    ("0-2", "0-5"): 25,
}


def canonical_object_type(object_type: object) -> str:
    """Return an object type's canonical form: ``"0-1"`` for ``contacts``, the name itself otherwise.

    :param object_type: an object type as a DAG author wrote it (``"contacts"``, ``"contact"``,
        ``"0-1"``, ``"2-123"``, a custom object's name).
    :raises SyncConfigurationError: when the value cannot be an object type.
    """
    if not isinstance(object_type, str) or not object_type.strip():
        raise SyncConfigurationError(f"object type must be a non-empty string, got {object_type!r}")
    text = object_type.strip()
    if _TYPE_ID.match(text):
        return text
    lowered = text.lower()
    singular = _PLURALS.get(lowered)
    if singular is None and lowered.endswith("s") and lowered[:-1] in _NAMED_TYPES:
        singular = lowered[:-1]
    name = singular or lowered
    if name in _NAMED_TYPES:
        return _NAMED_TYPES[name]
    if _CUSTOM_NAME.match(text):
        return text
    raise SyncConfigurationError(
        f"unknown object type {object_type!r}: use a name such as 'contacts' or 'companies', "
        "an object type id such as '0-1', or a custom object's id '2-…'"
    )


def primary_holder_side(from_object_type: str, to_object_type: str) -> Literal["from", "to"]:
    """Which record of a pair can have only one Primary: the non-company side.

    A contact (deal, ticket) has at most one primary company. In the company → contact direction
    the Primary type says "this company is the contact's primary company", so the to-record holds it.

    :param from_object_type: canonical from type.
    :param to_object_type: canonical to type.
    """
    if from_object_type == COMPANY and to_object_type != COMPANY:
        return "to"
    return "from"
