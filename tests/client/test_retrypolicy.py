from __future__ import annotations

import pytest

from airflow_provider_hubassoc.client import retrypolicy


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (429, {"policyName": "TEN_SECONDLY_ROLLING"}, "rate_limit"),
        (429, {"policyName": "DAILY"}, None),
        (429, None, "rate_limit"),
        (500, None, "server"),
        (503, "<html>", "server"),
        (400, {"message": "bad"}, None),
        (401, None, None),
        (403, None, None),
        (404, None, None),
    ],
)
def test_retryable_failure_kind(status: int, body: object, kind: str | None) -> None:
    assert retrypolicy.retryable_failure_kind(status, body) == kind


def test_backoff_seconds() -> None:
    rate_limited = [retrypolicy.backoff_seconds("rate_limit", n, None) for n in (1, 2, 3, 4)]
    assert rate_limited == [10.0, 20.0, 30.0, 30.0]
    server = [retrypolicy.backoff_seconds("server", n, None) for n in (1, 2, 3, 6, 9)]
    assert server == [1.0, 2.0, 4.0, 30.0, 30.0]
    assert retrypolicy.backoff_seconds("server", 1, 12.0) == 12.0
    assert retrypolicy.backoff_seconds("rate_limit", 1, 99999.0) == retrypolicy.MAX_RETRY_AFTER_SECONDS


def test_non_idempotent_rule() -> None:
    assert retrypolicy.status_certainly_not_processed(429)
    assert retrypolicy.status_certainly_not_processed(503)
    assert not retrypolicy.status_certainly_not_processed(500)
    assert not retrypolicy.status_certainly_not_processed(502)
    assert retrypolicy.may_retry(idempotent=True, certainly_not_processed=False)
    assert retrypolicy.may_retry(idempotent=False, certainly_not_processed=True)
    assert not retrypolicy.may_retry(idempotent=False, certainly_not_processed=False)
