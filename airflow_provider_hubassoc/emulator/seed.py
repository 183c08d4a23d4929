"""Seed data for the emulator: a JSON file, a mapping, or the reproducible ``demo`` portal.

Seed format::

    {
      "contacts": [{"id": "101", "properties": {"email": "ada@example.com"}}],
      "companies": [{"id": "202", "properties": {"domain": "example.com"}}],
      "deals": [], "tickets": [],
      "2-123": [{"id": "1"}],
      "labels": [{"fromObjectType": "contacts", "toObjectType": "companies",
                  "name": "billing", "label": "Billing", "inverseLabel": "Billed"}],
      "associations": [{"fromObjectType": "contacts", "fromObjectId": "101",
                        "toObjectType": "companies", "toObjectId": "202",
                        "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}]}]
    }

Object records (issue 16) may also carry ``"createdAt"`` (ISO time; default: derived from the id, so
older ids are older records) and ``"mergedIds"`` (ids of records HubSpot merged into this one: reads by
them return this record, which reports them in ``hs_merged_object_ids``, ``;``-joined). Seeded emails
are stored lower-cased, as HubSpot stores them. ``"properties": {"contacts": {"external_id":
{"hasUniqueValue": true}}}`` declares unique-value properties (contacts' ``email`` is unique by rule).

Keys other than ``labels``, ``associations`` and ``properties`` are object types (plural/singular
names or ``0-x``/``2-x`` ids). ``associations`` are written in ``add`` mode, so the Primary rules apply.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEMO_COUNTS = {"contacts": 200, "companies": 50, "deals": 80, "tickets": 40}
#: First record id of each demo object type; ids are consecutive from there.
DEMO_ID_BASE = {"contacts": 1001, "companies": 5001, "deals": 8001, "tickets": 9001}


def demo_seed() -> dict[str, Any]:
    """A reproducible demo portal: 200 contacts, 50 companies, 80 deals, 40 tickets.

    Contact ``1001 + i`` is associated with company ``5001 + i % 50`` (so it becomes Primary), deal
    ``8001 + j`` with company ``5001 + j % 50`` and contact ``1001 + j``, ticket ``9001 + k`` with contact
    ``1001 + k``.
    """
    data: dict[str, Any] = {}
    for type_name, count in DEMO_COUNTS.items():
        base = DEMO_ID_BASE[type_name]
        recs = []
        for i in range(count):
            rid = base + i
            if type_name == "contacts":
                props = {"email": f"contact{rid}@example.com", "firstname": f"Contact{rid}"}
            elif type_name == "companies":
                props = {"domain": f"company{rid}.example.com", "name": f"Company {rid}"}
            elif type_name == "deals":
                props = {"dealname": f"Deal {rid}", "amount": str(1000 + i * 10)}
            else:
                props = {"subject": f"Ticket {rid}"}
            recs.append({"id": str(rid), "properties": props})
        data[type_name] = recs
    assoc: list[dict[str, Any]] = []
    for i in range(DEMO_COUNTS["contacts"]):
        assoc.append(_pair("contacts", 1001 + i, "companies", 5001 + i % 50))
    for j in range(DEMO_COUNTS["deals"]):
        assoc.append(_pair("deals", 8001 + j, "companies", 5001 + j % 50))
        assoc.append(_pair("deals", 8001 + j, "contacts", 1001 + j))
    for k in range(DEMO_COUNTS["tickets"]):
        assoc.append(_pair("tickets", 9001 + k, "contacts", 1001 + k))
    data["associations"] = assoc
    return data


def _pair(from_type: str, from_id: int, to_type: str, to_id: int) -> dict[str, Any]:
    return {
        "fromObjectType": from_type,
        "fromObjectId": from_id,
        "toObjectType": to_type,
        "toObjectId": to_id,
    }


def load_seed(seed: str | dict[str, Any] | None) -> dict[str, Any] | None:
    """Resolve the ``seed`` config value to a seed mapping.

    :param seed: ``"demo"``, a path to a JSON file, a mapping (returned as is) or ``None``.
    :raises ValueError: When a file does not hold a JSON object.
    """
    if seed is None:
        return None
    if isinstance(seed, dict):
        return seed
    if seed == "demo":
        return demo_seed()
    data = json.loads(Path(seed).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"seed file {seed} must contain a JSON object")
    return data
