"""The trigger behind the deferrable HubSpot association sensor (``deferrable=True``)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_hubassoc._compat import AirflowNotFoundException
from airflow_provider_hubassoc.client.errors import HubSpotError, cap_text
from airflow_provider_hubassoc.hooks.async_associations import HubSpotAssociationsAsyncHook
from airflow_provider_hubassoc.sync.conditions import (
    AssociationCondition,
    Evaluation,
    build_condition,
    evaluate,
    make_resolver,
)
from airflow_provider_hubassoc.sync.errors import SyncError
from airflow_provider_hubassoc.sync.labels import LabelResolutionError, LabelResolver

log = logging.getLogger(__name__)

CLASSPATH = "airflow_provider_hubassoc.triggers.associations.HubSpotAssociationTrigger"


class HubSpotAssociationTrigger(BaseTrigger):
    """Poll a record's associations until a condition holds, then yield one event.

    Events (exactly one per run):

    * ``{"status": "success", "observation": {...}}``: the condition holds; the observation is
      what was seen (the sensor's XCom);
    * ``{"status": "timeout", "message": ..., "observation": {...} | None}``: ``end_time`` passed;
      the observation is the last one seen;
    * ``{"status": "error", "message": ..., "error_type": ..., "permanent": bool}``: a failure that
      waiting cannot fix (401, 403, 404, 400, a 429 ``DAILY``, an unknown label, a bad connection).

    A 429 (other than ``DAILY``), a 5xx or a connection error is not a failure: after the hook's
    retries, the trigger waits ``poll_interval`` and polls again. Every keyword argument is
    JSON-safe; :meth:`serialize` returns them as given.

    :param from_object_type: the from-record's object type.
    :param from_object_id: the from-record's id.
    :param to_object_type: the associated object type.
    :param to_object_id: the one to-record considered, or ``None``.
    :param labels: labels the pair (or each counted record) must carry.
    :param expect: ``"present"`` or ``"absent"``.
    :param min_count: matching records needed (without ``to_object_id``).
    :param require_primary: whether the Primary association is required.
    :param hubassoc_conn_id: the Airflow connection id.
    :param poll_interval: seconds between polls.
    :param end_time: UNIX time (seconds) after which a ``timeout`` event is yielded; ``None``
        waits until the triggerer's own timeout.
    """

    def __init__(
        self,
        *,
        from_object_type: str,
        from_object_id: str,
        to_object_type: str,
        to_object_id: str | None = None,
        labels: Sequence[str | int] | None = None,
        expect: str = "present",
        min_count: int | None = None,
        require_primary: bool = False,
        hubassoc_conn_id: str = "hubassoc_default",
        poll_interval: float = 60.0,
        end_time: float | None = None,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.from_object_type = from_object_type
        self.from_object_id = from_object_id
        self.to_object_type = to_object_type
        self.to_object_id = to_object_id
        self.labels = list(labels) if labels is not None else None
        self.expect = expect
        self.min_count = min_count
        self.require_primary = require_primary
        self.hubassoc_conn_id = hubassoc_conn_id
        if isinstance(poll_interval, bool) or not isinstance(poll_interval, int | float) or poll_interval < 0:
            raise ValueError(f"poll_interval must be a non-negative number of seconds, got {poll_interval!r}")
        self.poll_interval = float(poll_interval)
        self.end_time = float(end_time) if end_time is not None else None

    @classmethod
    def from_condition(
        cls,
        condition: AssociationCondition,
        *,
        hubassoc_conn_id: str,
        poll_interval: float,
        end_time: float | None,
    ) -> HubSpotAssociationTrigger:
        """Build the trigger of a checked condition.

        :param condition: the condition.
        :param hubassoc_conn_id: the Airflow connection id.
        :param poll_interval: seconds between polls.
        :param end_time: UNIX time of the deadline, or ``None``.
        """
        return cls(
            **condition.to_kwargs(),
            hubassoc_conn_id=hubassoc_conn_id,
            poll_interval=poll_interval,
            end_time=end_time,
        )

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Return the classpath and the (JSON-safe) keyword arguments that rebuild this trigger."""
        return (
            CLASSPATH,
            {
                "from_object_type": self.from_object_type,
                "from_object_id": self.from_object_id,
                "to_object_type": self.to_object_type,
                "to_object_id": self.to_object_id,
                "labels": list(self.labels) if self.labels is not None else None,
                "expect": self.expect,
                "min_count": self.min_count,
                "require_primary": self.require_primary,
                "hubassoc_conn_id": self.hubassoc_conn_id,
                "poll_interval": self.poll_interval,
                "end_time": self.end_time,
            },
        )

    def _condition(self) -> AssociationCondition:
        return build_condition(
            from_object_type=self.from_object_type,
            from_object_id=self.from_object_id,
            to_object_type=self.to_object_type,
            to_object_id=self.to_object_id,
            labels=self.labels,
            expect=self.expect,
            min_count=self.min_count,
            require_primary=self.require_primary,
        )

    def _make_hook(self) -> HubSpotAssociationsAsyncHook:
        return HubSpotAssociationsAsyncHook(hubassoc_conn_id=self.hubassoc_conn_id)

    def _remaining(self) -> float | None:
        return None if self.end_time is None else self.end_time - time.time()

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll until the condition holds, a permanent error occurs, or ``end_time`` passes."""
        payload = await self._watch()
        yield TriggerEvent(payload)  # type: ignore[no-untyped-call]

    async def _watch(self) -> dict[str, Any]:
        try:
            condition = self._condition()
            async with self._make_hook() as hook:
                return await self._poll_until_done(condition, hook)
        except (HubSpotError, SyncError, LabelResolutionError, ValueError, AirflowNotFoundException) as exc:
            return self._error(exc)
        except Exception as exc:
            log.exception("Unexpected error while waiting for the HubSpot association condition")
            return self._error(exc, permanent=False)

    async def _poll_until_done(
        self, condition: AssociationCondition, hook: HubSpotAssociationsAsyncHook
    ) -> dict[str, Any]:
        log.info("Waiting until %s (polling every %.1f s)", condition.describe(), self.poll_interval)
        resolver: LabelResolver | None = None
        last: Evaluation | None = None
        polls = 0
        while True:
            remaining = self._remaining()
            if remaining is not None and remaining <= 0:
                return self._timeout(condition, last, polls)
            try:
                async with asyncio.timeout(remaining):
                    if resolver is None and condition.needs_label_definitions:
                        resolver = make_resolver(
                            condition,
                            await hook.list_labels(
                                from_object_type=condition.from_object_type,
                                to_object_type=condition.to_object_type,
                            ),
                        )
                    records = await hook.get_associations(
                        from_object_type=condition.from_object_type,
                        object_id=condition.from_object_id,
                        to_object_type=condition.to_object_type,
                    )
            except TimeoutError:
                return self._timeout(condition, last, polls)
            except HubSpotError as exc:
                if exc.permanent:
                    raise
                log.warning(
                    "HubSpot is busy or unreachable (%s); polling again in %.1f s", exc, self.poll_interval
                )
            else:
                polls += 1
                last = evaluate(condition, records, resolver)
                if last.met:
                    log.info("Condition %s", last.reason)
                    return {"status": "success", "observation": last.observation}
                log.info("Condition %s; polling again in %.1f s", last.reason, self.poll_interval)
            remaining = self._remaining()
            await asyncio.sleep(
                self.poll_interval if remaining is None else max(0.0, min(self.poll_interval, remaining))
            )

    def _timeout(
        self, condition: AssociationCondition, last: Evaluation | None, polls: int
    ) -> dict[str, Any]:
        reason = last.reason if last is not None else "no successful read"
        return {
            "status": "timeout",
            "message": (
                f"Timed out waiting until {condition.describe()} after {polls} poll(s); last: {reason}"
            ),
            "observation": last.observation if last is not None else None,
        }

    def _error(self, exc: BaseException, *, permanent: bool = True) -> dict[str, Any]:
        return {
            "status": "error",
            "message": cap_text(str(exc)) or type(exc).__name__,
            "error_type": type(exc).__name__,
            "permanent": permanent,
        }
