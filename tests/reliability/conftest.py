"""Fixtures of the reliability suite: emulator subprocesses and a common scenario.

Scenario rows: each contact asks for 4 companies: A with Consultant, B with Consultant and
Billing contact, C with no label (the default association), D with Billing contact. Beforehand,
each contact has A with Billing contact and a company Z that is not in the input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import requests

from airflow_provider_hubassoc.emulator import EmulatorConfig, EmulatorServer
from tests.benchmarks.support import LABELS_SEED, TOKEN, EmulatorProcess, connection_json
from tests.reliability.portal import SEED

UNLABELED = 279
PRIMARY = 1
HUBSPOT_DEFINED = {UNLABELED, PRIMARY}
COMPANY_BASE = {"A": 7_000_000, "B": 8_000_000, "C": 9_000_000, "D": 10_000_000, "Z": 11_000_000}
WANTED = {"A": {"Consultant"}, "B": {"Consultant", "Billing contact"}, "C": set(), "D": {"Billing contact"}}


def company(kind: str, contact: int) -> str:
    """The id of a contact's company of a kind (A, B, C, D or Z)."""
    return str(COMPANY_BASE[kind] + contact)


def scenario_rows(contacts: Sequence[int]) -> list[dict[str, Any]]:
    """Four rows per contact (A, B, C, D), labels as in :data:`WANTED`."""
    return [
        {"from_id": str(c), "to_id": company(kind, c), "labels": sorted(WANTED[kind])}
        for c in contacts
        for kind in "ABCD"
    ]


def seed_state(url: str, contacts: Sequence[int], labels: dict[str, int]) -> None:
    """Give each contact A (Billing contact) and Z (no label), with faults off.

    :param url: the emulator's base URL.
    :param contacts: contact ids.
    :param labels: display label → type id.
    """
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    billing = {"associationCategory": "USER_DEFINED", "associationTypeId": labels["Billing contact"]}
    unlabeled = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": UNLABELED}
    inputs = [{"from": {"id": str(c)}, "to": {"id": company("A", c)}, "types": [billing]} for c in contacts]
    inputs += [
        {"from": {"id": str(c)}, "to": {"id": company("Z", c)}, "types": [unlabeled]} for c in contacts
    ]
    for start in range(0, len(inputs), 2000):
        response = session.post(
            f"{url}/crm/v4/associations/contacts/companies/batch/create",
            json={"inputs": inputs[start : start + 2000]},
            timeout=60,
        )
        assert response.status_code in (200, 201), response.text[:500]


def user_labels(type_ids: set[int], by_id: dict[int, str]) -> set[str]:
    """The display labels of a pair's USER_DEFINED types.

    :param type_ids: the pair's type ids.
    :param by_id: type id → display label.
    """
    return {by_id[t] for t in type_ids if t not in HUBSPOT_DEFINED}


@pytest.fixture
def emulator_factory(tmp_path: Path) -> Iterator[Callable[..., EmulatorProcess]]:
    """Start emulator subprocesses (seeded with the two labels); all are stopped at teardown."""
    started: list[EmulatorProcess] = []

    def start(
        args: Sequence[str] = (), *, seed: dict[str, Any] | None = None, tokens: Sequence[str] = (TOKEN,)
    ) -> EmulatorProcess:
        emu = EmulatorProcess(
            args,
            seed=LABELS_SEED if seed is None else seed,
            tokens=tokens,
            log_dir=tmp_path / f"emulator-{len(started)}",
        )
        started.append(emu.start())
        return emu

    yield start
    for emu in started:
        emu.stop()


@pytest.fixture(scope="module")
def portal_server() -> Iterator[EmulatorServer]:
    """An in-process emulator seeded with :data:`~tests.reliability.portal.SEED` (no auto-created records)."""
    import json

    config = EmulatorConfig(seed=json.loads(json.dumps(SEED)), auto_create_records=False)
    with EmulatorServer(config, port=0) as emulator, pytest.MonkeyPatch.context() as patch:
        patch.setenv("AIRFLOW_CONN_HUBASSOC_DEFAULT", connection_json(emulator.url, requests_per_10s=100_000))
        yield emulator


@pytest.fixture
def portal(portal_server: EmulatorServer) -> EmulatorServer:
    """The seeded emulator, reset to its seed."""
    portal_server.reset()
    return portal_server
