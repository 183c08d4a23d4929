"""Static HubSpot facts: object type ids and names, and the HUBSPOT_DEFINED association types."""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTACT = "0-1"
COMPANY = "0-2"
DEAL = "0-3"
TICKET = "0-5"
LINE_ITEM = "0-8"
QUOTE = "0-14"
TASK = "0-27"
NOTE = "0-46"
MEETING = "0-47"
CALL = "0-48"
EMAIL = "0-49"

#: Standard object type id -> (singular name, plural name).
STANDARD_OBJECT_TYPES: dict[str, tuple[str, str]] = {
    CONTACT: ("contact", "contacts"),
    COMPANY: ("company", "companies"),
    DEAL: ("deal", "deals"),
    TICKET: ("ticket", "tickets"),
    "0-7": ("product", "products"),
    LINE_ITEM: ("line_item", "line_items"),
    QUOTE: ("quote", "quotes"),
    "0-18": ("communication", "communications"),
    "0-19": ("feedback_submission", "feedback_submissions"),
    TASK: ("task", "tasks"),
    NOTE: ("note", "notes"),
    MEETING: ("meeting", "meetings"),
    CALL: ("call", "calls"),
    EMAIL: ("email", "emails"),
    "0-53": ("invoice", "invoices"),
    "0-69": ("subscription", "subscriptions"),
    "0-101": ("payment", "payments"),
    "0-116": ("postal_mail", "postal_mail"),
    "0-123": ("order", "orders"),
    "0-136": ("lead", "leads"),
    "0-142": ("cart", "carts"),
    "0-162": ("service", "services"),
    "0-410": ("course", "courses"),
    "0-420": ("listing", "listings"),
    "0-421": ("appointment", "appointments"),
    "0-970": ("project", "projects"),
}

NAME_TO_TYPE_ID: dict[str, str] = {}
for _tid, (_singular, _plural) in STANDARD_OBJECT_TYPES.items():
    NAME_TO_TYPE_ID[_singular] = _tid
    NAME_TO_TYPE_ID[_plural] = _tid
    NAME_TO_TYPE_ID[_singular.replace("_", "")] = _tid
    NAME_TO_TYPE_ID[_plural.replace("_", "")] = _tid

CUSTOM_TYPE_ID = re.compile(r"^2-\d+$")
#: Records of these types may have a Primary company.
PRIMARY_OWNER_TYPES = (CONTACT, DEAL, TICKET)


@dataclass(frozen=True)
class BuiltinPair:
    """HUBSPOT_DEFINED types between two object types, written from ``from_type`` to ``to_type``.

    :param from_type: Object type id of the "from" side.
    :param to_type: Object type id of the "to" side.
    :param types: ``(forward type id, reverse type id, forward label, reverse label)`` tuples; the first
        one is the default (unlabeled) type.
    :param primary: ``(forward id, reverse id)`` of the Primary type; the ``from_type`` record owns it.
    """

    from_type: str
    to_type: str
    types: tuple[tuple[int, int, str | None, str | None], ...]
    primary: tuple[int, int] | None = None


#: The Primary types' label text since HubSpot renamed it on 2024-02-19 ("Primary Company" became
#: "<Object> with Primary Company"; developer changelog "Changes to primary labels for HubSpot-defined
#: association labels"). Clients must key on the type id, not on this text.
CONTACT_PRIMARY_LABEL = "Contact with Primary Company"
DEAL_PRIMARY_LABEL = "Deal with Primary Company"
TICKET_PRIMARY_LABEL = "Ticket with Primary Company"

BUILTIN_PAIRS: tuple[BuiltinPair, ...] = (
    BuiltinPair(
        CONTACT,
        COMPANY,
        ((279, 280, None, None), (1, 2, CONTACT_PRIMARY_LABEL, CONTACT_PRIMARY_LABEL)),
        (1, 2),
    ),
    BuiltinPair(
        DEAL, COMPANY, ((341, 342, None, None), (5, 6, DEAL_PRIMARY_LABEL, DEAL_PRIMARY_LABEL)), (5, 6)
    ),
    BuiltinPair(
        TICKET,
        COMPANY,
        ((339, 340, None, None), (26, 25, TICKET_PRIMARY_LABEL, TICKET_PRIMARY_LABEL)),
        (26, 25),
    ),
    BuiltinPair(CONTACT, DEAL, ((4, 3, None, None),)),
    BuiltinPair(CONTACT, TICKET, ((15, 16, None, None),)),
    BuiltinPair(DEAL, TICKET, ((27, 28, None, None),)),
    BuiltinPair(DEAL, LINE_ITEM, ((19, 20, None, None),)),
    BuiltinPair(CONTACT, CONTACT, ((449, 449, None, None),)),
    BuiltinPair(
        COMPANY,
        COMPANY,
        (
            (450, 450, None, None),
            (13, 14, "Parent Company", "Child Company"),
            (14, 13, "Child Company", "Parent Company"),
        ),
    ),
    BuiltinPair(DEAL, DEAL, ((451, 451, None, None),)),
    BuiltinPair(TICKET, TICKET, ((452, 452, None, None),)),
    BuiltinPair(DEAL, QUOTE, ((63, 64, None, None),)),
    BuiltinPair(QUOTE, LINE_ITEM, ((67, 68, None, None),)),
    BuiltinPair(QUOTE, CONTACT, ((69, 70, None, None),)),
    BuiltinPair(QUOTE, COMPANY, ((71, 72, None, None),)),
    # Activities (contact->activity, activity->contact), §7.2 of the reference.
    BuiltinPair(CONTACT, CALL, ((193, 194, None, None),)),
    BuiltinPair(CONTACT, EMAIL, ((197, 198, None, None),)),
    BuiltinPair(CONTACT, MEETING, ((199, 200, None, None),)),
    BuiltinPair(CONTACT, NOTE, ((201, 202, None, None),)),
    BuiltinPair(CONTACT, TASK, ((203, 204, None, None),)),
    BuiltinPair(COMPANY, CALL, ((181, 182, None, None),)),
    BuiltinPair(COMPANY, EMAIL, ((185, 186, None, None),)),
    BuiltinPair(COMPANY, MEETING, ((187, 188, None, None),)),
    BuiltinPair(COMPANY, NOTE, ((189, 190, None, None),)),
    BuiltinPair(COMPANY, TASK, ((191, 192, None, None),)),
    BuiltinPair(DEAL, CALL, ((205, 206, None, None),)),
    BuiltinPair(DEAL, EMAIL, ((209, 210, None, None),)),
    BuiltinPair(DEAL, MEETING, ((211, 212, None, None),)),
    BuiltinPair(DEAL, NOTE, ((213, 214, None, None),)),
    BuiltinPair(DEAL, TASK, ((215, 216, None, None),)),
    BuiltinPair(TICKET, CALL, ((219, 220, None, None),)),
    BuiltinPair(TICKET, EMAIL, ((223, 224, None, None),)),
    BuiltinPair(TICKET, MEETING, ((225, 226, None, None),)),
    BuiltinPair(TICKET, NOTE, ((227, 228, None, None),)),
    BuiltinPair(TICKET, TASK, ((229, 230, None, None),)),
)


def singular_name(type_id: str) -> str:
    """Singular object name used in messages (``"contact"``), or the type id for custom objects.

    :param type_id: Object type id such as ``0-1``.
    """
    names = STANDARD_OBJECT_TYPES.get(type_id)
    return names[0] if names else type_id
