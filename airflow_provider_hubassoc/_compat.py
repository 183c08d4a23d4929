"""The Airflow names this provider uses, importable on every supported Airflow 3 minor (3.1-3.3).

Some names moved between minors: on 3.1 the exceptions live in ``airflow.exceptions`` (not
``airflow.sdk.exceptions``), ``conf`` is not exported by ``airflow.sdk``, and ``amask_secret``
exists only from 3.3 on. Official providers bridge this with
``apache-airflow-providers-common-compat``; this module imports through its
``airflow.providers.common.compat.sdk`` (which tries the new location first, then the old one) and
feature-detects the one name that module does not know, so that the rest of the provider imports
Airflow names from here and never from a version-specific path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import (
    AirflowException,
    AirflowFailException,
    AirflowNotFoundException,
    AirflowSensorTimeout,
    AirflowSkipException,
    BaseHook,
    BaseOperator,
    BaseSensorOperator,
    PokeReturnValue,
    XComArg,
    conf,
    mask_secret,
)

if TYPE_CHECKING:
    from airflow.providers.common.compat.sdk import Context

try:  # Airflow >= 3.3: also tells the supervisor, without blocking the event loop
    from airflow.sdk.log import amask_secret
except ImportError:  # Airflow 3.1 / 3.2

    async def amask_secret(secret: Any, name: str | None = None) -> None:  # type: ignore[misc]
        """Mask ``secret`` in this process's logs (Airflow < 3.3 has no async variant).

        The process-local masker is used: the synchronous ``mask_secret`` would send a message to the
        supervisor with a blocking call, which can deadlock when made from the triggerer's event loop.

        :param secret: the value to mask.
        :param name: optional name of the value (see ``mask_secret``).
        """
        from airflow.sdk._shared.secrets_masker import mask_secret as mask_locally

        mask_locally(secret, name)


__all__ = [
    "AirflowException",
    "AirflowFailException",
    "AirflowNotFoundException",
    "AirflowSensorTimeout",
    "AirflowSkipException",
    "BaseHook",
    "BaseOperator",
    "BaseSensorOperator",
    "Context",
    "PokeReturnValue",
    "XComArg",
    "amask_secret",
    "conf",
    "mask_secret",
]
