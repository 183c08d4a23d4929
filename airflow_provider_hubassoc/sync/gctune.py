"""Fewer garbage-collector passes while a sync runs.

A sync keeps one outcome, one planned pair and their containers alive per input row, and allocates
a few short-lived dicts per row for each request body and answer. With CPython's default
generation-0 threshold (700 allocations) the collector then runs thousands of times per 100,000
rows and re-traverses the growing set of live objects: about a third of the client's CPU in the
benchmark (see BENCHMARKS.md). While a sync runs, the generation-0 threshold is raised (cycles are
still collected, only in larger steps) and restored when the last concurrent sync ends.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

#: The generation-0 threshold used during a sync (CPython's default is 700).
SYNC_GC_THRESHOLD0 = 50_000

_lock = threading.Lock()
_active = 0
_saved: tuple[int, int, int] | None = None


def _enter() -> None:
    global _active, _saved
    with _lock:
        _active += 1
        if _active == 1:
            current = gc.get_threshold()
            # 0 means automatic collection is off; a higher value is the application's choice
            if 0 < current[0] < SYNC_GC_THRESHOLD0:
                _saved = current
                gc.set_threshold(SYNC_GC_THRESHOLD0, current[1], current[2])


def _leave() -> None:
    global _active, _saved
    with _lock:
        _active -= 1
        if _active == 0 and _saved is not None:
            gc.set_threshold(*_saved)
            _saved = None


def relaxed_gc(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` with the generation-0 GC threshold raised to :data:`SYNC_GC_THRESHOLD0`.

    :param func: a sync entry point.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        _enter()
        try:
            return func(*args, **kwargs)
        finally:
            _leave()

    return wrapper
