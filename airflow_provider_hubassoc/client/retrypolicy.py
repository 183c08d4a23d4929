"""The retry rules, as pure functions, shared by the sync transport and the async hook.

* 429 other than ``DAILY`` (``TEN_SECONDLY_ROLLING``, ``SECONDLY``, unknown): retry; wait
  ``Retry-After`` when sent (kept between 1 s and 300 s), else 10 s x attempt, capped.
* 5xx and connection failures: retry with exponential back-off (``Retry-After`` honoured on 5xx).
* 429 ``DAILY``, 400, 401, 403, 404 and other 4xx: never.
* Calls that are not idempotent: see :data:`NON_IDEMPOTENT_RETRYABLE_STATUSES`.
"""

from __future__ import annotations

from typing import Final, Literal

from airflow_provider_hubassoc.client.responses import POLICY_DAILY, rate_limit_policy

FailureKind = Literal["rate_limit", "server", "connection"]

#: Retry rule for calls that are NOT idempotent (``POST .../labels`` creates a new label each time;
#: ``POST .../high-usage-report`` queues and emails another report). Such a call is retried only
#: when the failed attempt certainly did not reach HubSpot's application: the connection was never
#: established (refused, DNS failure, connect timeout), or HubSpot answered one of these statuses,
#: which it sends before processing a request (429: rejected by the rate limiter; 503: the service
#: is unavailable and took nothing). A read timeout, a reset mid-request, or another 5xx may come
#: after the write happened, so the call fails instead of risking a duplicate. Every other call in
#: this API is idempotent in effect (PUT, DELETE, batch create of the same pairs, archive, reads)
#: and is retried on every transient failure.
NON_IDEMPOTENT_RETRYABLE_STATUSES: Final[frozenset[int]] = frozenset({429, 503})

#: 429 without ``Retry-After``: wait this many seconds times the attempt number ...
RATE_LIMIT_BACKOFF_STEP_SECONDS: Final = 10.0
#: ... but never more than this.
RATE_LIMIT_BACKOFF_MAX_SECONDS: Final = 30.0
#: A ``Retry-After`` longer than this is capped (a broken header must not stall a task for hours).
MAX_RETRY_AFTER_SECONDS: Final = 300.0
#: A ``Retry-After`` shorter than this (``0``, negative, a date in the past) waits this long, so a
#: broken header cannot turn the retries into back-to-back requests.
MIN_RETRY_AFTER_SECONDS: Final = 1.0
#: 5xx and connection errors: wait base x 2^(attempt - 1) seconds ...
SERVER_BACKOFF_BASE_SECONDS: Final = 1.0
#: ... but never more than this.
SERVER_BACKOFF_MAX_SECONDS: Final = 30.0


def retryable_failure_kind(status: int, body: object) -> FailureKind | None:
    """Classify an error answer: the kind of transient failure, or ``None`` when permanent.

    :param status: the HTTP status (4xx or 5xx).
    :param body: the parsed body (used to tell a 429 ``DAILY`` apart).
    """
    if status == 429:
        return None if rate_limit_policy(body) == POLICY_DAILY else "rate_limit"
    if status >= 500:
        return "server"
    return None


def status_certainly_not_processed(status: int) -> bool:
    """Tell whether HubSpot sends ``status`` before processing a request.

    :param status: the HTTP status of the failed attempt.
    """
    return status in NON_IDEMPOTENT_RETRYABLE_STATUSES


def may_retry(*, idempotent: bool, certainly_not_processed: bool) -> bool:
    """Tell whether a transient failure may be retried.

    :param idempotent: whether repeating the call is harmless.
    :param certainly_not_processed: whether the failed attempt certainly did not reach HubSpot.
    """
    return idempotent or certainly_not_processed


def backoff_seconds(kind: FailureKind, attempt_number: int, retry_after: float | None) -> float:
    """Return how long to wait before the next attempt.

    :param kind: what failed.
    :param attempt_number: the number of the attempt that just failed (1 for the first).
    :param retry_after: HubSpot's ``Retry-After`` in seconds, when sent.
    """
    if retry_after is not None:
        return min(max(MIN_RETRY_AFTER_SECONDS, retry_after), MAX_RETRY_AFTER_SECONDS)
    if kind == "rate_limit":
        return min(RATE_LIMIT_BACKOFF_STEP_SECONDS * attempt_number, RATE_LIMIT_BACKOFF_MAX_SECONDS)
    return min(SERVER_BACKOFF_BASE_SECONDS * 2.0 ** (attempt_number - 1), SERVER_BACKOFF_MAX_SECONDS)
