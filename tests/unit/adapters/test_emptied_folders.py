"""An emptied folder listed by its own prefix is left out; every other entry, a user's folder object too, stays."""

from __future__ import annotations

import pytest

from s3syncpy.adapters.s3.datapath import ListPage
from s3syncpy.adapters.s3.emptied_folders import without_emptied_folder
from s3syncpy.domain.model import ObjectInfo
from s3syncpy.domain.paths import S3Location

_MD5_OF_NOTHING = '"d41d8cd98f00b204e9800998ecf8427e"'


def _info(key: str, e_tag: str | None) -> ObjectInfo:
    return ObjectInfo(key=key, size=0, mtime_ns=0, e_tag=e_tag)


@pytest.mark.parametrize(
    ("location_prefix", "listed_prefix", "key", "e_tag", "kept"),
    [
        ("", "gone/", "gone/", '""', False),
        ("", "gone/", "gone/", "", False),
        ("base/", "base/gone/", "gone/", '""', False),
        ("gone/", "gone/", "", '""', False),  # the root of a listing under a folder's prefix
        ("", "gone/", "gone/", _MD5_OF_NOTHING, True),  # a folder object a user put
        ("", "gone/", "gone/", None, True),  # no ETag is no evidence
        ("", "gone/", "gone/x", '""', True),  # not the listed prefix
        ("", "", "gone/", '""', True),  # listed from the root: a key like any other
        ("", "other/", "gone/", '""', True),
        ("dir2", "dir2", "", '""', True),  # a prefix without "/" names no folder
        ("", "a", "a", '""', True),
    ],
    ids=[
        "emptied-folder", "unquoted-empty-etag", "under-a-location-prefix", "listing-root",
        "user-folder-object", "no-etag", "object-inside", "root-listing", "other-prefix", "slashless-location",
        "slashless-prefix",
    ],
)
def test_only_the_listed_folder_with_the_empty_etag_is_left_out(
    location_prefix: str, listed_prefix: str, key: str, e_tag: str | None, kept: bool
) -> None:
    entry = _info(key, e_tag)
    other = _info("other-key", '"abc"')
    page = ListPage(objects=[entry, other], next_token="t", truncated=True, prefixes=["p/"])

    result = without_emptied_folder(page, listed_prefix, S3Location("bkt", location_prefix))

    assert result.objects == ([entry, other] if kept else [other])
    assert (result.next_token, result.truncated, result.prefixes) == ("t", True, ["p/"])


def test_a_page_without_it_is_returned_as_it_is() -> None:
    page = ListPage(objects=[_info("gone/x", '"abc"')], next_token=None)

    assert without_emptied_folder(page, "gone/", S3Location("bkt", "")) is page
