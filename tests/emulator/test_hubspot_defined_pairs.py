"""HUBSPOT_DEFINED default types of the documented object pairs, and refusal of the others.

The expected ids are HubSpot's SDK ``AssociationType`` constants (see ``catalog._UNLABELED_PAIRS``), written
out here again so that a wrong table entry fails a test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hubspot import HubSpot
from hubspot.crm.associations.v4.exceptions import ApiException

from airflow_provider_hubassoc.client import (
    AssociationCategory,
    ClientSettings,
    HubSpotAssociationsClient,
    HubSpotValidationError,
    StaticTokenProvider,
)
from airflow_provider_hubassoc.emulator import EmulatorServer
from airflow_provider_hubassoc.emulator.catalog import BUILTIN_PAIRS
from tests.emulator.conftest import TOKEN

#: (family, from type, to type, from->to id, to->from id); one or more pairs per documented family.
DOCUMENTED = [
    ("leads", "leads", "contacts", 608, 609),
    ("leads", "leads", "companies", 610, 611),
    ("orders", "orders", "contacts", 507, 508),
    ("orders", "deals", "orders", 511, 512),
    ("carts", "carts", "orders", 592, 593),
    ("carts", "carts", "contacts", 586, 587),
    ("line items", "carts", "line_items", 590, 591),
    ("line items", "orders", "line_items", 513, 514),
    ("quotes", "orders", "quotes", 730, 731),
    ("quotes", "quotes", "tasks", 217, 218),
    ("calls", "calls", "meetings", 399, 400),
    ("calls", "courses", "calls", 866, 867),
    ("emails", "appointments", "emails", 916, 917),
    ("meetings", "services", "meetings", 838, 839),
    ("notes", "services", "notes", 836, 837),
    ("tasks", "listings", "tasks", 900, 901),
    ("communications", "communications", "contacts", 81, 82),
    ("invoices", "invoices", "deals", 175, 176),
    ("subscriptions", "subscriptions", "tickets", 1121, 1122),
    ("payments", "payments", "line_items", 395, 396),
    ("postal mail", "postal_mail", "companies", 459, 460),
    ("feedback submissions", "feedback_submissions", "deals", 984, 985),
]

#: Standard pairs no HubSpot type table names: products with anything, and two made-up combinations.
REFUSED = [("products", "contacts"), ("contacts", "products"), ("tasks", "notes"), ("carts", "deals")]


@pytest.fixture
def auto_emulator(emulator: EmulatorServer) -> EmulatorServer:
    """The shared emulator, creating records of any standard type on first use."""
    emulator.runtime.reconfigure({"auto_create_records": True})
    return emulator


@pytest.fixture
def client(auto_emulator: EmulatorServer) -> Iterator[HubSpotAssociationsClient]:
    with HubSpotAssociationsClient(
        settings=ClientSettings(base_url=auto_emulator.url, requests_per_10s=1000, max_retries=0),
        token_provider=StaticTokenProvider(token=TOKEN),
    ) as hub:
        yield hub


@pytest.mark.parametrize(
    ("family", "from_type", "to_type", "forward", "reverse"),
    DOCUMENTED,
    ids=[f"{row[0]}:{row[1]}-{row[2]}" for row in DOCUMENTED],
)
def test_default_association_uses_the_documented_type(
    client: HubSpotAssociationsClient, family: str, from_type: str, to_type: str, forward: int, reverse: int
) -> None:
    defaults = client.associate_default(
        from_object_type=from_type, from_object_id="11", to_object_type=to_type, to_object_id="22"
    )
    assert [(d.spec.category, d.spec.type_id) for d in defaults] == [
        (AssociationCategory.HUBSPOT_DEFINED, forward)
    ]
    back = client.get_associations(from_object_type=to_type, object_id="22", to_object_type=from_type)
    assert [(r.to_object_id, [(t.category, t.type_id) for t in r.types]) for r in back] == [
        ("11", [(AssociationCategory.HUBSPOT_DEFINED, reverse)])
    ]
    labels = client.list_labels(from_object_type=to_type, to_object_type=from_type)
    assert [(t.category, t.type_id, t.label) for t in labels] == [
        (AssociationCategory.HUBSPOT_DEFINED, reverse, None)
    ]


@pytest.mark.parametrize(("from_type", "to_type"), REFUSED)
def test_pairs_hubspot_does_not_define_are_refused(
    client: HubSpotAssociationsClient, auto_emulator: EmulatorServer, from_type: str, to_type: str
) -> None:
    with pytest.raises(HubSpotValidationError) as raised:
        client.associate_default(
            from_object_type=from_type, from_object_id="11", to_object_type=to_type, to_object_id="22"
        )
    assert raised.value.status == 400
    assert raised.value.category == "VALIDATION_ERROR"
    assert "is not supported" in raised.value.message
    with pytest.raises(HubSpotValidationError):
        client.list_labels(from_object_type=from_type, to_object_type=to_type)
    state = auto_emulator.state
    ids = (state.resolve_type(from_type), state.resolve_type(to_type))
    assert state.links.records(*ids) == set()


def test_custom_objects_keep_a_portal_specific_user_defined_default(
    client: HubSpotAssociationsClient,
) -> None:
    defaults = client.associate_default(
        from_object_type="2-123", from_object_id="1", to_object_type="orders", to_object_id="5"
    )
    assert [d.spec.category for d in defaults] == [AssociationCategory.USER_DEFINED]


def test_every_default_type_id_names_one_direction_of_one_pair() -> None:
    seen: dict[int, tuple[str, str]] = {}
    for bp in BUILTIN_PAIRS:
        forward, reverse = bp.types[0][0], bp.types[0][1]
        assert seen.setdefault(forward, (bp.from_type, bp.to_type)) == (bp.from_type, bp.to_type), forward
        assert seen.setdefault(reverse, (bp.to_type, bp.from_type)) == (bp.to_type, bp.from_type), reverse
    assert len({(bp.from_type, bp.to_type) for bp in BUILTIN_PAIRS}) == len(BUILTIN_PAIRS)


# ---------------------------------------------------------------- the official SDK


@pytest.fixture
def sdk(auto_emulator: EmulatorServer) -> HubSpot:
    return HubSpot(access_token=TOKEN, host=auto_emulator.url)


def test_sdk_default_association_of_a_documented_pair(sdk: HubSpot) -> None:
    answer = sdk.crm.associations.v4.basic_api.create_default(
        from_object_type="carts", from_object_id="7", to_object_type="orders", to_object_id="8"
    )
    specs = [row.association_spec for row in answer.results]
    assert [(s.association_category, s.association_type_id) for s in specs] == [("HUBSPOT_DEFINED", 592)]


def test_sdk_sees_hubspots_error_for_a_refused_pair(sdk: HubSpot) -> None:
    with pytest.raises(ApiException) as raised:
        sdk.crm.associations.v4.basic_api.create_default(
            from_object_type="products", from_object_id="7", to_object_type="contacts", to_object_id="8"
        )
    assert raised.value.status == 400
    body = json.loads(raised.value.body)
    assert (body["status"], body["category"]) == ("error", "VALIDATION_ERROR")
    assert body["message"] == "Association from product to contact is not supported."
