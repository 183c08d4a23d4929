"""Cut the input into validated chunks that never split a from-record's run of rows.

Every source is a stream: a list of rows is read as one chunk (``size=None``), rows from a
warehouse cursor in chunks of ``size`` rows. Each row is validated here, once, into a
:class:`~.rows.RowRecord` (its ids canonical) or rejected with the reason; chunk boundaries fall
only between two valid rows with different from-ids, so the rows of one from-record that arrive
together are planned together (a chunk is longer than ``size`` by at most one such run).

Mirror needs a stream's rows grouped by from-id (``ORDER BY`` the from-id column):
:class:`GroupingCheck` fails the sync with :class:`~.errors.UngroupedInputError` when a from-id
reappears after its run ended. It keeps the set of from-ids already seen (one short string per
from-record, not per row).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from airflow_provider_hubassoc.sync.errors import SyncConfigurationError, UngroupedInputError
from airflow_provider_hubassoc.sync.outcomes import RejectKind, RowOutcome
from airflow_provider_hubassoc.sync.rows import RowError, RowRecord, RowValidator
from airflow_provider_hubassoc.sync.spec import SyncSpec

#: Rows per chunk of a streamed sync when the caller does not say.
DEFAULT_CHUNK_SIZE = 10_000


class GroupingCheck:
    """Fails when a from-id reappears after its run of rows ended (a streamed mirror needs grouped rows).

    :param from_id_field: the field holding the from-record id (named in the error).
    """

    def __init__(self, *, from_id_field: str) -> None:
        self.from_id_field = from_id_field
        self._current: str | None = None
        self._closed: set[str] = set()

    def see(self, index: int, from_id: str) -> None:
        """Check one valid row's from-id, in input order.

        :param index: the row's position in the input.
        :param from_id: its canonical from-id.
        :raises UngroupedInputError: when the from-id's run ended earlier.
        """
        if from_id == self._current:
            return
        if self._current is not None:
            self._closed.add(self._current)
        if from_id in self._closed:
            name = self.from_id_field
            raise UngroupedInputError(
                f"mirror mode needs the rows grouped by {name}, but {name} {from_id} reappears at "
                f"row {index} after other from-records; add ORDER BY {name} to the query (rows of "
                "one from-record must be consecutive).",
                from_id=from_id,
                row_index=index,
            )
        self._current = from_id


@dataclass(slots=True)
class Chunk:
    """One chunk of the input: every row's outcome (validation rejections already set) and the valid rows.

    :param outcomes: one per row of the chunk, in input order.
    :param records: the rows that passed validation.
    :param last: no chunk follows.
    """

    outcomes: list[RowOutcome] = field(default_factory=list)
    records: list[RowRecord] = field(default_factory=list)
    last: bool = False

    @property
    def start(self) -> int:
        """The input index of the chunk's first row."""
        return self.outcomes[0].index if self.outcomes else 0


class ChunkReader:
    """Reads the input as :class:`Chunk` objects.

    After HubSpot's daily limit stopped a sync, :meth:`drain` yields the rows not yet read, each
    rejected (nothing more can be sent), so that every input row is still accounted for.

    :param rows: the input rows (any iterable; consumed lazily).
    :param spec: the sync (row fields).
    :param size: rows per chunk; ``None`` reads the whole input as one chunk.
    :param grouped: check that valid rows arrive grouped by from-id (a streamed mirror).
    :param on_first_record: called once, as soon as the first row is valid (before the rest of its
        chunk is validated): the sync sends its first request from there, so that validating a
        large chunk overlaps the rate limiter's first window; not called when no row is valid.
    :raises SyncConfigurationError: when ``size`` is not a positive integer.
    """

    def __init__(
        self,
        rows: Iterable[object],
        spec: SyncSpec,
        *,
        size: int | None,
        grouped: bool,
        on_first_record: Callable[[], None] | None = None,
    ) -> None:
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size <= 0):
            raise SyncConfigurationError(f"chunk size must be a positive integer, got {size!r}")
        self._rows = enumerate(rows)
        self._spec = spec
        self._size = size
        self._grouping = GroupingCheck(from_id_field=spec.from_id_field) if grouped else None
        self._pending: tuple[RowOutcome, RowRecord] | None = None
        self._on_first_record = on_first_record

    def __iter__(self) -> Iterator[Chunk]:
        size, grouping = self._size, self._grouping
        validate = RowValidator(
            from_id_field=self._spec.from_id_field,
            to_id_field=self._spec.to_id_field,
            labels_field=self._spec.labels_field,
        ).validate
        chunk = Chunk()
        current: str | None = None
        if self._pending is not None:
            outcome, record = self._pending
            self._pending = None
            chunk.outcomes.append(outcome)
            chunk.records.append(record)
            current = record.from_id
        for index, row in self._rows:
            outcome = RowOutcome(index, row)
            try:
                record = validate(index, row)
            except RowError as exc:
                outcome.reject(str(exc), RejectKind.VALIDATION)
                chunk.outcomes.append(outcome)
                continue
            if record.from_id != current:
                if self._on_first_record is not None:
                    first, self._on_first_record = self._on_first_record, None
                    first()
                if grouping is not None:
                    grouping.see(index, record.from_id)
                if size is not None and len(chunk.outcomes) >= size:
                    self._pending = (outcome, record)
                    yield chunk
                    chunk = Chunk()
                    if self._pending is None:  # drained meanwhile
                        return
                    self._pending = None
                current = record.from_id
            chunk.outcomes.append(outcome)
            chunk.records.append(record)
        chunk.last = True
        yield chunk

    def drain(self, reason: str) -> Iterator[RowOutcome]:
        """Yield every row not yet read, rejected with ``reason`` (no validation, no request).

        :param reason: the rejection reason.
        """
        if self._pending is not None:
            outcome = RowOutcome(self._pending[0].index, self._pending[0].row)
            self._pending = None
            outcome.reject(reason, RejectKind.DAILY_LIMIT)
            yield outcome
        for index, row in self._rows:
            outcome = RowOutcome(index, row)
            outcome.reject(reason, RejectKind.DAILY_LIMIT)
            yield outcome
