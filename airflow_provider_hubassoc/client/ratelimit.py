"""A client-side rate limiter that keeps requests below the portal's limit.

A sliding-window log: no more than ``requests_per_10s`` requests are admitted in any rolling
window of 10 seconds plus a small safety margin (which absorbs network jitter between our clock
and HubSpot's). It also listens to HubSpot's ``X-HubSpot-RateLimit-*`` headers, so that several
uncoordinated workers sharing one portal slow down together, and to 429s via :meth:`penalize`.

Other workers' requests are kept as a second log, rebuilt from each answer's headers: the portal's
count in its window (``-Max`` minus ``-Remaining``) less our own is theirs. A request first seen in
an answer at time *T* reached HubSpot at or before *T*, so it leaves HubSpot's window by *T* plus
the interval at the latest; a worker held back by them resumes as each of them leaves, not a whole
interval after the last answer that showed the portal full.

An answer shows the portal as it was when HubSpot sent it: by the time our next request arrives,
the other workers have sent more. How many is estimated from our own round trips: the others'
requests that appeared between two consecutive answers of ours, with one request of ours in
between (the most of the last :data:`ROUND_TRIP_SAMPLES` such round trips). While other workers'
requests are in the window, that many slots are left for them; without it, four workers that
all read "2 remaining" in the same instant all send, and two get a 429 (a 10-second pause).
"""

from __future__ import annotations

import logging
import math
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from airflow_provider_hubassoc.client.clock import Clock, SystemClock
from airflow_provider_hubassoc.client.responses import header_value

logger = logging.getLogger(__name__)

WINDOW_SECONDS: Final = 10.0
DEFAULT_SAFETY_MARGIN_SECONDS: Final = 0.25
MAX_HEADER = "X-HubSpot-RateLimit-Max"
REMAINING_HEADER = "X-HubSpot-RateLimit-Remaining"
INTERVAL_HEADER = "X-HubSpot-RateLimit-Interval-Milliseconds"
#: How many of our latest round trips estimate the other workers' requests on their way to HubSpot.
ROUND_TRIP_SAMPLES: Final = 4


@dataclass(frozen=True, slots=True)
class RateLimitHeaders:
    """HubSpot's view of the portal's budget, read from one response.

    :param maximum: requests allowed per interval (``X-HubSpot-RateLimit-Max``).
    :param remaining: requests left in the current interval (``-Remaining``).
    :param interval_seconds: the interval (``-Interval-Milliseconds`` / 1000).
    """

    maximum: int | None = None
    remaining: int | None = None
    interval_seconds: float | None = None


def _whole(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip()
    return int(text) if text.isdigit() else None


def parse_rate_limit_headers(headers: Mapping[str, str]) -> RateLimitHeaders | None:
    """Read the ``X-HubSpot-RateLimit-*`` headers; ``None`` when none is usable.

    :param headers: response headers.
    """
    maximum = _whole(header_value(headers, MAX_HEADER))
    remaining = _whole(header_value(headers, REMAINING_HEADER))
    interval_ms = _whole(header_value(headers, INTERVAL_HEADER))
    if maximum is None and remaining is None:
        return None
    interval = interval_ms / 1000.0 if interval_ms else None
    return RateLimitHeaders(maximum=maximum or None, remaining=remaining, interval_seconds=interval)


@dataclass(slots=True)
class _OthersSeen:
    """Requests of other workers first counted in one answer.

    :param leave_at: when they leave HubSpot's window at the latest (that answer + the interval).
    :param count: how many of them are still in it.
    """

    leave_at: float
    count: int


class RateLimiter:
    """Paces requests so that at most ``requests_per_10s`` start in any rolling 10 seconds.

    Thread-safe. Share one instance between every client that talks to the same portal from this
    process.

    :param requests_per_10s: the configured ceiling, per rolling 10 seconds.
    :param clock: the clock to read and sleep on (a :class:`~.clock.FakeClock` in tests).
    :param safety_margin_seconds: added to the 10-second window, so requests spaced by exactly one
        window at our end cannot arrive closer together at HubSpot's.
    :param window_seconds: the rolling window (10 s, HubSpot's burst window; CRM search's own limit
        is per second, so its limiter is a second instance with a 1-s window). ``requests_per_10s``
        is then the ceiling per such window.
    """

    def __init__(
        self,
        *,
        requests_per_10s: int,
        clock: Clock | None = None,
        safety_margin_seconds: float = DEFAULT_SAFETY_MARGIN_SECONDS,
        window_seconds: float = WINDOW_SECONDS,
    ) -> None:
        if window_seconds <= 0:
            raise ValueError(f"window_seconds must be positive, got {window_seconds}")
        if requests_per_10s <= 0:
            raise ValueError(f"requests_per_10s must be positive, got {requests_per_10s}")
        if safety_margin_seconds < 0:
            raise ValueError(f"safety_margin_seconds must not be negative, got {safety_margin_seconds}")
        self._configured = requests_per_10s
        self._capacity = requests_per_10s
        self._clock: Clock = clock or SystemClock()
        self._base_window = window_seconds
        self._window = window_seconds + safety_margin_seconds
        self._admitted: deque[float] = deque()
        self._paused_until = 0.0
        #: The portal's requests per window, from ``-Max`` (else taken to be ``capacity``).
        self._portal_max: int | None = None
        #: Other workers' requests in HubSpot's window, oldest first; one entry per answer that
        #: showed new ones, so its length is bounded by our own requests.
        self._others: deque[_OthersSeen] = deque()
        self._others_count = 0
        #: Other workers' requests that appeared during each of our latest round trips.
        self._others_per_round_trip: deque[int] = deque(maxlen=ROUND_TRIP_SAMPLES)
        #: Our requests admitted since the last answer with a ``-Remaining`` (``None``: none seen yet).
        self._admitted_since_answer: int | None = None
        self._lock = threading.Lock()

    @property
    def capacity(self) -> int:
        """Requests admitted per window now: the configured value, or less if HubSpot says so."""
        with self._lock:
            return self._capacity

    @property
    def window_seconds(self) -> float:
        """The rolling window's length: 10 seconds plus the safety margin."""
        return self._window

    def _prune(self, now: float) -> None:
        while self._admitted and self._admitted[0] + self._window <= now:
            self._admitted.popleft()
        while self._others and self._others[0].leave_at <= now:
            self._others_count -= self._others.popleft().count
        if not self._others:  # no other worker in the window: what they did before tells nothing
            self._others_per_round_trip.clear()

    def _forget_oldest_others(self, count: int) -> None:
        """HubSpot counts ``count`` fewer of the others' requests than logged: the oldest left."""
        while count > 0 and self._others:
            oldest = self._others[0]
            gone = min(count, oldest.count)
            oldest.count -= gone
            self._others_count -= gone
            count -= gone
            if not oldest.count:
                self._others.popleft()

    def _next_opening(self, now: float) -> float | None:
        """Return when a request may be admitted, or ``None`` to admit one now (lock held)."""
        if self._paused_until > now:
            return self._paused_until
        own = len(self._admitted)
        portal_max = self._portal_max if self._portal_max is not None else self._capacity
        # the others' requests on their way while ours travels (only while others are active)
        on_their_way = max(self._others_per_round_trip, default=0) if self._others_count else 0
        portal_full = own + self._others_count + on_their_way >= portal_max
        if own < self._capacity and not portal_full:
            return None
        openings = []
        if self._admitted:
            openings.append(self._admitted[0] + self._window)
        if portal_full and self._others:
            openings.append(self._others[0].leave_at)
        return min(openings)

    def try_acquire(self) -> float | None:
        """Count a request if one may start now; else say how long to wait before asking again.

        The non-blocking step of :meth:`acquire`, for callers that wait in their own way (the
        async hook awaits ``asyncio.sleep`` instead of blocking the event loop).

        :returns: ``None`` when the request was admitted (and counted), else the seconds to wait.
        """
        with self._lock:
            now = self._clock.monotonic()
            self._prune(now)
            opening = self._next_opening(now)
            if opening is None:
                self._admitted.append(now)
                if self._admitted_since_answer is not None:
                    self._admitted_since_answer += 1
                return None
            return max(0.0, opening - now)

    def acquire(self) -> float:
        """Wait (on the clock) until a request may start, and count it.

        :returns: the seconds waited.
        """
        waited = 0.0
        while True:
            delay = self.try_acquire()
            if delay is None:
                return waited
            logger.debug("Rate limiter: waiting %.3f s before the next HubSpot request", delay)
            self._clock.sleep(delay)
            waited += delay

    def observe(self, headers: Mapping[str, str]) -> None:
        """Adapt to HubSpot's ``X-HubSpot-RateLimit-*`` headers, when a response carries them.

        * ``-Max`` (per ``-Interval-Milliseconds``) below the configured pace lowers the pace.
        * ``-Remaining``: what HubSpot counts in its window beyond our own requests was sent by
          other workers. New ones are logged as leaving the window one interval from now (the
          latest they can); when HubSpot counts fewer than logged, the oldest have left already.
          This limiter admits a request only while its own fit the capacity and its own, the
          others' and the others' estimated to be on their way (see the module docstring) fit the
          portal's ``-Max``.

        :param headers: the response headers.
        """
        budget = parse_rate_limit_headers(headers)
        if budget is None:
            return
        interval = budget.interval_seconds or self._base_window
        with self._lock:
            now = self._clock.monotonic()
            self._prune(now)
            if budget.maximum is not None:
                per_window = max(1, math.floor(budget.maximum * self._base_window / interval))
                self._capacity = min(self._configured, per_window)
                self._portal_max = per_window
            if budget.remaining is not None and interval == WINDOW_SECONDS:
                # (a per-second budget is not comparable with our 10-second log: only -Max counts)
                maximum = budget.maximum if budget.maximum is not None else self._capacity
                others = max(0, maximum - budget.remaining - len(self._admitted))
                if self._admitted_since_answer == 1:  # one round trip of ours since the last answer
                    self._others_per_round_trip.append(max(0, others - self._others_count))
                self._admitted_since_answer = 0
                if others < self._others_count:
                    self._forget_oldest_others(self._others_count - others)
                elif others > self._others_count:
                    self._others.append(_OthersSeen(now + interval, others - self._others_count))
                    self._others_count = others

    def penalize(self, seconds: float) -> None:
        """Pause every caller for ``seconds`` (after a 429), unless already paused longer.

        :param seconds: how long no request may start.
        """
        if seconds <= 0:
            return
        with self._lock:
            until = self._clock.monotonic() + seconds
            self._paused_until = max(self._paused_until, until)

    def __repr__(self) -> str:
        return f"RateLimiter(requests_per_10s={self._configured}, capacity={self._capacity})"
