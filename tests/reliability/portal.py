"""A small seeded portal shared by the mirror-safety and hostile-row tests."""

from __future__ import annotations

from typing import Any

from airflow_provider_hubassoc.emulator import EmulatorServer
from tests.seeds import CONTACT_COMPANY_LABELS


def _link(from_type: str, from_id: int, to_type: str, to_id: int) -> dict[str, Any]:
    return {
        "fromObjectType": from_type,
        "fromObjectId": from_id,
        "toObjectType": to_type,
        "toObjectId": to_id,
    }


SEED: dict[str, Any] = {
    "contacts": [{"id": str(i)} for i in range(1, 10)],
    "companies": [{"id": str(i)} for i in range(10, 30)],
    "labels": [
        *(dict(label) for label in CONTACT_COMPANY_LABELS),
        {
            "fromObjectType": "contacts",
            "toObjectType": "contacts",
            "name": "manager",
            "label": "Manager",
            "inverseLabel": "Employee",
        },
    ],
    "associations": [
        # contact 1: companies 10, 11, 12
        *(_link("contacts", 1, "companies", c) for c in (10, 11, 12)),
        # contact 5: 13, 14 (both pruned below); contacts 6, 7, 8: 20, 21 (both kept)
        *(_link("contacts", 5, "companies", c) for c in (13, 14)),
        *(_link("contacts", k, "companies", c) for k in (6, 7, 8) for c in (20, 21)),
    ],
}


def pairs(server: EmulatorServer, from_type: str = "0-1", to_type: str = "0-2") -> set[tuple[int, int]]:
    """The (from, to) pairs of one direction in the emulator's portal.

    :param server: the emulator.
    :param from_type: the from object type id.
    :param to_type: the to object type id.
    """
    return {(p["fromObjectId"], p["toObjectId"]) for p in server.state.pairs(from_type, to_type)}
