"""Apache Airflow provider for HubSpot CRM Associations v4."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def get_provider_info() -> dict[str, Any]:
    """Return the provider metadata Airflow reads through the ``apache_airflow_provider`` entry point."""
    from airflow_provider_hubassoc.provider_info import provider_info

    return provider_info()
