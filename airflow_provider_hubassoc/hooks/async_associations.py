"""The async hook: HubSpot association reads over aiohttp, for triggers.

It shares every rule with the sync client instead of restating it: URLs come from
:mod:`~airflow_provider_hubassoc.client.paths`; the retry loop is the sync transport's
:class:`~airflow_provider_hubassoc.client.retrying.RetryPlan` (run with ``tenacity.AsyncRetrying``);
answers are bounded, decoded and scrubbed by :mod:`~airflow_provider_hubassoc.client.wire` (a
total deadline per attempt through ``aiohttp.ClientTimeout(total=...)``, the body cap, typed JSON
errors); errors are typed by :func:`~airflow_provider_hubassoc.client.transport.failure_from_answer`;
paging ends by :class:`~airflow_provider_hubassoc.client.paging.Pager`; pacing uses
:class:`~airflow_provider_hubassoc.client.ratelimit.RateLimiter` (awaited, not blocking); the
connection is parsed by :func:`~airflow_provider_hubassoc.hooks.connection_config.read_connection`,
and OAuth access tokens come from the same
:class:`~airflow_provider_hubassoc.client.auth.OAuthTokenProvider` (its blocking refresh runs in a
worker thread, rarely: tokens are cached until shortly before expiry).

Only reads are offered (every call is idempotent, so every transient failure may be retried).
The connection is fetched with the async API (``get_async_connection``), never the sync one,
which can deadlock inside the triggerer's event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

import aiohttp
from airflow.providers.common.compat.connection import get_async_connection, get_async_extra_dejson

from airflow_provider_hubassoc._compat import BaseHook, amask_secret
from airflow_provider_hubassoc.client import bodies, paths
from airflow_provider_hubassoc.client.auth import OAuthTokenProvider, TokenProvider, provider_secrets, redact
from airflow_provider_hubassoc.client.bodies import record_id
from airflow_provider_hubassoc.client.clock import Clock
from airflow_provider_hubassoc.client.errors import HubSpotConnectionError, HubSpotError
from airflow_provider_hubassoc.client.models import AssociatedRecord, AssociationType
from airflow_provider_hubassoc.client.paging import Pager
from airflow_provider_hubassoc.client.ratelimit import RateLimiter
from airflow_provider_hubassoc.client.responses import parse_association_types, parse_associations_page
from airflow_provider_hubassoc.client.retrying import RetryableFailure, RetryPlan
from airflow_provider_hubassoc.client.transport import TransportResponse, failure_from_answer, scrub_error
from airflow_provider_hubassoc.client.wire import (
    READ_CHUNK_BYTES,
    BodyReader,
    body_or_text,
    decode_json,
    scrub_bytes,
)
from airflow_provider_hubassoc.hooks.connection_config import (
    HubSpotConnectionConfig,
    build_token_provider,
    read_connection,
)
from airflow_provider_hubassoc.provider_info import CONNECTION_TYPE, HOOK_NAME

log = logging.getLogger(__name__)

RecordId = str | int


def _sleeper(clock: Clock | None) -> Callable[[float], Awaitable[None]]:
    """Return how the hook waits: ``asyncio.sleep``, or an injected clock's (instant) sleep."""
    if clock is None:
        return asyncio.sleep

    async def sleep(seconds: float) -> None:
        clock.sleep(max(0.0, seconds))

    return sleep


class HubSpotAssociationsAsyncHook(BaseHook):
    """Read HubSpot associations asynchronously through a ``hubassoc`` connection.

    Use it as an async context manager: one ``aiohttp.ClientSession`` lives from ``__aenter__``
    to ``__aexit__`` (a trigger opens it once per run). Nothing happens at construction.

    :param hubassoc_conn_id: the Airflow connection id.
    :param requests_per_10s: overrides the connection's ``requests_per_10s``.
    :param max_retries: overrides the connection's ``max_retries`` (retries per request).
    :param clock: the clock for pacing and retry waits (a ``FakeClock`` in tests); by default the
        event loop's ``asyncio.sleep`` and the system's monotonic time.
    """

    conn_name_attr = "hubassoc_conn_id"
    default_conn_name = "hubassoc_default"
    conn_type = CONNECTION_TYPE
    hook_name = HOOK_NAME

    def __init__(
        self,
        hubassoc_conn_id: str = default_conn_name,
        *,
        requests_per_10s: int | None = None,
        max_retries: int | None = None,
        clock: Clock | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.hubassoc_conn_id = hubassoc_conn_id
        self.requests_per_10s = requests_per_10s
        self.max_retries = max_retries
        self._config: HubSpotConnectionConfig | None = None
        self._token_provider: TokenProvider | None = None
        self._limiter: RateLimiter | None = None
        self._session: aiohttp.ClientSession | None = None
        self._last_token: str | None = None
        self._masked_tokens: set[str] = set()
        self._clock = clock
        self._sleep = _sleeper(clock)

    # ------------------------------------------------------------------ connection

    async def get_config(self) -> HubSpotConnectionConfig:
        """Return the parsed connection, fetched once with the async connection API.

        :raises HubSpotConfigurationError: when a field of the connection is invalid.
        """
        if self._config is not None:
            return self._config
        conn = await get_async_connection(self.hubassoc_conn_id)
        extra = await get_async_extra_dejson(conn)
        config = read_connection(
            conn_id=self.hubassoc_conn_id,
            host=conn.host,
            password=conn.password,
            extra=extra,
            requests_per_10s=self.requests_per_10s,
            max_retries=self.max_retries,
        )
        for secret in config.secrets:
            await amask_secret(secret)
        self._config = config
        self._token_provider = build_token_provider(config, config.settings)
        self._limiter = RateLimiter(requests_per_10s=config.settings.requests_per_10s, clock=self._clock)
        return config

    async def _token(self) -> str:
        provider = self._token_provider
        assert provider is not None
        if isinstance(provider, OAuthTokenProvider):
            # The refresh is a blocking HTTP call; a worker thread keeps the event loop free.
            token = await asyncio.to_thread(provider.token)
            if token not in self._masked_tokens:
                self._masked_tokens.add(token)
                await amask_secret(token)
        else:
            token = provider.token()
        self._last_token = token
        return token

    # ------------------------------------------------------------------ session

    async def __aenter__(self) -> HubSpotAssociationsAsyncHook:
        await self._open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            settings = (await self.get_config()).settings
            # Bodies are decoded by wire.BodyReader (bounded per step, capped); no env proxy, no .netrc.
            self._session = aiohttp.ClientSession(
                headers={
                    "User-Agent": settings.user_agent,
                    "Accept": "application/json",
                    "Accept-Encoding": "gzip, deflate",
                },
                timeout=aiohttp.ClientTimeout(total=settings.timeout),
                auto_decompress=False,
                trust_env=False,
            )
        return self._session

    async def close(self) -> None:
        """Close the HTTP session, if it is open."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    # ------------------------------------------------------------------ requests

    async def _pace(self) -> None:
        limiter = self._limiter
        assert limiter is not None
        while (delay := limiter.try_acquire()) is not None:
            log.debug("Rate limiter: waiting %.3f s before the next HubSpot request", delay)
            await self._sleep(delay)

    def _secrets(self) -> tuple[str, ...]:
        known = provider_secrets(self._token_provider)
        last = self._last_token
        return (*known, last) if last and last not in known else known

    async def _attempt(self, path: str, params: dict[str, Any] | None) -> TransportResponse:
        session = await self._open()
        config = await self.get_config()
        await self._pace()
        token = await self._token()
        what = f"GET {path}"
        deadline = config.settings.timeout
        try:
            async with session.get(
                f"{config.settings.base_url}{path}",
                params=params,
                headers={"Authorization": f"Bearer {token}"},
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=deadline),  # connect + headers + body
            ) as response:
                reader = BodyReader(response.headers, what=what)
                async for chunk in response.content.iter_chunked(READ_CHUNK_BYTES):
                    reader.feed(chunk)
                content = reader.finish()
                status = response.status
                headers = response.headers
        except (aiohttp.ClientError, TimeoutError) as exc:
            why = (
                f"no complete answer within {deadline:g} s"
                if isinstance(exc, TimeoutError)
                else f"{type(exc).__name__}: {exc}"
            )
            lost = HubSpotConnectionError(
                f"{what} failed without an answer from HubSpot: {redact(why, self._secrets())}"
            )
            raise RetryableFailure(lost, kind="connection", certainly_not_processed=False) from exc
        except HubSpotError as error:
            raise scrub_error(error, self._secrets()) from None
        assert self._limiter is not None
        self._limiter.observe(headers)
        content = scrub_bytes(content, self._secrets())
        log.debug("HubSpot %s -> %s", what, status)
        if 200 <= status < 300:
            try:
                body = decode_json(content, what=what, status=status)
            except HubSpotError as error:
                raise scrub_error(error, self._secrets()) from None
            return TransportResponse(status=status, headers=headers, body=body, request=what)
        body = body_or_text(content, what=what, status=status)
        raise failure_from_answer(status, headers, body, scrub=lambda e: scrub_error(e, self._secrets()))

    async def get(self, path: str, params: dict[str, Any] | None = None) -> TransportResponse:
        """``GET`` an API path with the sync client's retry definition (:class:`~.retrying.RetryPlan`).

        :param path: an API path from :mod:`~airflow_provider_hubassoc.client.paths`.
        :param params: query parameters.
        :returns: the 2xx answer (``.parse(parser)`` names the request in a malformed-body error).
        :raises HubSpotError: the typed error (permanent at once; transient after the retries).
        """
        config = await self.get_config()
        provider = self._token_provider
        plan = RetryPlan(
            what=f"GET {path}",
            max_retries=config.settings.max_retries,
            limiter=self._limiter,
            refresh=provider.invalidate if isinstance(provider, OAuthTokenProvider) else None,
        )
        return await plan.acall(lambda: self._attempt(path, params), sleep=self._sleep)

    async def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """``GET`` an API path, retrying transient failures as the sync client does.

        :param path: an API path from :mod:`~airflow_provider_hubassoc.client.paths`.
        :param params: query parameters.
        :returns: the parsed JSON body of the 2xx answer.
        :raises HubSpotError: the typed error (permanent at once; transient after the retries).
        """
        return (await self.get(path, params)).body

    async def get_associations(
        self, *, from_object_type: str, object_id: RecordId, to_object_type: str, limit: int = 500
    ) -> list[AssociatedRecord]:
        """List every record associated with one record, following every page.

        :param from_object_type: the record's object type.
        :param object_id: the record's id.
        :param to_object_type: the associated object type.
        :param limit: page size, at most 500.
        """
        version = (await self.get_config()).settings.api_version
        path = paths.record_associations_path(
            version, from_object_type, record_id(object_id, what="object_id"), to_object_type
        )
        params: dict[str, Any] = {"limit": bodies.page_limit(limit)}
        pager = Pager(what=f"GET {path}", page_size=params["limit"])
        records: list[AssociatedRecord] = []
        while True:
            page = (await self.get(path, params)).parse(parse_associations_page)
            records.extend(page.records)
            after = pager.follow(page.after)
            if after is None:
                return records
            params = {**params, "after": after}

    async def list_labels(self, *, from_object_type: str, to_object_type: str) -> list[AssociationType]:
        """List the association types (labels) of one direction.

        :param from_object_type: the from object type.
        :param to_object_type: the to object type.
        """
        version = (await self.get_config()).settings.api_version
        path = paths.labels_path(version, from_object_type, to_object_type)
        return (await self.get(path)).parse(parse_association_types)

    def __repr__(self) -> str:
        return f"HubSpotAssociationsAsyncHook(hubassoc_conn_id={self.hubassoc_conn_id!r})"
