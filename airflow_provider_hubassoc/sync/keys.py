"""Key resolution: the one pipeline stage that turns business keys (emails, domains...) into record ids.

With ``from_id_property`` / ``to_id_property`` set, a row's from/to values are values of that HubSpot
property. :class:`KeyStage` sits between the source and the chunk reader (step 2 of
:mod:`.engine`): it reads the rows in batches, collects the batch's distinct keys per side that are
not yet cached (normalised by :mod:`.keynorm`), resolves them in as few requests as HubSpot allows,
and hands the rows on with record ids in place of the keys. From there on the sync works on record
ids exactly as without keys. Every key is looked up once per run.

How a property is looked up, decided once per (object type, property):

* ``hs_object_id``: the values are record ids, checked with one objects batch read per 100 ids; a
  merged id follows the merge to the surviving record (the row's outcome says so); an id HubSpot
  does not know rejects the row.
* a unique-value property (contacts' ``email`` by rule, companies' ``domain`` never; otherwise
  the property definition's ``hasUniqueValue``): the objects batch read with ``idProperty``, 100
  values per request.
* any other property (companies' ``domain``): the CRM search API, one ``IN`` filter per request,
  paced by its own limiter (:mod:`~..client.objects`).

A key that matches no record rejects its rows with a reason naming the property and the value; one
that matches several rejects them with the matching ids (``on_ambiguous_match="reject"``) or picks the
record created first (``"oldest"``; the row's ``note`` says so). When HubSpot's daily limit stops
the lookups, the rows whose keys are not resolved yet are rejected with reason ``daily limit
reached`` and the run ends with :class:`~.outcomes.DailyLimitReachedError` (before any mirror
removal). A row rejected here marks its from-record (when its from-key resolved, or every
candidate of an ambiguous one) in the run's tainted set, so mirror never prunes it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, Protocol

from airflow_provider_hubassoc.client.errors import HubSpotDailyLimitError
from airflow_provider_hubassoc.client.models import BatchRowError
from airflow_provider_hubassoc.client.objects import (
    SEARCH_VALUES_PER_REQUEST,
    CrmRecord,
    HubSpotObjectsClient,
    HubSpotSearchCapError,
    ObjectsRead,
    PropertyInfo,
)
from airflow_provider_hubassoc.client.transport import HubSpotTransport
from airflow_provider_hubassoc.sync.errors import SyncConfigurationError
from airflow_provider_hubassoc.sync.keynorm import normalize_key, search_values, stored_key
from airflow_provider_hubassoc.sync.outcomes import DAILY_LIMIT_REASON, RejectKind
from airflow_provider_hubassoc.sync.plan import id_order
from airflow_provider_hubassoc.sync.rows import RowError, UnreadableRow, parse_record_id, shown
from airflow_provider_hubassoc.sync.spec import SyncSpec
from airflow_provider_hubassoc.sync.stream import Chunk

log = logging.getLogger(__name__)

AMBIGUOUS_CHOICES = ("reject", "oldest")
#: The property whose values are record ids.
RECORD_ID_PROPERTY = "hs_object_id"
#: (object type id, property) pairs unique by HubSpot's rule, whatever the definition says.
UNIQUE_BY_RULE = frozenset({("0-1", "email")})
#: ... and not unique for the API (companies' ``domain``: an upsert by it fails as non-unique).
NON_UNIQUE_BY_RULE = frozenset({("0-2", "domain")})
#: Rows read ahead whose distinct keys are looked up together (one chunk's worth by default).
KEY_BATCH_ROWS = 10_000
#: How many matching ids a reason lists.
_IDS_SHOWN = 10


class ObjectsLookup(Protocol):
    """What key resolution needs of the client (:class:`~..client.objects.HubSpotObjectsClient`)."""

    def batch_read_objects(
        self,
        object_type: str,
        values: Sequence[str],
        *,
        id_property: str | None = None,
        properties: Sequence[str] = (),
    ) -> ObjectsRead:
        """Read records by id or by a unique property."""

    def search_objects(
        self, object_type: str, *, property_name: str, values: Sequence[str], properties: Sequence[str] = ()
    ) -> list[CrmRecord]:
        """Every record whose property is one of the values."""

    def read_property(self, object_type: str, name: str) -> PropertyInfo | None:
        """One property definition, or ``None``."""


@dataclass(frozen=True, slots=True)
class KeySpec:
    """Which properties the row values belong to.

    :param from_id_property: the from-side property, or ``None`` (values are record ids).
    :param to_id_property: the to-side property, or ``None``.
    :param on_ambiguous_match: ``"reject"`` (default) or ``"oldest"``.
    """

    from_id_property: str | None = None
    to_id_property: str | None = None
    on_ambiguous_match: str = "reject"

    @classmethod
    def build(
        cls,
        *,
        from_id_property: object = None,
        to_id_property: object = None,
        on_ambiguous_match: object = "reject",
    ) -> KeySpec:
        """Validate the operator's arguments (templated values are strings; ``""`` means ``None``).

        :param from_id_property: a property name or ``None``.
        :param to_id_property: a property name or ``None``.
        :param on_ambiguous_match: ``"reject"`` or ``"oldest"``.
        :raises SyncConfigurationError: for anything else.
        """
        names: list[str | None] = []
        for what, value in (("from_id_property", from_id_property), ("to_id_property", to_id_property)):
            if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
                names.append(None)
            elif isinstance(value, str):
                names.append(value.strip())
            else:
                raise SyncConfigurationError(f"{what} must be a property name or None, got {value!r}")
        choice = str(on_ambiguous_match or "reject").strip().lower()
        if choice not in AMBIGUOUS_CHOICES:
            raise SyncConfigurationError(
                f"on_ambiguous_match must be one of {', '.join(AMBIGUOUS_CHOICES)}, "
                f"got {on_ambiguous_match!r}"
            )
        return cls(from_id_property=names[0], to_id_property=names[1], on_ambiguous_match=choice)

    @property
    def active(self) -> bool:
        """Whether either side is keyed."""
        return self.from_id_property is not None or self.to_id_property is not None


@dataclass(frozen=True, slots=True)
class Resolution:
    """What one key resolved to.

    :param record_id: the record id, or ``None`` when the key did not resolve.
    :param reason: why it did not resolve.
    :param note: what the row's outcome should say (the oldest of several, a merge followed).
    :param candidates: for a key rejected as ambiguous, the ids of every matching record (a mirror
        prunes none of them); empty otherwise, so the run's cache holds one id per resolved key.
    """

    record_id: str | None
    reason: str | None = None
    note: str | None = None
    candidates: tuple[str, ...] = ()


class ResolvedRow(dict[str, Any]):
    """A row whose keys were replaced by record ids (what the chunk reader validates).

    :param original: the row as given (restored on the outcome, for the report).
    :param note: what the outcome should say, if anything.
    """

    __slots__ = ("note", "original")

    def __init__(self, values: Mapping[str, Any], *, original: object, note: str | None) -> None:
        super().__init__(values)
        self.original = original
        self.note = note


class UnresolvedRow(UnreadableRow):
    """A row whose key did not resolve: the chunk reader rejects it with :attr:`reason`.

    :param original: the row as given.
    :param reason: why.
    :param kind: the rejection kind.
    """

    __slots__ = ("kind", "original")

    def __init__(self, original: object, reason: str, kind: RejectKind) -> None:
        super().__init__(shown(original, 200), reason)
        self.original = original
        self.kind = kind


def _listed(ids: Sequence[str]) -> str:
    shown_ids = ", ".join(ids[:_IDS_SHOWN])
    return shown_ids if len(ids) <= _IDS_SHOWN else f"{shown_ids} and {len(ids) - _IDS_SHOWN} more"


class _Side:
    """One side's lookup: object type, property, route and the run's cache."""

    def __init__(self, object_type: str, type_id: str, prop: str, cache: dict[str, Resolution]) -> None:
        self.object_type = object_type
        self.type_id = type_id
        self.prop = prop
        self.cache = cache
        self.route: str | None = None  # "ids", "unique" or "search", decided at the first lookup


class KeyStage:
    """Resolves the keyed sides of a run (see the module docstring).

    :param objects: the objects client.
    :param spec: the sync.
    :param keys: which properties the values belong to.
    """

    def __init__(self, objects: ObjectsLookup, spec: SyncSpec, keys: KeySpec) -> None:
        self.objects = objects
        self.keys = keys
        self.spec = spec
        self.lookups = 0
        self.stopped: HubSpotDailyLimitError | None = None
        self.not_resolved = 0  # rows rejected because the daily limit stopped the lookups
        caches: dict[tuple[str, str], dict[str, Resolution]] = {}
        self.sides: dict[str, _Side | None] = {}
        for side, object_type, type_id, prop in (
            ("from", spec.from_object_type, spec.from_type_id, keys.from_id_property),
            ("to", spec.to_object_type, spec.to_type_id, keys.to_id_property),
        ):
            self.sides[side] = (
                None
                if prop is None
                else _Side(object_type, type_id, prop, caches.setdefault((type_id, prop), {}))
            )

    # ---- the rows --------------------------------------------------------------------------
    def rows(self, source: Iterable[object], batch: int, tainted: set[str]) -> Iterator[object]:
        """The rows with keys replaced by ids (or rejected), resolving ``batch`` rows at a time.

        :param source: the input rows.
        :param batch: rows read before their keys are resolved together.
        :param tainted: the run's from-records mirror must not prune (rows rejected here add theirs).
        """
        iterator = iter(source)
        while True:
            rows = list(islice(iterator, batch))
            if not rows:
                return
            values = [self._values(row) for row in rows]
            self._prepare(values)
            for row, pair in zip(rows, values, strict=True):
                yield self._rewrite(row, pair, tainted)

    def _values(self, row: object) -> tuple[object, object] | None:
        if not isinstance(row, Mapping) or isinstance(row, UnreadableRow):
            return None
        try:
            if self.spec.from_id_field not in row or self.spec.to_id_field not in row:
                return None
            return row[self.spec.from_id_field], row[self.spec.to_id_field]
        except Exception:  # a user mapping may raise anything; the chunk reader rejects the row
            return None

    def _key(self, side: str, value: object) -> str | None:
        spec = self.sides[side]
        assert spec is not None
        field_name = self.spec.from_id_field if side == "from" else self.spec.to_id_field
        try:
            return normalize_key(spec.prop, value, field_name)
        except RowError:
            return None

    def _prepare(self, values: list[tuple[object, object] | None]) -> None:
        for index, side in enumerate(("from", "to")):
            spec = self.sides[side]
            if spec is None:
                continue
            wanted: dict[str, None] = {}
            for pair in values:
                if pair is None:
                    continue
                key = self._key(side, pair[index])
                if key is not None and key not in spec.cache:
                    wanted.setdefault(key, None)
            if wanted:
                self._resolve(spec, list(wanted))

    def _rewrite(self, row: object, pair: tuple[object, object] | None, tainted: set[str]) -> object:
        if pair is None:
            return row  # the chunk reader rejects it with its usual reason
        ids: list[object] = []
        reasons: list[str] = []
        notes: list[str] = []
        candidates: tuple[str, ...] = ()
        for index, side in enumerate(("from", "to")):
            spec = self.sides[side]
            value = pair[index]
            if spec is None:
                ids.append(value)
                continue
            field_name = self.spec.from_id_field if side == "from" else self.spec.to_id_field
            try:
                key = normalize_key(spec.prop, value, field_name)
            except RowError as exc:
                reasons.append(str(exc))
                ids.append(None)
                continue
            found = spec.cache.get(key)
            if found is None:  # only when HubSpot's daily limit stopped the lookups
                self.not_resolved += 1
                return UnresolvedRow(row, f"{DAILY_LIMIT_REASON}: key not resolved", RejectKind.DAILY_LIMIT)
            ids.append(found.record_id)
            if found.record_id is None:
                reasons.append(found.reason or f"{field_name} did not resolve")
                if side == "from":
                    candidates = found.candidates
            elif found.note:
                notes.append(found.note)
        if reasons:
            from_id = ids[0]
            if self.sides["from"] is None:
                from_id = self._plain_id(from_id)
            if isinstance(from_id, str):
                tainted.add(from_id)
            tainted.update(candidates)
            return UnresolvedRow(row, "; ".join(reasons), RejectKind.UNRESOLVED_KEY)
        assert isinstance(row, Mapping)
        values = dict(row)
        values[self.spec.from_id_field] = ids[0]
        values[self.spec.to_id_field] = ids[1]
        return ResolvedRow(values, original=row, note="; ".join(notes) or None)

    def _plain_id(self, value: object) -> str | None:
        try:
            return parse_record_id(value, self.spec.from_id_field)
        except RowError:
            return None

    def annotate(self, chunk: Chunk) -> None:
        """Give each outcome of the chunk its original row, its note and its rejection kind.

        :param chunk: a chunk read from :meth:`rows`.
        """
        for outcome in chunk.outcomes:
            row = outcome.row
            if isinstance(row, ResolvedRow):
                outcome.row = row.original
                if row.note:
                    outcome.note = row.note
            elif isinstance(row, UnresolvedRow):
                outcome.row = row.original
                outcome.kind = row.kind

    def resolve_one(self, side: str, value: object) -> Resolution:
        """Resolve one value of ``side`` (``"from"`` or ``"to"``), for the sensor.

        :param side: which side's property the value belongs to.
        :param value: the value.
        :raises HubSpotDailyLimitError: when HubSpot's daily limit stops the lookup.
        """
        spec = self.sides[side]
        if spec is None:
            raise ValueError(f"the {side} side is not keyed")
        try:
            key = normalize_key(spec.prop, value, f"{side}_object_id")
        except RowError as exc:
            return Resolution(None, str(exc))
        if key not in spec.cache:
            self._resolve(spec, [key])
        if self.stopped is not None:
            raise self.stopped
        return spec.cache[key]

    # ---- lookups ---------------------------------------------------------------------------
    def _counted(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        stats = getattr(self.objects, "stats", None)
        before = int(getattr(stats, "requests", 0) or 0)
        try:
            return call(*args, **kwargs)
        finally:
            after = int(getattr(stats, "requests", 0) or 0)
            self.lookups += (after - before) if stats is not None else 1

    def _route(self, side: _Side) -> str:
        if side.route is None:
            if side.prop == RECORD_ID_PROPERTY:
                side.route = "ids"
            elif (side.type_id, side.prop) in UNIQUE_BY_RULE:
                side.route = "unique"
            elif (side.type_id, side.prop) in NON_UNIQUE_BY_RULE:
                side.route = "search"
            else:
                info = self._counted(self.objects.read_property, side.object_type, side.prop)
                if info is None:
                    raise SyncConfigurationError(
                        f"{side.object_type} has no property {side.prop!r} in HubSpot; set "
                        "from_id_property / to_id_property to the internal name of a property of that "
                        "object type"
                    )
                side.route = "unique" if info.has_unique_value else "search"
            log.info("Keys of %s by %s are looked up by %s", side.object_type, side.prop, side.route)
        return side.route

    def _resolve(self, side: _Side, keys: list[str]) -> None:
        if self.stopped is not None:
            return
        try:
            route = self._route(side)
            if route == "search":
                self._by_search(side, keys)
            else:
                self._by_batch_read(side, keys, ids=route == "ids")
        except HubSpotDailyLimitError as exc:
            log.warning("HubSpot's daily limit stopped key resolution: %s", exc)
            self.stopped = exc
            return
        log.info(
            "Resolved %d keys of %s by %s (%d lookups so far)",
            len(keys),
            side.object_type,
            side.prop,
            self.lookups,
        )

    def _missing(self, side: _Side, key: str) -> Resolution:
        if side.prop == RECORD_ID_PROPERTY:
            return Resolution(None, f"no {side.object_type} record with id {key} exists in HubSpot")
        return Resolution(None, f"no {side.object_type} record has {side.prop} {key!r}")

    @staticmethod
    def _refused(
        side: _Side, keys: list[str], errors: list[BatchRowError], matched: Mapping[str, CrmRecord]
    ) -> dict[str, Resolution]:
        """HubSpot's other per-input errors of a batch read, as the rejections of their keys.

        An error names its inputs in ``context.ids``; one that names none concerns every key the
        read did not return (HubSpot did not say they are missing, so they are not called so).
        """
        refused: dict[str, Resolution] = {}
        unmatched = [key for key in keys if key not in matched]
        for error in errors:
            named = {str(v) for v in error.context.get("ids", []) or []}
            about = [key for key in unmatched if key in named] if named else unmatched
            reason = (
                f"HubSpot could not read {side.object_type} by {side.prop} "
                f"({error.category}: {error.message})"
            )
            for key in about:
                refused.setdefault(key, Resolution(None, reason))
        return refused

    def _by_batch_read(self, side: _Side, keys: list[str], *, ids: bool) -> None:
        extra = [] if ids or side.prop != "email" else ["hs_additional_emails"]
        read: ObjectsRead = self._counted(
            self.objects.batch_read_objects,
            side.object_type,
            keys,
            id_property=None if ids else side.prop,
            properties=[] if ids else [side.prop, *extra],
        )
        wanted = set(keys)
        matched: dict[str, CrmRecord] = {}
        for record in read.records:
            names: list[str | None]
            if ids:
                names = [record.id, *record.merged_ids]
            else:
                names = [stored_key(side.prop, record.properties.get(side.prop), fold_case=False)]
                for other in extra:
                    names.extend(
                        stored_key(side.prop, part, fold_case=False)
                        for part in (record.properties.get(other) or "").split(";")
                    )
            for name in names:
                if name is not None and name in wanted:
                    matched.setdefault(name, record)
        refused = self._refused(side, keys, read.errors, matched)
        for key in keys:
            hit = matched.get(key)
            if hit is None:
                side.cache[key] = refused.get(key) or self._missing(side, key)
            elif ids and hit.id != key:
                side.cache[key] = Resolution(
                    hit.id,
                    note=f"{side.object_type} record {key} was merged into {hit.id}; the row uses {hit.id}",
                )
            else:
                side.cache[key] = Resolution(hit.id)

    def _by_search(self, side: _Side, keys: list[str]) -> None:
        per_request = max(1, SEARCH_VALUES_PER_REQUEST // len(search_values(side.prop, keys[0])))
        matches: dict[str, dict[str, CrmRecord]] = {key: {} for key in keys}
        capped: set[str] = set()
        for start in range(0, len(keys), per_request):
            group = keys[start : start + per_request]
            for key, records in self._search(side, group, capped).items():
                matches[key].update((r.id, r) for r in records)
        for key in keys:
            if key in capped:
                side.cache[key] = Resolution(
                    None, f"{side.prop} {key!r} matches more than 10,000 {side.object_type} records"
                )
                continue
            self._decide(side, key, list(matches[key].values()))

    def _search(self, side: _Side, group: list[str], capped: set[str]) -> dict[str, list[CrmRecord]]:
        values = [v for key in group for v in search_values(side.prop, key)]
        try:
            records = self._counted(
                self.objects.search_objects, side.object_type, property_name=side.prop, values=values
            )
        except HubSpotSearchCapError:
            if len(group) == 1:
                capped.add(group[0])
                return {}
            found: dict[str, list[CrmRecord]] = {}
            for key in group:  # one key at a time: only a key that alone matches 10,000 fails
                found.update(self._search(side, [key], capped))
            return found
        by_folded: dict[str, set[str]] = {}  # one dict look-up per record, however many keys
        for key in group:
            by_folded.setdefault(key.lower(), set()).add(key)
        found = {}
        for record in records:
            name = stored_key(side.prop, record.properties.get(side.prop), fold_case=True)
            for key in by_folded.get(name, ()) if name is not None else ():
                found.setdefault(key, []).append(record)
        return found

    def _decide(self, side: _Side, key: str, records: list[CrmRecord]) -> None:
        if not records:
            side.cache[key] = self._missing(side, key)
            return
        records.sort(key=lambda r: (r.created_at, id_order(r.id)))
        ids = tuple(r.id for r in records)
        if len(records) == 1:
            side.cache[key] = Resolution(records[0].id)
            return
        what = f"{side.prop} {key!r} matches {len(ids)} {side.object_type} records ({_listed(list(ids))})"
        if self.keys.on_ambiguous_match == "oldest":
            side.cache[key] = Resolution(
                ids[0],
                note=f"{what}; on_ambiguous_match='oldest' chose {ids[0]}, created first",
            )
        else:
            side.cache[key] = Resolution(
                None, f"{what}; set on_ambiguous_match='oldest' to use the one created first", candidates=ids
            )


def key_stage(client: object, spec: SyncSpec, keys: KeySpec) -> KeyStage | None:
    """The key stage of a run on ``client``'s transport, or ``None`` when no side is keyed.

    :param client: the associations client (its transport carries the lookups, so they share its
        deadline, retries and request counters).
    :param spec: the sync.
    :param keys: which properties the row values belong to.
    :raises SyncConfigurationError: when keys are asked for and the client has no transport.
    """
    if not keys.active:
        return None
    transport = getattr(client, "transport", None)
    if not isinstance(transport, HubSpotTransport):
        raise SyncConfigurationError(
            "matching rows by from_id_property / to_id_property needs a HubSpot client"
        )
    return KeyStage(HubSpotObjectsClient(transport=transport), spec, keys)
