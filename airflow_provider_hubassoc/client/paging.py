"""The one paging rule, shared by the sync client and the async hook: paging ends.

A server whose ``paging.next.after`` is new on every page would otherwise be followed for ever.
:class:`Pager` follows a cursor only while it is new for that id, short enough, and within the
page count HubSpot's own limits allow, and ends with a typed error saying what HubSpot did.

HubSpot documents record association limits up to 50,000 associated records (a company's
contacts, reference "Record-level association limits"). A record's associations therefore take at
most ``50,000 / page size`` pages; :func:`max_pages` allows twice that.
"""

from __future__ import annotations

import math
from typing import Final

from airflow_provider_hubassoc.client.errors import HubSpotPagingError, cap_text

#: The largest number of records HubSpot documents as associable with one record.
MAX_ASSOCIATIONS_PER_RECORD: Final = 50_000
#: Pages allowed = this factor x the pages the documented limit needs.
PAGING_SLACK: Final = 2
#: Batch read's page size per input is not documented (v3 paged at 100); assume no smaller.
BATCH_READ_MIN_PAGE_SIZE: Final = 100
#: A cursor longer than this is not one HubSpot sends (theirs are short opaque strings).
MAX_CURSOR_CHARS: Final = 1_000


#: :data:`MAX_ASSOCIATIONS_PER_RECORD` in words, for paging errors.
ASSOCIATIONS_LIMIT_TEXT: Final = (
    f"HubSpot's documented limit of {MAX_ASSOCIATIONS_PER_RECORD:,} associated records per record"
)


def max_pages(page_size: int, max_records: int = MAX_ASSOCIATIONS_PER_RECORD) -> int:
    """Return the most pages followed per id for a page size.

    :param page_size: records per page (the ``limit`` sent, or :data:`BATCH_READ_MIN_PAGE_SIZE`).
    :param max_records: the most records HubSpot documents for one paged listing.
    """
    return math.ceil(max_records * PAGING_SLACK / max(1, page_size))


class Pager:
    """Decides, page after page and per id, whether to follow ``paging.next.after``.

    :param what: the request being paged, quoted in errors.
    :param page_size: records per page, for :func:`max_pages`.
    :param max_records: the most records HubSpot documents for one listing (default: associated
        records per record; a search: its 10,000-result cap).
    :param limit_text: that limit in words, for the error.
    """

    def __init__(
        self,
        *,
        what: str,
        page_size: int,
        max_records: int = MAX_ASSOCIATIONS_PER_RECORD,
        limit_text: str = ASSOCIATIONS_LIMIT_TEXT,
    ) -> None:
        self._what = what
        self._limit_text = limit_text
        self.max_pages = max_pages(page_size, max_records)
        self._pages: dict[str, int] = {}
        self._seen: dict[str, set[str]] = {}

    def follow(self, after: str | None, *, key: str = "") -> str | None:
        """Count one page of ``key`` and return the cursor to request next, or ``None`` when done.

        :param after: the page's ``paging.next.after`` (``None`` on the last page).
        :param key: the id the page belongs to (batch read pages per input).
        :raises HubSpotPagingError: when the cursor repeats, is too long, or the pages pass the cap.
        """
        pages = self._pages.get(key, 0) + 1
        self._pages[key] = pages
        if after is None:
            return None
        for_id = f" for id {key}" if key else ""
        if len(after) > MAX_CURSOR_CHARS:
            raise HubSpotPagingError(
                f"HubSpot sent a paging cursor of {len(after):,} characters{for_id} in {self._what}; "
                "stopping (cursors are short)"
            )
        seen = self._seen.setdefault(key, set())
        if after in seen:
            raise HubSpotPagingError(
                f"HubSpot repeated the paging cursor {cap_text(after, 80)!r}{for_id} in {self._what}; "
                "stopping to avoid a loop"
            )
        if pages >= self.max_pages:
            raise HubSpotPagingError(
                f"HubSpot sent {pages:,} pages{for_id} in {self._what} and still offers another; "
                f"stopping, as {self._limit_text} fits in far fewer (cap {self.max_pages:,} pages)"
            )
        seen.add(after)
        return after
