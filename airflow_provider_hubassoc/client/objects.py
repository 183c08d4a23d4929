"""CRM objects reads for matching records by business keys: batch read, read by id, search, property.

What a keyed sync (``from_id_property`` / ``to_id_property``) and the sensor need. Facts from
``HubSpot/HubSpot-public-api-spec-collection`` (``PublicApiSpecs/CRM/Objects/Rollouts/424/<version>/
objects.json``, ``.../CRM/Properties/Rollouts/145899/<version>/properties.json``), the contacts guide
and the CRM search guide; the success statuses per version are in :mod:`.versions`.

* Paths: a ``v4`` connection reads ``/crm/v3/objects/...`` and ``/crm/v3/properties/...``; a date
  version ``D`` reads ``/crm/objects/D/...`` and ``/crm/properties/D/...``.
* Batch read (``POST .../{objectType}/batch/read``): at most :data:`BATCH_READ_LIMIT` inputs per
  request (HubSpot's documented batch limit; the spec sets none), chunked with
  :func:`~.bodies.chunked`. With ``idProperty`` each input is a value of that unique property.
  Results do not echo the inputs; inputs not found come back in an ``OBJECT_NOT_FOUND`` error's
  ``context.ids`` (a 207, or a 200 in 2026-09); a 404 for the whole batch means none was found.
* Search (``POST .../{objectType}/search``): up to :data:`SEARCH_FILTER_GROUPS` filter groups
  (OR-ed), each one ``IN`` filter of at most :data:`SEARCH_IN_VALUES` values, so
  :data:`SEARCH_VALUES_PER_REQUEST` values per request; :data:`SEARCH_PAGE_LIMIT` results per page,
  pages followed with ``after``; a
  query that matches more than :data:`SEARCH_RESULT_CAP` results cannot be read whole
  (:class:`HubSpotSearchCapError`, never a silent truncation). Search has its own limit (5 per second
  per account in the search guide, 4 per token in older changelogs): it is paced by a second
  :class:`~.ratelimit.RateLimiter` (1-s window, :data:`SEARCH_REQUESTS_PER_SECOND`) and does not
  take a slot of the ten-second limiter (the spec marks search exempt from it).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from airflow_provider_hubassoc.client.bodies import chunked
from airflow_provider_hubassoc.client.clock import Clock
from airflow_provider_hubassoc.client.errors import (
    HubSpotError,
    HubSpotNotFoundError,
    HubSpotUnexpectedResponseError,
)
from airflow_provider_hubassoc.client.models import BatchRowError
from airflow_provider_hubassoc.client.paging import Pager
from airflow_provider_hubassoc.client.paths import (
    object_path,
    objects_batch_read_path,
    objects_search_path,
    property_path,
)
from airflow_provider_hubassoc.client.ratelimit import RateLimiter
from airflow_provider_hubassoc.client.responses import batch_envelope, next_after, parse_batch_error
from airflow_provider_hubassoc.client.transport import HubSpotTransport
from airflow_provider_hubassoc.client.versions import success_statuses

#: Inputs per objects batch read (the contacts guide's "Limits": 100 records per batch request).
BATCH_READ_LIMIT: Final = 100
#: Values per ``IN`` filter (undocumented; 100 is what other clients send).
SEARCH_IN_VALUES: Final = 100
#: Filter groups per search request. HubSpot allows 5 (the search guide; the spec's description
#: says up to 6, a 2024 changelog 5): 4 groups of 100 values match about one page of results
#: (:data:`SEARCH_PAGE_LIMIT`) when each value names one record, so a request is rarely followed
#: by a second page, and 10,000 values take 25 requests where one ``IN`` filter per request takes 100.
SEARCH_FILTER_GROUPS: Final = 4
#: Values per search request.
SEARCH_VALUES_PER_REQUEST: Final = SEARCH_IN_VALUES * SEARCH_FILTER_GROUPS
#: Results per search page (the search guide's maximum ``limit``).
SEARCH_PAGE_LIMIT: Final = 200
#: Results one search query can page through (the search guide: 10,000).
SEARCH_RESULT_CAP: Final = 10_000
#: The client's search pace, per second (the search guide says 5 per account, older changelogs 4 per token).
SEARCH_REQUESTS_PER_SECOND: Final = 4
#: Added to search's 1-s window, so requests spaced by one window cannot arrive closer at HubSpot's.
SEARCH_SAFETY_MARGIN_SECONDS: Final = 0.1
#: Properties every lookup asks for.
_BASE_PROPERTIES: Final = ("hs_object_id", "createdate", "hs_merged_object_ids")


_SEARCH_LIMITERS: dict[str, RateLimiter] = {}
_SEARCH_LIMITERS_LOCK = threading.Lock()


def shared_search_limiter(base_url: str, clock: Clock | None = None) -> RateLimiter:
    """The search pacer of every client of this process that talks to ``base_url``.

    Shared because HubSpot counts searches per account, whichever client sends them: two tasks that
    search one after the other in a process must not start with two fresh budgets. (Conservative
    when one process talks to several portals on the same URL: they share one pace.)

    :param base_url: the API root.
    :param clock: the clock of a limiter created now (tests pass their own limiter instead).
    """
    with _SEARCH_LIMITERS_LOCK:
        limiter = _SEARCH_LIMITERS.get(base_url)
        if limiter is None:
            limiter = _SEARCH_LIMITERS[base_url] = RateLimiter(
                requests_per_10s=SEARCH_REQUESTS_PER_SECOND,
                clock=clock,
                window_seconds=1.0,
                safety_margin_seconds=SEARCH_SAFETY_MARGIN_SECONDS,
            )
        return limiter


class HubSpotSearchCapError(HubSpotError):
    """A search matched more results than HubSpot lets one query page through (10,000)."""


@dataclass(frozen=True, slots=True)
class CrmRecord:
    """One CRM record as the objects API answers it (``SimplePublicObject``).

    :param id: the record id.
    :param properties: the requested properties (values may be ``None``).
    :param created_at: ``createdAt`` (ISO 8601 text; compared as text, which orders ISO times).
    """

    id: str
    properties: Mapping[str, str | None]
    created_at: str

    @property
    def merged_ids(self) -> tuple[str, ...]:
        """Ids HubSpot merged into this record (``hs_merged_object_ids``, ``;``-separated)."""
        raw = self.properties.get("hs_merged_object_ids") or ""
        return tuple(part.strip() for part in raw.split(";") if part.strip())


@dataclass(slots=True)
class ObjectsRead:
    """The merged answer of an objects batch read.

    :param records: the records found (each once).
    :param missing: the inputs HubSpot said it could not find (``OBJECT_NOT_FOUND`` ``context.ids``).
    :param errors: HubSpot's other per-input errors.
    """

    records: list[CrmRecord] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    errors: list[BatchRowError] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PropertyInfo:
    """A property definition, reduced to what key matching needs.

    :param name: the internal name.
    :param has_unique_value: whether HubSpot enforces unique values (``hasUniqueValue``).
    """

    name: str
    has_unique_value: bool


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of a search answer.

    :param total: how many records match the query.
    :param records: this page's records.
    :param after: the cursor of the next page, or ``None``.
    """

    total: int
    records: list[CrmRecord]
    after: str | None


def _bad(what: str) -> HubSpotUnexpectedResponseError:
    return HubSpotUnexpectedResponseError(f"HubSpot sent a malformed {what}")


def parse_record(raw: object) -> CrmRecord:
    """Parse one ``SimplePublicObject``.

    :param raw: the JSON object.
    :raises HubSpotUnexpectedResponseError: when it is not one.
    """
    if not isinstance(raw, Mapping):
        raise _bad("record")
    record_id = raw.get("id")
    if not isinstance(record_id, str | int) or isinstance(record_id, bool) or not str(record_id).strip():
        raise _bad("record id")
    props = raw.get("properties") or {}
    if not isinstance(props, Mapping):
        raise _bad("record properties")
    properties = {str(k): (None if v is None else str(v)) for k, v in props.items()}
    created = raw.get("createdAt") or properties.get("createdate") or ""
    return CrmRecord(id=str(record_id).strip(), properties=properties, created_at=str(created))


def parse_objects_batch(body: object) -> ObjectsRead:
    """Parse an objects batch read answer (200, 207, or a 2026-09 200 with ``errors``).

    :param body: the parsed JSON.
    """
    results, errors = batch_envelope(body)
    read = ObjectsRead(records=[parse_record(r) for r in results])
    for raw in errors:
        error = parse_batch_error(raw)
        if error.category == "OBJECT_NOT_FOUND" and error.context.get("ids"):
            read.missing.extend(str(i) for i in error.context["ids"])
        else:
            read.errors.append(error)
    return read


def parse_search_page(body: object) -> SearchPage:
    """Parse a search answer (``total``, ``results``, ``paging.next.after``).

    :param body: the parsed JSON.
    """
    if not isinstance(body, Mapping) or not isinstance(body.get("results"), list):
        raise _bad("search answer")
    total = body.get("total")
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        raise _bad("search total")
    return SearchPage(total=total, records=[parse_record(r) for r in body["results"]], after=next_after(body))


def parse_property(body: object) -> PropertyInfo:
    """Parse a property definition.

    :param body: the parsed JSON.
    """
    if not isinstance(body, Mapping) or not isinstance(body.get("name"), str):
        raise _bad("property definition")
    return PropertyInfo(name=body["name"], has_unique_value=body.get("hasUniqueValue") is True)


def batch_read_body(
    values: Sequence[str], *, id_property: str | None, properties: Sequence[str]
) -> dict[str, Any]:
    """The body of one objects batch read (``propertiesWithHistory`` sent: the spec requires it).

    :param values: record ids, or values of ``id_property``.
    :param id_property: the unique property the values belong to, or ``None`` for record ids.
    :param properties: the properties to return.
    """
    body: dict[str, Any] = {
        "inputs": [{"id": v} for v in values],
        "properties": list(dict.fromkeys([*_BASE_PROPERTIES, *properties])),
        "propertiesWithHistory": [],
    }
    if id_property is not None:
        body["idProperty"] = id_property
    return body


def search_body(
    property_name: str, values: Sequence[str], *, properties: Sequence[str], after: str | None
) -> dict[str, Any]:
    """The body of one search page: one ``IN`` filter per group of 100 values, oldest records first.

    :param property_name: the property filtered on.
    :param values: at most :data:`SEARCH_VALUES_PER_REQUEST` values (lower-case for string
        properties: HubSpot's rule for ``IN``).
    :param properties: the properties to return.
    :param after: the page cursor.
    """
    return {
        "filterGroups": [
            {"filters": [{"propertyName": property_name, "operator": "IN", "values": list(group)}]}
            for _offset, group in chunked(list(values), SEARCH_IN_VALUES)
        ],
        "properties": list(dict.fromkeys([property_name, *_BASE_PROPERTIES, *properties])),
        "sorts": [{"propertyName": "createdate", "direction": "ASCENDING"}],
        "limit": SEARCH_PAGE_LIMIT,
        "after": after or "0",
    }


class HubSpotObjectsClient:
    """Reads CRM records by id, by a unique property, or by search; on the transport of a client.

    Nothing is sent at construction. Every request goes through the given transport (its deadline,
    body cap, retries and counters); searches are paced by ``search_limiter`` only.

    :param transport: the transport of the associations client (same portal, same API version).
    :param clock: the clock of the search limiter (a FakeClock in tests).
    :param search_limiter: search's pacer; by default :func:`shared_search_limiter` of the
        transport's base URL (:data:`SEARCH_REQUESTS_PER_SECOND` per second), or a new one when a
        ``clock`` is given (tests).
    """

    def __init__(
        self,
        *,
        transport: HubSpotTransport,
        clock: Clock | None = None,
        search_limiter: RateLimiter | None = None,
    ) -> None:
        self.transport = transport
        if search_limiter is None and clock is not None:
            search_limiter = RateLimiter(
                requests_per_10s=SEARCH_REQUESTS_PER_SECOND,
                clock=clock,
                window_seconds=1.0,
                safety_margin_seconds=SEARCH_SAFETY_MARGIN_SECONDS,
            )
        self.search_limiter = search_limiter or shared_search_limiter(transport.settings.base_url)

    @property
    def _version(self) -> str:
        return self.transport.settings.api_version

    @property
    def stats(self) -> Any:
        """The transport's counters (lookups are counted with every other request)."""
        return self.transport.stats

    def batch_read_objects(
        self,
        object_type: str,
        values: Sequence[str],
        *,
        id_property: str | None = None,
        properties: Sequence[str] = (),
    ) -> ObjectsRead:
        """Read records by id or by a unique property, :data:`BATCH_READ_LIMIT` per request.

        :param object_type: e.g. ``"contacts"``.
        :param values: record ids, or values of ``id_property`` (each once).
        :param id_property: a unique-value property, or ``None`` for record ids.
        :param properties: further properties to return.
        :raises HubSpotValidationError: e.g. when ``id_property`` is not a unique-value property.
        """
        path = objects_batch_read_path(self._version, object_type)
        read = ObjectsRead()
        for _offset, chunk in chunked(list(values), BATCH_READ_LIMIT):
            body = batch_read_body(chunk, id_property=id_property, properties=properties)
            try:
                answer = self.transport.request(
                    "POST", path, json=body, expected=success_statuses(self._version, "objects_batch_read")
                )
            except HubSpotNotFoundError:  # HubSpot may answer 404 when no input exists
                read.missing.extend(chunk)
                continue
            part = answer.parse(parse_objects_batch)
            read.records.extend(part.records)
            read.missing.extend(part.missing)
            read.errors.extend(part.errors)
        return read

    def search_objects(
        self, object_type: str, *, property_name: str, values: Sequence[str], properties: Sequence[str] = ()
    ) -> list[CrmRecord]:
        """Every record whose ``property_name`` is one of ``values`` (``IN``), oldest first per request.

        :param object_type: e.g. ``"companies"``.
        :param property_name: the property filtered on.
        :param values: the values, each once (lower-case for string properties).
        :param properties: further properties to return.
        :raises HubSpotSearchCapError: when one request's values match more than 10,000 records.
        """
        path = objects_search_path(self._version, object_type)
        found: list[CrmRecord] = []
        for _offset, chunk in chunked(list(values), SEARCH_VALUES_PER_REQUEST):
            after: str | None = None
            # the server's cursors and totals are not trusted: a search pages through 10,000 results
            # at most, so a cursor that repeats or outlasts that many pages ends in HubSpotPagingError
            pager = Pager(
                what=f"POST {path}",
                page_size=SEARCH_PAGE_LIMIT,
                max_records=SEARCH_RESULT_CAP,
                limit_text=f"HubSpot's cap of {SEARCH_RESULT_CAP:,} results per search",
            )
            while True:
                body = search_body(property_name, chunk, properties=properties, after=after)
                page = self.transport.request("POST", path, json=body, limiter=self.search_limiter).parse(
                    parse_search_page
                )
                if page.total > SEARCH_RESULT_CAP:
                    raise HubSpotSearchCapError(
                        f"A search of {object_type} by {property_name} matched {page.total} records; HubSpot "
                        f"returns at most {SEARCH_RESULT_CAP} per query, so the matches cannot be read whole"
                    )
                found.extend(page.records)
                if not page.records:
                    break
                after = pager.follow(page.after)
                if after is None:
                    break
        return found

    def read_object(
        self, object_type: str, object_id: str, *, properties: Sequence[str] = ()
    ) -> CrmRecord | None:
        """Read one record by id (a merged id answers with the surviving record); ``None`` on 404.

        :param object_type: e.g. ``"contacts"``.
        :param object_id: the record id.
        :param properties: further properties to return.
        """
        params = {"properties": ",".join(dict.fromkeys([*_BASE_PROPERTIES, *properties]))}
        try:
            answer = self.transport.request(
                "GET", object_path(self._version, object_type, object_id), params=params
            )
        except HubSpotNotFoundError:
            return None
        return answer.parse(parse_record)

    def read_property(self, object_type: str, name: str) -> PropertyInfo | None:
        """Read one property definition; ``None`` when the object type has no such property (404).

        :param object_type: e.g. ``"contacts"``.
        :param name: the property's internal name.
        """
        try:
            answer = self.transport.request("GET", property_path(self._version, object_type, name))
        except HubSpotNotFoundError:
            return None
        return answer.parse(parse_property)
