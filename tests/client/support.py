"""Constants and helpers shared by the client tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from airflow_provider_hubassoc.client import HubSpotAssociationsClient

BASE_URL = "https://api.hubapi.com"
TOKEN = "pat-na1-SECRET-TOKEN-0123456789"

ClientFactory = Callable[..., HubSpotAssociationsClient]


def sent_json(call: Any) -> Any:
    """Return the JSON body of a recorded ``responses`` call.

    :param call: a ``responses.Call``.
    """
    body = call.request.body
    if body is None:
        return None
    return json.loads(body.decode() if isinstance(body, bytes) else body)
