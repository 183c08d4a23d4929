"""Operators that upsert and delete HubSpot associations from rows.

Both are thin: they render their parameters, build one :class:`~..sync.spec.SyncSpec`, hand the
rows (a list, or a generator over a SQL cursor) to :func:`~..sync.engine.run_sync`, stream the
rejected rows into the rejects report, and return the summary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack, closing
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_hubassoc._compat import AirflowFailException, BaseOperator
from airflow_provider_hubassoc.operators._common import (
    LazyReport,
    parse_bool,
    resolve_rows,
    run_permanent_as_fail,
)
from airflow_provider_hubassoc.operators._sql import get_dbapi_hook, iter_sql_rows
from airflow_provider_hubassoc.sync.engine import RejectedRowSink, SyncResult, run_sync
from airflow_provider_hubassoc.sync.errors import SyncConfigurationError
from airflow_provider_hubassoc.sync.keys import KeySpec, KeyStage, key_stage
from airflow_provider_hubassoc.sync.outcomes import DailyLimitReachedError, validate_ratio
from airflow_provider_hubassoc.sync.progress import ProgressLogger
from airflow_provider_hubassoc.sync.spec import Guard, SyncMode, SyncSpec
from airflow_provider_hubassoc.sync.stream import DEFAULT_CHUNK_SIZE

if TYPE_CHECKING:
    from airflow_provider_hubassoc._compat import Context
    from airflow_provider_hubassoc.hooks.associations import HubSpotAssociationsHook


def _is_template(value: object) -> bool:
    return isinstance(value, str) and "{{" in value


class _AssociationsOperatorBase(BaseOperator):
    """Parameters and plumbing shared by the upsert and delete operators (documented on each)."""

    ui_color = "#ff7a59"
    template_fields: Sequence[str] = (
        "rows",
        "sql",
        "sql_conn_id",
        "sql_parameters",
        "from_object_type",
        "to_object_type",
        "labels",
        "dry_run",
        "rejects_path",
        "hubassoc_conn_id",
        "from_id_property",
        "to_id_property",
        "on_ambiguous_match",
    )
    template_fields_renderers = {"rows": "json", "labels": "json", "sql": "sql", "sql_parameters": "json"}
    template_ext: Sequence[str] = (".sql",)

    def __init__(
        self,
        *,
        from_object_type: str,
        to_object_type: str,
        rows: Any = None,
        sql: str | None = None,
        sql_conn_id: str | None = None,
        sql_parameters: Any = None,
        sql_chunk_size: int = DEFAULT_CHUNK_SIZE,
        from_id_field: str = "from_id",
        to_id_field: str = "to_id",
        labels_field: str = "labels",
        labels: Any = None,
        dry_run: Any = False,
        max_rejected_ratio: float = 0.0,
        rejects_path: str | None = None,
        requests_per_10s: int | None = None,
        hubassoc_conn_id: str = "hubassoc_default",
        from_id_property: str | None = None,
        to_id_property: str | None = None,
        on_ambiguous_match: str = "reject",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not any(_is_template(v) for v in (from_id_property, to_id_property, on_ambiguous_match)):
            try:
                KeySpec.build(
                    from_id_property=from_id_property,
                    to_id_property=to_id_property,
                    on_ambiguous_match=on_ambiguous_match,
                )
            except SyncConfigurationError as exc:
                raise ValueError(str(exc)) from None
        self.from_id_property = from_id_property
        self.to_id_property = to_id_property
        self.on_ambiguous_match = on_ambiguous_match
        self._key_stage: KeyStage | None = None
        if (rows is None) == (sql is None):
            raise ValueError(
                "give exactly one of rows (a list of mappings or an XComArg) and sql (a query, with "
                f"sql_conn_id); got {'both' if rows is not None else 'neither'}"
            )
        if sql is not None and not sql_conn_id:
            raise ValueError("sql needs sql_conn_id: the connection of the database to query")
        if sql is None and sql_conn_id is not None:
            raise ValueError("sql_conn_id is given without sql; pass the query as sql=...")
        if isinstance(sql_chunk_size, bool) or not isinstance(sql_chunk_size, int) or sql_chunk_size <= 0:
            raise ValueError(f"sql_chunk_size must be a positive integer, got {sql_chunk_size!r}")
        if requests_per_10s is not None and (
            isinstance(requests_per_10s, bool)
            or not isinstance(requests_per_10s, int)
            or requests_per_10s <= 0
        ):
            raise ValueError(f"requests_per_10s must be a positive integer, got {requests_per_10s!r}")
        self.from_object_type = from_object_type
        self.to_object_type = to_object_type
        self.rows = rows
        self.sql = sql
        self.sql_conn_id = sql_conn_id
        self.sql_parameters = sql_parameters
        self.sql_chunk_size = sql_chunk_size
        self.requests_per_10s = requests_per_10s
        self.from_id_field = from_id_field
        self.to_id_field = to_id_field
        self.labels_field = labels_field
        self.labels = labels
        # Shadows BaseOperator.dry_run() (template rendering preview, unused by Airflow itself): the
        # public parameter is named dry_run and is templated.
        self.dry_run = dry_run  # type: ignore[method-assign]
        try:
            self.max_rejected_ratio = validate_ratio(max_rejected_ratio)
        except SyncConfigurationError as exc:
            raise ValueError(str(exc)) from None
        self.rejects_path = rejects_path
        self.hubassoc_conn_id = hubassoc_conn_id

    @cached_property
    def hook(self) -> HubSpotAssociationsHook:
        """The hook (one client per hook)."""
        from airflow_provider_hubassoc.hooks.associations import HubSpotAssociationsHook

        return HubSpotAssociationsHook(
            hubassoc_conn_id=self.hubassoc_conn_id, requests_per_10s=self.requests_per_10s
        )

    def _mode(self) -> SyncMode:
        """The rendered mode."""
        return SyncMode.DELETE

    def _max_deletes(self) -> object:
        """The rendered mirror guard (upserts only)."""
        return None

    def _spec(self, dry_run: bool) -> SyncSpec:
        """The frozen description of this task's sync (rendered parameters)."""
        return SyncSpec.build(
            from_object_type=self.from_object_type,
            to_object_type=self.to_object_type,
            mode=self._mode(),
            from_id_field=self.from_id_field,
            to_id_field=self.to_id_field,
            labels_field=self.labels_field,
            labels=self.labels,
            max_deletes=self._max_deletes(),
            dry_run=dry_run,
        )

    def _precheck(self, spec: SyncSpec) -> bool:
        """Whether to run a dry-run pass over the whole query before the writing pass."""
        return False

    def _source(self) -> Iterable[object]:
        """The input rows: the rendered ``rows``, or a generator over the query's cursor."""
        if self.sql is None:
            return resolve_rows(self.rows)
        if not isinstance(self.sql, str) or not self.sql.strip():
            raise AirflowFailException("sql must be one SELECT statement (a string or a .sql file)")
        hook = get_dbapi_hook(str(self.sql_conn_id))
        fetched = [0]

        def on_fetch(count: int) -> None:
            fetched[0] += count
            self.log.debug("Fetched %d rows (%d so far) from %s", count, fetched[0], self.sql_conn_id)

        return iter_sql_rows(
            hook,
            self.sql,
            parameters=self.sql_parameters or None,
            chunk_size=self.sql_chunk_size,
            on_fetch=on_fetch,
        )

    def _run(self, spec: SyncSpec, on_rejected: RejectedRowSink | None) -> SyncResult:
        """One pass of the pipeline over the source."""
        chunk_size = self.sql_chunk_size if self.sql is not None else None
        with ExitStack() as stack:
            rows = self._source()
            if hasattr(rows, "close"):
                stack.enter_context(closing(rows))  # type: ignore[type-var]
            client = self.hook.get_client()
            return run_permanent_as_fail(
                lambda: run_sync(
                    client,
                    spec,
                    rows,
                    chunk_size=chunk_size,
                    progress=ProgressLogger(self.log),
                    on_rejected=on_rejected,
                    keep_outcomes=False,
                    keys=self._keys(client, spec),
                )
            )

    def _keys(self, client: object, spec: SyncSpec) -> KeyStage | None:
        """The task's key stage, one per task run (a mirror pre-check and the writing pass share it)."""
        if self._key_stage is None:
            keys = KeySpec.build(
                from_id_property=self.from_id_property,
                to_id_property=self.to_id_property,
                on_ambiguous_match=self.on_ambiguous_match,
            )
            self._key_stage = key_stage(client, spec, keys)
        return self._key_stage

    def execute(self, context: Context) -> dict[str, Any]:
        """Run the sync, write the rejects report, and return the summary (to XCom).

        :param context: the task context.
        :raises AirflowFailException: on permanent errors, a tripped guard, or too many rejected rows.
        """
        try:
            self._key_stage = None  # keys are resolved once per task run
            return self._sync()
        finally:
            if "hook" in self.__dict__:
                self.hook.close()  # the task's one HTTP session

    def _sync(self) -> dict[str, Any]:
        dry_run = parse_bool(self.dry_run, "dry_run")
        spec = run_permanent_as_fail(lambda: self._spec(dry_run))
        location = str(self.rejects_path) if self.rejects_path else None
        precheck_requests = 0
        if self._precheck(spec):
            self.log.info(
                "Mirror pre-check: planning the whole query without writing (grouping and max_deletes), "
                "then writing in a second pass"
            )
            checked = self._guarded(lambda: self._run(replace(spec, dry_run=True), None), None)
            self.log.info(
                "Pre-check passed: %d rows, %d pairs to remove", checked.summary.rows, checked.summary.pruned
            )
            precheck_requests = checked.summary.requests
        report = LazyReport(location) if location else None
        with report or ExitStack():
            result = self._guarded(lambda: self._run(spec, report.write if report else None), report)
        summary = result.summary
        # the task's requests: the pre-check pass's reads and lookups (which the writing pass reuses)
        # count too, so that ``lookups <= requests`` and ``requests`` is what the task sent
        summary.requests += precheck_requests
        if report is not None:
            self._log_report(report)
        self.log.info(
            "%s %s → %s%s: %d rows, %d created, %d updated, %d unchanged, %d removed, %d pruned, "
            "%d rejected, %d requests (%d key lookups)",
            summary.mode,
            self.from_object_type,
            self.to_object_type,
            " (dry run)" if dry_run else "",
            summary.rows,
            summary.created,
            summary.updated,
            summary.unchanged,
            summary.removed,
            summary.pruned,
            summary.rejected,
            summary.requests,
            summary.lookups,
        )
        self.log.info(
            "Planned over the run%s: %s%s",
            " (not written)" if dry_run else "",
            result.describe_plan(),
            f" (after {summary.lookups} key lookups)" if summary.lookups else "",
        )
        for sample in summary.rejected_sample[:5]:
            self.log.warning("Rejected row %s: %s", sample["index"], sample["reason"])
        run_permanent_as_fail(
            lambda: summary.check_rejected_ratio(self.max_rejected_ratio, report_location=location)
        )
        return summary.to_dict()

    def _guarded(self, call: Callable[[], SyncResult], report: LazyReport | None) -> SyncResult:
        """Run a pass; when HubSpot's daily limit stops it, say what was accounted for, then fail."""
        try:
            return call()
        except AirflowFailException as exc:
            error = exc.__cause__
            if isinstance(error, DailyLimitReachedError):
                if error.summary.dry_run:
                    where = " during the read-only pass (mirror pre-check or dry run); nothing was written"
                elif report is not None:
                    where = f"; the rejects report {report.location} lists them"
                else:
                    where = ""
                self.log.error(
                    "Stopped by HubSpot's daily API limit: %s; %d rows not written because of the limit%s",
                    error.summary.to_dict(),
                    error.not_written,
                    where,
                )
            raise

    def _log_report(self, report: LazyReport) -> None:
        if report.lines:
            self.log.info("Wrote %d rejected rows to %s", report.lines, report.location)
        else:
            self.log.info("No row was rejected; no rejects report written to %s", report.location)


class HubSpotUpsertAssociationsOperator(_AssociationsOperatorBase):
    """Create or update associations between records from rows, in ``append``, ``replace`` or
    ``mirror`` mode.

    Rows are mappings such as ``{"from_id": "101", "to_id": "202", "labels": ["Consultant"]}``; a
    label is a display label, an internal name, a type id or ``"Primary"``. The operator reads the
    current associations of the from-records, diffs, and writes only what changes, so a re-run of an
    unchanged sync makes reads only, and a retried task converges to the same end state whether
    HubSpot's writes set or add labels.

    * ``append`` adds the labels; it never removes anything.
    * ``replace`` makes each input pair carry exactly the given labels (Unlabeled always stays).
    * ``mirror`` also removes the pairs of each input from-record that are absent from the input,
      after the ``max_deletes`` guard (default: at most half of the current pairs of the
      from-records in the run). A from-record with any rejected row (validation, unknown label,
      HubSpot's answer) is not pruned, and removals happen only after the creates succeeded. With
      both sides of one object type, a pair and its inverse are one association.

    Primary is left to HubSpot unless a row asks for it: asking moves the record's primary company;
    a pair that is Primary now stays Primary in replace/mirror when its row omits Primary (HubSpot
    makes the first company Primary by itself). Remove Primary with
    :class:`HubSpotDeleteAssociationsOperator` and ``labels=["Primary"]``.

    Duplicate rows of one pair are merged (labels unioned) and each gets the merged pair's outcome.
    Returns ``{"mode", "dry_run", "rows", "created", "updated", "unchanged", "removed",
    "rejected", "pruned", "prune_refused", "requests", "lookups", "rejected_sample"}`` where
    ``created + updated + unchanged + rejected == rows``, ``removed`` is 0 and ``pruned`` counts the
    pairs mirror removed (``prune_refused`` those HubSpot refused to remove; they stay, and the
    next run tries again).

    :param from_object_type: e.g. ``"contacts"`` or ``"0-1"``.
    :param to_object_type: e.g. ``"companies"``.
    :param rows: a list of mappings, an ``XComArg`` (``upstream.output``), or a JSON string.
        Give either ``rows`` or ``sql``.
    :param sql: a query (or a ``.sql`` file, templated) whose rows are synced, streamed in chunks of
        ``sql_chunk_size``: columns map through the ``*_field`` parameters (alias them in the query
        or set the fields); a labels column holds one label, ``"A;B"`` or a JSON array. Memory stays
        flat however many rows it returns. Mirror mode needs ``ORDER BY`` the from-id column.
    :param sql_conn_id: the connection of the database to query (any ``common.sql`` ``DbApiHook``).
    :param sql_parameters: DB-API parameters of ``sql`` (in the driver's placeholder style).
    :param sql_chunk_size: rows fetched, validated, read, planned and written at a time.
    :param from_id_field: the row field with the from-record id.
    :param to_id_field: the row field with the to-record id.
    :param labels_field: the row field with the row's labels (list, ``"A;B"``, JSON array, or none).
    :param labels: labels applied to every row, besides the row's own.
    :param mode: ``"append"``, ``"replace"`` or ``"mirror"``.
    :param dry_run: read and plan, write nothing; returns the summary a real run would.
    :param max_rejected_ratio: fail (after writing the valid rows) when ``rejected / rows`` exceeds it.
    :param max_deletes: mirror guard: an int (at most that many pairs), a share strictly between 0
        and 1 (``0.25`` or ``"25%"``) of the current pairs of the from-records in the run, or
        ``"100%"`` / ``"all"`` for no limit; ``None`` keeps the default (``50%``). ``1.0`` is
        refused as ambiguous (one pair, or every pair?).
    :param rejects_path: where to write a JSON Lines report of rejected rows (a local path or an
        object-storage URL); nothing is written when no row is rejected.
    :param mirror_precheck: with ``sql`` in mirror mode, first plan the whole query without
        writing (a dry-run pass: grouping and ``max_deletes`` are checked over the whole run before
        anything is written), then write in a second pass. ``False`` saves the second query and the
        reads; the guard's verdict is the same (no pair is removed before the whole run is planned),
        but creates of earlier chunks may then be written before a grouping error or the guard
        stops the run.
    :param requests_per_10s: this task's pace (overrides the connection's), e.g. the portal's limit
        divided by the pool slots when mapped tasks share a portal.
    :param hubassoc_conn_id: the ``hubassoc`` connection.
    :param from_id_property: ``None`` (default): the from values are HubSpot record ids. Else the
        HubSpot property the from values belong to, e.g. ``"email"`` for contacts or any property
        of the object type that identifies a record (custom objects included); ``"hs_object_id"``
        checks ids and follows merged records. Each distinct value is looked up once per task.
    :param to_id_property: the same for the to values, e.g. ``"domain"`` for companies.
    :param on_ambiguous_match: a key matching several records: ``"reject"`` (default; the reason
        lists the matching ids) or ``"oldest"`` (the record created first; the row's note says so).
    """

    template_fields: Sequence[str] = (*_AssociationsOperatorBase.template_fields, "mode", "max_deletes")

    def __init__(
        self,
        *,
        mode: str = "append",
        max_deletes: int | float | str | None = None,
        mirror_precheck: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        try:
            if isinstance(mode, str) and not _is_template(mode):
                SyncMode.parse(mode)
            if not _is_template(max_deletes):
                Guard.parse(max_deletes)
        except SyncConfigurationError as exc:
            raise ValueError(str(exc)) from None
        self.mode = mode
        self.max_deletes = max_deletes
        self.mirror_precheck = mirror_precheck

    def _mode(self) -> SyncMode:
        mode = SyncMode.parse(self.mode)
        if mode is not SyncMode.MIRROR and self.max_deletes is not None:
            self.log.info("max_deletes applies to mirror mode only; ignored in %s mode", mode)
        return mode

    def _max_deletes(self) -> object:
        return self.max_deletes

    def _precheck(self, spec: SyncSpec) -> bool:
        return (
            self.sql is not None
            and spec.mode is SyncMode.MIRROR
            and not spec.dry_run
            and parse_bool(self.mirror_precheck, "mirror_precheck")
        )


class HubSpotDeleteAssociationsOperator(_AssociationsOperatorBase):
    """Remove associations between records from rows: whole pairs, or only some labels.

    The labels removed from a pair are ``labels`` plus the row's own labels; when both are empty
    the whole pair is removed. Rows whose pair is absent, or carries none of those labels, are
    ``unchanged``. Removing ``"Primary"`` this way is allowed. Returns the same summary as the
    upsert operator, with ``mode: "delete"``, ``removed + unchanged + rejected == rows`` and
    ``pruned`` 0.

    :param from_object_type: e.g. ``"contacts"``.
    :param to_object_type: e.g. ``"companies"``.
    :param rows: a list of mappings, an ``XComArg``, or a JSON string. Give either ``rows`` or ``sql``.
    :param sql: a query (or a ``.sql`` file, templated) whose rows are deleted, streamed in chunks of
        ``sql_chunk_size`` (columns map through the ``*_field`` parameters).
    :param sql_conn_id: the connection of the database to query (any ``common.sql`` ``DbApiHook``).
    :param sql_parameters: DB-API parameters of ``sql`` (in the driver's placeholder style).
    :param sql_chunk_size: rows fetched, validated, read, planned and written at a time.
    :param from_id_field: the row field with the from-record id.
    :param to_id_field: the row field with the to-record id.
    :param labels_field: the row field with labels to remove for that row.
    :param labels: ``None`` to remove whole pairs, else the labels to remove from every pair.
    :param dry_run: read and plan, write nothing.
    :param max_rejected_ratio: fail (after the valid rows) when ``rejected / rows`` exceeds it.
    :param rejects_path: where to write a JSON Lines report of rejected rows (none when no row is
        rejected).
    :param requests_per_10s: this task's pace (overrides the connection's).
    :param hubassoc_conn_id: the ``hubassoc`` connection.
    :param from_id_property: ``None`` (default): the from values are HubSpot record ids. Else the
        HubSpot property the from values belong to, e.g. ``"email"`` for contacts or any property
        of the object type that identifies a record (custom objects included); ``"hs_object_id"``
        checks ids and follows merged records. Each distinct value is looked up once per task.
    :param to_id_property: the same for the to values, e.g. ``"domain"`` for companies.
    :param on_ambiguous_match: a key matching several records: ``"reject"`` (default; the reason
        lists the matching ids) or ``"oldest"`` (the record created first; the row's note says so).
    """


__all__ = ["HubSpotDeleteAssociationsOperator", "HubSpotUpsertAssociationsOperator"]
