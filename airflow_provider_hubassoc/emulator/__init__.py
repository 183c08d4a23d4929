"""Local emulator of HubSpot's CRM Associations API (records and schema), for tests and offline DAGs.

An independent server-side implementation: it imports nothing from the provider's client, hooks or sync
code, nor from Airflow. Start it with ``python -m airflow_provider_hubassoc.emulator`` or
:class:`EmulatorServer`; configure it with :class:`EmulatorConfig`.

Modelled:

* all 19 operations, under ``/crm/v4/objects``, ``/crm/v4/associations``, ``/crm/associations/v4``,
  ``/crm/objects/v4`` and the date versions ``/crm/{associations,objects}/{2025-09,2026-03,2026-09}``,
  each version with the status codes and body shapes of its own spec (:mod:`.versions`);
* object types by name (singular/plural) or id (``0-1``..., custom ``2-...``); unknown type: 400;
* HUBSPOT_DEFINED types (279/280, Primary 1/2, 341/342, 5/6, 339/340, 26/25, 4/3, 15/16, 27/28, 449-452,
  13/14, activities); Unlabeled always present; first company of a contact/deal/ticket becomes Primary;
  one Primary per record, moved when another company is set Primary;
* USER_DEFINED labels (ids start at a per-portal offset; paired labels get one id per direction,
  unpaired ones one id used both ways; at most 10 per object pair; name rules; in-use and
  HUBSPOT_DEFINED labels cannot be deleted);
* label writes ``set`` (default: the types sent replace the pair's labels; Unlabeled and Primary kept) or
  ``add``;
* input limits: batch read 1,000, batch create 2,000, every other batch endpoint 10,000 (lenient; HubSpot
  documents none); GET ``limit`` <= 500; over a limit: 400 ``VALIDATION_ERROR``;
* paging with opaque ``after`` cursors (GET list and per input of batch read, ``page_size`` items per page);
* 207 bodies with per-row errors whose ``context`` holds ``fromObjectId``/``toObjectId``; batch read of an
  id without associations gives ``OBJECT_NOT_FOUND`` / ``crm.associations.NO_ASSOCIATIONS_FOUND``;
* bearer tokens (401 ``INVALID_AUTHENTICATION``), OAuth refresh-token grant with expiring access tokens
  (401 ``EXPIRED_AUTHENTICATION`` after expiry), rolling 10 s and daily rate limits with HubSpot headers;
* seeded fault injection (see :mod:`airflow_provider_hubassoc.emulator.faults`).

``auto_create_records``: when on, record ids that do not exist are created on first use (and custom
object type ids ``2-...`` are accepted); it defaults to on without a seed and off with one. When off,
associating a missing record fails: 404 on single endpoints, a 207 ``OBJECT_NOT_FOUND`` row otherwise.
"""

from __future__ import annotations

from airflow_provider_hubassoc.emulator.config import BATCH_LIMITS, EmulatorConfig
from airflow_provider_hubassoc.emulator.server import EmulatorServer
from airflow_provider_hubassoc.emulator.state import EmulatorError, Portal

__all__ = ["BATCH_LIMITS", "EmulatorConfig", "EmulatorError", "EmulatorServer", "Portal"]
