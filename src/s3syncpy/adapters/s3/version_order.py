"""The order of a ListObjectVersions page's entries, which botocore's parsed response loses.

Public API:
    record_entry_order(client)                   install the hook on a botocore S3 client (idempotent)
    entries_in_listed_order(page) -> list[tuple[bool, Mapping]]   (is a delete marker, entry) in the page's order

Why: S3 lists a key's versions and delete markers as one sequence, newest first, and that sequence is the only
thing that tells a delete marker from the version it removed when both carry the same LastModified (a second
at some servers' precision). botocore parses the page into two lists, Versions and DeleteMarkers, each in page
order but no longer interleaved. A before-parse hook reads the kinds of the root's entries from the raw body, in
document order, into a private field of the parsed page; the two lists are interleaved again by it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree

ORDER_FIELD = "S3syncpyEntryKinds"
_HOOK_ID = "s3syncpy-version-entry-order"
_VERSION, _DELETE_MARKER = "Version", "DeleteMarker"


def _kinds(body: bytes) -> list[bool] | None:
    """True for each DeleteMarker and False for each Version element under the root, in document order."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return None  # botocore reports the unreadable page itself
    kinds: list[bool] = []
    for child in root:
        name = child.tag.rpartition("}")[2]
        if name == _DELETE_MARKER:
            kinds.append(True)
        elif name == _VERSION:
            kinds.append(False)
    return kinds


def _record(response_dict: Mapping[str, Any] | None = None,
            customized_response_dict: dict[str, Any] | None = None, **_: Any) -> None:
    if response_dict is None or customized_response_dict is None or response_dict.get("status_code") != 200:
        return
    body = response_dict.get("body")
    if isinstance(body, bytes) and (kinds := _kinds(body)) is not None:
        # botocore merges this dict into the parsed page.
        customized_response_dict[ORDER_FIELD] = kinds


def record_entry_order(client: Any) -> None:
    """Make every ListObjectVersions page of `client` carry its entries' order (see the module docstring).

    Args:
        client: an aiobotocore (or botocore) S3 client.
    """
    client.meta.events.register("before-parse.s3.ListObjectVersions", _record, unique_id=_HOOK_ID)


def entries_in_listed_order(page: Mapping[str, Any]) -> list[tuple[bool, Mapping[str, Any]]]:
    """The page's versions and delete markers as (is a delete marker, entry), in the order the server listed them.

    A page without a usable recorded order (not parsed through the hook) falls back to what the parsed lists
    alone allow: per key, the IsLatest entry first, then newest LastModified first, versions before delete
    markers of the same time.
    """
    versions = page.get("Versions") or []
    markers = page.get("DeleteMarkers") or []
    kinds = page.get(ORDER_FIELD)
    if isinstance(kinds, list) and len(kinds) == len(versions) + len(markers) and sum(kinds) == len(markers):
        remaining_versions, remaining_markers = iter(versions), iter(markers)
        return [
            (True, next(remaining_markers)) if marker else (False, next(remaining_versions)) for marker in kinds
        ]
    merged: list[tuple[bool, Mapping[str, Any]]] = [
        *((False, entry) for entry in versions), *((True, entry) for entry in markers)
    ]
    merged.sort(key=lambda item: item[1]["LastModified"], reverse=True)
    merged.sort(key=lambda item: (item[1]["Key"], not item[1].get("IsLatest")))
    return merged
