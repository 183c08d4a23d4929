"""Every association of a portal, stored once.

An association between record ``a`` of type ``A`` and record ``b`` of type ``B`` is one entry, kept in
the canonical direction of its object-type pair: ``A`` before ``B`` in sort order, or, for a same-type
pair, the smaller record id first. Its type ids are those seen in that direction. The other direction
is derived on read, each type id mapped to its inverse; nothing is kept in step by hand. A membership
index (ids only, no types) finds the associations of a record on the second side of the pair.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

#: ``(from object type, to object type) -> {type id in that direction: type id in the other}``.
InverseOf = Callable[[str, str], dict[int, int]]


class LinkStore:
    """The associations of one portal.

    :param inverse_of: gives, for a direction, each type id's id in the reverse direction.
    """

    def __init__(self, inverse_of: InverseOf) -> None:
        self._inverse_of = inverse_of
        #: canonical (A, B) -> first-side record -> second-side record -> type ids seen from the first
        self._links: dict[tuple[str, str], dict[int, dict[int, set[int]]]] = {}
        #: canonical (A, B) -> second-side record -> first-side records (the derived membership index)
        self._back: dict[tuple[str, str], dict[int, set[int]]] = {}

    def clear(self) -> None:
        """Forget every association."""
        self._links.clear()
        self._back.clear()

    def _flip(self, from_type: str, to_type: str, types: set[int]) -> set[int]:
        inverse = self._inverse_of(from_type, to_type)
        return {inverse.get(t, t) for t in types}

    @staticmethod
    def _canonical(from_type: str, to_type: str, a: int, b: int) -> bool:
        """Whether ``(from_type, a) -> (to_type, b)`` is the stored direction."""
        return from_type < to_type or (from_type == to_type and a <= b)

    def get(self, from_type: str, to_type: str, a: int, b: int) -> set[int] | None:
        """The type ids from ``a`` to ``b``, or ``None`` when they are not associated.

        :param from_type: the from object type id.
        :param to_type: the to object type id.
        :param a: the from record id.
        :param b: the to record id.
        :returns: the stored set in the canonical direction (do not mutate it; use :meth:`put`), a new
            set in the other.
        """
        if self._canonical(from_type, to_type, a, b):
            return self._links.get((from_type, to_type), {}).get(a, {}).get(b)
        stored = self._links.get((to_type, from_type), {}).get(b, {}).get(a)
        return None if stored is None else self._flip(to_type, from_type, stored)

    def put(self, from_type: str, to_type: str, a: int, b: int, types: set[int]) -> None:
        """Set the type ids from ``a`` to ``b`` (creating the association).

        :param from_type: the from object type id.
        :param to_type: the to object type id.
        :param a: the from record id.
        :param b: the to record id.
        :param types: the type ids in the ``from_type`` to ``to_type`` direction.
        """
        key = (from_type, to_type)
        if not self._canonical(from_type, to_type, a, b):
            key, a, b, types = (to_type, from_type), b, a, self._flip(from_type, to_type, types)
        links = self._links.get(key)
        if links is None:
            links = self._links[key] = {}
            self._back[key] = {}
        row = links.get(a)
        if row is None:
            row = links[a] = {}
        row[b] = types
        back = self._back[key].get(b)
        if back is None:
            self._back[key][b] = {a}
        else:
            back.add(a)

    def drop(self, from_type: str, to_type: str, a: int, b: int) -> bool:
        """Remove the association of ``a`` and ``b``.

        :param from_type: the from object type id.
        :param to_type: the to object type id.
        :param a: the from record id.
        :param b: the to record id.
        :returns: whether there was one.
        """
        key = (from_type, to_type)
        if not self._canonical(from_type, to_type, a, b):
            key, a, b = (to_type, from_type), b, a
        row = self._links.get(key, {}).get(a)
        if row is None or b not in row:
            return False
        del row[b]
        if not row:
            del self._links[key][a]
        back = self._back[key][b]
        back.discard(a)
        if not back:
            del self._back[key][b]
        return True

    def neighbors(self, from_type: str, to_type: str, a: int) -> dict[int, set[int]]:
        """Every record of ``to_type`` associated with ``a``, with the type ids seen from ``a``.

        :param from_type: the object type id of ``a``.
        :param to_type: the associated object type id.
        :param a: the record id.
        :returns: in the canonical direction of a pair of different types, the stored mapping (do not
            mutate it); otherwise a new one.
        """
        if from_type < to_type:
            return self._links.get((from_type, to_type), {}).get(a, {})
        key = (to_type, from_type)
        links = self._links.get(key, {})
        found: dict[int, set[int]] = {}
        if from_type == to_type:
            found.update(links.get(a, {}))
        inverse = self._inverse_of(to_type, from_type)
        for x in self._back.get(key, {}).get(a, ()):
            if x != a or from_type != to_type:
                found[x] = {inverse.get(t, t) for t in links[x][a]}
        return found

    def has_neighbors(self, from_type: str, to_type: str, a: int) -> bool:
        """Whether ``a`` has any association to ``to_type``.

        :param from_type: the object type id of ``a``.
        :param to_type: the associated object type id.
        :param a: the record id.
        """
        if from_type < to_type:
            return bool(self._links.get((from_type, to_type), {}).get(a))
        key = (to_type, from_type)
        if from_type == to_type and self._links.get(key, {}).get(a):
            return True
        return bool(self._back.get(key, {}).get(a))

    def records(self, from_type: str, to_type: str) -> set[int]:
        """Every ``from_type`` record with an association to ``to_type``.

        :param from_type: the from object type id.
        :param to_type: the to object type id.
        """
        if from_type < to_type:
            return set(self._links.get((from_type, to_type), {}))
        key = (to_type, from_type)
        found = set(self._back.get(key, {}))
        if from_type == to_type:
            found.update(self._links.get(key, {}))
        return found

    def stored_types(self, from_type: str, to_type: str) -> Iterator[set[int]]:
        """The type-id sets of every association between the two object types, as stored.

        :param from_type: one object type id.
        :param to_type: the other.
        """
        key = (from_type, to_type) if from_type <= to_type else (to_type, from_type)
        for row in self._links.get(key, {}).values():
            yield from row.values()
