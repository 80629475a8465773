"""VersionLister over crafted ListObjectVersions pages: one list per key, across pages and both entry kinds."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any

import botocore.parsers  # type: ignore[import-untyped]
import botocore.session  # type: ignore[import-untyped]
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


class Events:
    """The part of botocore's event emitter the lister uses: register (by unique id)."""

    def __init__(self) -> None:
        self.handlers: dict[str, Callable[..., Any]] = {}

    def register(self, event: str, handler: Callable[..., Any], unique_id: str | None = None) -> None:
        self.handlers[event] = handler


class Meta:
    def __init__(self) -> None:
        self.events = Events()


@cache
def _output_shape() -> Any:
    return botocore.session.get_session().get_service_model("s3").operation_model("ListObjectVersions").output_shape


class PagedClient:
    """Pages as parsed dicts, or as raw XML bodies that go through the registered hook and botocore's parser."""

    def __init__(self, pages: list[dict[str, Any] | bytes], status: str | None = "Enabled") -> None:
        self.pages = list(pages)
        self.calls: list[dict[str, Any]] = []
        self.status = status
        self.meta = Meta()

    async def list_object_versions(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        page = self.pages.pop(0)
        if isinstance(page, dict):
            return page
        # What botocore's endpoint does with a response: before-parse hooks, the parser, then their fields merged.
        response = {"status_code": 200, "headers": {}, "body": page}
        customized: dict[str, Any] = {}
        hook = self.meta.events.handlers["before-parse.s3.ListObjectVersions"]
        hook(response_dict=response, customized_response_dict=customized, operation_model=None)
        parsed: dict[str, Any] = botocore.parsers.RestXMLParser().parse(response, _output_shape())
        parsed.update(customized)
        return parsed

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
        [("b", "bm", True), ("b", "b3", False), ("b", "b1", False)],  # the latest marker is the newest
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


def test_before_page_is_awaited_before_each_request() -> None:
    # --rate-limit-objects takes a token per listing page, version listings' pages included.
    client = PagedClient([
        {"Versions": [version("p/a", "a1", True)], "IsTruncated": True, "NextKeyMarker": "p/a"},
        {"Versions": [version("p/b", "b1", True)], "IsTruncated": False},
    ])
    lister = VersionLister(client, LOCATION, ErrorMapper(LOCATION))
    requests_seen: list[int] = []

    async def before_page() -> None:
        requests_seen.append(len(client.calls))

    async def run() -> list[str]:
        return [entries[0].key async for entries in lister.keys(1, before_page=before_page)]

    assert asyncio.run(run()) == ["a", "b"]
    assert requests_seen == [0, 1]  # each time before its request was sent


def test_a_truncated_page_without_markers_is_an_error() -> None:
    client = PagedClient([{"Versions": [version("p/a", "1")], "IsTruncated": True}])
    with pytest.raises(StorageError, match="cannot be continued"):
        listed(client)


@pytest.mark.parametrize(("status", "enabled"), [("Enabled", True), ("Suspended", False), (None, False)])
def test_versioning_status(status: str | None, enabled: bool) -> None:
    lister = VersionLister(PagedClient([], status), LOCATION, ErrorMapper(LOCATION))
    assert asyncio.run(lister.versioning_enabled()) is enabled


def xml_page(*entries: tuple[str, str, str, bool], truncated: bool = False) -> bytes:
    """A ListVersionsResult body with (kind "v" or "dm", key, version id, latest) entries, all in one second."""
    parts = []
    for kind, key, vid, latest in entries:
        tag = "Version" if kind == "v" else "DeleteMarker"
        extra = "<ETag>&#34;e&#34;</ETag><Size>1</Size>" if kind == "v" else ""
        parts.append(f"<{tag}><Key>{key}</Key><VersionId>{vid}</VersionId><IsLatest>{str(latest).lower()}</IsLatest>"
                     f"{extra}<LastModified>2026-01-01T00:00:00Z</LastModified></{tag}>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?><ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        f"<Name>bkt</Name><IsTruncated>{str(truncated).lower()}</IsTruncated>{''.join(parts)}</ListVersionsResult>"
    ).encode()


def test_versions_and_markers_keep_the_interleaving_of_the_page() -> None:
    # As SeaweedFS lists a key written, deleted, written, deleted and written within one second, newest first.
    client = PagedClient([xml_page(
        ("dm", "p/j", "j2", True), ("v", "p/j", "j1", False),
        ("v", "p/k", "k5", True), ("dm", "p/k", "k4", False), ("v", "p/k", "k3", False),
        ("dm", "p/k", "k2", False), ("v", "p/k", "k1", False),
    )])

    assert listed(client) == [
        [("j", "j2", True), ("j", "j1", False)],
        [("k", "k5", False), ("k", "k4", True), ("k", "k3", False), ("k", "k2", True), ("k", "k1", False)],
    ]


def test_a_page_without_its_recorded_order_falls_back_to_latest_then_newest() -> None:
    later = datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC)
    client = PagedClient([{
        "Versions": [version("p/k", "v1"), {**version("p/k", "v2", True), "LastModified": later}],
        "DeleteMarkers": [marker("p/k", "m1")],
    }])

    assert listed(client) == [[("k", "v2", False), ("k", "v1", False), ("k", "m1", True)]]
