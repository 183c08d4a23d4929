"""Bounded HTTP: a total deadline per attempt, a cap on the decoded body, typed JSON decoding.

Shared by the sync transport, the OAuth token exchange and the async hook, so the limits hold on
every path by construction:

* **Deadline.** ``requests``' ``timeout`` bounds each socket read, not the request: a server that
  sends one byte per second holds it for ever. :func:`send` arms a watchdog for the whole attempt
  (connect, headers, body); when it fires it shuts the attempt's socket down, and the attempt fails
  with :class:`AttemptDeadlineExceeded` (a ``requests`` timeout, so it is retried like one). The
  async hook gets the same bound from ``aiohttp.ClientTimeout(total=...)``.
* **Body cap.** Bodies are streamed and decompressed here (``gzip``/``deflate``) with a bounded
  output per step, so the cap of :data:`MAX_BODY_BYTES` decoded bytes holds before the memory is
  spent (a 1 MB gzip bomb never inflates to gigabytes).
* **JSON.** :func:`decode_json` turns bad UTF-8, non-JSON, truncated JSON, JSON nested too deep,
  integers too long and lone surrogates into :class:`~.errors.HubSpotUnexpectedResponseError`
  naming the request, never a ``ValueError`` or ``RecursionError``.
"""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import itertools
import json
import os
import re
import socket
import threading
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import msgspec
import requests
import requests.auth
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from airflow_provider_hubassoc.client.errors import HubSpotUnexpectedResponseError, cap_text
from airflow_provider_hubassoc.client.responses import header_value

#: The largest decoded body accepted (bytes). A full batch read (1,000 inputs x 500 associations)
#: is about 75 MB; anything larger fails with :class:`~.errors.HubSpotUnexpectedResponseError`.
MAX_BODY_BYTES: Final = 100_000_000
#: Bytes read from the socket, and at most decoded, per step.
READ_CHUNK_BYTES: Final = 64 * 1024
#: How often a fired watchdog looks again for a socket that was still connecting.
_WATCHDOG_RECHECK_SECONDS: Final = 0.05
_MAX_PREVIEW_CHARS: Final = 200
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")


#: Sent with every plain-http request (loopback only): an environment proxy must never see it.
_NO_PROXIES: Final[dict[str, str | None]] = {"http": None, "https": None, "all": None}


class _NoNetrc(requests.auth.AuthBase):
    """An auth that adds nothing: given explicitly, it keeps ``requests`` from applying ``.netrc``."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


_NO_NETRC: Final = _NoNetrc()


def scrub_bytes(content: bytes, secrets: Iterable[str | None]) -> bytes:
    """Return ``content`` with every secret (as sent, and JSON-escaped) replaced by ``***``.

    Applied to every answer before it is parsed, so no echoed secret reaches a model, a row
    reason, a report, XCom or a log line.

    :param content: a decoded body.
    :param secrets: the values to hide.
    """
    for secret in secrets:
        if not secret:
            continue
        escaped = json.dumps(secret)[1:-1]
        for form in {secret, escaped, escaped.replace("/", "\\/")}:
            raw = form.encode("utf-8", "replace")
            if raw in content:
                content = content.replace(raw, b"***")
    return content


class AttemptDeadlineExceeded(requests.exceptions.ReadTimeout):
    """The attempt ran past its total deadline (connect + headers + body)."""


class _Watchdog:
    """Shuts down the sockets of one attempt once its deadline has passed (see :class:`_Monitor`)."""

    def __init__(self, seconds: float) -> None:
        self.due = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._connections: list[Any] = []
        self.cancelled = False
        self.fired = False

    def start(self) -> None:
        _MONITOR.arm(self)

    def cancel(self) -> None:
        self.cancelled = True

    def attach(self, connection: Any) -> None:
        with self._lock:
            self._connections.append(connection)
            fired = self.fired
        if fired:
            _shut_down(connection)

    def fire(self) -> None:
        """Shut every attached socket down; look again soon for one still connecting."""
        with self._lock:
            self.fired = True
            connections = list(self._connections)
        pending = [connection for connection in connections if not _shut_down(connection)]
        if pending and not self.cancelled:
            self.due = time.monotonic() + _WATCHDOG_RECHECK_SECONDS
            _MONITOR.arm(self)


class _Monitor:
    """One daemon thread per process firing watchdogs at their deadlines (no thread per attempt)."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._condition = threading.Condition()
        self._due: list[tuple[float, int, _Watchdog]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, watchdog: _Watchdog) -> None:
        with self._condition:
            heapq.heappush(self._due, (watchdog.due, next(self._order), watchdog))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="hubassoc-deadlines", daemon=True)
                self._thread.start()
            self._condition.notify()

    def _next_due(self) -> _Watchdog:
        with self._condition:
            while True:
                while self._due and self._due[0][2].cancelled:
                    heapq.heappop(self._due)
                if not self._due:
                    self._condition.wait()
                    continue
                wait = self._due[0][0] - time.monotonic()
                if wait <= 0:
                    return heapq.heappop(self._due)[2]
                self._condition.wait(wait)

    def _run(self) -> None:
        while True:
            watchdog = self._next_due()
            if not watchdog.cancelled:
                watchdog.fire()


_MONITOR: Final = _Monitor()
# A forked task process starts with no monitor thread and possibly a lock held by another thread.
os.register_at_fork(after_in_child=_MONITOR._reset)


def _shut_down(connection: Any) -> bool:
    """Shut the connection's socket down (unblocking a reader); False while it has none yet."""
    sock = getattr(connection, "sock", None)
    if sock is None:
        return False
    # The plain socket's shutdown, also under TLS: it acts on the descriptor and wakes the reader.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    return True


_CURRENT_WATCHDOG: contextvars.ContextVar[_Watchdog | None] = contextvars.ContextVar(
    "hubassoc_deadline_watchdog", default=None
)


def _watched(pool: type[HTTPConnectionPool]) -> type[HTTPConnectionPool]:
    """Return a subclass of ``pool`` whose connections the current attempt's watchdog can shut down."""

    class Watched(pool):  # type: ignore[valid-type,misc]
        def _get_conn(self, timeout: float | None = None) -> Any:
            connection = super()._get_conn(timeout)
            watchdog = _CURRENT_WATCHDOG.get()
            if watchdog is not None:
                watchdog.attach(connection)
            return connection

    Watched.__name__ = Watched.__qualname__ = f"Watched{pool.__name__}"
    return Watched


_WATCHED_POOLS: Final = {"http": _watched(HTTPConnectionPool), "https": _watched(HTTPSConnectionPool)}


class DeadlineAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose connections the attempt's watchdog can shut down (see :func:`send`)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Create the pool manager with watched connection pools.

        :param args: as for ``HTTPAdapter.init_poolmanager``.
        :param kwargs: as for ``HTTPAdapter.init_poolmanager``.
        """
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_WATCHED_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """Return the proxy manager for ``proxy``, with watched connection pools.

        :param proxy: the proxy URL.
        :param proxy_kwargs: as for ``HTTPAdapter.proxy_manager_for``.
        """
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = dict(_WATCHED_POOLS)
        return manager


def bounded_session() -> requests.Session:
    """Return a session whose http and https connections the attempt deadline can shut down."""
    session = requests.Session()
    adapter = DeadlineAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


@dataclass(frozen=True, slots=True)
class RawAnswer:
    """An answer read within the deadline and the body cap.

    :param status: the HTTP status.
    :param headers: the response headers (case-insensitive mapping).
    :param content: the decoded body bytes.
    """

    status: int
    headers: Mapping[str, str]
    content: bytes


class BodyReader:
    """Decodes a streamed body (``identity``, ``gzip`` or ``deflate``) up to a cap.

    :param headers: the response headers (``Content-Encoding``, ``Content-Length``).
    :param what: the request, e.g. ``"GET /crm/v4/..."``, quoted in errors.
    :param limit: the largest decoded body accepted, in bytes.
    :raises HubSpotUnexpectedResponseError: for an unknown encoding, or a declared length above the cap.
    """

    def __init__(self, headers: Mapping[str, str], *, what: str, limit: int = MAX_BODY_BYTES) -> None:
        self._what = what
        self._limit = limit
        self._buffer = bytearray()
        encoding = (header_value(headers, "Content-Encoding") or "identity").strip().lower()
        if encoding in ("", "identity"):
            self._decoder: Any = None
        elif encoding in ("gzip", "x-gzip"):
            self._decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._decoder = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            raise HubSpotUnexpectedResponseError(
                f"HubSpot answered {what} with an unsupported Content-Encoding {cap_text(encoding, 50)!r}"
            )
        declared = header_value(headers, "Content-Length")
        known = declared is not None and declared.strip().isdigit()
        if self._decoder is None and known and int(str(declared).strip()[:20]) > limit:
            raise self._too_large()

    def _too_large(self) -> HubSpotUnexpectedResponseError:
        return HubSpotUnexpectedResponseError(
            f"HubSpot's answer to {self._what} is larger than {self._limit:,} bytes (decoded); "
            "refusing to read it"
        )

    def feed(self, chunk: bytes) -> None:
        """Add a chunk of the body as received.

        :param chunk: raw (possibly compressed) bytes.
        :raises HubSpotUnexpectedResponseError: when the decoded body passes the cap or is corrupt.
        """
        if self._decoder is None:
            self._append(chunk)
            return
        data = chunk
        try:
            while data:
                self._append(self._decoder.decompress(data, READ_CHUNK_BYTES))
                data = self._decoder.unconsumed_tail
        except zlib.error:
            raise HubSpotUnexpectedResponseError(
                f"HubSpot's answer to {self._what} is not validly compressed"
            ) from None

    def _append(self, data: bytes) -> None:
        if len(self._buffer) + len(data) > self._limit:
            raise self._too_large()
        self._buffer += data

    def finish(self) -> bytes:
        """Return the whole decoded body.

        :raises HubSpotUnexpectedResponseError: when the decoded body passes the cap or is corrupt.
        """
        if self._decoder is not None:
            try:
                while True:
                    piece = self._decoder.decompress(self._decoder.unconsumed_tail, READ_CHUNK_BYTES)
                    if not piece:
                        break
                    self._append(piece)
                self._append(self._decoder.flush(READ_CHUNK_BYTES))
            except zlib.error:
                raise HubSpotUnexpectedResponseError(
                    f"HubSpot's answer to {self._what} is not validly compressed"
                ) from None
        # The buffer itself, not a copy: a body near the cap must not need twice the memory.
        return self._buffer  # type: ignore[return-value]


def _stream(raw: Any) -> Iterable[bytes]:
    """Yield the raw body of a streamed ``requests`` answer, mapping urllib3 errors to requests ones."""
    try:
        yield from raw.stream(READ_CHUNK_BYTES, decode_content=False)
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ReadTimeout(str(exc)) from exc
    except (urllib3.exceptions.ProtocolError, urllib3.exceptions.DecodeError) as exc:
        raise requests.exceptions.ChunkedEncodingError(str(exc)) from exc
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise requests.exceptions.ConnectionError(str(exc)) from exc


#: Encodes request bodies: msgspec writes a 2,000-input batch body about 10x faster than the
#: ``json.dumps`` behind ``requests``' ``json=`` (8 ms against 0.7 ms here), the same JSON text.
_ENCODER: Final = msgspec.json.Encoder()


def encode_json(body: object) -> bytes:
    """Encode a request body as compact UTF-8 JSON.

    :param body: JSON-compatible data (dicts, lists, strings, numbers, booleans, ``None``).
    :raises TypeError: when the body holds something JSON cannot carry.
    """
    return _ENCODER.encode(body)


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    deadline_seconds: float,
    what: str,
    limit: int = MAX_BODY_BYTES,
    **kwargs: Any,
) -> RawAnswer:
    """Send one request and read its answer within ``deadline_seconds`` in total.

    :param session: the session (mount :class:`DeadlineAdapter` on it, see
        :func:`~.transport.new_session`; on another adapter only the per-read timeout applies).
    :param method: the HTTP method.
    :param url: the absolute URL.
    :param deadline_seconds: the total time allowed for connect, headers and body.
    :param what: the request as quoted in errors, e.g. ``"GET /crm/v4/..."``.
    :param limit: the largest decoded body accepted, in bytes.
    :param kwargs: passed to ``session.request`` (``params``, ``data``, ``auth`` ...); a ``json``
        body is encoded by :func:`encode_json`.
        Without ``auth``, none is added from ``.netrc``; a plain-http URL (loopback only) never goes
        through an environment proxy.
    :raises AttemptDeadlineExceeded: when the deadline passed.
    :raises requests.RequestException: when the connection failed otherwise.
    :raises HubSpotUnexpectedResponseError: when the body is too large or corrupt.
    """
    kwargs.setdefault("auth", _NO_NETRC)
    body = kwargs.pop("json", None)
    if body is not None:
        kwargs["data"] = encode_json(body)
        kwargs["headers"] = {**(kwargs.get("headers") or {}), "Content-Type": "application/json"}
    if url.startswith("http://"):
        kwargs["proxies"] = dict(_NO_PROXIES)
    watchdog = _Watchdog(deadline_seconds)
    reset = _CURRENT_WATCHDOG.set(watchdog)
    watchdog.start()
    try:
        try:
            response = session.request(
                method, url, timeout=(deadline_seconds, deadline_seconds), stream=True, **kwargs
            )
            try:
                reader = BodyReader(response.headers, what=what, limit=limit)
                for chunk in _stream(response.raw):
                    reader.feed(chunk)
                return RawAnswer(
                    status=response.status_code, headers=response.headers, content=reader.finish()
                )
            finally:
                # Disarmed before the connection goes back to the pool, where another attempt may take it.
                watchdog.cancel()
                response.close()
        except requests.RequestException as exc:
            if watchdog.fired:
                raise AttemptDeadlineExceeded(
                    f"{what} took longer than its deadline of {deadline_seconds:g} s"
                ) from exc
            raise
    finally:
        watchdog.cancel()
        _CURRENT_WATCHDOG.reset(reset)


def _bad(what: str, why: str, status: int) -> HubSpotUnexpectedResponseError:
    return HubSpotUnexpectedResponseError(f"HubSpot answered {what} with {why}", status=status)


def decode_json(content: bytes, *, what: str, status: int, schema: type[Any] | None = None) -> Any:
    """Parse a body as JSON, raising a typed error naming the request when it is not.

    :param content: the decoded body (empty means ``None``).
    :param what: the request, e.g. ``"GET /crm/v4/..."``.
    :param status: the HTTP status, kept on the error.
    :param schema: a ``msgspec`` type to decode the body straight into (one pass in C, no
        intermediate dicts: the batch read's answers, thousands of pairs each); ``None`` for plain
        JSON values. A body of another shape is refused here too.
    :raises HubSpotUnexpectedResponseError: for bad UTF-8, non-JSON or truncated JSON, nesting
        deeper than Python can parse, integers longer than Python converts, lone surrogates, or a
        body that does not fit ``schema``.
    """
    if not content:
        return None
    if schema is not None:
        try:
            return msgspec.json.decode(content, type=schema)
        except RecursionError:
            raise _bad(what, "JSON nested too deeply to parse", status) from None
        except msgspec.ValidationError as exc:  # names the place, never a value of the body
            raise _bad(
                what, f"an answer of an unexpected shape ({cap_text(str(exc), _MAX_PREVIEW_CHARS)})", status
            ) from None
        except msgspec.DecodeError:  # not JSON, bad UTF-8, lone surrogates: the same message as below
            pass
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad(what, f"a body that is not valid UTF-8 (byte {exc.start})", status) from None
    try:
        parsed = json.loads(text)
    except RecursionError:
        raise _bad(what, "JSON nested too deeply to parse", status) from None
    except ValueError as exc:
        preview = cap_text(text.strip(), _MAX_PREVIEW_CHARS)
        raise _bad(what, f"a body that is not valid JSON ({exc}): {preview!r}", status) from None
    if _SURROGATE_ESCAPE.search(text) is not None:
        # Rare: only a body escaping a surrogate is checked for unpaired ones (which no encoder accepts).
        try:
            json.dumps(parsed, ensure_ascii=False).encode("utf-8")
        except (UnicodeEncodeError, RecursionError):
            raise _bad(what, "JSON carrying an unpaired surrogate (invalid Unicode)", status) from None
    if schema is not None:  # valid JSON that msgspec refused (e.g. an integer of 5,000 digits)
        raise _bad(what, "JSON that cannot be decoded into the documented answer", status)
    return parsed


def body_or_text(content: bytes, *, what: str, status: int) -> Any:
    """Return the JSON of an error answer, or its text when it is not JSON (for the message).

    :param content: the decoded body.
    :param what: the request, for :func:`decode_json`.
    :param status: the HTTP status.
    """
    try:
        return decode_json(content, what=what, status=status)
    except HubSpotUnexpectedResponseError:
        return content[: _MAX_PREVIEW_CHARS * 4].decode("utf-8", "replace")
