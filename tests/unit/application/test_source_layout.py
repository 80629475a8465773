"""The pure layout rules of source_layout: the put layout for downloads and uploads, the Content-Range check."""

from __future__ import annotations

import pytest

from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import Transfer
from s3syncpy.application.transfer.source_layout import (
    LayoutError,
    check_content_range,
    download_parts,
    upload_parts,
)
from s3syncpy.domain.model import ObjectDetails, ObjectInfo
from s3syncpy.domain.paths import LocalLocation, S3Location
from tests.fakes.features import FILE_TREE
from tests.fakes.storage import InMemoryObjectStorage

MiB = 1024 * 1024
E_SINGLE, E_MULTI = '"0123456789abcdef0123456789abcdef"', '"0123456789abcdef0123456789abcdef-2"'


def config(auto: bool = False) -> SyncConfig:
    return SyncConfig(source=S3Location("a", ""), target=LocalLocation("/t"),
                      transfer=Transfer(multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB, auto_chunksize=auto))


def obj(size: int, e_tag: str = E_SINGLE) -> ObjectInfo:
    return ObjectInfo(key="k", size=size, mtime_ns=0, e_tag=e_tag)


@pytest.mark.parametrize(
    ("size", "requested", "expected"),
    [
        pytest.param(3, None, [], id="small-one-stream"),
        pytest.param(20 * MiB, (0, 8 * MiB), [8 * MiB, 8 * MiB, 4 * MiB], id="config-chunks"),
        pytest.param(20 * MiB, (0, 5 * MiB), [5 * MiB, 8 * MiB, 7 * MiB], id="first-part-then-config-chunks"),
        pytest.param(5 * MiB, (0, 5 * MiB), [5 * MiB], id="one-range"),
    ],
)
def test_download_parts(size: int, requested: tuple[int, int] | None, expected: list[int]) -> None:
    assert download_parts(config(), obj(size), requested) == expected


S3_SOURCE, LOCAL_SOURCE = InMemoryObjectStorage(), InMemoryObjectStorage(features=FILE_TREE)


@pytest.mark.parametrize(
    ("auto", "source", "info", "parts", "expected"),
    [
        pytest.param(False, S3_SOURCE, obj(20 * MiB, E_MULTI), [5 * MiB, 15 * MiB], [5 * MiB, 15 * MiB],
                     id="learned-source-parts-reproduced"),
        pytest.param(False, S3_SOURCE, obj(20 * MiB, E_MULTI), None, [8 * MiB, 8 * MiB, 4 * MiB],
                     id="unknown-parts-configured-layout"),
        pytest.param(False, S3_SOURCE, obj(20 * MiB, E_MULTI), [5 * MiB, 5 * MiB], [8 * MiB, 8 * MiB, 4 * MiB],
                     id="parts-that-cannot-be-the-layout-ignored"),
        pytest.param(False, S3_SOURCE, obj(20 * MiB, '"0123456789abcdef0123456789abcdef"'), None, [],
                     id="plain-etag-one-put"),
        pytest.param(True, S3_SOURCE, obj(20 * MiB, E_MULTI), [5 * MiB, 15 * MiB], [5 * MiB, 15 * MiB],
                     id="auto-reproduces-parts"),
        pytest.param(True, S3_SOURCE, obj(3, '"0123456789abcdef0123456789abcdef-1"'), [3], [3],
                     id="auto-one-part-multipart"),
        pytest.param(True, S3_SOURCE, obj(20 * MiB), [20 * MiB], [], id="auto-single-part-put"),
        pytest.param(True, LOCAL_SOURCE, obj(20 * MiB), None, [8 * MiB, 8 * MiB, 4 * MiB], id="local-source"),
    ],
)
def test_upload_parts(auto: bool, source: InMemoryObjectStorage, info: ObjectInfo, parts: list[int] | None,
                      expected: list[int]) -> None:
    assert upload_parts(config(auto), source, info, parts) == expected


def test_upload_parts_single_part_size_mismatch_is_a_hard_error() -> None:
    with pytest.raises(LayoutError, match="source_total_size does not match the first object part size"):
        upload_parts(config(True), S3_SOURCE, obj(20 * MiB), [5 * MiB])


@pytest.mark.parametrize(
    ("content_range", "ok"),
    [
        pytest.param("bytes 0-99/1000", True, id="matches"),
        pytest.param(None, True, id="not-reported"),
        pytest.param("bytes 0-49/1000", False, id="shorter"),
        pytest.param("bytes 100-199/1000", False, id="elsewhere"),
    ],
)
def test_check_content_range(content_range: str | None, ok: bool) -> None:
    details = ObjectDetails(info=obj(1000), content_range=content_range)
    if ok:
        check_content_range(details, (0, 100), "k")
    else:
        with pytest.raises(LayoutError, match="content range does not match"):
            check_content_range(details, (0, 100), "k")
