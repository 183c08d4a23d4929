"""Progress reporting for long syncs: one log line every ~10 s."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

from airflow_provider_hubassoc.sync.protocols import ClientStats


class InfoLogger(Protocol):
    """Anything with a stdlib-style ``info`` method (a ``logging.Logger``, Airflow's task logger)."""

    def info(self, msg: str, /, *args: object) -> object:
        """Log at INFO."""


class ProgressListener(Protocol):
    """Receives progress from the engine."""

    def start(self, total: int, stats: ClientStats | None) -> None:
        """A sync of ``total`` rows starts."""

    def advance(self, rows: int, phase: str) -> None:
        """``rows`` more rows reached their outcome (0 to just signal activity)."""

    def planned(self, description: str, *, dry_run: bool) -> None:
        """A chunk was planned; its writes follow (none in a dry run)."""

    def finish(self) -> None:
        """The sync ended."""


class ProgressLogger:
    """Logs rows done / total, rows/s, requests, 429s, retries and an ETA every ``interval`` seconds.

    :param logger: where to log (the operator passes its task logger).
    :param interval: seconds between two log lines.
    :param clock: a monotonic clock (injectable for tests).
    """

    def __init__(
        self,
        logger: InfoLogger | None = None,
        *,
        interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger: InfoLogger = logger or logging.getLogger(__name__)
        self.interval = interval
        self.clock = clock
        self.total = 0
        self.done = 0
        self.lines = 0
        self._stats: ClientStats | None = None
        self._base = (0, 0, 0)
        self._started = 0.0
        self._last = 0.0

    def start(self, total: int, stats: ClientStats | None) -> None:
        """Start timing.

        :param total: rows in the sync; 0 when unknown (a streamed sync): rows are counted
            without a total or an ETA.
        :param stats: the client's counters, when available.
        """
        self.total = total
        self.done = 0
        self._stats = stats
        self._base = self._counters()
        self._started = self._last = self.clock()

    def _counters(self) -> tuple[int, int, int]:
        if self._stats is None:
            return (0, 0, 0)
        return (self._stats.requests, self._stats.rate_limited, self._stats.retries)

    def advance(self, rows: int, phase: str) -> None:
        """Count rows done and log when ``interval`` has passed since the last line.

        :param rows: rows that reached their outcome.
        :param phase: what the sync is doing (``reading``, ``writing``...).
        """
        self.done = self.done + rows if self.total <= 0 else min(self.total, self.done + rows)
        now = self.clock()
        if now - self._last >= self.interval:
            self._last = now
            self._log(phase, now)

    def _log(self, phase: str, now: float) -> None:
        elapsed = max(now - self._started, 1e-9)
        counters = self._counters()
        requests, limited, retries = (c - b for c, b in zip(counters, self._base, strict=True))
        rate = self.done / elapsed
        eta = f"{(self.total - self.done) / rate:.0f}s" if rate > 0 and self.total > 0 else "unknown"
        self.lines += 1
        self.logger.info(
            "Progress (%s): %d/%s rows, %.1f rows/s, %d requests, %d rate-limited (429), %d retries, ETA %s",
            phase,
            self.done,
            str(self.total) if self.total > 0 else "?",
            rate,
            requests,
            limited,
            retries,
            eta,
        )

    def planned(self, description: str, *, dry_run: bool) -> None:
        """Log a chunk's plan before its writes.

        :param description: what the chunk writes (:meth:`~.plan.PlanTotals.describe`).
        :param dry_run: nothing will be written.
        """
        self.logger.info("Plan%s: %s", " (not written)" if dry_run else "", description)

    def finish(self) -> None:
        """Log a last line when the sync took longer than one interval."""
        now = self.clock()
        if now - self._started >= self.interval:
            self._log("done", now)
