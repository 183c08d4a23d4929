"""The association store: each association kept once, the reverse direction derived."""

from __future__ import annotations

from airflow_provider_hubassoc.emulator.links import LinkStore
from airflow_provider_hubassoc.emulator.state import Portal

INVERSE = {
    ("0-1", "0-2"): {279: 280, 1: 2},
    ("0-2", "0-1"): {280: 279, 2: 1},
    ("0-1", "0-1"): {7: 8, 8: 7, 449: 449},
}


def store() -> LinkStore:
    return LinkStore(lambda from_type, to_type: INVERSE[(from_type, to_type)])


def test_written_from_either_side_read_from_both() -> None:
    links = store()
    links.put("0-2", "0-1", 11, 1, {280, 2})  # written from the company side
    assert links.get("0-1", "0-2", 1, 11) == {279, 1}
    assert links.get("0-2", "0-1", 11, 1) == {280, 2}
    assert links.neighbors("0-2", "0-1", 11) == {1: {280, 2}}
    assert links.neighbors("0-1", "0-2", 1) == {11: {279, 1}}
    assert list(links.stored_types("0-2", "0-1")) == [{279, 1}]  # one entry, canonical direction
    assert links.records("0-2", "0-1") == {11}
    assert links.drop("0-1", "0-2", 1, 11)
    assert not links.has_neighbors("0-2", "0-1", 11)
    assert links.get("0-2", "0-1", 11, 1) is None
    assert not links.drop("0-2", "0-1", 11, 1)


def test_same_type_pairs_are_one_association_with_inverse_labels() -> None:
    links = store()
    links.put("0-1", "0-1", 5, 3, {449, 7})  # contact 5 is "7" (e.g. Manager) of contact 3
    assert links.get("0-1", "0-1", 3, 5) == {449, 8}
    assert links.neighbors("0-1", "0-1", 3) == {5: {449, 8}}
    assert links.neighbors("0-1", "0-1", 5) == {3: {449, 7}}
    links.put("0-1", "0-1", 4, 4, {449})
    assert links.neighbors("0-1", "0-1", 4) == {4: {449}}
    assert links.records("0-1", "0-1") == {3, 4, 5}
    assert len(list(links.stored_types("0-1", "0-1"))) == 2


def test_primary_is_derived_for_an_owner_on_the_second_side() -> None:
    # deals (0-3) sort after companies (0-2): the deal is the second side of the stored entry
    portal = Portal(portal_id=5, auto_create=True)
    portal.associate("0-3", "0-2", 301, 201, [], "set")
    assert portal.primary_company("0-3", 301) == 201
    portal.associate("0-3", "0-2", 301, 202, [("HUBSPOT_DEFINED", 5)], "set")
    assert portal.primary_company("0-3", 301) == 202
    assert {p["toObjectId"]: p["typeIds"] for p in portal.pairs("0-3", "0-2")} == {201: [341], 202: [5, 341]}
    assert {p["fromObjectId"]: p["typeIds"] for p in portal.pairs("0-2", "0-3")} == {
        201: [342],
        202: [6, 342],
    }
    portal.remove_pair("0-2", "0-3", 202, 301)
    assert portal.primary_company("0-3", 301) is None
