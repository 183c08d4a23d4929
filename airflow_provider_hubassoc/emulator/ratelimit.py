"""Rolling ten-second and daily request limits with HubSpot's headers and 429 bodies."""

from __future__ import annotations

import collections
import datetime as dt
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_SECONDS = 10.0
#: ``X-HubSpot-RateLimit-Max`` sent when no ten-second limit is configured. HubSpot sends the headers on
#: every response; an emulator without a limit announces a budget no client reaches, so that a client
#: adapting to the headers is not slowed by a limit the emulator does not enforce.
UNLIMITED_HEADER_MAX = 1_000_000
TEN_SECONDLY_ROLLING = "TEN_SECONDLY_ROLLING"
DAILY = "DAILY"


@dataclass
class RateDecision:
    """Outcome of one rate-limit check.

    :param policy: ``None`` when allowed, else ``TEN_SECONDLY_ROLLING`` or ``DAILY``.
    :param retry_after: Seconds until the request would be allowed (only meaningful when limited).
    :param headers: ``X-HubSpot-RateLimit-*`` headers to send with the response.
    """

    policy: str | None
    retry_after: int
    headers: list[tuple[bytes, bytes]]


class RateLimiter:
    """Counts accepted requests in a rolling 10 s window and per UTC day.

    :param per_10s: Requests allowed per rolling 10 seconds, ``None`` for unlimited.
    :param daily: Requests allowed per UTC day, ``None`` for unlimited.
    :param clock: Monotonic clock (injectable for tests).
    :param wall: Wall clock returning an aware UTC datetime (injectable for tests).
    """

    def __init__(
        self,
        per_10s: int | None,
        daily: int | None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.per_10s = per_10s
        self.daily = daily
        self.clock = clock
        self._wall = wall or (lambda: dt.datetime.now(dt.UTC))
        self._window: collections.deque[float] = collections.deque()
        self._day = self._wall().date()
        self._day_count = 0

    def reset(self) -> None:
        """Forget every counted request."""
        self._window.clear()
        self._day = self._wall().date()
        self._day_count = 0

    def check(self, *, ten_secondly: bool = True) -> RateDecision:
        """Count a request if it is within both limits; otherwise say which policy refused it.

        :param ten_secondly: ``False`` for a request exempt from the ten-second limit (CRM search:
            it has its own, and counts against the daily limit only).
        """
        now = self.clock()
        window = self._window
        while window and window[0] <= now - WINDOW_SECONDS:
            window.popleft()
        wall = self._wall()
        if wall.date() != self._day:
            self._day = wall.date()
            self._day_count = 0
        policy: str | None = None
        retry_after = 0
        if self.daily is not None and self._day_count >= self.daily:
            policy = DAILY
            midnight = dt.datetime.combine(self._day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
            retry_after = max(1, math.ceil((midnight - wall).total_seconds()))
        elif ten_secondly and self.per_10s is not None and len(window) >= self.per_10s:
            policy = TEN_SECONDLY_ROLLING
            retry_after = max(1, math.ceil(window[0] + WINDOW_SECONDS - now))
        else:
            if ten_secondly:
                window.append(now)
            self._day_count += 1
        return RateDecision(policy, retry_after, self._headers())

    def _headers(self) -> list[tuple[bytes, bytes]]:
        # The ten-second headers go on every response, as HubSpot sends them; the daily pair only when a
        # daily limit is configured (OAuth calls have none).
        maximum = self.per_10s if self.per_10s is not None else UNLIMITED_HEADER_MAX
        remaining = max(0, maximum - len(self._window))
        headers: list[tuple[bytes, bytes]] = [
            (b"x-hubspot-ratelimit-max", str(maximum).encode()),
            (b"x-hubspot-ratelimit-remaining", str(remaining).encode()),
            (b"x-hubspot-ratelimit-interval-milliseconds", b"10000"),
        ]
        if self.daily is not None:
            headers += [
                (b"x-hubspot-ratelimit-daily", str(self.daily).encode()),
                (b"x-hubspot-ratelimit-daily-remaining", str(max(0, self.daily - self._day_count)).encode()),
            ]
        return headers


class SearchLimiter:
    """Search's own limit: at most ``per_second`` searches in any rolling second (``None``: unlimited).

    :param per_second: searches allowed per second.
    """

    def __init__(self, per_second: int | None) -> None:
        self.per_second = per_second
        self._times: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def allow(self) -> bool:
        """Count one search; ``False`` when it is over the limit (not counted)."""
        if self.per_second is None:
            return True
        with self._lock:
            now = time.monotonic()
            while self._times and self._times[0] <= now - 1.0:
                self._times.popleft()
            if len(self._times) >= self.per_second:
                return False
            self._times.append(now)
            return True
