"""Every path of the Associations API, for ``v4`` and for the date-versioned successors.

Pure functions, no I/O: the sync client and the async hook build their URLs here.

* ``v4``: single-record endpoints live under ``/crm/v4/objects/...``; batch, labels, limit
  configurations and the usage report under ``/crm/v4/associations/...`` (the SDK's spelling).
* a date version ``D`` (``2025-09``, ``2026-03``, ``2026-09``): ``/crm/objects/D/...`` for the
  single-record endpoints and ``/crm/associations/D/...`` for the rest. The paths have the same
  shape; the answers do not always (see :mod:`.versions`).

Every variable segment is URL-quoted, so an id or object type can never add a path segment.
"""

from __future__ import annotations

from typing import Final, Literal
from urllib.parse import quote

from airflow_provider_hubassoc.client.errors import HubSpotConfigurationError

API_VERSION_V4: Final = "v4"
DATE_API_VERSIONS: Final[tuple[str, ...]] = ("2025-09", "2026-03", "2026-09")
VALID_API_VERSIONS: Final[tuple[str, ...]] = (API_VERSION_V4, *DATE_API_VERSIONS)
#: The default: 2026-03, the first generally available date version (HubSpot's API versioning
#: migration guide says the semantic versions such as v4 stop being supported in 2027).
DEFAULT_API_VERSION: Final = "2026-03"
#: Versions HubSpot published as a beta; using one is allowed, with a warning.
BETA_API_VERSIONS: Final[frozenset[str]] = frozenset({"2025-09"})

BatchAction = Literal["read", "create", "associate/default", "archive", "labels/archive"]
LimitConfigurationAction = Literal["create", "update", "purge"]

_BATCH_ACTIONS: Final[frozenset[str]] = frozenset(
    {"read", "create", "associate/default", "archive", "labels/archive"}
)
_LIMIT_CONFIGURATION_ACTIONS: Final[frozenset[str]] = frozenset({"create", "update", "purge"})


def validate_api_version(api_version: str) -> str:
    """Return ``api_version`` when this client knows it.

    :param api_version: ``"v4"`` or a date version such as ``"2026-03"``.
    :raises HubSpotConfigurationError: for any other value; the message lists the valid ones.
    """
    if api_version not in VALID_API_VERSIONS:
        raise HubSpotConfigurationError(
            f"Unknown HubSpot associations API version {api_version!r}; "
            f"use one of: {', '.join(VALID_API_VERSIONS)}."
        )
    return api_version


def _segment(value: str | int, what: str) -> str:
    text = str(value).strip()
    if not text:
        raise ValueError(f"{what} must not be empty")
    return quote(text, safe="")


def _prefix(api_version: str, kind: str, *, v4: str) -> str:
    """The one rule of every prefix: ``v4`` on a v4 connection, else ``/crm/<kind>/<date version>``."""
    if validate_api_version(api_version) == API_VERSION_V4:
        return v4
    return f"/crm/{kind}/{api_version}"


def records_prefix(api_version: str) -> str:
    """Return the prefix of the single-record endpoints.

    :param api_version: a valid API version.
    """
    return _prefix(api_version, "objects", v4="/crm/v4/objects")


def associations_prefix(api_version: str) -> str:
    """Return the prefix of the batch, labels, configuration and report endpoints.

    :param api_version: a valid API version.
    """
    return _prefix(api_version, "associations", v4="/crm/v4/associations")


def record_associations_path(
    api_version: str, from_object_type: str, object_id: str | int, to_object_type: str
) -> str:
    """Return the path listing one record's associations (``GET``).

    :param api_version: a valid API version.
    :param from_object_type: e.g. ``"contacts"`` or ``"0-1"``.
    :param object_id: the record's id.
    :param to_object_type: the associated object type.
    """
    return (
        f"{records_prefix(api_version)}/{_segment(from_object_type, 'from_object_type')}"
        f"/{_segment(object_id, 'object_id')}/associations/{_segment(to_object_type, 'to_object_type')}"
    )


def record_pair_path(
    api_version: str,
    from_object_type: str,
    from_object_id: str | int,
    to_object_type: str,
    to_object_id: str | int,
) -> str:
    """Return the path of one record pair (labelled ``PUT`` and ``DELETE``).

    :param api_version: a valid API version.
    :param from_object_type: the from-object type.
    :param from_object_id: the from-record's id.
    :param to_object_type: the to-object type.
    :param to_object_id: the to-record's id.
    """
    base = record_associations_path(api_version, from_object_type, from_object_id, to_object_type)
    return f"{base}/{_segment(to_object_id, 'to_object_id')}"


def default_association_path(
    api_version: str,
    from_object_type: str,
    from_object_id: str | int,
    to_object_type: str,
    to_object_id: str | int,
) -> str:
    """Return the path of the default (unlabeled) association ``PUT``.

    :param api_version: a valid API version.
    :param from_object_type: the from-object type.
    :param from_object_id: the from-record's id.
    :param to_object_type: the to-object type.
    :param to_object_id: the to-record's id.
    """
    return (
        f"{records_prefix(api_version)}/{_segment(from_object_type, 'from_object_type')}"
        f"/{_segment(from_object_id, 'from_object_id')}/associations/default"
        f"/{_segment(to_object_type, 'to_object_type')}/{_segment(to_object_id, 'to_object_id')}"
    )


def _pair_prefix(api_version: str, from_object_type: str, to_object_type: str) -> str:
    return (
        f"{associations_prefix(api_version)}/{_segment(from_object_type, 'from_object_type')}"
        f"/{_segment(to_object_type, 'to_object_type')}"
    )


def batch_path(api_version: str, from_object_type: str, to_object_type: str, action: BatchAction) -> str:
    """Return a batch endpoint's path.

    :param api_version: a valid API version.
    :param from_object_type: the from-object type.
    :param to_object_type: the to-object type.
    :param action: ``read``, ``create``, ``associate/default``, ``archive`` or ``labels/archive``.
    """
    if action not in _BATCH_ACTIONS:
        raise ValueError(f"unknown batch action {action!r}")
    return f"{_pair_prefix(api_version, from_object_type, to_object_type)}/batch/{action}"


def labels_path(
    api_version: str,
    from_object_type: str,
    to_object_type: str,
    association_type_id: int | None = None,
) -> str:
    """Return the labels path (list, create, update), or one label's path (delete).

    :param api_version: a valid API version.
    :param from_object_type: the from-object type.
    :param to_object_type: the to-object type.
    :param association_type_id: the label's type id, for ``DELETE``.
    """
    path = f"{_pair_prefix(api_version, from_object_type, to_object_type)}/labels"
    if association_type_id is not None:
        path = f"{path}/{_segment(association_type_id, 'association_type_id')}"
    return path


def limit_configurations_all_path(api_version: str) -> str:
    """Return the path reading every limit configuration of the portal.

    :param api_version: a valid API version.
    """
    return f"{associations_prefix(api_version)}/definitions/configurations/all"


def limit_configurations_pair_path(api_version: str, from_object_type: str, to_object_type: str) -> str:
    """Return the path reading the limit configurations of one object-type pair.

    :param api_version: a valid API version.
    :param from_object_type: the from-object type.
    :param to_object_type: the to-object type.
    """
    return (
        f"{associations_prefix(api_version)}/definitions/configurations"
        f"/{_segment(from_object_type, 'from_object_type')}/{_segment(to_object_type, 'to_object_type')}"
    )


def limit_configurations_batch_path(
    api_version: str, from_object_type: str, to_object_type: str, action: LimitConfigurationAction
) -> str:
    """Return a limit-configuration batch path.

    :param api_version: a valid API version.
    :param from_object_type: the from-object type.
    :param to_object_type: the to-object type.
    :param action: ``create``, ``update`` or ``purge``.
    """
    if action not in _LIMIT_CONFIGURATION_ACTIONS:
        raise ValueError(f"unknown limit configuration action {action!r}")
    pair = limit_configurations_pair_path(api_version, from_object_type, to_object_type)
    return f"{pair}/batch/{action}"


def high_usage_report_path(api_version: str, user_id: int) -> str:
    """Return the path requesting a high-usage report for a user.

    :param api_version: a valid API version.
    :param user_id: the HubSpot user the report is emailed to.
    """
    return f"{associations_prefix(api_version)}/usage/high-usage-report/{_segment(user_id, 'user_id')}"


# ---- CRM objects and properties (record lookups by key) ----


def objects_prefix(api_version: str) -> str:
    """Return the prefix of the CRM objects endpoints (``/crm/v3/objects`` on a v4 connection).

    :param api_version: a valid API version.
    """
    return _prefix(api_version, "objects", v4="/crm/v3/objects")


def properties_prefix(api_version: str) -> str:
    """Return the prefix of the CRM properties endpoints (``/crm/v3/properties`` on a v4 connection).

    :param api_version: a valid API version.
    """
    return _prefix(api_version, "properties", v4="/crm/v3/properties")


def objects_batch_read_path(api_version: str, object_type: str) -> str:
    """``POST`` path of the objects batch read.

    :param api_version: a valid API version.
    :param object_type: e.g. ``"contacts"``.
    """
    return f"{objects_prefix(api_version)}/{_segment(object_type, 'object_type')}/batch/read"


def objects_search_path(api_version: str, object_type: str) -> str:
    """``POST`` path of the objects search.

    :param api_version: a valid API version.
    :param object_type: e.g. ``"companies"``.
    """
    return f"{objects_prefix(api_version)}/{_segment(object_type, 'object_type')}/search"


def object_path(api_version: str, object_type: str, object_id: str) -> str:
    """``GET`` path of one record.

    :param api_version: a valid API version.
    :param object_type: e.g. ``"contacts"``.
    :param object_id: the record id.
    """
    kind = _segment(object_type, "object_type")
    return f"{objects_prefix(api_version)}/{kind}/{_segment(object_id, 'object_id')}"


def property_path(api_version: str, object_type: str, name: str) -> str:
    """``GET`` path of one property definition.

    :param api_version: a valid API version.
    :param object_type: e.g. ``"contacts"``.
    :param name: the property's internal name.
    """
    kind = _segment(object_type, "object_type")
    return f"{properties_prefix(api_version)}/{kind}/{_segment(name, 'property name')}"
