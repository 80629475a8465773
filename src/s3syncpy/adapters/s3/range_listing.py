"""A key range cut from a serial ListObjectsV2 listing that is taken to be in UTF-8 byte order.

Public API:
    range_of_listing(pages, key_range, *, where, include_prefix_key=False) -> AsyncGenerator[ObjectInfo]

The listing starts near the range's start (StartAfter) and may end before the bucket's end, when a key past the
range's end was seen: that is sound only if the server really lists in byte order. The order is therefore checked
as the keys come, not only assumed: every key must sort after the one before it, and the listing ends only after
the whole page that went past the end was seen in order (the rest of a page costs no request). A key out of order
is an error, never a quiet end: StartAfter and the early end would both have dropped keys unseen, and --delete
would remove their copies on the other side.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable

from s3syncpy.adapters.s3.datapath import ListPage
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.key_range import KeyRange
from s3syncpy.domain.model import ObjectInfo


async def range_of_listing(
    pages: AsyncIterable[ListPage],
    key_range: KeyRange,
    *,
    where: str,
    include_prefix_key: bool = False,
) -> AsyncGenerator[ObjectInfo, None]:
    """The objects of `pages` inside `key_range`, ending after the first page that goes past the range's end.

    Args:
        pages: the listing's pages, started at `key_range.listing_start_after()`.
        key_range: the range (keys just before its start that StartAfter lets through are yielded: the caller
            keeps the inside, as for a listing without a range).
        where: the s3:// URL listed, for the error message.
        include_prefix_key: also yield the empty key (an object named like the prefix itself).

    Raises:
        StorageError: a key does not sort after the key before it (the listing is not in byte order).
    """
    previous: str | None = None
    async for page in pages:
        past = False
        for info in page.objects:
            key = info.key
            if previous is not None and key <= previous:
                raise StorageError(
                    f"ListObjectsV2 {where}: keys are not listed in UTF-8 byte order ({key!r} after {previous!r}), "
                    "so the key range cannot be cut from the listing",
                    operation="ListObjectsV2",
                )
            previous = key
            if key_range.is_past(key):
                past = True
            elif key or include_prefix_key:
                yield info
        if past:
            return
