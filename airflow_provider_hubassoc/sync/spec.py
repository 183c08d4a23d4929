"""The frozen description of one sync, built once from the caller's arguments and passed down.

:class:`SyncSpec` holds everything the pipeline needs to know that does not come from the rows:
the direction, the mode, the row fields, the labels applied to every row, the mirror guard and the
dry-run flag. It is validated when built (:meth:`SyncSpec.build`), so a bad setting fails before
any row is read or any request is sent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from airflow_provider_hubassoc.sync.errors import MassDeletionGuardError, SyncConfigurationError
from airflow_provider_hubassoc.sync.objects import canonical_object_type
from airflow_provider_hubassoc.sync.rows import LabelRef, RowError, parse_labels


class SyncMode(StrEnum):
    """What a sync does with the input pairs: the three upsert modes, or ``delete``."""

    APPEND = "append"
    REPLACE = "replace"
    MIRROR = "mirror"
    DELETE = "delete"

    @classmethod
    def parse(cls, value: object) -> SyncMode:
        """Parse an upsert mode name (case-insensitive); ``delete`` is the delete operator's.

        :param value: ``"append"``, ``"replace"`` or ``"mirror"``.
        :raises SyncConfigurationError: for anything else.
        """
        if isinstance(value, cls) and value is not cls.DELETE:
            return value
        if isinstance(value, str):
            text = value.strip().lower()
            if text in (cls.APPEND, cls.REPLACE, cls.MIRROR):
                return cls(text)
        names = ", ".join(m.value for m in (cls.APPEND, cls.REPLACE, cls.MIRROR))
        raise SyncConfigurationError(f"mode must be one of {names}, got {value!r}")


#: Mirror's guard when the DAG sets none: at most half of the current pairs of the from-records in
#: the run may be removed.
DEFAULT_MAX_DELETE_SHARE = 0.5

_AMBIGUOUS = (
    "max_deletes={value!r} is ambiguous: write an int for a number of pairs (e.g. 1 for one pair), "
    'a share strictly between 0 and 1 (e.g. 0.25), or "100%" (or "all") to allow removing every '
    "current pair"
)


@dataclass(frozen=True, slots=True)
class Guard:
    """Mirror's mass-deletion guard: a number of pairs, or a share of the current pairs.

    The share is of the current pairs of the from-records mirrored by the run (those without a
    rejected row), counted over the whole run, so the verdict does not depend on the row order or
    on how the rows were chunked.

    :param max_pairs: at most this many pairs removed (``None``: a share applies).
    :param max_share: at most this share of the current pairs removed, in ``(0, 1]``.
    """

    max_pairs: int | None = None
    max_share: float = DEFAULT_MAX_DELETE_SHARE

    @classmethod
    def parse(cls, value: object) -> Guard:
        """Validate ``max_deletes``.

        :param value: ``None`` (the default guard, half of the current pairs), an ``int`` >= 0
            (pairs), a share strictly between 0 and 1 (``0.25`` or ``"25%"``), ``"100%"`` or
            ``"all"`` (no limit), or such a value as a string (from a template). ``1.0`` and other
            integral floats are refused: they could mean one pair or every pair.
        :raises SyncConfigurationError: for anything else, saying what to write instead.
        """
        if value is None:
            return cls()
        if isinstance(value, bool):
            raise SyncConfigurationError(f"max_deletes must be an int or a share, got {value!r}")
        if isinstance(value, int):
            if value < 0:
                raise SyncConfigurationError(f"max_deletes must be >= 0, got {value}")
            return cls(max_pairs=value)
        if isinstance(value, str):
            return cls._parse_text(value)
        if isinstance(value, float | Decimal):
            share = float(value)
            if not math.isfinite(share) or share.is_integer() or not 0.0 < share < 1.0:
                if math.isfinite(share) and share.is_integer():
                    raise SyncConfigurationError(_AMBIGUOUS.format(value=value))
                raise SyncConfigurationError(
                    f"max_deletes as a share of the current pairs must be strictly between 0 and 1, "
                    f'got {value!r}; write an int for a number of pairs, or "100%" for every pair'
                )
            return cls(max_share=share)
        raise SyncConfigurationError(f"max_deletes must be an int or a share, got {type(value).__name__}")

    @classmethod
    def _parse_text(cls, value: str) -> Guard:
        text = value.strip().lower()
        if text in ("", "none"):
            return cls()
        if text in ("all", "100%"):
            return cls(max_share=1.0)
        if text.endswith("%"):
            try:
                percent = float(text[:-1])
            except ValueError:
                raise SyncConfigurationError(f"max_deletes {value!r} is not a percentage") from None
            if not 0.0 < percent <= 100.0:
                raise SyncConfigurationError(f"max_deletes {value!r} must be a percentage in (0%, 100%]")
            return cls(max_share=percent / 100.0)
        if text.isascii() and text.isdigit() and len(text) <= 19:
            return cls(max_pairs=int(text))
        try:
            number = float(text) if len(text) <= 40 else math.nan
        except ValueError:
            number = math.nan
        if math.isnan(number):
            raise SyncConfigurationError(f"max_deletes must be an int or a share, got {value!r}")
        return cls.parse(number)

    def allowed(self, current_pairs: int) -> int:
        """How many pairs may be removed out of ``current_pairs``.

        :param current_pairs: the current pairs of the from-records mirrored by the run.
        """
        if self.max_pairs is not None:
            return self.max_pairs
        return int(self.max_share * current_pairs)

    def describe(self) -> str:
        """The rule, as a DAG author would write it."""
        if self.max_pairs is not None:
            return f"max_deletes={self.max_pairs}"
        if self.max_share == DEFAULT_MAX_DELETE_SHARE:
            return f"the default guard (at most {self.max_share:.0%} of the current pairs)"
        return f"max_deletes={self.max_share:.0%}"

    def check(self, *, would_remove: int, current_pairs: int, written_before: str) -> None:
        """Refuse a mirror run that removes more pairs than allowed (called before any removal).

        :param would_remove: pairs the run would remove.
        :param current_pairs: the current pairs of the from-records the run mirrors.
        :param written_before: what was already written, for the message.
        :raises MassDeletionGuardError: when ``would_remove`` is over the guard.
        """
        allowed = self.allowed(current_pairs)
        if would_remove <= allowed:
            return
        raise MassDeletionGuardError(
            f"mirror would remove {would_remove} of the {current_pairs} current pairs of the "
            f"from-records in the run, more than {self.describe()} allows ({allowed}); no pair was "
            f"removed{written_before}. If this is intended, raise max_deletes to at least "
            f'{would_remove} (or a share such as "100%"), or run with dry_run=True to review the plan',
            would_remove=would_remove,
            allowed=allowed,
            current_pairs=current_pairs,
        )


@dataclass(frozen=True, slots=True)
class SyncSpec:
    """Everything about one sync that does not come from the rows.

    :param from_object_type: the from object type as configured (sent to HubSpot as given).
    :param to_object_type: the to object type as configured.
    :param from_type_id: the canonical from type (``"0-1"`` for contacts).
    :param to_type_id: the canonical to type.
    :param mode: append, replace, mirror or delete.
    :param from_id_field: the row field holding the from id.
    :param to_id_field: the row field holding the to id.
    :param labels_field: the row field holding the row's labels.
    :param labels: labels applied to every row, besides the row's own (delete: labels to remove).
    :param guard: mirror's mass-deletion guard (``None`` in the other modes).
    :param dry_run: read and plan, write nothing.
    """

    from_object_type: str
    to_object_type: str
    from_type_id: str
    to_type_id: str
    mode: SyncMode
    from_id_field: str = "from_id"
    to_id_field: str = "to_id"
    labels_field: str = "labels"
    labels: tuple[LabelRef, ...] = ()
    guard: Guard | None = None
    dry_run: bool = False

    @classmethod
    def build(
        cls,
        *,
        from_object_type: str,
        to_object_type: str,
        mode: SyncMode | str,
        from_id_field: str = "from_id",
        to_id_field: str = "to_id",
        labels_field: str = "labels",
        labels: object = None,
        max_deletes: object = None,
        dry_run: bool = False,
    ) -> SyncSpec:
        """Validate the arguments of a sync and freeze them.

        :param from_object_type: e.g. ``"contacts"`` or ``"0-1"``.
        :param to_object_type: e.g. ``"companies"``.
        :param mode: ``append``, ``replace``, ``mirror`` or :attr:`SyncMode.DELETE`.
        :param from_id_field: the row field holding the from id.
        :param to_id_field: the row field holding the to id.
        :param labels_field: the row field holding the row's labels.
        :param labels: labels applied to every row (delete: removed from every pair).
        :param max_deletes: mirror's guard (see :meth:`Guard.parse`); ignored in other modes.
        :param dry_run: read and plan, write nothing.
        :raises SyncConfigurationError: for any unusable setting.
        """
        sync_mode = SyncMode.DELETE if mode is SyncMode.DELETE else SyncMode.parse(mode)
        for name, value in (
            ("from_id_field", from_id_field),
            ("to_id_field", to_id_field),
            ("labels_field", labels_field),
        ):
            if not isinstance(value, str) or not value:
                raise SyncConfigurationError(f"{name} must be a non-empty string, got {value!r}")
        try:
            extra = parse_labels(labels)
        except RowError as exc:
            raise SyncConfigurationError(f"labels: {exc}") from None
        return cls(
            from_object_type=from_object_type,
            to_object_type=to_object_type,
            from_type_id=canonical_object_type(from_object_type),
            to_type_id=canonical_object_type(to_object_type),
            mode=sync_mode,
            from_id_field=from_id_field,
            to_id_field=to_id_field,
            labels_field=labels_field,
            labels=extra,
            guard=Guard.parse(max_deletes) if sync_mode is SyncMode.MIRROR else None,
            dry_run=bool(dry_run),
        )

    @property
    def same_type(self) -> bool:
        """Whether both sides are the same object type: a pair and its inverse are one association."""
        return self.from_type_id == self.to_type_id

    @property
    def mode_name(self) -> str:
        """The mode as the summary names it."""
        return self.mode.value
