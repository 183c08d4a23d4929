"""How a business key from a row is normalised before it is looked up (pure, no I/O).

The one place key values are normalised (README, "Matching records by business keys"):

* ``email``: surrounding blanks removed, lower-cased (HubSpot stores emails lower-cased, so
  ``Ada@X.com`` and ``ada@x.com`` are one key).
* ``domain``: blanks removed, lower-cased; a scheme (``https://``), credentials (``user@``), a port,
  a path, a query and a fragment are dropped, then one leading ``www.`` and a trailing ``.``:
  ``https://WWW.Example.com/about`` is ``example.com``. HubSpot documents no normalisation of its
  own, so a lookup also asks for ``www.example.com`` and compares each record's domain normalised
  the same way.
* ``hs_object_id``: a record id, canonical as without keys (``" 007"`` is ``7``).
* any other property: surrounding blanks removed; ``int`` and integral ``Decimal`` values become
  their digits. Compared exactly, except through search, whose ``IN`` filter needs lower-case
  values: there the comparison ignores case.
"""

from __future__ import annotations

from decimal import Decimal

from airflow_provider_hubassoc.sync.rows import RowError, parse_record_id, shown

#: The longest key value accepted (HubSpot's string properties hold at most 65,536 characters).
MAX_KEY_LENGTH = 65_536


def _text(value: object, field_name: str) -> str:
    if isinstance(value, bool):
        raise RowError(f"{field_name} must be text, got {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return str(int(value))
    if not isinstance(value, str):
        raise RowError(f"{field_name} must be text, got {type(value).__name__} {shown(value)}")
    text = value.strip()
    if not text:
        raise RowError(f"{field_name} is empty")
    if len(text) > MAX_KEY_LENGTH:
        raise RowError(f"{field_name} is longer than {MAX_KEY_LENGTH} characters")
    return text


def normalize_domain(text: str) -> str:
    """A domain as this provider compares it (see the module docstring).

    :param text: a domain or URL, already trimmed.
    """
    value = text.strip().lower()
    if "://" in value:
        value = value.split("://", 1)[1]
    for stop in ("/", "?", "#"):
        value = value.split(stop, 1)[0]
    value = value.rsplit("@", 1)[-1]
    if value.count(":") == 1:  # a port (an IPv6 literal has several colons)
        value = value.split(":", 1)[0]
    value = value.rstrip(".")
    if value.startswith("www."):
        value = value[4:]
    return value


def normalize_key(property_name: str, value: object, field_name: str) -> str:
    """The normalised key of one row value.

    :param property_name: the HubSpot property the value belongs to.
    :param value: the row's value.
    :param field_name: the row field, for the message.
    :raises RowError: when the value cannot be a key (missing, empty, not text).
    """
    if value is None:
        raise RowError(f"{field_name} is missing")
    if property_name == "hs_object_id":
        return parse_record_id(value, field_name)
    text = _text(value, field_name)
    if property_name == "email":
        return text.lower()
    if property_name == "domain":
        domain = normalize_domain(text)
        if not domain:
            raise RowError(f"{field_name} {shown(value)} holds no domain")
        return domain
    return text


def stored_key(property_name: str, value: str | None, *, fold_case: bool) -> str | None:
    """The normalised form of a value HubSpot returned, to compare with :func:`normalize_key`'s.

    :param property_name: the property.
    :param value: the record's value.
    :param fold_case: compare without case (search results of other properties).
    """
    if value is None or not value.strip():
        return None
    if property_name == "email":
        return value.strip().lower()
    if property_name == "domain":
        return normalize_domain(value) or None
    return value.strip().lower() if fold_case else value.strip()


def search_values(property_name: str, key: str) -> list[str]:
    """The values a search sends for one key (lower-case: HubSpot's ``IN`` rule for strings).

    :param property_name: the property.
    :param key: the normalised key.
    """
    if property_name == "domain":
        return [key, f"www.{key}"]
    return [key.lower()]
