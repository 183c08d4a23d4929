"""The association conditions: argument checks and evaluation (pure, no I/O)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_hubassoc.client.models import AssociatedRecord, AssociationCategory, AssociationType
from airflow_provider_hubassoc.sync.conditions import (
    MAX_OBSERVED_RECORDS,
    build_condition,
    check_arguments,
    evaluate,
    make_resolver,
)
from airflow_provider_hubassoc.sync.errors import SyncConfigurationError
from airflow_provider_hubassoc.sync.labels import LabelResolutionError

HS = AssociationCategory.HUBSPOT_DEFINED
USER = AssociationCategory.USER_DEFINED
UNLABELED = AssociationType(HS, 279, None)
PRIMARY = AssociationType(HS, 1, "Primary")
CONSULTANT = AssociationType(USER, 4001, "Consultant")
BILLING = AssociationType(USER, 4002, "Billing contact")
DEFINITIONS = [PRIMARY, UNLABELED, CONSULTANT, BILLING]


def record(to_id: str, *types: AssociationType) -> AssociatedRecord:
    return AssociatedRecord(to_object_id=to_id, types=(UNLABELED, *types))


def condition(**kwargs: Any) -> Any:
    base: dict[str, Any] = {
        "from_object_type": "contacts",
        "from_object_id": 1,
        "to_object_type": "companies",
    }
    return build_condition(**{**base, **kwargs})


def run(records: list[AssociatedRecord], **kwargs: Any) -> Any:
    cond = condition(**kwargs)
    resolver = make_resolver(cond, DEFINITIONS) if cond.needs_label_definitions else None
    return evaluate(cond, records, resolver)


# ----------------------------------------------------------------------------- argument checks


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"expect": "gone"}, "expect must be 'present' or 'absent'"),
        ({"expect": "absent", "labels": ["Consultant"]}, "labels cannot apply"),
        ({"expect": "absent", "min_count": 2}, "min_count applies to expect='present' only"),
        ({"expect": "absent", "require_primary": True}, "require_primary applies to expect='present'"),
        ({"to_object_id": 10, "min_count": 2}, "cannot be combined with to_object_id"),
        ({"min_count": 0}, "min_count must be a whole number of at least 1"),
        ({"min_count": True}, "min_count must be a whole number of at least 1"),
        ({"min_count": "3"}, "min_count must be a whole number of at least 1"),
        ({"require_primary": "yes"}, "require_primary must be True or False"),
        ({"to_object_type": "notes", "require_primary": True}, "has no Primary association type"),
        ({"to_object_type": "contacts", "labels": ["Primary"]}, "has no Primary association type"),
        ({"from_object_id": "abc"}, "from_object_id must be a positive integer"),
        ({"to_object_id": -3}, "to_object_id must be a positive integer"),
        ({"from_object_type": ""}, "from_object_type: object type must be a non-empty string"),
        ({"to_object_type": "no such type!"}, "to_object_type: unknown object type"),
        ({"labels": {"a": 1}}, "labels:"),
    ],
)
def test_impossible_or_invalid_arguments_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(SyncConfigurationError, match=message):
        condition(**kwargs)


def test_pending_arguments_are_skipped_but_still_combine() -> None:
    # An unrendered from_object_id is not checked; an unrendered to_object_id still counts as given.
    assert (
        check_arguments(
            from_object_type="contacts",
            from_object_id="{{ ti.xcom_pull('x') }}",
            to_object_type="companies",
            pending=["from_object_id"],
        )
        is None
    )
    with pytest.raises(SyncConfigurationError, match="cannot be combined with to_object_id"):
        check_arguments(
            from_object_type="contacts",
            from_object_id=1,
            to_object_type="companies",
            to_object_id="{{ params.company }}",
            min_count=2,
            pending=["to_object_id"],
        )
    with pytest.raises(SyncConfigurationError, match="labels cannot apply"):
        check_arguments(
            from_object_type="contacts",
            from_object_id=1,
            to_object_type="companies",
            labels="{{ params.labels }}",
            expect="absent",
            pending=["labels"],
        )


def test_reverse_primary_direction_and_canonical_ids() -> None:
    cond = condition(
        from_object_type="companies", from_object_id="0010", to_object_type="contacts", require_primary=True
    )
    assert cond.from_object_id == "10"
    assert cond.needs_label_definitions
    assert condition().needs_label_definitions is False


def test_to_kwargs_round_trips_and_is_json_safe() -> None:
    cond = condition(to_object_id="10", labels="Consultant;Billing contact", require_primary=True)
    kwargs = cond.to_kwargs()
    assert json.loads(json.dumps(kwargs)) == kwargs
    assert build_condition(**kwargs) == cond
    assert kwargs["labels"] == ["Consultant", "Billing contact"]


# ----------------------------------------------------------------------------- evaluation


def test_present_pair() -> None:
    records = [record("10", PRIMARY), record("11")]
    assert run(records, to_object_id=11).met
    result = run(records, to_object_id=12)
    assert not result.met
    assert result.observation["matching_count"] == 0
    assert "0 of 1 needed" in result.reason


def test_labels_on_pair_by_display_label_name_or_id() -> None:
    records = [record("10", CONSULTANT), record("11", BILLING)]
    for reference in ("Consultant", "consultant", 4001, "4001"):
        assert run(records, to_object_id=10, labels=[reference]).met
    assert not run(records, to_object_id=11, labels=["Consultant"]).met
    # all labels are required, not any
    assert not run(records, to_object_id=10, labels=["Consultant", "Billing contact"]).met
    result = run(records, to_object_id=10, labels=["Consultant"])
    assert result.observation["required_type_ids"] == [4001]
    assert result.observation["records"] == [
        {
            "to_object_id": "10",
            "labels": ["Consultant"],
            "types": [
                {"category": "HUBSPOT_DEFINED", "type_id": 279, "label": None},
                {"category": "USER_DEFINED", "type_id": 4001, "label": "Consultant"},
            ],
        }
    ]


def test_unknown_label_is_an_error_that_names_the_existing_ones() -> None:
    with pytest.raises(LabelResolutionError, match=r"unknown label 'Advisor'.*'Consultant' \(4001\)"):
        run([record("10")], labels=["Advisor"])


def test_unlabeled_type_id_means_just_the_pair() -> None:
    assert run([record("10")], to_object_id=10, labels=[279]).met


def test_absent() -> None:
    records = [record("10"), record("11")]
    assert run(records, to_object_id=12, expect="absent").met
    assert not run(records, to_object_id=11, expect="absent").met
    assert run([], expect="absent").met
    assert not run(records, expect="absent").met


def test_min_count_with_and_without_labels() -> None:
    records = [record("10", CONSULTANT), record("11", CONSULTANT), record("12")]
    assert run(records, min_count=3).met
    assert not run(records, min_count=4).met
    assert run(records, min_count=2, labels=["Consultant"]).met
    result = run(records, min_count=3, labels=["Consultant"])
    assert not result.met
    assert result.observation["matching_count"] == 2
    assert result.observation["associated_count"] == 3


def test_require_primary() -> None:
    assert run([record("10", PRIMARY), record("11")], require_primary=True).met
    missing = run([record("11")], require_primary=True)
    assert not missing.met
    assert "Primary missing" in missing.reason
    # with a pair, the Primary must be on that pair
    assert run([record("10", PRIMARY), record("11")], to_object_id=10, require_primary=True).met
    assert not run([record("10", PRIMARY), record("11")], to_object_id=11, require_primary=True).met
    result = run([record("10", PRIMARY)], require_primary=True)
    assert result.observation["primary_type_id"] == 1
    assert result.observation["primary_to_object_ids"] == ["10"]


def test_primary_found_from_known_ids_when_the_portal_renamed_it() -> None:
    renamed = AssociationType(HS, 1, "Contact with Primary Company")
    cond = condition(require_primary=True)
    resolver = make_resolver(cond, [renamed, UNLABELED])
    assert evaluate(cond, [record("10", renamed)], resolver).met


def test_resolver_is_required_when_labels_matter() -> None:
    with pytest.raises(ValueError, match="needs the direction's label definitions"):
        evaluate(condition(labels=["Consultant"]), [], None)


def test_observation_lists_at_most_the_cap_but_counts_everything() -> None:
    records = [record(str(i)) for i in range(1, MAX_OBSERVED_RECORDS + 6)]
    result = run(records, min_count=1)
    assert result.observation["matching_count"] == MAX_OBSERVED_RECORDS + 5
    assert len(result.observation["records"]) == MAX_OBSERVED_RECORDS
    assert result.observation["records_truncated"] is True
    assert json.loads(json.dumps(result.observation)) == result.observation
