"""Clocks: the real one, and a fake one whose ``sleep`` only advances time (for tests).

Everything in the client that waits (the rate limiter, retries, OAuth token expiry) asks an
injected :class:`Clock`, so tests run without real sleeps and can assert every wait.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """A source of monotonic time that can also wait."""

    def monotonic(self) -> float:
        """Return seconds on a monotonic scale (only differences are meaningful)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` seconds.

        :param seconds: how long to wait; zero or more.
        """
        ...


class SystemClock:
    """The real clock: :func:`time.monotonic` and :func:`time.sleep`."""

    def monotonic(self) -> float:
        """Return :func:`time.monotonic`."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Sleep for real.

        :param seconds: how long to wait; negative values are treated as zero.
        """
        if seconds > 0:
            time.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"


class FakeClock:
    """A clock for tests: :meth:`sleep` advances the time at once and records the wait.

    :param start: the initial value of :meth:`monotonic`.
    """

    def __init__(self, *, start: float = 0.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        """Return the fake current time."""
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        """Record the wait and advance the fake time by it.

        :param seconds: how long to "wait"; must not be negative.
        :raises ValueError: when ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError(f"cannot sleep a negative time: {seconds!r}")
        with self._lock:
            self.sleeps.append(float(seconds))
            self._now += float(seconds)

    def advance(self, seconds: float) -> None:
        """Move the time forward without recording a sleep (time passing elsewhere).

        :param seconds: how far to move; must not be negative.
        :raises ValueError: when ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError(f"cannot move time backwards: {seconds!r}")
        with self._lock:
            self._now += float(seconds)

    @property
    def total_slept(self) -> float:
        """The sum of every recorded sleep."""
        with self._lock:
            return sum(self.sleeps)

    def __repr__(self) -> str:
        return f"FakeClock(now={self._now!r})"
