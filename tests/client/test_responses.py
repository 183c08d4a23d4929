from __future__ import annotations

from datetime import UTC, datetime

import pytest

from airflow_provider_hubassoc.client import (
    AssociationCategory,
    HubSpotAuthenticationError,
    HubSpotDailyLimitError,
    HubSpotError,
    HubSpotNotFoundError,
    HubSpotPermissionError,
    HubSpotRateLimitError,
    HubSpotServerError,
    HubSpotUnexpectedResponseError,
    HubSpotValidationError,
    InputRef,
)
from airflow_provider_hubassoc.client import (
    responses as parse,
)

CORRELATION = "aeb5f871-7f07-4993-9211-075dc63e7cbf"


# ---------------------------------------------------------------- models


@pytest.mark.parametrize("raw_id", [5790939450, "5790939450", 5790939450.0])
def test_associations_page_accepts_string_and_number_ids(raw_id: object) -> None:
    body = {
        "results": [
            {
                "toObjectId": raw_id,
                "associationTypes": [
                    {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None},
                    {"category": "USER_DEFINED", "typeId": "30", "label": "Decision maker"},
                ],
            }
        ],
        "paging": {"next": {"after": "MTA=", "link": "ignored"}},
    }
    page = parse.parse_associations_page(body)
    assert page.after == "MTA="
    record = page.records[0]
    assert record.to_object_id == "5790939450"
    assert [(t.category, t.type_id, t.label) for t in record.types] == [
        (AssociationCategory.HUBSPOT_DEFINED, 279, None),
        (AssociationCategory.USER_DEFINED, 30, "Decision maker"),
    ]


def test_last_page_has_no_cursor() -> None:
    assert parse.parse_associations_page({"results": []}).after is None
    assert parse.parse_associations_page({"results": [], "paging": {"next": {"after": ""}}}).after is None


def test_labels_between_pair_with_number_ids() -> None:
    pair = parse.parse_labels_between_pair(
        {
            "fromObjectTypeId": "0-1",
            "fromObjectId": 29851,
            "toObjectTypeId": "0-3",
            "toObjectId": "21678228008",
            "labels": ["Point of contact"],
        }
    )
    assert (pair.from_object_id, pair.to_object_id, pair.labels) == (
        "29851",
        "21678228008",
        ("Point of contact",),
    )


def test_default_association_and_high_usage_report() -> None:
    row = parse.parse_default_association(
        {
            "from": {"id": 12345},
            "to": {"id": "67891"},
            "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279},
        }
    )
    assert (row.from_id, row.to_id, row.spec.type_id) == ("12345", "67891", 279)
    report = parse.parse_high_usage_report(
        {"userId": 7, "userEmail": "a@b.c", "enqueueTime": {"value": 1700000000000, "timeZoneShift": 0}}
    )
    assert (report.user_id, report.user_email, report.enqueue_time_ms) == (7, "a@b.c", 1700000000000)


@pytest.mark.parametrize(
    "enqueue_time",
    [{"value": 1700000000000}, "2023-11-14T22:13:20Z", "2023-11-14T22:13:20.000+00:00", 1700000000000],
    ids=["object", "iso-z", "iso-offset", "number"],
)
def test_high_usage_report_enqueue_time_shapes(enqueue_time: object) -> None:
    report = parse.parse_high_usage_report({"userId": "7", "enqueueTime": enqueue_time})
    assert report.enqueue_time_ms == 1700000000000


def test_high_usage_report_bad_enqueue_time() -> None:
    with pytest.raises(HubSpotUnexpectedResponseError):
        parse.parse_high_usage_report({"userId": 7, "enqueueTime": "yesterday"})


def test_limit_configurations_read_and_update_shapes() -> None:
    configs = parse.parse_limit_configurations(
        {
            "results": [
                {"category": "HUBSPOT_DEFINED", "typeId": 3, "userEnforcedMaxToObjectIds": 5, "label": None},
                {"category": "USER_DEFINED", "typeId": 35},
            ]
        }
    )
    assert [(c.type_id, c.max_to_object_ids) for c in configs] == [(3, 5), (35, None)]


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"results": "nope"},
        {"results": [{"toObjectId": "abc", "associationTypes": []}]},
        {"results": [{"toObjectId": 1, "associationTypes": [{"category": None, "typeId": 1}]}]},
        {"results": [{"toObjectId": 1, "associationTypes": [{"category": "", "typeId": 1}]}]},
        {"results": [{"toObjectId": 1, "associationTypes": [{"category": "NOT A WORD!", "typeId": 1}]}]},
        {"results": [{"toObjectId": 1, "associationTypes": [{"category": 7, "typeId": 1}]}]},
    ],
)
def test_malformed_bodies_raise_unexpected_response(body: object) -> None:
    with pytest.raises(HubSpotUnexpectedResponseError):
        parse.parse_associations_page(body)


def test_an_unknown_association_category_is_kept_and_counts_as_user_defined() -> None:
    # HubSpot grew the enum before (WORK); one unseen category must not fail a read or a label list.
    page = parse.parse_associations_page(
        {"results": [{"toObjectId": 1, "associationTypes": [{"category": "PARTNER_DEFINED", "typeId": 77}]}]}
    )
    category = page.records[0].types[0].category
    assert str(category) == "PARTNER_DEFINED"
    assert category.is_known is False
    assert category != AssociationCategory.HUBSPOT_DEFINED
    assert AssociationCategory.WORK.is_known is True
    assert page.records[0].types[0].spec.to_json() == {
        "associationCategory": "PARTNER_DEFINED",
        "associationTypeId": 77,
    }
    labels = parse.parse_association_types(
        {"results": [{"category": "PARTNER_DEFINED", "typeId": 9, "label": "X"}]}
    )
    assert [(str(t.category), t.type_id, t.label) for t in labels] == [("PARTNER_DEFINED", 9, "X")]


# ---------------------------------------------------------------- batch read and 207 mapping

NO_ASSOC = {
    "status": "error",
    "category": "OBJECT_NOT_FOUND",
    "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
    "message": "No company is associated with deal 515690208449.",
    "context": {"fromObjectId": ["515690208449"], "fromObjectType": ["deal"], "toObjectType": ["company"]},
}


def test_batch_read_page_drops_no_associations_found_and_keeps_other_errors() -> None:
    other = {"status": "error", "category": "OBJECT_NOT_FOUND", "message": "gone", "context": {"id": ["9"]}}
    page = parse.parse_batch_read_page(
        {
            "status": "COMPLETE",
            "results": [
                {
                    "from": {"id": "33451"},
                    "to": [{"toObjectId": 5790939450, "associationTypes": []}],
                    "paging": {"next": {"after": "abc"}},
                },
                {"from": {"id": 2}, "to": [{"toObjectId": "7", "associationTypes": []}]},
            ],
            "errors": [NO_ASSOC, other],
        }
    )
    assert page.records["33451"][0].to_object_id == "5790939450"
    assert page.records["2"][0].to_object_id == "7"
    assert page.after == {"33451": "abc"}
    assert page.errors == [other]


def _read_answer(*types: dict[str, object]) -> dict[str, object]:
    return {
        "results": [
            {"from": {"id": "1"}, "to": [{"toObjectId": 10 + i, "associationTypes": [t]}]}
            for i, t in enumerate(types)
        ]
    }


def test_batch_read_page_parses_each_distinct_type_once_and_shares_it() -> None:
    unlabeled = {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None}
    page = parse.parse_batch_read_page(
        {**_read_answer(unlabeled, dict(unlabeled), {**unlabeled, "typeId": "279"}), "unknownField": [1]}
    )
    first, second, third = (record.types[0] for record in page.records["1"])
    assert first is second
    assert (first.category, first.type_id, first.label) == (AssociationCategory.HUBSPOT_DEFINED, 279, None)
    assert third == first  # a digit string is the same type id


@pytest.mark.parametrize(
    "bad",
    [
        {"category": "HUBSPOT_DEFINED", "typeId": True, "label": None},  # after typeId 1: True == 1
        {"category": "HUBSPOT_DEFINED", "typeId": 2**70, "label": None},
        {"category": "", "typeId": 1, "label": None},
        {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": ["a"]},
    ],
)
def test_batch_read_page_refuses_a_bad_type_even_after_a_good_one(bad: dict[str, object]) -> None:
    good = {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": None}
    with pytest.raises((HubSpotUnexpectedResponseError, ValueError, TypeError)):
        parse.parse_batch_read_page(_read_answer(good, bad))


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"results": {"from": {"id": "1"}}},
        {"results": [{"to": []}]},
        {"results": [{"from": {"id": "1"}, "to": [{"toObjectId": -5, "associationTypes": []}]}]},
    ],
)
def test_batch_read_page_refuses_a_body_of_another_shape(body: object) -> None:
    with pytest.raises((HubSpotUnexpectedResponseError, ValueError)):
        parse.parse_batch_read_page(body)


@pytest.mark.parametrize(
    "entry",
    [
        NO_ASSOC,
        {"category": "NO_ASSOCIATIONS_FOUND"},
        {"subCategory": {"name": "crm.associations.NO_ASSOCIATIONS_FOUND"}},
    ],
)
def test_no_associations_found_is_recognized_in_any_shape(entry: object) -> None:
    assert parse.is_no_associations_error(entry)


def test_other_errors_are_not_no_associations() -> None:
    assert not parse.is_no_associations_error({"category": "OBJECT_NOT_FOUND", "subCategory": None})


def test_map_batch_errors_uses_from_and_to_ids_with_the_callers_offset() -> None:
    refs = [
        InputRef(index=2000, from_id="1", to_id="10"),
        InputRef(index=2001, from_id="1", to_id="11"),
        InputRef(index=2002, from_id="2", to_id="10"),
    ]
    errors = parse.map_batch_errors(
        [
            {
                "category": "VALIDATION_ERROR",
                "message": "bad",
                "context": {"fromObjectId": ["1"], "toObjectId": ["11"]},
            },
            {"category": "OBJECT_NOT_FOUND", "message": "no from", "context": {"fromObjectId": [1]}},
            {"category": "OBJECT_NOT_FOUND", "message": "missing", "context": {"ids": ["10"]}},
            {"category": "X", "message": "unrelated", "context": {"toObjectType": ["company"]}},
        ],
        refs,
    )
    assert [e.input_indexes for e in errors] == [(2001,), (2000, 2001), (2000, 2002), ()]
    assert errors[0].category == "VALIDATION_ERROR"
    assert errors[1].context == {"fromObjectId": ["1"]}


def test_map_batch_errors_ties_a_contextless_error_to_the_only_input() -> None:
    errors = parse.map_batch_errors([{"category": "X", "message": "m"}], [InputRef(index=7, from_id="1")])
    assert errors[0].input_indexes == (7,)
    assert (
        parse.map_batch_errors([{"category": "X", "message": "m"}], [InputRef(0), InputRef(1)])[
            0
        ].input_indexes
        == ()
    )


def test_map_batch_errors_by_type_id() -> None:
    refs = [InputRef(index=0, type_ids=frozenset({3})), InputRef(index=1, type_ids=frozenset({35}))]
    errors = parse.map_batch_errors(
        [{"category": "VALIDATION_ERROR", "message": "m", "context": {"typeId": ["35"]}}], refs
    )
    assert errors[0].input_indexes == (1,)


def test_map_batch_errors_none() -> None:
    assert parse.map_batch_errors(None, [InputRef(0)]) == []


# ---------------------------------------------------------------- error bodies


def test_400_carries_hubspots_message_and_details() -> None:
    error = parse.error_from_response(
        400,
        {},
        {
            "status": "error",
            "message": "Invalid input",
            "errors": [{"message": "name must not contain -", "in": "name"}],
            "category": "VALIDATION_ERROR",
            "correlationId": CORRELATION,
        },
    )
    assert isinstance(error, HubSpotValidationError)
    assert "Invalid input" in str(error)
    assert "name must not contain -" in str(error)
    assert error.correlation_id == CORRELATION
    assert CORRELATION in str(error)
    assert error.permanent


def test_401_says_what_to_check() -> None:
    error = parse.error_from_response(401, {}, {"message": "Authentication credentials not found."})
    assert isinstance(error, HubSpotAuthenticationError)
    assert "private-app access token" in error.message
    assert "OAuth" in error.message


@pytest.mark.parametrize(
    "body",
    [
        {
            "category": "MISSING_SCOPES",
            "message": "This app hasn't been granted all required scopes.",
            "errors": [
                {
                    "message": "One or more of the following scopes are required.",
                    "context": {
                        "requiredGranularScopes": [
                            "crm.objects.contacts.write",
                            "crm.objects.companies.write",
                        ]
                    },
                }
            ],
        },
        {
            "category": "MISSING_SCOPES",
            "message": "missing",
            "context": {"requiredScopes": ["crm.objects.contacts.write", "crm.objects.companies.write"]},
        },
    ],
)
def test_403_lists_missing_scopes(body: object) -> None:
    error = parse.error_from_response(403, {}, body)
    assert isinstance(error, HubSpotPermissionError)
    assert error.missing_scopes == ("crm.objects.contacts.write", "crm.objects.companies.write")
    assert "crm.objects.contacts.write, crm.objects.companies.write" in error.message


def test_403_without_scopes_still_explains() -> None:
    error = parse.error_from_response(403, {}, {"message": "nope"})
    assert isinstance(error, HubSpotPermissionError)
    assert error.missing_scopes == ()
    assert "scopes" in error.message


def test_404_and_correlation_id_from_header() -> None:
    error = parse.error_from_response(404, {"x-hubspot-correlation-id": CORRELATION}, None)
    assert isinstance(error, HubSpotNotFoundError)
    assert error.correlation_id == CORRELATION


def test_429_daily_and_ten_secondly() -> None:
    daily = parse.error_from_response(
        429,
        {},
        {
            "status": "error",
            "message": "You have reached your daily limit.",
            "errorType": "RATE_LIMIT",
            "correlationId": CORRELATION,
            "policyName": "DAILY",
        },
    )
    assert isinstance(daily, HubSpotDailyLimitError)
    assert "midnight" in daily.message
    rolling = parse.error_from_response(
        429, {}, {"policyName": "TEN_SECONDLY_ROLLING", "message": "slow down"}
    )
    assert isinstance(rolling, HubSpotRateLimitError)
    assert not rolling.permanent


def test_5xx_with_html_body_and_other_4xx() -> None:
    error = parse.error_from_response(502, {}, "<html>Bad gateway</html>")
    assert isinstance(error, HubSpotServerError)
    assert "Bad gateway" in error.message
    conflict = parse.error_from_response(409, {}, {"message": "conflict"})
    assert type(conflict) is HubSpotError
    assert conflict.status == 409


@pytest.mark.parametrize(
    ("body", "policy"),
    [
        ({"policyName": "DAILY"}, "DAILY"),
        ({"policyName": "ten_secondly_rolling"}, "TEN_SECONDLY_ROLLING"),
        ({"message": "You have reached your daily limit."}, "DAILY"),
        ({"message": "You have reached your ten_secondly_rolling limit."}, "TEN_SECONDLY_ROLLING"),
        ({"message": "You have reached your secondly limit."}, "SECONDLY"),
        (None, "UNKNOWN"),
        ("garbage", "UNKNOWN"),
    ],
)
def test_rate_limit_policy(body: object, policy: str) -> None:
    assert parse.rate_limit_policy(body) == policy


def test_retry_after_seconds() -> None:
    assert parse.retry_after_seconds({"Retry-After": "3"}) == 3.0
    assert parse.retry_after_seconds({"retry-after": "1.5"}) == 1.5
    assert parse.retry_after_seconds({"Retry-After": "-4"}) == 0.0
    assert parse.retry_after_seconds({}) is None
    assert parse.retry_after_seconds({"Retry-After": "soon"}) is None
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse.retry_after_seconds({"Retry-After": "Thu, 01 Jan 2026 12:00:07 GMT"}, now=now) == 7.0
