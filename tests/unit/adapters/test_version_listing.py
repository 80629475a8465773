"""VersionLister over crafted ListObjectVersions pages: one list per key, across pages and both entry kinds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from s3syncpy.adapters.s3.errors import ErrorMapper
from s3syncpy.adapters.s3.versions import VersionLister
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.paths import S3Location

LOCATION = S3Location("bkt", "p/")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def version(key: str, vid: str, latest: bool = False) -> dict[str, Any]:
    return {"Key": key, "VersionId": vid, "IsLatest": latest, "LastModified": T0, "Size": 1, "ETag": '"e"'}


def marker(key: str, vid: str, latest: bool = False) -> dict[str, Any]:
    return {"Key": key, "VersionId": vid, "IsLatest": latest, "LastModified": T0}


class PagedClient:
    def __init__(self, pages: list[dict[str, Any]], status: str | None = "Enabled") -> None:
        self.pages = list(pages)
        self.calls: list[dict[str, Any]] = []
        self.status = status

    async def list_object_versions(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        return self.pages.pop(0)

    async def get_bucket_versioning(self, **kwargs: Any) -> dict[str, Any]:
        return {"Status": self.status} if self.status else {}


def listed(client: PagedClient, key: str | None = None) -> list[list[tuple[str, str | None, bool]]]:
    lister = VersionLister(client, LOCATION, ErrorMapper(LOCATION))

    async def run() -> list[list[tuple[str, str | None, bool]]]:
        return [[(e.key, e.version_id, e.delete_marker) for e in entries]
                async for entries in lister.keys(1000, key)]

    return asyncio.run(run())


def test_a_key_straddling_pages_and_its_markers_come_as_one_list() -> None:
    client = PagedClient([
        {"Versions": [version("p/a", "a2", True), version("p/b", "b3")], "DeleteMarkers": [marker("p/b", "bm", True)],
         "IsTruncated": True, "NextKeyMarker": "p/b", "NextVersionIdMarker": "b3"},
        {"Versions": [version("p/b", "b1"), version("p/c", "c1", True)], "IsTruncated": False},
    ])

    assert listed(client) == [
        [("a", "a2", False)],
        [("b", "b3", False), ("b", "bm", True), ("b", "b1", False)],
        [("c", "c1", False)],
    ]
    assert client.calls[1]["KeyMarker"] == "p/b" and client.calls[1]["VersionIdMarker"] == "b3"


def test_one_key_is_listed_by_its_full_key_and_longer_keys_are_left_out() -> None:
    client = PagedClient([{"Versions": [version("p/k", "1", True), version("p/k2", "2", True)]}])

    assert listed(client, key="k") == [[("k", "1", False)]]
    assert client.calls[0]["Prefix"] == "p/k"


def test_the_prefix_itself_comes_with_the_empty_key() -> None:
    client = PagedClient([{"Versions": [version("p/", "x", True), version("p/a", "y", True)]}])
    assert listed(client) == [[("", "x", False)], [("a", "y", False)]]


def test_a_truncated_page_without_markers_is_an_error() -> None:
    client = PagedClient([{"Versions": [version("p/a", "1")], "IsTruncated": True}])
    with pytest.raises(StorageError, match="cannot be continued"):
        listed(client)


@pytest.mark.parametrize(("status", "enabled"), [("Enabled", True), ("Suspended", False), (None, False)])
def test_versioning_status(status: str | None, enabled: bool) -> None:
    lister = VersionLister(PagedClient([], status), LOCATION, ErrorMapper(LOCATION))
    assert asyncio.run(lister.versioning_enabled()) is enabled
