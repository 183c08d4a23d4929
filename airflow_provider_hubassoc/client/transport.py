"""One pooled HTTP session to HubSpot: auth, pacing, timeouts, JSON, retries and typed errors.

Retries use tenacity, sleeping on the injected clock, so tests never sleep for real.

What is retried:

* 429 ``TEN_SECONDLY_ROLLING`` (or any 429 other than ``DAILY``): wait ``Retry-After`` when sent,
  else 10 s x attempt (capped); every caller of the shared limiter pauses too.
* 5xx, connection errors (refused, reset, timed out, broken mid-body, past the attempt's total
  deadline): exponential back-off.
* 401 with an OAuth token: one token refresh and one more attempt (a second 401 is permanent).

Each attempt is bounded by :mod:`.wire`: ``settings.timeout`` is its total deadline (connect,
headers and body) and the decoded body is capped at :data:`~.wire.MAX_BODY_BYTES`. The retry loop is
:class:`~.retrying.RetryPlan`, shared with the async hook.

What is not: 429 ``DAILY`` (:class:`~.errors.HubSpotDailyLimitError` at once), 400, 401, 403, 404
and any other 4xx (their typed errors at once). After the last retry, the transient error of the
last attempt is raised, with HubSpot's last message and correlation id.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, Literal, TypeVar

import requests
import urllib3.exceptions

from airflow_provider_hubassoc.client.auth import BearerAuth, TokenProvider, provider_secrets, redact
from airflow_provider_hubassoc.client.clock import Clock, SystemClock
from airflow_provider_hubassoc.client.errors import (
    HubSpotConfigurationError,
    HubSpotConnectionError,
    HubSpotError,
    HubSpotTransientError,
    HubSpotUnexpectedResponseError,
)
from airflow_provider_hubassoc.client.ratelimit import RateLimiter
from airflow_provider_hubassoc.client.responses import (
    correlation_id,
    error_from_response,
    rate_limit_policy,
    retry_after_seconds,
)
from airflow_provider_hubassoc.client.retrying import RetryableFailure, RetryPlan
from airflow_provider_hubassoc.client.retrypolicy import (
    NON_IDEMPOTENT_RETRYABLE_STATUSES as NON_IDEMPOTENT_RETRYABLE_STATUSES,
)
from airflow_provider_hubassoc.client.retrypolicy import (
    retryable_failure_kind,
    status_certainly_not_processed,
)
from airflow_provider_hubassoc.client.settings import ClientSettings
from airflow_provider_hubassoc.client.wire import (
    body_or_text,
    bounded_session,
    decode_json,
    scrub_bytes,
    send,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

HttpMethod = Literal["GET", "POST", "PUT", "DELETE"]

_CONFIGURATION_EXCEPTIONS: Final = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidHeader,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
)
_RETRYABLE_EXCEPTIONS: Final = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
)


@dataclass(slots=True)
class TransportStats:
    """Counters the operators report.

    :param requests: HTTP attempts sent (retries included).
    :param retries: attempts that were retries.
    :param rate_limited: 429 answers seen.
    :param connection_errors: attempts that failed without an answer.
    :param throttled_seconds: time spent waiting in the client-side rate limiter.
    :param by_status: answers per HTTP status.
    """

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    connection_errors: int = 0
    throttled_seconds: float = 0.0
    by_status: dict[int, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return the counters as plain JSON-able values (e.g. for XCom)."""
        return {
            "requests": self.requests,
            "retries": self.retries,
            "rate_limited": self.rate_limited,
            "connection_errors": self.connection_errors,
            "throttled_seconds": round(self.throttled_seconds, 3),
            "by_status": {str(status): count for status, count in sorted(self.by_status.items())},
        }


@dataclass(frozen=True, slots=True)
class TransportResponse:
    """A successful (2xx) answer.

    :param status: the HTTP status.
    :param headers: the response headers (case-insensitive mapping).
    :param body: the parsed JSON (or, when the request named a ``schema``, the body decoded into
        it), or ``None`` when empty.
    :param request: the request it answers, e.g. ``"GET /crm/v4/..."`` (quoted in parse errors).
    """

    status: int
    headers: Mapping[str, str]
    body: Any
    request: str = ""

    @property
    def correlation_id(self) -> str | None:
        """HubSpot's correlation id, when sent."""
        return correlation_id(self.headers, self.body)

    def parse(self, parser: Callable[..., T], *args: Any) -> T:
        """Parse the body, naming this request in the typed error when the body is malformed.

        :param parser: a parser from :mod:`~.responses`, called as ``parser(body, *args)``.
        :param args: further arguments of the parser.
        :raises HubSpotUnexpectedResponseError: when the body is not the documented shape.
        """
        return parse_answer(
            lambda body: parser(body, *args),
            self.body,
            request=self.request,
            status=self.status,
            headers=self.headers,
        )


def parse_answer(
    parser: Callable[[Any], T], body: Any, *, request: str, status: int, headers: Mapping[str, str]
) -> T:
    """Run ``parser`` on an answer's body, turning any failure into a typed error naming the request.

    :param parser: a parser from :mod:`~.responses`.
    :param body: the parsed JSON body.
    :param request: the request, e.g. ``"GET /crm/v4/..."``.
    :param status: the HTTP status.
    :param headers: the response headers (for the correlation id).
    :raises HubSpotUnexpectedResponseError: when the body is not the documented shape.
    """
    try:
        return parser(body)
    except HubSpotUnexpectedResponseError as error:
        message = error.message
    except (ValueError, TypeError, KeyError, RecursionError, UnicodeError) as error:
        message = f"HubSpot sent a malformed answer ({type(error).__name__})"
    raise HubSpotUnexpectedResponseError(
        f"{message} (in the answer to {request})",
        status=status,
        correlation_id=correlation_id(headers, body),
    ) from None


def failed_before_sending(exc: BaseException) -> bool:
    """Tell whether a ``requests`` failure happened before the request could reach the server.

    True for a connect timeout and for a refused or unresolvable connection
    (``urllib3`` ``NewConnectionError`` / ``ConnectionRefusedError`` anywhere in the chain).

    :param exc: the exception ``requests`` raised.
    """
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, urllib3.exceptions.NewConnectionError | ConnectionRefusedError):
            return True
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            pending.append(reason)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                pending.append(linked)
    return False


def new_session(settings: ClientSettings) -> requests.Session:
    """Return a pooled session with only protocol headers (no setting or extra becomes a header).

    The transport creates one when it is given none; a caller that wants the OAuth token exchange
    to share the API's connection pool creates it here and passes it to both.

    :param settings: the client settings (for the User-Agent).
    """
    # Watched pools: the attempt's total deadline can shut a trickling connection down (see .wire).
    session = bounded_session()
    if settings.base_url.startswith("http://"):
        # Plain http goes to loopback only: no environment proxy, no .netrc (the token stays local).
        session.trust_env = False
    session.headers.clear()
    session.headers.update(
        {
            "User-Agent": settings.user_agent,
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",
            "Connection": "keep-alive",
        }
    )
    return session


class HubSpotTransport:
    """Sends requests to HubSpot through one pooled session, paced, retried and typed.

    Nothing is sent at construction.

    :param settings: base URL, API version, pace, timeout, retries, user agent.
    :param token_provider: where the access token comes from.
    :param session: a session to use (its owner closes it); by default one is created, with a
        connection pool, and closed by :meth:`close`.
    :param clock: the clock for pacing and retry waits (a FakeClock in tests).
    :param limiter: a rate limiter to share between clients of one portal; by default one is
        created from ``settings.requests_per_10s``.
    :param owns_session: close a given ``session`` in :meth:`close` (a created one always is).
    """

    def __init__(
        self,
        *,
        settings: ClientSettings,
        token_provider: TokenProvider,
        session: requests.Session | None = None,
        clock: Clock | None = None,
        limiter: RateLimiter | None = None,
        owns_session: bool = False,
    ) -> None:
        self.settings = settings
        self._clock: Clock = clock or SystemClock()
        self.limiter = limiter or RateLimiter(requests_per_10s=settings.requests_per_10s, clock=self._clock)
        self._auth = BearerAuth(token_provider)
        self._provider = token_provider
        self._owns_session = session is None or owns_session
        self._session = session if session is not None else new_session(settings)
        self.stats = TransportStats()
        self._stats_lock = threading.Lock()

    @property
    def session(self) -> requests.Session:
        """The pooled HTTP session."""
        return self._session

    def url(self, path: str) -> str:
        """Return the absolute URL of an API path.

        :param path: a path from :mod:`~airflow_provider_hubassoc.client.paths`.
        """
        return f"{self.settings.base_url}{path}"

    # ------------------------------------------------------------------ public

    def request(
        self,
        method: HttpMethod,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        expected: Sequence[int] = (200,),
        idempotent: bool = True,
        limiter: RateLimiter | None = None,
        schema: type[Any] | None = None,
    ) -> TransportResponse:
        """Send one logical request, retrying transient failures.

        :param method: the HTTP method.
        :param path: the API path (already URL-quoted).
        :param params: query parameters.
        :param json: the JSON body, if any.
        :param expected: the documented success statuses; another 2xx is accepted with a warning
            (HubSpot has changed success codes before, e.g. 200 versus 201).
        :param idempotent: ``False`` restricts retries to failures that certainly did not reach
            HubSpot (see :data:`~.retrypolicy.NON_IDEMPOTENT_RETRYABLE_STATUSES`).
        :param limiter: pace this request by another limiter than the transport's (CRM search has
            its own limit and does not count against the ten-second one).
        :param schema: decode a 2xx body straight into this ``msgspec`` type (see
            :func:`~.wire.decode_json`); the response's ``body`` is then an instance of it.
        :raises HubSpotError: the typed error of the failure (see the module docstring).
        """
        invalidate = getattr(self._provider, "invalidate", None)
        pacer = limiter or self.limiter
        plan = RetryPlan(
            what=f"{method} {path}",
            max_retries=self.settings.max_retries,
            idempotent=idempotent,
            limiter=pacer,
            refresh=invalidate if callable(invalidate) else None,
            on_retry=self._count_retry,
        )
        return plan.call(
            lambda: self._attempt(method, path, params, json, tuple(expected), pacer, schema),
            sleep=self._clock.sleep,
        )

    def secrets(self) -> tuple[str, ...]:
        """Every secret this transport knows (configured and issued), to scrub from any text."""
        known = provider_secrets(self._provider)
        last = self._auth.last_token
        return (*known, last) if last and last not in known else known

    def close(self) -> None:
        """Close the session, if this transport created it."""
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> HubSpotTransport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"HubSpotTransport(base_url={self.settings.base_url!r}, "
            f"api_version={self.settings.api_version!r})"
        )

    # ------------------------------------------------------------------ one attempt

    def _attempt(
        self,
        method: HttpMethod,
        path: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        expected: tuple[int, ...],
        limiter: RateLimiter,
        schema: type[Any] | None,
    ) -> TransportResponse:
        waited = limiter.acquire()
        with self._stats_lock:
            self.stats.requests += 1
            self.stats.throttled_seconds += waited
        what = f"{method} {path}"
        url = self.url(path)
        started = self._clock.monotonic()
        try:
            # The token first (an OAuth refresh has its own deadline), then this attempt's deadline.
            self._provider.token()
            answer = send(
                self._session,
                method,
                url,
                deadline_seconds=self.settings.timeout,
                what=what,
                params=params,
                json=json_body,
                auth=self._auth,
                allow_redirects=False,
            )
        except requests.exceptions.RequestException as exc:
            raise self._connection_failure(method, path, exc) from exc
        except HubSpotError as error:
            raise self._scrub(error) from None
        limiter.observe(answer.headers)
        status = answer.status
        with self._stats_lock:
            self.stats.by_status[status] = self.stats.by_status.get(status, 0) + 1
            if status == 429:
                self.stats.rate_limited += 1
        content = scrub_bytes(answer.content, self.secrets())
        logger.debug("HubSpot %s %s -> %s in %.3f s", method, path, status, self._clock.monotonic() - started)
        if 200 <= status < 300:
            if status not in expected:
                logger.warning(
                    "HubSpot %s %s answered %s where %s was documented; accepting it",
                    method,
                    path,
                    status,
                    "/".join(str(code) for code in expected),
                )
            try:
                body = decode_json(content, what=what, status=status, schema=schema)
            except HubSpotError as error:
                error.correlation_id = error.correlation_id or correlation_id(answer.headers, None)
                raise self._scrub(error) from None
            return TransportResponse(status=status, headers=answer.headers, body=body, request=what)
        body = body_or_text(content, what=what, status=status)
        raise failure_from_answer(status, answer.headers, body, scrub=self._scrub)

    def _connection_failure(self, method: str, path: str, exc: requests.RequestException) -> Exception:
        detail = redact(f"{type(exc).__name__}: {exc}", self.secrets())
        if isinstance(exc, _CONFIGURATION_EXCEPTIONS):
            return HubSpotConfigurationError(f"Cannot send {method} {path}: {detail}")
        with self._stats_lock:
            self.stats.connection_errors += 1
        error = HubSpotConnectionError(f"{method} {path} failed without an answer from HubSpot: {detail}")
        if not isinstance(exc, _RETRYABLE_EXCEPTIONS):
            return error
        return RetryableFailure(error, kind="connection", certainly_not_processed=failed_before_sending(exc))

    def _scrub(self, error: HubSpotError) -> HubSpotError:
        return scrub_error(error, self.secrets())

    def _count_retry(self) -> None:
        with self._stats_lock:
            self.stats.retries += 1


def scrub_error(error: HubSpotError, secrets: tuple[str | None, ...]) -> HubSpotError:
    """Replace every secret in ``error``'s message (and category) by ``***``, in place.

    :param error: a typed error built from a server's answer.
    :param secrets: the values to hide.
    """
    cleaned = redact(error.message, secrets)
    if cleaned != error.message:
        error.message = cleaned
        error.args = (cleaned,)
    if error.category:
        error.category = redact(error.category, secrets)
    if error.correlation_id:
        error.correlation_id = redact(error.correlation_id, secrets)
    return error


def failure_from_answer(
    status: int,
    headers: Mapping[str, str],
    body: Any,
    *,
    scrub: Callable[[HubSpotError], HubSpotError],
) -> Exception:
    """Return what to raise for a non-2xx answer: a permanent typed error, or a retryable failure.

    Shared by the sync transport and the async hook.

    :param status: the HTTP status.
    :param headers: the response headers.
    :param body: the parsed JSON body, or its text.
    :param scrub: removes secrets from the error's text.
    """
    error = scrub(error_from_response(status, headers, body))
    kind = retryable_failure_kind(status, body)
    if kind is None or not isinstance(error, HubSpotTransientError):
        return error
    return RetryableFailure(
        error,
        kind=kind,
        certainly_not_processed=status_certainly_not_processed(status),
        retry_after=retry_after_seconds(headers),
        policy=rate_limit_policy(body) if status == 429 else None,
    )
