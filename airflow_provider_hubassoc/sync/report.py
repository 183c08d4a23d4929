"""The rejects report: JSON Lines, one object per rejected row.

Each line is ``{"index", "row", "reason", "kind", "hubspot_category", "hubspot_message"}``. The
report is written through an opener passed in by the caller (a local path, or an object-storage
path in Airflow), so that this module stays free of Airflow.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any, Protocol

from airflow_provider_hubassoc.sync.outcomes import RowOutcome, merge_report_entries


class TextSink(Protocol):
    """A writable text stream."""

    def write(self, text: str, /) -> Any:
        """Write text."""


Opener = Callable[[], AbstractContextManager[TextSink]]


def report_line(outcome: RowOutcome) -> str:
    """Return the rejects-report line (JSON and a newline) of one rejected row.

    :param outcome: a rejected row's outcome.
    """
    return json.dumps(outcome.to_report(), ensure_ascii=False, sort_keys=True) + "\n"


def write_rejects_report(outcomes: Iterable[RowOutcome], open_sink: Opener) -> int:
    """Write every rejected row as one JSON line; nothing (no file) when none was rejected.

    :param outcomes: the outcomes of a run.
    :param open_sink: returns a context manager yielding a text stream opened for writing.
    :returns: the number of lines written.
    """
    entries = merge_report_entries(outcomes)
    if not entries:
        return 0
    with open_sink() as sink:
        for entry in entries:
            sink.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
    return len(entries)


def read_rejects_report(lines: Iterable[str]) -> list[dict[str, Any]]:
    """Parse a rejects report (for tests and tooling).

    :param lines: the report's lines.
    """
    return [json.loads(line) for line in lines if line.strip()]
