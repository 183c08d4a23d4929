"""A sensor that waits until a HubSpot association reaches a state.

Poke and reschedule modes read with the sync hook; ``deferrable=True`` checks once on the worker,
then hands the waiting to :class:`~airflow_provider_hubassoc.triggers.associations.HubSpotAssociationTrigger`.
The condition itself is checked and evaluated by :mod:`airflow_provider_hubassoc.sync.conditions`,
the same code in every mode.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_hubassoc._compat import (
    AirflowException,
    AirflowFailException,
    AirflowSensorTimeout,
    AirflowSkipException,
    BaseSensorOperator,
    PokeReturnValue,
    XComArg,
    conf,
)
from airflow_provider_hubassoc.client.errors import HubSpotError
from airflow_provider_hubassoc.sync.conditions import (
    AssociationCondition,
    Evaluation,
    build_condition,
    check_arguments,
    evaluate,
    make_resolver,
)
from airflow_provider_hubassoc.sync.errors import SyncError
from airflow_provider_hubassoc.sync.keys import RECORD_ID_PROPERTY, KeySpec, key_stage
from airflow_provider_hubassoc.sync.labels import (
    LabelResolutionError,
    LabelResolver,
    list_labels_or_config_error,
)
from airflow_provider_hubassoc.sync.spec import SyncSpec
from airflow_provider_hubassoc.triggers.associations import HubSpotAssociationTrigger

if TYPE_CHECKING:
    from airflow_provider_hubassoc._compat import Context
    from airflow_provider_hubassoc.hooks.associations import HubSpotAssociationsHook

_TEMPLATED_CONDITION_FIELDS = (
    "from_object_type",
    "from_object_id",
    "to_object_type",
    "to_object_id",
    "labels",
)


def _unrendered(value: object) -> bool:
    """Whether a value is a Jinja template or an XComArg, known only at run time."""
    if isinstance(value, XComArg):
        return True
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    if isinstance(value, list | tuple):
        return any(_unrendered(item) for item in value)
    return False


class HubSpotAssociationSensor(BaseSensorOperator):
    """Wait until a record's associations satisfy a condition.

    The conditions combine with AND (see :mod:`airflow_provider_hubassoc.sync.conditions`):

    * ``to_object_id`` given: that pair is considered; else every associated ``to_object_type``
      record is;
    * ``labels``: the pair (or each counted record) carries all of them; display labels, internal
      names, type ids or ``"Primary"``, resolved per portal and direction;
    * ``expect="present"`` (the pair exists / at least ``min_count`` records match) or
      ``expect="absent"`` (no association left);
    * ``require_primary``: the Primary association exists (e.g. the contact has a primary company).

    Impossible combinations are refused at construction (no I/O happens there); templated
    arguments are checked again once rendered. When the condition holds, the sensor returns (to
    XCom) what it observed: the matching records with their types and labels, and the counts.

    Once per task run, before the first poke, the records are looked up (one CRM objects read per
    side: by id, or by key with ``from_id_property`` / ``to_id_property``): a record that does not
    exist fails the task at once instead of waiting out the timeout as "not associated yet"; a merged
    id is followed to the surviving record (logged).

    A 429, a 5xx or a connection error while reading is not a failure of the condition: the sensor
    logs it and pokes again (the trigger waits and polls again). A permanent error (401, 403,
    404, 400, an unknown label, a 429 ``DAILY``) fails the task at once, saying what to fix.

    :param from_object_type: the from-record's object type, e.g. ``"contacts"`` (templated).
    :param from_object_id: the from-record's id (templated).
    :param to_object_type: the associated object type, e.g. ``"companies"`` (templated).
    :param to_object_id: one to-record's id, or ``None`` for every record of the type (templated).
    :param labels: labels that must all be on the pair (templated).
    :param expect: ``"present"`` or ``"absent"``.
    :param min_count: with ``to_object_id=None``: at least this many (matching) records.
    :param require_primary: the from-record must have the Primary association to the to-type.
    :param hubassoc_conn_id: the Airflow connection id (templated).
    :param from_id_property: ``None`` (default): ``from_object_id`` is a record id. Else the HubSpot
        property it is a value of (e.g. ``"email"``); resolved once per task run (templated).
    :param to_id_property: the same for ``to_object_id`` (e.g. ``"domain"``; templated).
    :param on_ambiguous_match: a key matching several records: ``"reject"`` (fail) or ``"oldest"``.
    :param deferrable: wait in the triggerer instead of a worker slot.
    :param kwargs: the arguments of every sensor (``poke_interval``, ``timeout``, ``mode``,
        ``soft_fail``, ...). In deferrable mode ``poke_interval`` is the trigger's poll interval.
    """

    template_fields: Sequence[str] = (
        *_TEMPLATED_CONDITION_FIELDS,
        "hubassoc_conn_id",
        "from_id_property",
        "to_id_property",
        "on_ambiguous_match",
    )
    template_fields_renderers = {"labels": "json"}
    ui_color = "#ff7a59"

    def __init__(
        self,
        *,
        from_object_type: str,
        from_object_id: str | int,
        to_object_type: str,
        to_object_id: str | int | None = None,
        labels: Any = None,
        expect: str = "present",
        min_count: int | None = None,
        require_primary: bool = False,
        hubassoc_conn_id: str = "hubassoc_default",
        from_id_property: str | None = None,
        to_id_property: str | None = None,
        on_ambiguous_match: str = "reject",
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.from_id_property = from_id_property
        self.to_id_property = to_id_property
        self.on_ambiguous_match = on_ambiguous_match
        self._record_ids: tuple[str, str | None] | None = None  # looked up once per task run
        if not any(_unrendered(v) for v in (from_id_property, to_id_property, on_ambiguous_match)):
            try:
                KeySpec.build(
                    from_id_property=from_id_property,
                    to_id_property=to_id_property,
                    on_ambiguous_match=on_ambiguous_match,
                )
            except SyncError as exc:
                raise ValueError(f"{type(self).__name__} {self.task_id!r}: {exc}") from None
        self.from_object_type = from_object_type
        self.from_object_id = from_object_id
        self.to_object_type = to_object_type
        self.to_object_id = to_object_id
        self.labels = labels
        self.expect = expect
        self.min_count = min_count
        self.require_primary = require_primary
        self.hubassoc_conn_id = hubassoc_conn_id
        self.deferrable = deferrable
        self._label_resolver: LabelResolver | None = None  # read once per task run, on first poke
        pending = [name for name in _TEMPLATED_CONDITION_FIELDS if _unrendered(getattr(self, name))]
        if from_id_property is not None:  # a key, not an id: checked once resolved
            pending.append("from_object_id")
        if to_id_property is not None and to_object_id is not None:
            pending.append("to_object_id")
        try:
            check_arguments(**self._condition_arguments(), pending=pending)
        except SyncError as exc:
            raise ValueError(f"{type(self).__name__} {self.task_id!r}: {exc}") from None

    def _condition_arguments(self) -> dict[str, Any]:
        from_id, to_id = self._record_ids or (self.from_object_id, self.to_object_id)
        return {
            "from_object_type": self.from_object_type,
            "from_object_id": from_id,
            "to_object_type": self.to_object_type,
            "to_object_id": to_id,
            "labels": self.labels,
            "expect": self.expect,
            "min_count": self.min_count,
            "require_primary": self.require_primary,
        }

    def _look_up_records(self) -> None:
        """Find the records once per task run: by id or by key; a missing one fails at once.

        :raises AirflowFailException: when a record does not exist, or a key is ambiguous.
        """
        if self._record_ids is not None:
            return
        try:
            keys = KeySpec.build(
                from_id_property=self.from_id_property or RECORD_ID_PROPERTY,
                to_id_property=(self.to_id_property or RECORD_ID_PROPERTY)
                if self.to_object_id is not None
                else None,
                on_ambiguous_match=self.on_ambiguous_match,
            )
            spec = SyncSpec.build(
                from_object_type=self.from_object_type, to_object_type=self.to_object_type, mode="append"
            )
            stage = key_stage(self.hook.client, spec, keys)
            assert stage is not None
            ids: list[str | None] = []
            for side, value in (("from", self.from_object_id), ("to", self.to_object_id)):
                if value is None:
                    ids.append(None)
                    continue
                found = stage.resolve_one(side, value)
                if found.record_id is None:
                    raise AirflowFailException(
                        f"Cannot wait for this association: {found.reason} "
                        f"(connection {self.hubassoc_conn_id!r})"
                    )
                if found.note:
                    self.log.warning("%s", found.note)
                ids.append(found.record_id)
        except SyncError as exc:
            raise AirflowFailException(f"Invalid sensor arguments after rendering: {exc}") from None
        except HubSpotError as exc:
            if not exc.permanent:
                raise  # a 429, 5xx or connection error: the task's retries try again
            raise AirflowFailException(f"HubSpot refused to look up the records: {exc}") from exc
        from_id = ids[0]
        assert from_id is not None
        self._record_ids = (from_id, ids[1])

    def _condition(self) -> AssociationCondition:
        """The condition from the rendered arguments (and the records' looked-up ids).

        :raises AirflowFailException: when a rendered argument is invalid.
        """
        self._look_up_records()
        try:
            return build_condition(**self._condition_arguments())
        except SyncError as exc:
            raise AirflowFailException(f"Invalid sensor arguments after rendering: {exc}") from None

    @cached_property
    def hook(self) -> HubSpotAssociationsHook:
        """The sync hook (one HTTP session for every poke of this try)."""
        from airflow_provider_hubassoc.hooks.associations import HubSpotAssociationsHook

        return HubSpotAssociationsHook(hubassoc_conn_id=self.hubassoc_conn_id)

    def _close_hook(self) -> None:
        self._label_resolver = None
        if "hook" in self.__dict__:
            self.hook.close()
            del self.__dict__["hook"]

    # ------------------------------------------------------------------ poking

    def _evaluate(self, condition: AssociationCondition) -> Evaluation:
        # Label definitions are read once per task run (as the operators and the trigger do),
        # not on every poke: an unknown label fails at once anyway.
        resolver = self._label_resolver
        if resolver is None and condition.needs_label_definitions:
            definitions = list_labels_or_config_error(
                self.hook.client,
                from_object_type=condition.from_object_type,
                to_object_type=condition.to_object_type,
            )
            resolver = self._label_resolver = make_resolver(condition, definitions)
        records = self.hook.client.get_associations(
            from_object_type=condition.from_object_type,
            object_id=condition.from_object_id,
            to_object_type=condition.to_object_type,
        )
        return evaluate(condition, records, resolver)

    def poke(self, context: Context) -> bool | PokeReturnValue:
        """Read the associations once and evaluate the condition.

        :param context: the task context.
        :returns: ``PokeReturnValue(is_done=True, xcom_value=observation)`` when met, else ``False``.
        :raises AirflowFailException: on a permanent error, with what to fix.
        """
        try:
            self._look_up_records()  # once per task run; a missing record fails at once
        except HubSpotError as exc:  # transient only (permanent ones fail inside)
            self.log.warning("HubSpot is busy or unreachable, looking the records up again later: %s", exc)
            return False
        condition = self._condition()
        try:
            evaluation = self._evaluate(condition)
        except (SyncError, LabelResolutionError) as exc:
            raise AirflowFailException(f"Cannot evaluate the condition: {exc}") from exc
        except HubSpotError as exc:
            if exc.permanent:
                raise AirflowFailException(
                    f"HubSpot refused to read the associations of {condition.from_object_type} "
                    f"{condition.from_object_id} (connection {self.hubassoc_conn_id!r}): {exc}"
                ) from exc
            self.log.warning("HubSpot is busy or unreachable, poking again later: %s", exc)
            return False
        self.log.info("Condition %s", evaluation.reason)
        if evaluation.met:
            return PokeReturnValue(is_done=True, xcom_value=evaluation.observation)
        return False

    # ------------------------------------------------------------------ execution

    def execute(self, context: Context) -> Any:
        """Poke until the condition holds; in deferrable mode check once, then defer.

        :param context: the task context.
        """
        self._record_ids = None  # looked up again by every task run
        try:
            if not self.deferrable:
                return super().execute(context)
            try:
                result = self.poke(context)
            except AirflowFailException as exc:
                if self.soft_fail:
                    raise AirflowSkipException(f"Skipping due to soft_fail: {exc}") from exc
                raise
            if isinstance(result, PokeReturnValue) and result.is_done:
                return result.xcom_value
        finally:
            self._close_hook()
        condition = self._condition()
        trigger = HubSpotAssociationTrigger.from_condition(
            condition,
            hubassoc_conn_id=self.hubassoc_conn_id,
            poll_interval=self.poke_interval,
            end_time=time.time() + self.timeout,
        )
        self.defer(trigger=trigger, method_name="execute_complete", timeout=timedelta(seconds=self.timeout))

    def execute_complete(self, context: Context, event: Mapping[str, Any] | None = None) -> Any:
        """Resume after the trigger: return the observation, or fail loudly.

        :param context: the task context.
        :param event: the trigger's event payload.
        :raises AirflowException: on a missing or unknown event, or a transient error event.
        :raises AirflowFailException: on a permanent error event.
        :raises AirflowSensorTimeout: when the trigger's deadline passed.
        """
        if event is None:
            raise AirflowException("The trigger ended without an event; the association state is unknown.")
        status = event.get("status") if isinstance(event, Mapping) else None
        if status == "success":
            observation = event.get("observation")
            if not isinstance(observation, Mapping):
                raise AirflowException(f"The trigger's success event carries no observation: {event!r}")
            self.log.info("Condition met: %s matching record(s)", observation.get("matching_count"))
            return dict(observation)
        if status == "timeout":
            raise AirflowSensorTimeout(str(event.get("message") or "The association sensor timed out."))
        if status == "error":
            message = f"Waiting for the association failed: {event.get('message')}"
            if event.get("permanent", True):
                raise AirflowFailException(message)
            raise AirflowException(message)
        raise AirflowException(f"Unknown event from the association trigger: {event!r}")
