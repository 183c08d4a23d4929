"""Seed pieces shared by the test suites that start the emulator."""

from __future__ import annotations

from typing import Any

#: The contact -> company labels most suites use: ``Consultant`` and ``Billing contact``.
CONTACT_COMPANY_LABELS: list[dict[str, Any]] = [
    {
        "fromObjectType": "contacts",
        "toObjectType": "companies",
        "name": name,
        "label": label,
    }
    for name, label in (("consultant", "Consultant"), ("billing", "Billing contact"))
]
