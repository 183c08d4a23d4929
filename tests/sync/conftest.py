from __future__ import annotations

import pytest

from tests.sync.fake_client import FakePortal


@pytest.fixture(params=["set", "add"])
def portal(request: pytest.FixtureRequest) -> FakePortal:
    """A portal with labels Consultant and 'Billing contact' (contacts → companies), per write mode."""
    fake = FakePortal(label_writes=request.param)
    fake.add_label("contacts", "companies", "Consultant")
    fake.add_label("contacts", "companies", "Billing contact")
    return fake
