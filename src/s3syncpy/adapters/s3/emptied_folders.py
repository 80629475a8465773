"""A listed prefix that comes back as a key of its own with no ETag is an emptied folder, not an object.

Public API:
    without_emptied_folder(page, listed_prefix, location) -> ListPage

Why: some S3-compatible servers (SeaweedFS) keep a folder after its last object was deleted. Listed by delimiter
"/" (as the parallel listing lists sub-prefixes) it appears as a common prefix, and the listing of that prefix
returns an entry whose key is the prefix itself, 0 bytes, with the empty ETag. A serial listing of the same bucket
never shows it, so taking it for an object would make a parallel run differ from a serial one: it would copy a
0-byte object, create an empty local folder, or delete and count a target key that no other client sees.

A folder object a user put ("gone/" with PutObject) is a real object: it has a real ETag (the MD5 of its content)
and is kept, as a serial listing keeps it.
"""

from __future__ import annotations

import dataclasses

from s3syncpy.adapters.s3.datapath import ListPage
from s3syncpy.domain.model import ObjectInfo
from s3syncpy.domain.paths import S3Location


def _is_emptied_folder(info: ObjectInfo, listed_key: str) -> bool:
    # Only an ETag that is present and empty ('""' as listed, or ''): an absent ETag is no evidence either way.
    return info.key == listed_key and info.e_tag is not None and not info.e_tag.strip('"')


def without_emptied_folder(page: ListPage, listed_prefix: str, location: S3Location) -> ListPage:
    """The page without the entry that stands for the listed folder itself (see the module docstring).

    Args:
        page: one page of the listing of `listed_prefix` (keys relative to `location`, as ListPage has them).
        listed_prefix: the full prefix the listing asked for; only a prefix ending in "/" names a folder.
        location: the storage's bucket and prefix, which the page's keys are relative to.

    Returns:
        `page` itself when it holds no such entry, else a copy without it.
    """
    if not listed_prefix.endswith("/"):
        return page
    listed_key = location.relative_key(listed_prefix)
    objects = page.objects
    # WHY a scan and not a look at the first entry: servers order keys differently (SeaweedFS lists in
    # directory-tree order); the scan costs far less than parsing the page.
    kept = [info for info in objects if not _is_emptied_folder(info, listed_key)]
    if len(kept) == len(objects):
        return page
    return dataclasses.replace(page, objects=kept)
