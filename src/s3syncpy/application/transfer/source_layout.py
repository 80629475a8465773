"""How one object is read and written: the first GET's range, the source's part layout and the put layout.

As the reference does (its first-chunk range, its "object parts if necessary" step and its upload manager under
--auto-chunksize), and beyond it for objects other tools wrote:

* The first GET is ranged when the object is at least 5 MiB and multipart: part 1 of the source under
  --auto-chunksize (HeadObject partNumber=1), else the first configured chunk.
* The source's part sizes are fetched (S3 sources, when the ETag is multipart or a range was used) from
  GetObjectAttributes when its checksum is composite and checksum mode is on, else one HEAD per part under
  --auto-chunksize. Without either, a "-N" ETag whose N the configured layout does not explain (rclone's 5 MiB
  parts, `aws s3 cp` with 16 MiB parts, any SDK's uneven parts) has its real parts learned too (`learn_parts`);
  otherwise they stay unknown.
* Uploads from an S3 source reproduce the source's layout: its exact parts when known, one PutObject for a plain
  ETag, so the target's ETag equals the source's. Downloads read the first range, then configured chunks, and
  verify against the source's layout (application/transfer/integrity.py).
* Inconsistent layouts under --auto-chunksize are hard errors (LayoutError: stat SyncError, exit 1).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from s3syncpy.application.ports.storage import ObjectStorage
from s3syncpy.application.run.run_context import log_enabled, logger
from s3syncpy.application.settings.config import ObjectSettings
from s3syncpy.domain import checksums
from s3syncpy.domain import etag as etag_math
from s3syncpy.domain.errors import ObjectNotFoundError, StorageError
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
    """The first GET's byte range (the reference's first-chunk range).

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
    """The source's part sizes: when the reference fetches them, and when the configured layout cannot explain
    the source's ETag.

    Truth table (S3 source, ETag multipart or a ranged first GET; otherwise None):

        checksum mode on, final checksum composite                              GetObjectAttributes parts
        else --auto-chunksize                                                   one HEAD per part
        else "-N" ETag, N not the configured part count                         learned (learn_parts)
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
        if parts:
            return parts
        transfer = config.transfer
        if multipart_etag and etag_math.stated_layout(
            e_tag, obj.size, transfer.multipart_threshold, transfer.multipart_chunksize
        ) is None:
            # Another writer cut this object in parts of its own: verify (and copy) it in its real layout.
            return await learn_parts(source, obj, e_tag, max_parts=transfer.max_keys)
        return None
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


async def learn_parts(source: ObjectStorage, obj: ObjectInfo, e_tag: str | None, *, max_parts: int) -> list[int] | None:
    """The real part sizes of a multipart object whose layout is not the configured one, or None when the
    source cannot tell them.

    GetObjectAttributes answers in one request where the server lists parts (AWS lists them only for objects
    uploaded with an additional checksum); otherwise one HEAD per part number, as --auto-chunksize does. A part
    list that cannot be the layout of this ETag and size (the object was replaced in between) is not used.

    Raises:
        ObjectNotFoundError: the object is gone.
    """
    parts: list[int] = []
    try:
        attributes = await source.get_object_part_attributes(obj.key, version_id=obj.version_id, max_parts=max_parts)
        parts = [part.size for part in attributes]
    except ObjectNotFoundError:
        raise
    except StorageError:
        # Servers without GetObjectAttributes still answer partNumber HEADs.
        parts = []
    if not etag_math.explains_etag(parts, e_tag, obj.size):
        try:
            parts = await source.get_object_parts(obj.key, version_id=obj.version_id)
        except ObjectNotFoundError:
            raise
        except StorageError as exc:
            logger.warning("cannot learn the object's part layout.", extra={"fields": {"key": obj.key,
                                                                                       "error": str(exc)}})
            return None
    if not etag_math.explains_etag(parts, e_tag, obj.size):
        return None
    if log_enabled(logging.INFO):
        logger.info(
            "object part layout learned from the source.",
            extra={"fields": {"key": obj.key, "e_tag": e_tag or "", "parts": len(parts), "first_part_size": parts[0]}},
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
    if not transfer.auto_chunksize and source.features.has_etags:
        # An S3 source is written in its own layout, so the target's ETag equals the source's (a later
        # --check-etag run skips it): its learned parts, or one PutObject for a plain (single-part) ETag.
        if parts and etag_math.explains_etag(parts, obj.e_tag, obj.size):
            return list(parts)
        if obj.e_tag is not None and not etag_math.is_multipart_etag(obj.e_tag) and (
            obj.size <= etag_math.MAXIMUM_PART_SIZE
        ):
            return []
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

    Even under --auto-chunksize the rest of the object is read in configured chunks, as the reference reads it.
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
