"""The port's conditional writes, tagging calls and server-side copy, on every implementation that has them.

Storages with stored ETags (the S3 adapter, the S3-like fake) honour If-Match / If-None-Match on put and delete;
storages with tagging keep and replace tags; storages with server-side copy copy an object named by copy_source.
A storage without the capability is asserted to ignore the request (a directory tree has no ETags to match).
"""

from __future__ import annotations

import pytest

from s3syncpy.application.ports.storage import ListingOptions
from s3syncpy.application.ports.write_requests import (
    CopyRequest,
    Directive,
    ObjectAttributes,
    WriteConditions,
)
from s3syncpy.domain.errors import PreconditionFailedError
from s3syncpy.domain.model import ObjectInfo, SystemMetadata
from tests.contract.conftest import Harness
from tests.contract.test_object_storage_contract import listing, put, read_back

MiB = 1024 * 1024


async def test_if_none_match_refuses_to_replace(harness: Harness) -> None:
    storage = harness.storage
    await put(storage, "k", b"first")
    if not storage.features.has_etags:
        await put(storage, "k", b"second", conditions=WriteConditions(if_none_match=True))
        assert await read_back(storage, (await listing(storage))["k"]) == b"second"
        return
    with pytest.raises(PreconditionFailedError):
        await put(storage, "k", b"second", conditions=WriteConditions(if_none_match=True))
    assert await read_back(storage, (await listing(storage))["k"]) == b"first"
    await put(storage, "new", b"n", conditions=WriteConditions(if_none_match=True))
    assert harness.leftovers() == []


async def test_if_match_replaces_only_the_expected_version(harness: Harness) -> None:
    storage = harness.storage
    if not storage.features.has_etags:
        pytest.skip("a directory tree has no stored ETags to match (asserted in the If-None-Match case)")
    await put(storage, "k", b"first")
    listed = (await listing(storage))["k"].e_tag
    with pytest.raises(PreconditionFailedError):
        await put(storage, "k", b"other", conditions=WriteConditions(if_match='"0123456789abcdef0123456789abcdef"'))
    big = b"m" * (10 * MiB)
    with pytest.raises(PreconditionFailedError):
        await put(storage, "k", big, [5 * MiB, 5 * MiB],
                  conditions=WriteConditions(if_match='"0123456789abcdef0123456789abcdef"'))
    assert harness.leftovers() == []  # the refused multipart upload was aborted
    await put(storage, "k", b"second", conditions=WriteConditions(if_match=listed))
    assert await read_back(storage, (await listing(storage))["k"]) == b"second"
    with pytest.raises(PreconditionFailedError):
        await storage.delete_object("k", if_match=listed)
    await storage.delete_object("k", if_match=(await listing(storage))["k"].e_tag)
    assert await listing(storage) == {}


async def test_tags_are_kept_replaced_and_removed(harness: Harness) -> None:
    storage = harness.storage
    await put(storage, "k", b"x", tagging="a=1&b=two%20words")
    if not storage.features.supports_tagging:
        assert await storage.get_object_tagging("k") == {}
        return
    assert await storage.get_object_tagging("k") == {"a": "1", "b": "two words"}
    await storage.put_object_tagging("k", "c=3")
    assert await storage.get_object_tagging("k") == {"c": "3"}
    await storage.delete_object_tagging("k")
    assert await storage.get_object_tagging("k") == {}


@pytest.mark.parametrize("part_sizes", [[], [5 * MiB, 5 * MiB, 1000]], ids=["copy-object", "upload-part-copy"])
async def test_server_side_copy(harness: Harness, part_sizes: list[int]) -> None:
    storage = harness.storage
    if not storage.features.supports_server_side_copy:
        with pytest.raises(NotImplementedError):
            storage.copy_source(ObjectInfo(key="k", size=0, mtime_ns=0))
        return
    data = bytes(range(256)) * ((10 * MiB + 1000) // 256 + 1)
    data = data[: sum(part_sizes)] if part_sizes else b"small object"
    await put(storage, "from key+%", data, tagging="t=1", metadata=SystemMetadata(content_type="text/x"))
    source = storage.copy_source((await listing(storage, ListingOptions()))["from key+%"])
    attributes = ObjectAttributes(SystemMetadata(content_type="text/y"), {"m": "v"}, "t=2")
    request = CopyRequest(size=len(data), part_sizes=part_sizes, attributes=attributes,
                          metadata_directive=Directive.REPLACE, tagging_directive=Directive.REPLACE)

    result = await storage.copy_object("to/日本", source, request)

    listed = await listing(storage)
    assert await read_back(storage, listed["to/日本"]) == data
    assert result.e_tag == listed["to/日本"].e_tag
    details = await storage.head_object("to/日本")
    assert details is not None and details.metadata.content_type == "text/y" and details.user_metadata == {"m": "v"}
    assert await storage.get_object_tagging("to/日本") == {"t": "2"}
    assert harness.leftovers() == []

