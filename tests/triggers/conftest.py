from __future__ import annotations

from collections.abc import Iterator

import pytest

from airflow_provider_hubassoc.emulator import EmulatorServer
from tests.sensors.support import point_connection, running_emulator


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    """The test portal, with ``hubassoc_default`` pointing at it (no client retries)."""
    with running_emulator() as server:
        point_connection(monkeypatch, server)
        yield server
