"""Cut a stream of rows into bounded chunks that never split a from-record's run of rows.

A streamed sync (:func:`~.engine.upsert_associations_streamed`) validates, reads, plans and
writes one chunk at a time, so only one chunk of rows is held in memory however long the stream
is. Chunk boundaries fall between two rows with different from-ids only, so the rows of one
from-record that arrive together are planned together (a chunk is longer than ``size`` by at most
the length of one such run).

Mirror mode plans per from-record, so its rows must arrive grouped by from-id
(``ORDER BY`` the from-id column). With ``require_grouped=True`` a from-id that reappears after
its run ended fails the sync with :class:`~.errors.UngroupedInputError`. That check keeps the set
of from-ids already seen (one short string per from-record, not per row).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping

from airflow_provider_hubassoc.sync.errors import SyncConfigurationError, UngroupedInputError
from airflow_provider_hubassoc.sync.rows import RowError, parse_record_id

#: Rows per chunk when the caller does not say.
DEFAULT_CHUNK_SIZE = 10_000

Chunk = list[tuple[int, object]]


def _from_id(row: object, field: str) -> str | None:
    if not isinstance(row, Mapping):
        return None
    with contextlib.suppress(RowError):
        return parse_record_id(row.get(field), field)
    return None


class GroupingCheck:
    """Fails when a from-id reappears after its run of rows ended (mirror mode needs grouped rows).

    It keeps the set of from-ids whose run ended: one short string per from-record, not per row.

    :param from_id_field: the field holding the from-record id (named in the error).
    """

    def __init__(self, *, from_id_field: str) -> None:
        self.from_id_field = from_id_field
        self._current: str | None = None
        self._closed: set[str] = set()

    def see(self, index: int, row: object) -> None:
        """Check one row, in input order.

        :param index: the row's position in the input.
        :param row: the row.
        :raises UngroupedInputError: when the row's from-id's run ended earlier.
        """
        from_id = _from_id(row, self.from_id_field)
        if from_id is None or from_id == self._current:
            return
        if self._current is not None:
            self._closed.add(self._current)
        if from_id in self._closed:
            field = self.from_id_field
            raise UngroupedInputError(
                f"mirror mode needs the rows grouped by {field}, but {field} {from_id} reappears at "
                f"row {index} after other from-records; add ORDER BY {field} to the query (rows of "
                "one from-record must be consecutive).",
                from_id=from_id,
                row_index=index,
            )
        self._current = from_id


def iter_row_chunks(
    rows: Iterable[object],
    size: int,
    *,
    from_id_field: str,
    require_grouped: bool = False,
) -> Iterator[Chunk]:
    """Yield ``[(index, row), ...]`` chunks of about ``size`` rows, in input order.

    Rows without a valid from-id (they will be rejected) never open or close a run.

    :param rows: the rows (any iterable; consumed lazily).
    :param size: the target chunk length.
    :param from_id_field: the field holding the from-record id.
    :param require_grouped: fail when a from-id reappears after its run ended (mirror mode).
    :raises SyncConfigurationError: when ``size`` is not a positive integer.
    :raises UngroupedInputError: when ``require_grouped`` and the rows are not grouped by from-id.
    """
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise SyncConfigurationError(f"chunk size must be a positive integer, got {size!r}")
    grouping = GroupingCheck(from_id_field=from_id_field) if require_grouped else None
    chunk: Chunk = []
    current: str | None = None
    for index, row in enumerate(rows):
        if grouping is not None:
            grouping.see(index, row)
        from_id = _from_id(row, from_id_field)
        if from_id is not None and from_id != current:
            current = from_id
            if len(chunk) >= size:
                yield chunk
                chunk = []
        chunk.append((index, row))
    if chunk:
        yield chunk
