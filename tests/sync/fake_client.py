"""An in-memory HubSpot portal implementing the sync layer's client protocol.

* ``label_writes="set"``: a batch create sets the pair's types to the unlabeled type plus the
  sent ones; ``"add"``: it adds them.
* Primary: a holder (the non-company side) has at most one primary; writing Primary moves it; the
  first company associated with a holder becomes primary by itself.
* ``row_errors``: pairs that fail in batch create / default association with a 207 error.
* same object type on both sides (contacts → contacts): a pair and its inverse are one
  association: every write and removal applies to both directions (one shared set of types).
* ``requests`` counts simulated HTTP requests (batch read 1,000 ids, batch create 2,000 inputs,
  other batches 1,000); ``calls`` logs (method, number of inputs) per request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from airflow_provider_hubassoc.client.errors import HubSpotNotFoundError, HubSpotValidationError
from airflow_provider_hubassoc.client.models import (
    AssociatedRecord,
    AssociationCategory,
    AssociationInput,
    AssociationSpec,
    AssociationType,
    BatchReadResult,
    BatchResult,
    BatchRowError,
    DefaultAssociation,
    LabelsBetweenObjectPair,
    normalize_id,
)
from airflow_provider_hubassoc.sync.objects import canonical_object_type

HD = AssociationCategory.HUBSPOT_DEFINED
UD = AssociationCategory.USER_DEFINED

#: (from, to) → (unlabeled id, primary id or None)
BUILTIN = {
    ("0-1", "0-2"): (279, 1, "Primary"),
    ("0-2", "0-1"): (280, 2, "Primary"),
    ("0-3", "0-2"): (341, 5, "Deal with Primary Company"),
    ("0-2", "0-3"): (342, 6, "Primary"),
    ("0-1", "0-3"): (4, None, None),
    ("0-1", "0-1"): (449, None, None),
    ("0-3", "0-1"): (3, None, None),
}


@dataclass
class FakeStats:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0


@dataclass
class FakePortal:
    label_writes: str = "set"
    row_errors: dict[tuple[str, str], str] = field(default_factory=dict)
    read_errors: dict[str, str] = field(default_factory=dict)
    stats: FakeStats = field(default_factory=FakeStats)
    calls: list[tuple[str, int]] = field(default_factory=list)
    next_type_id: int = 100

    def __post_init__(self) -> None:
        self.definitions: dict[tuple[str, str], list[AssociationType]] = {}
        self.names: dict[tuple[str, str], dict[str, int]] = {}
        for key, (unlabeled, primary, primary_label) in BUILTIN.items():
            defs = [AssociationType(HD, unlabeled, None)]
            if primary is not None:
                defs.insert(0, AssociationType(HD, primary, primary_label))
            self.definitions[key] = defs
            self.names[key] = {}
        # (from type, to type) -> from id -> to id -> set of type ids
        self.pairs: dict[tuple[str, str], dict[str, dict[str, set[int]]]] = {}

    # ---- helpers -------------------------------------------------------------------------
    def _key(self, from_object_type: str, to_object_type: str) -> tuple[str, str]:
        key = (canonical_object_type(from_object_type), canonical_object_type(to_object_type))
        if key not in self.definitions:
            raise HubSpotNotFoundError(f"unknown object types {key}", status=404, category="OBJECT_NOT_FOUND")
        return key

    def _request(self, method: str, n: int, size: int) -> None:
        for start in range(0, max(n, 1), size):
            self.stats.requests += 1
            self.calls.append((method, min(size, n - start) if n else 0))

    def add_label(self, from_type: str, to_type: str, label: str, name: str | None = None) -> int:
        key = self._key(from_type, to_type)
        type_id = self.next_type_id
        self.next_type_id += 1
        self.definitions[key].insert(-1, AssociationType(UD, type_id, label))
        self.names[key][name or label.lower().replace(" ", "_")] = type_id
        return type_id

    def unlabeled(self, key: tuple[str, str]) -> int:
        return BUILTIN[key][0]

    def primary(self, key: tuple[str, str]) -> int | None:
        return BUILTIN[key][1]

    def holder_side(self, key: tuple[str, str]) -> int:
        return 1 if key[0] == "0-2" else 0

    def state(self, from_type: str, to_type: str) -> dict[str, dict[str, frozenset[int]]]:
        key = self._key(from_type, to_type)
        return {
            f: {t: frozenset(types) for t, types in tos.items()}
            for f, tos in self.pairs.get(key, {}).items()
            if tos
        }

    def seed(self, from_type: str, to_type: str, from_id: object, to_id: object, *type_ids: int) -> None:
        key = self._key(from_type, to_type)
        types = {self.unlabeled(key), *type_ids}
        self.pairs.setdefault(key, {}).setdefault(str(from_id), {})[str(to_id)] = types
        if key[0] == key[1]:
            self.pairs[key].setdefault(str(to_id), {})[str(from_id)] = types

    def _category(self, key: tuple[str, str], type_id: int) -> AssociationCategory | None:
        for definition in self.definitions[key]:
            if definition.type_id == type_id:
                return definition.category
        return None

    def _holder_pairs(self, key: tuple[str, str], holder: str) -> list[set[int]]:
        side = self.holder_side(key)
        found = []
        for f, tos in self.pairs.get(key, {}).items():
            for t, types in tos.items():
                if (f, t)[side] == holder:
                    found.append(types)
        return found

    def _write(self, key: tuple[str, str], f: str, t: str, type_ids: set[int]) -> None:
        tos = self.pairs.setdefault(key, {}).setdefault(f, {})
        primary = self.primary(key)
        holder = (f, t)[self.holder_side(key)]
        is_new = t not in tos
        first_company = primary is not None and not any(self._holder_pairs(key, holder))
        types = tos.get(t, set())
        if self.label_writes == "set":
            types = {self.unlabeled(key), *type_ids}
        else:
            types = types | {self.unlabeled(key), *type_ids}
        if primary is not None and primary in type_ids:
            for other in self._holder_pairs(key, holder):
                other.discard(primary)
        if is_new and first_company and primary is not None:
            types.add(primary)
        tos[t] = types
        if key[0] == key[1]:
            self.pairs[key].setdefault(t, {})[f] = types

    # ---- protocol ------------------------------------------------------------------------
    def list_labels(self, *, from_object_type: str, to_object_type: str) -> list[AssociationType]:
        self._request("list_labels", 1, 1)
        return list(self.definitions[self._key(from_object_type, to_object_type)])

    def create_label(
        self,
        *,
        from_object_type: str,
        to_object_type: str,
        name: str,
        label: str,
        inverse_label: str | None = None,
    ) -> list[AssociationType]:
        self._request("create_label", 1, 1)
        key = self._key(from_object_type, to_object_type)
        if name in self.names[key]:
            raise HubSpotValidationError(f"A label with name {name} already exists", status=400)
        forward = self.add_label(from_object_type, to_object_type, label, name)
        result = [AssociationType(UD, forward, label)]
        if inverse_label is not None:
            inverse = self.add_label(to_object_type, from_object_type, inverse_label, name)
            result.insert(0, AssociationType(UD, inverse, inverse_label))
        return result

    def update_label(
        self,
        *,
        from_object_type: str,
        to_object_type: str,
        association_type_id: int,
        label: str,
        inverse_label: str | None = None,
    ) -> None:
        self._request("update_label", 1, 1)
        key = self._key(from_object_type, to_object_type)
        defs = self.definitions[key]
        for i, d in enumerate(defs):
            if d.type_id == association_type_id:
                defs[i] = AssociationType(d.category, d.type_id, label)
                break
        else:
            raise HubSpotNotFoundError("no such label", status=404)

    def batch_read(
        self, *, from_object_type: str, to_object_type: str, object_ids: Sequence[str | int]
    ) -> BatchReadResult:
        key = self._key(from_object_type, to_object_type)
        self._request("batch_read", len(object_ids), 1000)
        result = BatchReadResult()
        for index, raw in enumerate(object_ids):
            from_id = normalize_id(raw)
            if from_id in self.read_errors:
                result.errors.append(
                    BatchRowError("OBJECT_NOT_FOUND", self.read_errors[from_id], input_indexes=(index,))
                )
                continue
            records = []
            for to_id, types in sorted(self.pairs.get(key, {}).get(from_id, {}).items()):
                records.append(
                    AssociatedRecord(
                        to_id,
                        tuple(
                            AssociationType(
                                self._category(key, t) or HD, t, None if t == self.unlabeled(key) else "x"
                            )
                            for t in sorted(types)
                        ),
                    )
                )
            result.associations[from_id] = records
        return result

    def batch_create(
        self, *, from_object_type: str, to_object_type: str, inputs: Sequence[AssociationInput]
    ) -> BatchResult[LabelsBetweenObjectPair]:
        key = self._key(from_object_type, to_object_type)
        self._request("batch_create", len(inputs), 2000)
        result: BatchResult[LabelsBetweenObjectPair] = BatchResult()
        for index, item in enumerate(inputs):
            pair = (item.from_id, item.to_id)
            unknown = [s.type_id for s in item.types if self._category(key, s.type_id) != s.category]
            if pair in self.row_errors or unknown:
                message = self.row_errors.get(pair) or f"unknown association types {unknown}"
                result.errors.append(BatchRowError("VALIDATION_ERROR", message, input_indexes=(index,)))
                continue
            self._write(key, item.from_id, item.to_id, {s.type_id for s in item.types})
            result.results.append(LabelsBetweenObjectPair(key[0], item.from_id, key[1], item.to_id, ()))
        return result

    def batch_associate_default(
        self, *, from_object_type: str, to_object_type: str, pairs: Sequence[tuple[str | int, str | int]]
    ) -> BatchResult[DefaultAssociation]:
        key = self._key(from_object_type, to_object_type)
        self._request("batch_associate_default", len(pairs), 1000)
        result: BatchResult[DefaultAssociation] = BatchResult()
        for index, (raw_f, raw_t) in enumerate(pairs):
            f, t = str(raw_f), str(raw_t)
            if (f, t) in self.row_errors:
                result.errors.append(
                    BatchRowError("VALIDATION_ERROR", self.row_errors[(f, t)], input_indexes=(index,))
                )
                continue
            existing = self.pairs.get(key, {}).get(f, {}).get(t)
            if existing is not None:
                existing.add(self.unlabeled(key))
            else:
                self._write(key, f, t, set())
            result.results.append(DefaultAssociation(f, t, AssociationSpec(HD, self.unlabeled(key))))
        return result

    def batch_archive(
        self, *, from_object_type: str, to_object_type: str, pairs: Sequence[tuple[str | int, str | int]]
    ) -> None:
        key = self._key(from_object_type, to_object_type)
        self._request("batch_archive", len(pairs), 1000)
        for raw_f, raw_t in pairs:
            self.pairs.get(key, {}).get(str(raw_f), {}).pop(str(raw_t), None)
            if key[0] == key[1]:
                self.pairs.get(key, {}).get(str(raw_t), {}).pop(str(raw_f), None)

    def batch_archive_labels(
        self, *, from_object_type: str, to_object_type: str, inputs: Sequence[AssociationInput]
    ) -> None:
        key = self._key(from_object_type, to_object_type)
        self._request("batch_archive_labels", len(inputs), 1000)
        for item in inputs:
            tos = self.pairs.get(key, {}).get(item.from_id, {})
            types = tos.get(item.to_id)
            if types is None:
                continue
            ids = {s.type_id for s in item.types}
            if self.unlabeled(key) in ids:
                tos.pop(item.to_id)
                if key[0] == key[1]:
                    self.pairs[key].get(item.to_id, {}).pop(item.from_id, None)
            else:
                types -= ids

    def writes(self) -> list[tuple[str, int]]:
        return [c for c in self.calls if c[0] not in ("batch_read", "list_labels")]
