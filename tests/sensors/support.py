"""The emulator portal the sensor, trigger and async-hook tests wait on, and helpers to change it.

Portal (page size 2, so a record with 3 associations is read in 2 pages):

* contact 1 → companies 10 (Primary, HubSpot made the first company primary), 11, 12;
* contact 2 → company 20, labelled "Consultant" (added after start: label ids differ per portal);
* contacts 3..9 → nothing. Labels "Consultant" and "Billing contact" exist for contacts → companies.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest
import requests

from airflow_provider_hubassoc.emulator import EmulatorConfig, EmulatorServer
from tests.seeds import CONTACT_COMPANY_LABELS

TOKEN = "emulator-token"
CONN_ENV = "AIRFLOW_CONN_HUBASSOC_DEFAULT"

SEED: dict[str, Any] = {
    "contacts": [{"id": str(i)} for i in range(1, 10)],
    "companies": [{"id": str(i)} for i in range(10, 30)],
    "labels": [dict(label) for label in CONTACT_COMPANY_LABELS],
    "associations": [
        {"fromObjectType": "contacts", "fromObjectId": 1, "toObjectType": "companies", "toObjectId": cid}
        for cid in (10, 11, 12)
    ],
}


def label_id(server: EmulatorServer, label: str) -> int:
    """The contacts → companies type id of a display label in this portal."""
    for item in server.state.list_labels("0-1", "0-2"):
        if item["label"] == label:
            return int(item["typeId"])
    raise KeyError(label)


def associate(server: EmulatorServer, contact: int, company: int, labels: Sequence[str] = ()) -> None:
    """Associate a contact with a company through the emulator's HTTP API (as another client would)."""
    base = f"{server.url}/crm/v4/objects/contacts/{contact}/associations"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if labels:
        body = [
            {"associationCategory": "USER_DEFINED", "associationTypeId": label_id(server, label)}
            for label in labels
        ]
        response = requests.put(f"{base}/companies/{company}", json=body, headers=headers, timeout=10)
    else:
        response = requests.put(f"{base}/default/companies/{company}", headers=headers, timeout=10)
    response.raise_for_status()


def dissociate(server: EmulatorServer, contact: int, company: int) -> None:
    """Remove every association of a contact-company pair through the HTTP API."""
    response = requests.delete(
        f"{server.url}/crm/v4/objects/contacts/{contact}/associations/companies/{company}",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    response.raise_for_status()


def configure(server: EmulatorServer, **changes: Any) -> None:
    """Change the emulator's runtime settings (faults, limits) over its HTTP API."""
    requests.post(f"{server.url}/_emulator/config", json=changes, timeout=10).raise_for_status()


def stats(server: EmulatorServer) -> dict[str, Any]:
    """The emulator's request counters."""
    result: dict[str, Any] = requests.get(f"{server.url}/_emulator/stats", timeout=10).json()
    return result


def reads_of_associations(server: EmulatorServer) -> int:
    """How many ``GET .../associations/...`` list requests the emulator answered (any status)."""
    return sum(stats(server)["by_endpoint"].get("get_page", {}).values())


def connection_json(server: EmulatorServer, *, password: str = TOKEN, **extra: Any) -> str:
    """The ``hubassoc`` connection of the emulator, in the env-var JSON form."""
    return json.dumps(
        {
            "conn_type": "hubassoc",
            "host": server.url,
            "password": password,
            "extra": {"requests_per_10s": 1000, "max_retries": 0, **extra},
        }
    )


@contextmanager
def running_emulator(**config: Any) -> Iterator[EmulatorServer]:
    """Start the test portal, with "Consultant" on contact 2 → company 20."""
    settings = EmulatorConfig(seed=json.loads(json.dumps(SEED)), page_size=2, **config)
    with EmulatorServer(settings, port=0) as server:
        associate(server, 2, 20, ["Consultant"])
        yield server


def point_connection(monkeypatch: pytest.MonkeyPatch, server: EmulatorServer, **kwargs: Any) -> None:
    """Point ``hubassoc_default`` at the emulator (see :func:`connection_json`)."""
    monkeypatch.setenv(CONN_ENV, connection_json(server, **kwargs))
