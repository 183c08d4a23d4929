"""Seeded, reproducible fault injection.

Spec syntax: comma-separated ``kind=probability`` pairs, e.g.
``"429=0.05,500=0.02,503=0.02,reset=0.01,delay=0.01,row_error=0.01"``. Kinds:

* ``429``: a ``TEN_SECONDLY_ROLLING`` 429 response (not applied);
* ``500``, ``502``, ``503``, ``504``: that status with a HubSpot error body (not applied);
* ``reset``: the TCP connection is aborted (RST) without any response (not applied);
* ``delay``: the response is delayed by ``fault_delay_seconds``; the request **is applied** after the
  delay, so a client that timed out and retries must be idempotent;
* ``row_error``: per input row of batch read / create / associate default, of the configuration batch
  create / update, and (in the date versions, whose answers carry a batch envelope) of batch archive,
  batch labels archive and configuration purge: that row fails with an error entry in the answer's
  ``errors`` (``category: "INTERNAL_ERROR"``) and is not applied. v4 answers those three with 204 and
  no body, so there they draw no row faults.

One random draw decides each API request's fault (in the order above), and one draw per row decides row
errors, from a single ``random.Random(fault_seed)``: the same seed and the same request sequence give the
same faults.
"""

from __future__ import annotations

import random
import threading

REQUEST_KINDS = ("429", "500", "502", "503", "504", "reset", "delay")
ROW_ERROR = "row_error"
ALL_KINDS = (*REQUEST_KINDS, ROW_ERROR)


def parse_fault_spec(spec: str | None) -> dict[str, float]:
    """Parse a fault spec into ``{kind: probability}``.

    :param spec: The spec string, or ``None``/empty for no faults.
    :raises ValueError: For unknown kinds, bad numbers, or request probabilities summing above 1.
    """
    out: dict[str, float] = {}
    if not spec:
        return out
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        kind, sep, value = part.partition("=")
        kind = kind.strip().lower()
        if not sep or kind not in ALL_KINDS:
            raise ValueError(f"invalid fault {part!r}; kinds are {', '.join(ALL_KINDS)}")
        prob = float(value)
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f"fault probability out of range: {part!r}")
        out[kind] = prob
    if sum(p for k, p in out.items() if k in REQUEST_KINDS) > 1.0 + 1e-9:
        raise ValueError("request fault probabilities sum to more than 1")
    return out


class FaultInjector:
    """Draws fault decisions from one seeded generator.

    :param spec: Fault spec string (see module docstring).
    :param seed: Seed of the random generator.
    """

    def __init__(self, spec: str | None, seed: int = 0) -> None:
        self.probabilities = parse_fault_spec(spec)
        self.seed = seed
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._request_kinds = [(k, self.probabilities[k]) for k in REQUEST_KINDS if k in self.probabilities]
        self._row_p = self.probabilities.get(ROW_ERROR, 0.0)

    @property
    def active(self) -> bool:
        """Whether any fault can fire."""
        return bool(self.probabilities)

    def request_fault(self) -> str | None:
        """Decide the fault of one API request (``None`` for no fault)."""
        if not self._request_kinds:
            return None
        with self._lock:
            u = self._rng.random()
        acc = 0.0
        for kind, p in self._request_kinds:
            acc += p
            if u < acc:
                return kind
        return None

    def row_faults(self, n: int) -> list[bool]:
        """Decide, for each of ``n`` batch rows, whether it fails with a row error.

        :param n: Number of rows.
        """
        p = self._row_p
        if p <= 0.0:
            return [False] * n
        with self._lock:
            rnd = self._rng.random
            return [rnd() < p for _ in range(n)]
