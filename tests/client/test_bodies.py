from __future__ import annotations

import pytest

from airflow_provider_hubassoc.client import (
    AssociationCategory,
    AssociationInput,
    AssociationSpec,
    LimitConfigurationInput,
    bodies,
)

USER = AssociationCategory.USER_DEFINED


def test_chunked_yields_offsets() -> None:
    assert [(offset, list(chunk)) for offset, chunk in bodies.chunked([1, 2, 3, 4, 5], 2)] == [
        (0, [1, 2]),
        (2, [3, 4]),
        (4, [5]),
    ]
    assert list(bodies.chunked([], 3)) == []
    with pytest.raises(ValueError, match="positive"):
        list(bodies.chunked([1], 0))


def test_page_limit_is_clamped_and_validated() -> None:
    assert bodies.page_limit(1000) == 500
    assert bodies.page_limit(20) == 20
    with pytest.raises(ValueError, match="limit"):
        bodies.page_limit(0)


def test_record_id_normalizes_and_refuses_garbage() -> None:
    assert bodies.record_id(101) == "101"
    assert bodies.record_id(" 0101 ") == "101"
    with pytest.raises(ValueError, match="from_id"):
        bodies.record_id("abc", what="from_id")


def test_batch_create_body_normalizes_ids() -> None:
    body = bodies.batch_create_body(
        [AssociationInput(from_id="1", to_id="02", types=(AssociationSpec(USER, 36),))]
    )
    assert body == {
        "inputs": [
            {
                "from": {"id": "1"},
                "to": {"id": "2"},
                "types": [{"associationCategory": "USER_DEFINED", "associationTypeId": 36}],
            }
        ]
    }


def test_batch_create_body_takes_types_as_any_sequence() -> None:
    spec = AssociationSpec(USER, 36)
    as_list = AssociationInput(from_id="1", to_id="2", types=[spec])  # type: ignore[arg-type]
    as_tuple = AssociationInput(from_id="1", to_id="3", types=(spec,))
    body = bodies.batch_create_body([as_list, as_tuple])
    assert [row["types"] for row in body["inputs"]] == [
        [{"associationCategory": "USER_DEFINED", "associationTypeId": 36}]
    ] * 2


def test_batch_read_body_sends_after_only_when_present() -> None:
    assert bodies.batch_read_body([("1", None), ("2", "cur")]) == {
        "inputs": [{"id": "1"}, {"id": "2", "after": "cur"}]
    }


def test_batch_archive_body_groups_by_from_id_and_drops_duplicates() -> None:
    body = bodies.batch_archive_body([("1", "10"), ("2", "20"), ("1", "11"), ("1", "10")])
    assert body == {
        "inputs": [
            {"from": {"id": "1"}, "to": [{"id": "10"}, {"id": "11"}]},
            {"from": {"id": "2"}, "to": [{"id": "20"}]},
        ]
    }


def test_label_bodies() -> None:
    assert bodies.create_label_body(name="manager_employee", label="Manager", inverse_label="Employee") == {
        "name": "manager_employee",
        "label": "Manager",
        "inverseLabel": "Employee",
    }
    assert bodies.create_label_body(name="consultant", label="Consultant") == {
        "name": "consultant",
        "label": "Consultant",
    }
    assert bodies.update_label_body(association_type_id=32, label="Contract worker") == {
        "associationTypeId": 32,
        "label": "Contract worker",
    }
    for bad in ("my-label", "1abc", ""):
        with pytest.raises(ValueError, match="name"):
            bodies.create_label_body(name=bad, label="X")


def test_limit_configuration_bodies() -> None:
    config = LimitConfigurationInput(
        category=AssociationCategory.HUBSPOT_DEFINED, type_id=3, max_to_object_ids=5
    )
    assert bodies.limit_configurations_body([config]) == {
        "inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 3, "maxToObjectIds": 5}]
    }
    assert bodies.purge_limit_configurations_body([AssociationSpec(USER, 35)]) == {
        "inputs": [{"category": "USER_DEFINED", "typeId": 35}]
    }
