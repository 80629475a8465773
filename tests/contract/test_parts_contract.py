"""The port's multipart-layout and digest abilities, checked on every implementation.

S3-like storages (the fake in S3 mode, the S3 adapter) describe the layout an object was written with:
`head_object(part_number=k)`, `get_object_parts` and `get_object_part_attributes`. Local-like storages do not
(`supports_parts` is False, the part lists are empty) but hash their bytes under a given layout with
`compute_digests`, which S3-like storages decline (None).
"""

from __future__ import annotations

import hashlib

import pytest

from s3syncpy.domain.errors import ObjectNotFoundError
from s3syncpy.domain.etag import MiB
from s3syncpy.domain.model import ChecksumAlgorithm
from tests.contract.conftest import Harness
from tests.contract.test_object_storage_contract import payload, put

LAYOUT = [5 * MiB, 1]


def _s3_like(harness: Harness) -> bool:
    return harness.name in ("s3", "memory")


async def test_supports_parts_only_on_s3_like_storages(harness: Harness) -> None:
    assert harness.storage.features.supports_parts == _s3_like(harness)


async def test_multipart_layout_is_described_by_part_heads_and_lists(harness: Harness) -> None:
    storage = harness.storage
    data = payload(sum(LAYOUT), seed=5)
    await put(storage, "multi", data, LAYOUT)
    await put(storage, "single", data[:1000])

    parts = await storage.get_object_parts("multi")
    attributes = await storage.get_object_part_attributes("multi")
    single_parts = await storage.get_object_parts("single")
    second = await storage.head_object("multi", part_number=2)

    assert single_parts == []
    assert second is not None
    if _s3_like(harness):
        assert parts == LAYOUT
        assert [part.size for part in attributes] == LAYOUT
        assert (second.info.size, second.parts_count) == (1, 2)
    else:
        assert parts == [] and attributes == []
        assert (second.info.size, second.parts_count) == (len(data), None)


async def test_part_lists_of_a_missing_object(harness: Harness) -> None:
    if not _s3_like(harness):
        assert await harness.storage.get_object_parts("absent") == []
        return
    with pytest.raises(ObjectNotFoundError):
        await harness.storage.get_object_parts("absent")
    with pytest.raises(ObjectNotFoundError):
        await harness.storage.get_object_part_attributes("absent")
    assert await harness.storage.head_object("absent", part_number=1) is None


async def test_compute_digests_on_local_like_storages(harness: Harness) -> None:
    storage = harness.storage
    data = payload(3000, seed=6)
    await put(storage, "f", data)

    digests = await storage.compute_digests("f", [1000, 2000], ChecksumAlgorithm.SHA256)

    if _s3_like(harness):
        assert digests is None
        return
    assert digests is not None
    assert digests.part_md5s == [hashlib.md5(data[:1000]).digest(), hashlib.md5(data[1000:]).digest()]
    assert digests.part_checksums == [hashlib.sha256(data[:1000]).digest(), hashlib.sha256(data[1000:]).digest()]
    with pytest.raises(ValueError, match="part sizes"):
        await storage.compute_digests("f", [1000])
    with pytest.raises(ObjectNotFoundError):
        await storage.compute_digests("absent", [1])
