"""The one retry loop of the client: a tenacity definition shared by the sync and async paths.

:class:`RetryPlan` holds the stop, wait and retry callables of one logical request (rules in
:mod:`~.retrypolicy`); :meth:`RetryPlan.call` runs them with ``tenacity.Retrying`` and
:meth:`RetryPlan.acall` with ``tenacity.AsyncRetrying``, each sleeping on an injected function, so
tests never wait on the real clock and both paths retry alike by construction:

* a :class:`RetryableFailure` (429 other than ``DAILY``, 5xx, a connection failure or a missed
  deadline) is retried up to ``max_retries`` times, when :func:`~.retrypolicy.may_retry` allows;
* a 401 on an OAuth token is answered with one token refresh and one more attempt (``refresh``);
  a second 401 is permanent;
* everything else is raised at once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import tenacity

from airflow_provider_hubassoc.client.errors import HubSpotAuthenticationError, HubSpotTransientError
from airflow_provider_hubassoc.client.ratelimit import RateLimiter
from airflow_provider_hubassoc.client.retrypolicy import FailureKind, backoff_seconds, may_retry

logger = logging.getLogger(__name__)

T = TypeVar("T")


class RetryableFailure(Exception):
    """One failed attempt that may be retried, carrying what the retry rules need.

    :param error: the typed error to raise once retries are spent.
    :param kind: what failed.
    :param certainly_not_processed: whether the attempt certainly did not reach HubSpot.
    :param retry_after: HubSpot's ``Retry-After`` in seconds, when sent.
    :param policy: the 429 policy name, when rate limited.
    """

    def __init__(
        self,
        error: HubSpotTransientError,
        *,
        kind: FailureKind,
        certainly_not_processed: bool,
        retry_after: float | None = None,
        policy: str | None = None,
    ) -> None:
        super().__init__(str(error))
        self.error = error
        self.kind = kind
        self.certainly_not_processed = certainly_not_processed
        self.retry_after = retry_after
        self.policy = policy


class RetryPlan:
    """The retry definition of one logical request.

    :param what: the request as logged, e.g. ``"GET /crm/v4/..."``.
    :param max_retries: retries after the first attempt for transient failures.
    :param idempotent: ``False`` retries only failures that certainly did not reach HubSpot.
    :param limiter: paused for every caller when rate limited.
    :param refresh: forgets the current access token (OAuth), enabling one retry after a 401;
        ``None`` makes a 401 permanent at once.
    :param on_retry: called once per retry (for counters).
    """

    def __init__(
        self,
        *,
        what: str,
        max_retries: int,
        idempotent: bool = True,
        limiter: RateLimiter | None = None,
        refresh: Callable[[], None] | None = None,
        on_retry: Callable[[], None] | None = None,
    ) -> None:
        self.what = what
        self.max_retries = max_retries
        self.idempotent = idempotent
        self._limiter = limiter
        self._refresh = refresh
        self._on_retry = on_retry
        self._refreshed = False
        self._transient_failures = 0
        self.attempts = 0

    # ------------------------------------------------------------------ the three callables

    def _retry(self, state: tenacity.RetryCallState) -> bool:
        failure = state.outcome.exception() if state.outcome is not None else None
        if isinstance(failure, RetryableFailure):
            if not may_retry(
                idempotent=self.idempotent, certainly_not_processed=failure.certainly_not_processed
            ):
                return False
            self._transient_failures += 1
            return True
        if (
            isinstance(failure, HubSpotAuthenticationError)
            and self._refresh is not None
            and not self._refreshed
        ):
            self._refreshed = True
            logger.info("HubSpot answered 401 to %s; refreshing the OAuth access token once", self.what)
            self._refresh()
            return True
        return False

    def _stop(self, state: tenacity.RetryCallState) -> bool:
        return self._transient_failures > self.max_retries

    def _wait(self, state: tenacity.RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome is not None else None
        if not isinstance(failure, RetryableFailure):
            return 0.0  # the retry after a token refresh
        wait = backoff_seconds(failure.kind, self._transient_failures, failure.retry_after)
        if failure.kind == "rate_limit" and self._limiter is not None:
            # Every caller sharing the limiter holds off too, not only this one.
            self._limiter.penalize(wait)
        return wait

    def _before_sleep(self, state: tenacity.RetryCallState) -> None:
        if self._on_retry is not None:
            self._on_retry()
        failure = state.outcome.exception() if state.outcome is not None else None
        if not isinstance(failure, RetryableFailure):
            return
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        logger.warning(
            "HubSpot %s failed (status %s, policy %s): %s; retry %s of %s in %.1f s (correlation id %s)",
            self.what,
            failure.error.status if failure.error.status is not None else failure.kind,
            failure.policy or "-",
            failure.error.message,
            self._transient_failures,
            self.max_retries,
            wait,
            failure.error.correlation_id or "-",
        )

    def _tenacity_arguments(self) -> dict[str, object]:
        return {
            "stop": self._stop,
            "wait": self._wait,
            "retry": self._retry,
            "before_sleep": self._before_sleep,
            "reraise": True,
        }

    # ------------------------------------------------------------------ running

    def call(self, attempt: Callable[[], T], *, sleep: Callable[[float], None]) -> T:
        """Run ``attempt`` until it succeeds, fails permanently or the retries are spent.

        :param attempt: one attempt; raises :class:`RetryableFailure` for a transient failure.
        :param sleep: how to wait between attempts (the client's clock).
        :raises HubSpotError: the permanent error, or the transient one after the last retry.
        """

        def counted() -> T:
            self.attempts += 1
            return attempt()

        try:
            return tenacity.Retrying(sleep=sleep, **self._tenacity_arguments())(counted)  # type: ignore[arg-type]
        except RetryableFailure as failure:
            raise self.give_up(failure) from failure.__cause__

    async def acall(
        self, attempt: Callable[[], Awaitable[T]], *, sleep: Callable[[float], Awaitable[None]]
    ) -> T:
        """Like :meth:`call`, for an async attempt.

        :param attempt: one attempt; raises :class:`RetryableFailure` for a transient failure.
        :param sleep: how to wait between attempts (``asyncio.sleep``, or a fake in tests).
        :raises HubSpotError: the permanent error, or the transient one after the last retry.
        """

        async def counted() -> T:
            self.attempts += 1
            return await attempt()

        retrying = tenacity.AsyncRetrying(sleep=sleep, **self._tenacity_arguments())  # type: ignore[arg-type]
        try:
            return await retrying(counted)
        except RetryableFailure as failure:
            raise self.give_up(failure) from failure.__cause__

    def give_up(self, failure: RetryableFailure) -> HubSpotTransientError:
        """Return the error to raise for the last transient failure, saying why it was not retried.

        :param failure: the last attempt's failure.
        """
        error = failure.error
        if not self.idempotent and not failure.certainly_not_processed:
            note = "not retried: the call is not idempotent and may have reached HubSpot"
        else:
            note = f"gave up after {self.attempts} attempt{'s' if self.attempts != 1 else ''}"
        return type(error)(
            f"{error.message} ({note})",
            status=error.status,
            category=error.category,
            correlation_id=error.correlation_id,
            context=error.context,
        )
