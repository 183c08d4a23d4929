"""In-memory model of one HubSpot portal: records, associations, labels and limit configurations.

Pure Python, no HTTP. Every rule of the associations v4 API that the emulator reproduces lives here;
:mod:`airflow_provider_hubassoc.emulator.routes` only translates HTTP to these calls. Rule violations raise
:class:`EmulatorError`, which carries the HTTP status and the HubSpot error category.

Each association is stored once (:class:`~airflow_provider_hubassoc.emulator.links.LinkStore`); the reverse
direction and every record's Primary company are derived from it on read.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_hubassoc.emulator.catalog import (
    BUILTIN_PAIRS,
    COMPANY,
    CUSTOM_TYPE_ID,
    NAME_TO_TYPE_ID,
    PRIMARY_OWNER_TYPES,
    STANDARD_OBJECT_TYPES,
    singular_name,
)
from airflow_provider_hubassoc.emulator.links import LinkStore

HUBSPOT_DEFINED = "HUBSPOT_DEFINED"
USER_DEFINED = "USER_DEFINED"
INTEGRATOR_DEFINED = "INTEGRATOR_DEFINED"
MAX_USER_LABELS_PER_PAIR = 10

TypeSpec = tuple[str | None, int]

_BUILTIN_IDS: frozenset[int] = frozenset(
    tid for bp in BUILTIN_PAIRS for fwd, rev, _fl, _rl in bp.types for tid in (fwd, rev)
)


class EmulatorError(Exception):
    """A HubSpot-style error: HTTP status plus ``category``/``message``/``subCategory``/``context``.

    :param status: HTTP status code of the error.
    :param message: Human-readable message.
    :param category: HubSpot error category, e.g. ``VALIDATION_ERROR``.
    :param sub_category: Optional HubSpot sub-category.
    :param context: Optional context map (string to list of strings).
    """

    def __init__(
        self,
        status: int,
        message: str,
        category: str = "VALIDATION_ERROR",
        sub_category: str | None = None,
        context: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.category = category
        self.sub_category = sub_category
        self.context = context


@dataclass
class TypeDef:
    """One association type as seen in one direction of an object pair.

    :param type_id: The association type id in this direction.
    :param category: ``HUBSPOT_DEFINED`` or ``USER_DEFINED``.
    :param label: Display label, ``None`` for unlabeled types.
    :param inverse_id: The type id used for the same association in the reverse direction.
    :param protected: True for types that cannot be deleted (HUBSPOT_DEFINED and default types).
    :param label_key: Key of the :class:`LabelDef` this type belongs to (USER_DEFINED labels only).
    """

    type_id: int
    category: str
    label: str | None
    inverse_id: int
    protected: bool = True
    label_key: int | None = None

    def render(self) -> dict[str, Any]:
        """``AssociationSpecWithLabel`` JSON shape."""
        return {"category": self.category, "typeId": self.type_id, "label": self.label}


@dataclass
class LabelDef:
    """A USER_DEFINED label created through the labels API.

    :param name: Internal name.
    :param from_type: Object type id it was created from.
    :param to_type: Object type id it was created to.
    :param fwd_id: Type id from ``from_type`` to ``to_type``.
    :param rev_id: Type id in the reverse direction (equal to ``fwd_id`` for unpaired labels).
    :param label: Display label of the forward direction.
    :param inverse_label: Display label of the reverse direction (``None`` when unpaired).
    """

    name: str
    from_type: str
    to_type: str
    fwd_id: int
    rev_id: int
    label: str
    inverse_label: str | None = None


@dataclass
class PairSchema:
    """All association types between two object types, in one direction.

    :param from_type: Object type id of the from side.
    :param to_type: Object type id of the to side.
    :param types: Type id to definition.
    :param default_type: The unlabeled (default) type id.
    :param primary_type: The Primary type id, if the pair has one.
    :param primary_owner_is_from: True when the from-side record owns the Primary (contact->company).
    """

    from_type: str
    to_type: str
    types: dict[int, TypeDef] = field(default_factory=dict)
    default_type: int = 0
    primary_type: int | None = None
    primary_owner_is_from: bool = True
    inverse: dict[int, int] = field(default_factory=dict)

    def order_key(self, type_id: int) -> tuple[int, int]:
        """Sort key for the types of one pair: Primary, unlabeled, then by id.

        :param type_id: The type id to sort.
        """
        if type_id == self.primary_type:
            return (0, type_id)
        if type_id == self.default_type:
            return (1, type_id)
        return (2, type_id)


def parse_record_id(value: Any) -> int:
    """Accept record ids as JSON numbers or numeric strings.

    :param value: The raw id.
    :raises EmulatorError: 400 when the id is not a positive integer.
    """
    if type(value) is int and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise EmulatorError(400, f"Invalid object id: {value!r}", "VALIDATION_ERROR")


def parse_body_id(value: Any, where: str = "id") -> int:
    """Parse a record id from a request body, where the spec types it as a JSON string.

    Every spec version types ``PublicObjectId.id`` as ``string``; HubSpot refuses a JSON number there
    with a 400 (``PublicApiSpecs/CRM/Associations/Rollouts/130902/<version>/associations.json``).

    :param value: The raw JSON value.
    :param where: The field, quoted in the error.
    :raises EmulatorError: 400 when it is not a string of digits.
    """
    if type(value) is str and value.isdigit():
        return int(value)
    raise EmulatorError(
        400,
        f"Invalid input JSON: {where} must be a string of digits, got {value!r}.",
        "VALIDATION_ERROR",
        context={where: [str(value)]},
    )


def parse_specs(raw: Any) -> list[TypeSpec]:
    """Parse a list of ``AssociationSpec`` (``associationCategory``/``associationTypeId``).

    Both fields are required, the category a string and the type id a JSON integer, in every version
    (``AssociationSpec`` in ``.../130902/<version>/associations.json``); anything else is a 400.

    :param raw: The JSON value.
    :raises EmulatorError: 400 when malformed.
    """
    if not isinstance(raw, list):
        raise EmulatorError(400, "Association types must be an array of AssociationSpec.")
    out: list[TypeSpec] = []
    for item in raw:
        if not isinstance(item, dict):
            raise EmulatorError(400, "Each AssociationSpec must be an object.")
        category = item.get("associationCategory")
        type_id = item.get("associationTypeId")
        if type(type_id) is not int or not isinstance(category, str):
            raise EmulatorError(
                400,
                "Invalid AssociationSpec: associationCategory (a string) and associationTypeId (an "
                f"integer) are required, got {item!r}.",
            )
        out.append((category, type_id))
    return out


def _spec_key(raw: Any) -> tuple[tuple[Any, Any], ...] | None:
    try:
        key = tuple([(d.get("associationCategory"), d.get("associationTypeId")) for d in raw])
        hash(key)
    except (AttributeError, TypeError):
        return None
    return key


class Portal:
    """One HubSpot portal held in memory.

    :param portal_id: The portal (hub) id; seeds the USER_DEFINED label id sequence.
    :param auto_create: Create unknown record ids on first use instead of failing.
    :param seed: Seed mapping (see :mod:`airflow_provider_hubassoc.emulator.seed`), or ``None``.
    """

    def __init__(self, portal_id: int, auto_create: bool = False, seed: dict[str, Any] | None = None) -> None:
        self.portal_id = portal_id
        self.auto_create = auto_create
        self._seed = seed
        self.records: dict[str, dict[int, dict[str, Any]]] = {}
        #: type id -> property name -> definition (``{"hasUniqueValue": true}``), from the seed.
        self.property_defs: dict[str, dict[str, dict[str, Any]]] = {}
        #: type id -> merged (old) record id -> the surviving record's id.
        self.merged: dict[str, dict[int, int]] = {}
        self.custom_types: set[str] = set()
        self.links = LinkStore(lambda from_type, to_type: self.schema(from_type, to_type).inverse)
        self.labels: dict[int, LabelDef] = {}
        self.configs: dict[tuple[str, str], dict[int, tuple[str, int]]] = {}
        self._schemas: dict[tuple[str, str], PairSchema] = {}
        self._synth: dict[tuple[str, str], tuple[int, int]] = {}
        self._next_type_id = 0
        self.reset()

    # ------------------------------------------------------------------ lifecycle

    def reset(self) -> None:
        """Drop everything and load the seed again."""
        self.records = {tid: {} for tid in STANDARD_OBJECT_TYPES}
        self.property_defs = {}
        self.merged = {}
        self.custom_types = set()
        self.links.clear()
        self.labels = {}
        self.configs = {}
        self._schemas = {}
        self._synth = {}
        # Label ids differ from portal to portal, as in HubSpot: derive the start from the portal id.
        self._next_type_id = random.Random(f"hubassoc-portal-{self.portal_id}").randrange(1000, 9000)
        if self._seed:
            self.apply_seed(self._seed)

    def apply_seed(self, data: dict[str, Any]) -> None:
        """Load records, then optional ``labels`` and ``associations`` from a seed mapping.

        :param data: ``{"contacts": [{"id": ..., "properties": {...}}], ..., "labels": [...],
            "associations": [...]}``.
        """
        saved = self.auto_create
        self.auto_create = True  # custom object types named in a seed are registered
        try:
            self.add_records(
                {
                    k: v
                    for k, v in data.items()
                    if k not in ("labels", "associations", "portalId", "properties")
                }
            )
            for type_name, defs in (data.get("properties") or {}).items():
                tid = self.resolve_type(str(type_name), register=True)
                self.property_defs.setdefault(tid, {}).update({str(n): dict(d) for n, d in defs.items()})
            for lab in data.get("labels", []):
                self.create_label(
                    self.resolve_type(str(lab["fromObjectType"])),
                    self.resolve_type(str(lab["toObjectType"])),
                    lab.get("name"),
                    lab.get("label"),
                    lab.get("inverseLabel"),
                )
        finally:
            self.auto_create = saved
        for item in data.get("associations", []):
            from_t = self.resolve_type(str(item["fromObjectType"]))
            to_t = self.resolve_type(str(item["toObjectType"]))
            specs: list[TypeSpec] = [
                (t.get("associationCategory"), int(t["associationTypeId"])) for t in item.get("types", [])
            ]
            self.associate(
                from_t,
                to_t,
                parse_record_id(item["fromObjectId"]),
                parse_record_id(item["toObjectId"]),
                specs,
                "add",
            )

    def add_records(self, data: dict[str, Any]) -> int:
        """Add (or replace) records.

        :param data: Mapping of object type (name or id) to a list of ``{"id", "properties"}`` records.
        :return: The number of records added.
        """
        count = 0
        for type_name, recs in data.items():
            tid = self.resolve_type(str(type_name), register=True)
            store = self.records[tid]
            for rec in recs:
                rid = parse_record_id(rec["id"] if isinstance(rec, dict) else rec)
                props = dict(rec.get("properties", {})) if isinstance(rec, dict) else {}
                if isinstance(props.get("email"), str):
                    props["email"] = props["email"].strip().lower()  # HubSpot stores emails lower-cased
                if isinstance(rec, dict) and rec.get("createdAt"):
                    props["createdate"] = str(rec["createdAt"])
                merged_ids = (
                    [parse_record_id(m) for m in rec.get("mergedIds", [])] if isinstance(rec, dict) else []
                )
                if merged_ids:
                    props["hs_merged_object_ids"] = ";".join(str(m) for m in merged_ids)
                    merged = self.merged.setdefault(tid, {})
                    for old in merged_ids:
                        merged[old] = rid
                        store.pop(old, None)
                store[rid] = props
                count += 1
        return count

    # ------------------------------------------------------------------ object types and records

    def resolve_type(self, name: str, register: bool = False) -> str:
        """Map an object type name or id (``contact``, ``contacts``, ``0-1``, ``2-123``) to its type id.

        :param name: The object type as given in a path.
        :param register: Register unknown custom object type ids (``2-...``) instead of failing.
        :raises EmulatorError: 400 for unknown object types.
        """
        key = name.strip().lower()
        tid = NAME_TO_TYPE_ID.get(key)
        if tid is not None:
            return tid
        if key in STANDARD_OBJECT_TYPES or key in self.custom_types:
            return key
        if CUSTOM_TYPE_ID.match(key) and (register or self.auto_create):
            self.custom_types.add(key)
            self.records.setdefault(key, {})
            return key
        raise EmulatorError(400, f"Unable to infer object type from: {name}", "VALIDATION_ERROR")

    def require_record(self, type_id: str, record_id: int) -> None:
        """Ensure a record exists (creating it in auto-create mode).

        :param type_id: Object type id.
        :param record_id: Record id.
        :raises EmulatorError: 404 ``OBJECT_NOT_FOUND`` when it does not exist.
        """
        store = self.records[type_id]
        if record_id in store:
            return
        if self.auto_create:
            store[record_id] = {}
            return
        raise EmulatorError(
            404,
            f"No {singular_name(type_id)} with id {record_id} exists.",
            "OBJECT_NOT_FOUND",
        )

    # ------------------------------------------------------------------ association types

    def _new_type_id(self) -> int:
        while True:
            n = self._next_type_id
            self._next_type_id += 1
            if n not in _BUILTIN_IDS:
                return n

    def schema(self, from_type: str, to_type: str) -> PairSchema:
        """The association types from ``from_type`` to ``to_type`` (built lazily, cached).

        :param from_type: From object type id.
        :param to_type: To object type id.
        """
        s = self._schemas.get((from_type, to_type))
        if s is None:
            s = self._build_schema(from_type, to_type)
            self._schemas[(from_type, to_type)] = s
        return s

    def _build_schema(self, a: str, b: str) -> PairSchema:
        s = PairSchema(a, b)
        found = False
        for bp in BUILTIN_PAIRS:
            if (bp.from_type, bp.to_type) == (a, b):
                for fwd, rev, flabel, _rlabel in bp.types:
                    s.types.setdefault(fwd, TypeDef(fwd, HUBSPOT_DEFINED, flabel, rev))
                s.default_type = bp.types[0][0]
                if bp.primary:
                    s.primary_type, s.primary_owner_is_from = bp.primary[0], True
                found = True
            elif (bp.to_type, bp.from_type) == (a, b):
                for fwd, rev, _flabel, rlabel in bp.types:
                    s.types.setdefault(rev, TypeDef(rev, HUBSPOT_DEFINED, rlabel, fwd))
                s.default_type = bp.types[0][1]
                if bp.primary:
                    s.primary_type, s.primary_owner_is_from = bp.primary[1], False
                found = True
        if not found:
            if not (CUSTOM_TYPE_ID.match(a) or CUSTOM_TYPE_ID.match(b)):
                # Two standard objects without a HUBSPOT_DEFINED type (catalog.BUILTIN_PAIRS): refused.
                # Error shape: the specs' ``Error`` schema; status, category and wording are the emulator's
                # (HubSpot documents no answer for this case).
                raise EmulatorError(
                    400,
                    f"Association from {singular_name(a)} to {singular_name(b)} is not supported.",
                    "VALIDATION_ERROR",
                    context={"fromObjectType": [a], "toObjectType": [b]},
                )
            # Custom objects: the pair's default type is a portal-specific USER_DEFINED one.
            if (a, b) not in self._synth:
                fwd = self._new_type_id()
                rev = fwd if a == b else self._new_type_id()
                self._synth[(a, b)] = (fwd, rev)
                self._synth[(b, a)] = (rev, fwd)
            fwd, rev = self._synth[(a, b)]
            s.types[fwd] = TypeDef(fwd, USER_DEFINED, None, rev)
            s.default_type = fwd
        for key, ld in self.labels.items():
            if (ld.from_type, ld.to_type) == (a, b):
                s.types[ld.fwd_id] = TypeDef(ld.fwd_id, USER_DEFINED, ld.label, ld.rev_id, False, key)
                if a == b and ld.rev_id != ld.fwd_id:
                    s.types[ld.rev_id] = TypeDef(
                        ld.rev_id, USER_DEFINED, ld.inverse_label, ld.fwd_id, False, key
                    )
            elif (ld.to_type, ld.from_type) == (a, b):
                lab = ld.inverse_label if ld.inverse_label is not None else ld.label
                s.types[ld.rev_id] = TypeDef(ld.rev_id, USER_DEFINED, lab, ld.fwd_id, False, key)
        s.inverse = {t: d.inverse_id for t, d in s.types.items()}
        return s

    def _invalidate(self, a: str, b: str) -> None:
        self._schemas.pop((a, b), None)
        self._schemas.pop((b, a), None)

    def validate_types(self, s: PairSchema, specs: list[TypeSpec]) -> set[int]:
        """Check that every ``(category, typeId)`` exists for the pair and direction.

        :param s: The pair schema.
        :param specs: ``(associationCategory, associationTypeId)`` tuples.
        :raises EmulatorError: 400 for an unknown type or a category mismatch.
        """
        out: set[int] = set()
        for category, type_id in specs:
            td = s.types.get(type_id)
            if td is None or (category is not None and category != td.category):
                raise EmulatorError(
                    400,
                    f"{category} association type id {type_id} is not valid from "
                    f"{singular_name(s.from_type)} to {singular_name(s.to_type)}.",
                    "VALIDATION_ERROR",
                    context={"typeId": [str(type_id)]},
                )
            out.add(type_id)
        return out

    # ------------------------------------------------------------------ associations: writes

    def associate(
        self,
        from_type: str,
        to_type: str,
        from_id: int,
        to_id: int,
        specs: list[TypeSpec],
        mode: str = "set",
    ) -> list[str]:
        """Associate two records with the given types (``mode`` ``set`` replaces labels, ``add`` adds).

        The unlabeled type is always kept; Primary is kept unless moved; the first company of a contact,
        deal or ticket becomes its Primary; setting Primary moves it from any other company.

        :param from_type: From object type id.
        :param to_type: To object type id.
        :param from_id: From record id.
        :param to_id: To record id.
        :param specs: Types to write; an empty list writes only the default type.
        :param mode: ``"set"`` or ``"add"``.
        :return: The labels (non-null) of the types sent.
        :raises EmulatorError: For unknown types or records.
        """
        s = self.schema(from_type, to_type)
        types = self.validate_types(s, specs) if specs else set()
        self.require_record(from_type, from_id)
        self.require_record(to_type, to_id)
        self._apply(s, from_id, to_id, types, mode)
        return [lab for t in types if (lab := s.types[t].label) is not None]

    def associate_many(
        self, from_type: str, to_type: str, rows: list[tuple[Any, Any, Any]], mode: str = "set"
    ) -> list[tuple[int, int, list[str]] | EmulatorError]:
        """Batch form of :meth:`associate` taking raw JSON values (the batch-create hot path).

        :param from_type: From object type id.
        :param to_type: To object type id.
        :param rows: ``(raw from id, raw to id, raw AssociationSpec list)`` per input.
        :param mode: ``"set"`` or ``"add"``.
        :return: Per row, ``(from id, to id, labels)`` or the row's :class:`EmulatorError`.
        """
        s = self.schema(from_type, to_type)
        recs_from, recs_to = self.records[from_type], self.records[to_type]
        cache: dict[tuple[tuple[Any, Any], ...], tuple[set[int], list[str]]] = {}
        apply = self._apply
        out: list[tuple[int, int, list[str]] | EmulatorError] = []
        for raw_a, raw_b, raw_types in rows:
            try:
                a = int(raw_a) if type(raw_a) is str and raw_a.isdigit() else parse_body_id(raw_a, "from.id")
                b = int(raw_b) if type(raw_b) is str and raw_b.isdigit() else parse_body_id(raw_b, "to.id")
                key = _spec_key(raw_types)
                hit = cache.get(key) if key is not None else None
                if hit is None:
                    types = self.validate_types(s, parse_specs(raw_types))
                    hit = (types, [lab for t in types if (lab := s.types[t].label) is not None])
                    if key is not None:
                        cache[key] = hit
                if a not in recs_from:
                    self.require_record(from_type, a)
                if b not in recs_to:
                    self.require_record(to_type, b)
                apply(s, a, b, hit[0], mode)
                out.append((a, b, hit[1]))
            except EmulatorError as exc:
                out.append(exc)
        return out

    def associate_default(self, from_type: str, to_type: str, from_id: int, to_id: int) -> int:
        """Add the default (unlabeled) type between two records, keeping existing labels.

        :param from_type: From object type id.
        :param to_type: To object type id.
        :param from_id: From record id.
        :param to_id: To record id.
        :return: The default type id written.
        """
        s = self.schema(from_type, to_type)
        self.require_record(from_type, from_id)
        self.require_record(to_type, to_id)
        self._apply(s, from_id, to_id, set(), "add")
        return s.default_type

    def _apply(self, s: PairSchema, a: int, b: int, add: set[int], mode: str) -> None:
        links = self.links
        existing = links.get(s.from_type, s.to_type, a, b)
        p = s.primary_type
        if existing is None:
            new = set(add)
            new.add(s.default_type)
        elif mode == "add":
            new = existing | add
            new.add(s.default_type)
        else:
            new = set(add)
            new.add(s.default_type)
            if p is not None and p in existing:
                new.add(p)
        if p is not None and existing is None and p not in new:
            owner_type, owner, _company = self._owner(s, a, b)
            if not links.has_neighbors(owner_type, COMPANY, owner):
                new.add(p)  # the first company of a contact/deal/ticket becomes Primary
        if self.configs:
            self._check_limits(s, a, b, new - existing if existing else new)
        if p is not None and p in new and (existing is None or p not in existing):
            self._move_primary(s, a, b)
        links.put(s.from_type, s.to_type, a, b, new)

    def _check_limits(self, s: PairSchema, a: int, b: int, added: set[int]) -> None:
        """Enforce configured ``maxToObjectIds`` for newly added types, on both records of the pair."""
        for limits, owner_type, other_type, types, owner in (
            (self.configs.get((s.from_type, s.to_type)), s.from_type, s.to_type, added, a),
            (
                self.configs.get((s.to_type, s.from_type)),
                s.to_type,
                s.from_type,
                {s.inverse[t] for t in added},
                b,
            ),
        ):
            if not limits:
                continue
            row = self.links.neighbors(owner_type, other_type, owner)
            if not row:
                continue
            for type_id in types:
                entry = limits.get(type_id)
                if entry is not None and sum(1 for t in row.values() if type_id in t) >= entry[1]:
                    raise EmulatorError(
                        400,
                        f"{singular_name(owner_type)} {owner} already has the configured maximum of "
                        f"{entry[1]} associations of type {type_id}.",
                        "VALIDATION_ERROR",
                        context={"typeId": [str(type_id)], "maxToObjectIds": [str(entry[1])]},
                    )

    def _owner(self, s: PairSchema, a: int, b: int) -> tuple[str, int, int]:
        if s.primary_owner_is_from:
            return s.from_type, a, b
        return s.to_type, b, a

    def _move_primary(self, s: PairSchema, a: int, b: int) -> None:
        """Take Primary off the owner's other company, if it has one (at most one Primary per record)."""
        owner_type, owner, company = self._owner(s, a, b)
        old = self.primary_company(owner_type, owner)
        if old is not None and old != company:
            p_fwd = self.schema(owner_type, COMPANY).primary_type
            types = self.links.get(owner_type, COMPANY, owner, old)
            assert p_fwd is not None
            assert types is not None
            self.links.put(owner_type, COMPANY, owner, old, types - {p_fwd})

    def remove_pair(self, from_type: str, to_type: str, from_id: int, to_id: int) -> bool:
        """Remove every association type between two records (both directions).

        :param from_type: From object type id.
        :param to_type: To object type id.
        :param from_id: From record id.
        :param to_id: To record id.
        :return: Whether anything was removed.
        """
        return self.links.drop(from_type, to_type, from_id, to_id)

    def remove_types(
        self, from_type: str, to_type: str, from_id: int, to_id: int, specs: list[TypeSpec]
    ) -> None:
        """Remove some types from a pair; removing the unlabeled type removes the whole pair.

        :param from_type: From object type id.
        :param to_type: To object type id.
        :param from_id: From record id.
        :param to_id: To record id.
        :param specs: Types to remove.
        :raises EmulatorError: 400 for types that do not exist for the pair.
        """
        s = self.schema(from_type, to_type)
        types = self.validate_types(s, specs)
        existing = self.links.get(from_type, to_type, from_id, to_id)
        if existing is None:
            return
        if s.default_type in types:
            self.remove_pair(from_type, to_type, from_id, to_id)
            return
        self.links.put(from_type, to_type, from_id, to_id, existing - types)

    # ------------------------------------------------------------------ associations: reads

    def associations_page(
        self, from_type: str, from_id: int, to_type: str, after: int | None, limit: int
    ) -> tuple[list[dict[str, Any]], int | None]:
        """One page of a record's associations, ordered by ``toObjectId``.

        :param from_type: From object type id.
        :param from_id: From record id.
        :param to_type: To object type id.
        :param after: Return only ids greater than this (cursor), or ``None`` for the first page.
        :param limit: Page size.
        :return: ``MultiAssociatedObjectWithLabel`` dicts and the next page's cursor (``None`` at the end).
        """
        row = self.links.neighbors(from_type, to_type, from_id)
        if not row:
            return [], None
        s = self.schema(from_type, to_type)
        keys = sorted(row)
        start = bisect.bisect_right(keys, after) if after is not None else 0
        chunk = keys[start : start + limit]
        types = s.types
        results = [
            {
                "toObjectId": k,
                "associationTypes": [types[t].render() for t in sorted(row[k], key=s.order_key)],
            }
            for k in chunk
        ]
        nxt = chunk[-1] if chunk and start + limit < len(keys) else None
        return results, nxt

    def pairs(self, from_type: str, to_type: str) -> list[dict[str, Any]]:
        """Every associated pair in one direction (inspection helper).

        :param from_type: From object type id.
        :param to_type: To object type id.
        """
        out: list[dict[str, Any]] = []
        for a in sorted(self.links.records(from_type, to_type)):
            for b, types in sorted(self.links.neighbors(from_type, to_type, a).items()):
                out.append({"fromObjectId": a, "toObjectId": b, "typeIds": sorted(types)})
        return out

    def primary_company(self, owner_type: str, owner_id: int) -> int | None:
        """The Primary company of a contact, deal or ticket, if any.

        :param owner_type: Object type id of the owner.
        :param owner_id: Record id of the owner.
        """
        p = self.schema(owner_type, COMPANY).primary_type if owner_type in PRIMARY_OWNER_TYPES else None
        if p is None:
            return None
        for company, types in self.links.neighbors(owner_type, COMPANY, owner_id).items():
            if p in types:
                return company
        return None

    # ------------------------------------------------------------------ labels

    def list_labels(self, from_type: str, to_type: str) -> list[dict[str, Any]]:
        """``AssociationSpecWithLabel`` list for a direction, sorted by type id.

        :param from_type: From object type id.
        :param to_type: To object type id.
        """
        s = self.schema(from_type, to_type)
        return [s.types[t].render() for t in sorted(s.types)]

    def _pair_labels(self, a: str, b: str) -> list[tuple[int, LabelDef]]:
        return [(k, ld) for k, ld in self.labels.items() if {ld.from_type, ld.to_type} == {a, b}]

    def create_label(
        self, from_type: str, to_type: str, name: Any, label: Any, inverse_label: Any = None
    ) -> list[dict[str, Any]]:
        """Create a USER_DEFINED label (paired when ``inverse_label`` is given).

        :param from_type: From object type id.
        :param to_type: To object type id.
        :param name: Internal name: required, no hyphen, must not start with a digit, unique per pair.
        :param label: Display label (required).
        :param inverse_label: Display label of the reverse direction, for paired labels.
        :return: The created types (both directions for paired labels).
        :raises EmulatorError: 400 for invalid input, duplicates or more than 10 labels per pair.
        """
        if not isinstance(name, str) or not name.strip():
            raise EmulatorError(400, "name is required.", context={"name": ["required"]})
        if "-" in name:
            raise EmulatorError(400, f"Label name '{name}' cannot contain hyphens.")
        if name[0].isdigit():
            raise EmulatorError(400, f"Label name '{name}' cannot start with a number.")
        if not isinstance(label, str) or not label.strip():
            raise EmulatorError(400, "label is required.", context={"label": ["required"]})
        if inverse_label is not None and (not isinstance(inverse_label, str) or not inverse_label.strip()):
            raise EmulatorError(400, "inverseLabel must be a non-empty string.")
        existing = self._pair_labels(from_type, to_type)
        if any(ld.name == name for _k, ld in existing):
            raise EmulatorError(
                400,
                f"An association label named '{name}' already exists between "
                f"{singular_name(from_type)} and {singular_name(to_type)}.",
                sub_category="crm.associations.DUPLICATE_LABEL_NAME",
            )
        if len(existing) >= MAX_USER_LABELS_PER_PAIR:
            raise EmulatorError(
                400,
                f"You can create up to {MAX_USER_LABELS_PER_PAIR} association labels between "
                f"{singular_name(from_type)} and {singular_name(to_type)}.",
                sub_category="crm.associations.LABEL_LIMIT_REACHED",
            )
        fwd = self._new_type_id()
        rev = self._new_type_id() if inverse_label is not None else fwd
        self.labels[fwd] = LabelDef(name, from_type, to_type, fwd, rev, label, inverse_label)
        self._invalidate(from_type, to_type)
        created = [{"category": USER_DEFINED, "typeId": fwd, "label": label}]
        if inverse_label is not None:
            created.insert(0, {"category": USER_DEFINED, "typeId": rev, "label": inverse_label})
        return created

    def _find_label(self, from_type: str, to_type: str, type_id: int) -> tuple[int, LabelDef, bool]:
        s = self.schema(from_type, to_type)
        td = s.types.get(type_id)
        if td is None:
            raise EmulatorError(
                404,
                f"Association type {type_id} does not exist from {singular_name(from_type)} "
                f"to {singular_name(to_type)}.",
                "OBJECT_NOT_FOUND",
            )
        if td.label_key is None:
            raise EmulatorError(400, f"Association type {type_id} is HUBSPOT_DEFINED and cannot be changed.")
        ld = self.labels[td.label_key]
        forward = (ld.from_type, ld.to_type) == (from_type, to_type) and type_id == ld.fwd_id
        return td.label_key, ld, forward

    def update_label(
        self, from_type: str, to_type: str, type_id: int, label: Any, inverse_label: Any = None
    ) -> None:
        """Change the display label(s) of a USER_DEFINED type; names and ids never change.

        :param from_type: From object type id.
        :param to_type: To object type id.
        :param type_id: Type id in the ``from_type`` to ``to_type`` direction.
        :param label: New display label of that direction.
        :param inverse_label: New display label of the reverse direction (paired labels).
        :raises EmulatorError: 404 unknown type, 400 HUBSPOT_DEFINED type or invalid label.
        """
        if not isinstance(label, str) or not label.strip():
            raise EmulatorError(400, "label is required.", context={"label": ["required"]})
        _key, ld, forward = self._find_label(from_type, to_type, type_id)
        paired = ld.inverse_label is not None
        if forward or not paired:
            ld.label = label
            if paired and isinstance(inverse_label, str) and inverse_label:
                ld.inverse_label = inverse_label
        else:
            ld.inverse_label = label
            if isinstance(inverse_label, str) and inverse_label:
                ld.label = inverse_label
        self._invalidate(ld.from_type, ld.to_type)

    def delete_label(self, from_type: str, to_type: str, type_id: int) -> None:
        """Delete a USER_DEFINED label (both directions).

        :param from_type: From object type id.
        :param to_type: To object type id.
        :param type_id: Type id in the ``from_type`` to ``to_type`` direction.
        :raises EmulatorError: 404 unknown, 400 HUBSPOT_DEFINED or still used by an association.
        """
        key, ld, _forward = self._find_label(from_type, to_type, type_id)
        for types in self.links.stored_types(ld.from_type, ld.to_type):
            if ld.fwd_id in types or ld.rev_id in types:
                raise EmulatorError(
                    400,
                    f"Association label {type_id} is in use; remove it from associations first.",
                    sub_category="crm.associations.LABEL_IN_USE",
                )
        del self.labels[key]
        self.configs.get((ld.from_type, ld.to_type), {}).pop(ld.fwd_id, None)
        self.configs.get((ld.to_type, ld.from_type), {}).pop(ld.rev_id, None)
        self._invalidate(ld.from_type, ld.to_type)

    # ------------------------------------------------------------------ limit configurations

    def _config_type(self, from_type: str, to_type: str, category: Any, type_id: Any) -> TypeDef:
        if type(type_id) is not int:
            raise EmulatorError(400, "typeId must be an integer.")
        s = self.schema(from_type, to_type)
        td = s.types.get(type_id)
        if td is None or td.category != category:
            raise EmulatorError(
                400,
                f"{category} association type id {type_id} is not valid from "
                f"{singular_name(from_type)} to {singular_name(to_type)}.",
            )
        return td

    @staticmethod
    def _check_max(value: Any) -> int:
        if type(value) is not int or value < 1:
            raise EmulatorError(400, f"maxToObjectIds must be a positive integer, got {value!r}.")
        return value

    def config_list(self, from_type: str | None = None, to_type: str | None = None) -> list[dict[str, Any]]:
        """Configured limits, for one pair or for all pairs.

        :param from_type: From object type id, or ``None`` for all pairs.
        :param to_type: To object type id, or ``None`` for all pairs.
        """
        out: list[dict[str, Any]] = []
        for (a, b), entries in sorted(self.configs.items()):
            if from_type is not None and (a, b) != (from_type, to_type):
                continue
            s = self.schema(a, b)
            for type_id, (category, limit) in sorted(entries.items()):
                td = s.types.get(type_id)
                out.append(
                    {
                        "category": category,
                        "typeId": type_id,
                        "label": td.label if td else None,
                        "userEnforcedMaxToObjectIds": limit,
                    }
                )
        return out

    def config_create(
        self, from_type: str, to_type: str, category: Any, type_id: Any, max_ids: Any
    ) -> dict[str, Any]:
        """Create a limit configuration for one type.

        :param from_type: From object type id.
        :param to_type: To object type id.
        :param category: Type category.
        :param type_id: Type id.
        :param max_ids: ``maxToObjectIds``.
        :raises EmulatorError: 400 for invalid input or an existing configuration.
        """
        td = self._config_type(from_type, to_type, category, type_id)
        limit = self._check_max(max_ids)
        entries = self.configs.setdefault((from_type, to_type), {})
        if td.type_id in entries:
            raise EmulatorError(400, f"A limit is already configured for association type {td.type_id}.")
        entries[td.type_id] = (td.category, limit)
        return {
            "category": td.category,
            "typeId": td.type_id,
            "label": td.label,
            "userEnforcedMaxToObjectIds": limit,
        }

    def config_update(
        self, from_type: str, to_type: str, category: Any, type_id: Any, max_ids: Any
    ) -> dict[str, Any]:
        """Update an existing limit configuration.

        :param from_type: From object type id.
        :param to_type: To object type id.
        :param category: Type category.
        :param type_id: Type id.
        :param max_ids: New ``maxToObjectIds``.
        :raises EmulatorError: 400 invalid input, 404 when no configuration exists.
        """
        td = self._config_type(from_type, to_type, category, type_id)
        limit = self._check_max(max_ids)
        entries = self.configs.get((from_type, to_type), {})
        if td.type_id not in entries:
            raise EmulatorError(
                404, f"No limit is configured for association type {td.type_id}.", "OBJECT_NOT_FOUND"
            )
        entries[td.type_id] = (td.category, limit)
        return {"category": td.category, "typeId": td.type_id, "userEnforcedMaxToObjectIds": limit}

    def config_purge(self, from_type: str, to_type: str, type_id: Any) -> None:
        """Remove a limit configuration (no-op when there is none).

        :param from_type: From object type id.
        :param to_type: To object type id.
        :param type_id: Type id.
        """
        self.configs.get((from_type, to_type), {}).pop(type_id, None)
