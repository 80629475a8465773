"""How one object is read and written: the first GET's range, the source's part layout and the put layout.

Reference §2.2 and §2.5 (`get_first_chunk_range`, `get_object_parts_if_necessary`, UploadManager with
--auto-chunksize):

* The first GET is ranged when the object is at least 5 MiB and multipart: part 1 of the source under
  --auto-chunksize (HeadObject partNumber=1), else the first configured chunk.
* The source's part sizes are fetched (S3 sources, when the ETag is multipart or a range was used) from
  GetObjectAttributes when its checksum is composite and checksum mode is on, else one HEAD per part under
  --auto-chunksize; otherwise they stay unknown.
* Uploads reproduce those exact part sizes under --auto-chunksize (so ETag and composite checksum match the
  source's); a single-part source is copied with one PutObject. Downloads read the first range, then chunks.
* Inconsistent layouts under --auto-chunksize are hard errors (LayoutError: stat SyncError, exit 1).
"""

from __future__ import annotations

from dataclasses import dataclass

from s3syncpy.application.config import ObjectSettings
from s3syncpy.application.ports.storage import ObjectStorage
from s3syncpy.application.run_context import logger
from s3syncpy.domain import checksums
from s3syncpy.domain import etag as etag_math
from s3syncpy.domain.errors import ObjectNotFoundError
from s3syncpy.domain.model import ChecksumAlgorithm, ObjectDetails, ObjectInfo
from s3syncpy.domain.plan import upload_layout


class LayoutError(Exception):
    """The source's part layout contradicts itself (a hard error of the object, not retried)."""


@dataclass(frozen=True, slots=True)
class SourceLayout:
    """What is known about the source object once its first GET answered.

    Attributes:
        first_range: (offset, length) of the first GET, or None for a single-stream read.
        parts: the source's real part sizes when fetched (auto-chunksize or composite checksum), else None.
        checksum: the source's whole-object additional checksum (checksum mode), else None.
        algorithm: the algorithm `checksum` is verified with.
        source_tags: the source's tags when filter steps 13-14 already fetched them, else None.
    """

    first_range: tuple[int, int] | None
    parts: list[int] | None = None
    checksum: str | None = None
    algorithm: ChecksumAlgorithm | None = None
    source_tags: dict[str, str] | None = None


async def first_range(config: ObjectSettings, source: ObjectStorage, obj: ObjectInfo) -> tuple[int, int] | None:
    """The first GET's byte range (reference `get_first_chunk_range`).

    Args:
        config: the run's settings.
        source: the source storage.
        obj: the listed object.

    Returns:
        (0, length), or None when the object is read in one stream.

    Raises:
        ObjectNotFoundError: the part HEAD found no object.
    """
    # S3 rule: parts other than the last are at least 5 MiB, so a smaller object is never read in ranges.
    if obj.size < etag_math.MINIMUM_PART_SIZE:
        return None
    if config.transfer.auto_chunksize and source.features.supports_parts:
        head = await source.head_object(obj.key, version_id=obj.version_id, part_number=1)
        if head is None:
            raise ObjectNotFoundError(f"no such key {obj.key!r}", operation="HeadObject", key=obj.key)
        return (0, head.info.size)
    transfer = config.transfer
    layout = etag_math.part_sizes(obj.size, transfer.multipart_threshold, transfer.multipart_chunksize)
    return (0, layout[0]) if layout else None


def check_content_range(details: ObjectDetails, requested: tuple[int, int] | None, key: str) -> None:
    """The ranged GET must answer the requested range (reference: a mismatch is a hard error).

    Raises:
        LayoutError: the Content-Range differs from the request.
    """
    if requested is None or details.content_range is None:
        return
    offset, length = requested
    expected = f"bytes {offset}-{offset + length - 1}/"
    if not details.content_range.startswith(expected):
        raise LayoutError(
            f"content range does not match the requested range. key={key}, "
            f"requested={expected}, content_range={details.content_range}"
        )


async def source_parts(
    config: ObjectSettings,
    source: ObjectStorage,
    obj: ObjectInfo,
    details: ObjectDetails,
    requested: tuple[int, int] | None,
    final_checksum: str | None,
) -> list[int] | None:
    """The source's part sizes, when the reference fetches them (`get_object_parts_if_necessary`).

    Truth table (S3 source, ETag multipart or a ranged first GET; otherwise None):

        checksum mode on, final checksum composite                              GetObjectAttributes parts
        else --auto-chunksize                                                   one HEAD per part
        else                                                                    None (unknown)

    Under --auto-chunksize a single-part source has the one part [first GET length], and the sanity checks
    below apply.

    Args:
        config: the run's settings.
        source: the source storage.
        obj: the listed object.
        details: the first GET's headers.
        requested: the first GET's range, or None.
        final_checksum: the source's whole-object additional checksum, when checksum mode fetched it.

    Returns:
        The part sizes, or None when unknown.

    Raises:
        LayoutError: under --auto-chunksize, a multipart ETag without parts, or a first part whose size differs
            from the first GET's length.
    """
    if not source.features.supports_parts:
        return None
    e_tag = obj.e_tag or details.info.e_tag
    multipart_etag = etag_math.is_multipart_etag(e_tag)
    if not (multipart_etag or requested is not None):
        return _single_part(config, obj, requested)
    parts: list[int] | None = None
    # The reference also requires the listing to name an algorithm; a composite final checksum implies one, and
    # some S3-compatible servers do not list ChecksumAlgorithm.
    if config.verification.enable_additional_checksum and checksums.is_composite_checksum(final_checksum):
        attributes = await source.get_object_part_attributes(
            obj.key, version_id=obj.version_id, max_parts=config.transfer.max_keys
        )
        parts = [part.size for part in attributes]
    elif config.transfer.auto_chunksize:
        parts = await source.get_object_parts(obj.key, version_id=obj.version_id)
    if not config.transfer.auto_chunksize:
        return parts or None
    if multipart_etag and not parts:
        raise LayoutError(f"object parts are empty although the ETag is multipart. key={obj.key}, e_tag={e_tag}")
    if not multipart_etag:
        return _single_part(config, obj, requested)
    assert parts is not None
    if requested is not None and parts[0] != requested[1]:
        raise LayoutError(
            f"object parts size does not match content length. key={obj.key}, "
            f"first_part_size={parts[0]}, content_length={requested[1]}"
        )
    return parts


def _single_part(config: ObjectSettings, obj: ObjectInfo, requested: tuple[int, int] | None) -> list[int] | None:
    if not config.transfer.auto_chunksize:
        return None
    return [requested[1] if requested is not None else obj.size]


def upload_parts(config: ObjectSettings, source: ObjectStorage, obj: ObjectInfo, parts: list[int] | None) -> list[int]:
    """PutRequest.part_sizes for an S3 target: [] for one PutObject, else the multipart layout.

    Under --auto-chunksize with an S3 source: the source's exact parts for a multipart source ("-1" included),
    one PutObject for a single-part one. Otherwise the configured threshold and chunk size.

    Raises:
        LayoutError: a single-part source whose size differs from its one part.
        ObjectTooLargeError: the object exceeds S3's maximum object size.
    """
    transfer = config.transfer
    if transfer.auto_chunksize and source.features.supports_parts and parts:
        e_tag = obj.e_tag
        if etag_math.is_multipart_etag(e_tag):
            return list(parts)
        if obj.size != parts[0]:
            raise LayoutError(
                "source_total_size does not match the first object part size: "
                f"source_total_size = {obj.size}, first object part size = {parts[0]}"
            )
        return []
    planned = upload_layout(obj.size, transfer.multipart_threshold, transfer.multipart_chunksize)
    if planned.raised:
        # S3 allows 10,000 parts: the chunk size grows instead of failing at part 10,001 after sending the rest.
        logger.warning(
            "multipart chunksize raised to fit the object in 10,000 parts.",
            extra={"fields": {"key": obj.key, "size": obj.size, "multipart_chunksize": transfer.multipart_chunksize,
                              "used_chunksize": planned.chunksize}},
        )
    return planned.part_sizes


def download_parts(config: ObjectSettings, obj: ObjectInfo, requested: tuple[int, int] | None) -> list[int]:
    """PutRequest.part_sizes for a local target: the read layout (first range, then configured chunks).

    Even under --auto-chunksize the rest of the object is read in configured chunks (reference §2.5).
    """
    transfer = config.transfer
    if requested is None:
        return etag_math.part_sizes(obj.size, transfer.multipart_threshold, transfer.multipart_chunksize)
    first = requested[1]
    layout = [first]
    remaining = obj.size - first
    while remaining > 0:
        step = min(transfer.multipart_chunksize, remaining)
        layout.append(step)
        remaining -= step
    return layout
