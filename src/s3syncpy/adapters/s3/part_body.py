"""The body of one PutObject or UploadPart and the digests its headers carry, held or streamed.

Public API:
    STREAM_MIN_SIZE                              bodies above this are streamed when the source allows it
    prepare_body(content, offset, size, algorithm, *, content_md5, datapath, budget)
        -> (RequestBody, PartDigest, reserved)  reserved: bytes of `budget` to release once the request is done

Why streamed: a part held in memory costs its whole size for as long as it is hashed and sent, so 16 parallel
8 MiB parts of one large file would hold 128 MiB, and more with every copy on the way. A source that reads the
same range twice at no request cost (a local file: ObjectContent.digest_range) is hashed in one pass without
keeping the bytes, and the request then reads the range again in small pieces while it sends it; memory per
part is a few pieces, whatever its size.

Integrity is unchanged: the digests go in the headers before the body, so a range that changed between the two
reads no longer matches them and S3 rejects the request (BadDigest). A body is streamed only when Content-MD5 or
the additional checksum protects it: every S3 implementation checks those, while some (SeaweedFS) do not check
a signed payload's SHA-256. Without either it is held, hashed and sent as one buffer, as before. A held body
first reserves its size in the run's ByteBudget, so held parts are bounded by bytes, not only by count.
"""

from __future__ import annotations

from s3syncpy.adapters.s3.byte_budget import ByteBudget
from s3syncpy.adapters.s3.checksums import PartDigest, digest_part
from s3syncpy.adapters.s3.datapath import RequestBody, S3DataPath, StreamedBody
from s3syncpy.application.ports.storage import ObjectContent
from s3syncpy.domain.model import ChecksumAlgorithm

# At or below this a body is held: one buffer of a megabyte costs less than two reads and the extra hops.
STREAM_MIN_SIZE = 1024 * 1024


async def prepare_body(
    content: ObjectContent,
    offset: int,
    size: int,
    algorithm: ChecksumAlgorithm | None,
    *,
    content_md5: bool,
    datapath: S3DataPath,
    budget: ByteBudget,
) -> tuple[RequestBody, PartDigest, int]:
    """Hash [offset, offset + size) of `content` and return the body to send with its digests.

    Args:
        content: the source bytes.
        offset: where the body starts.
        size: its length.
        algorithm: the additional checksum the request carries (None: MD5 only).
        content_md5: the request carries Content-MD5.
        datapath: the path that sends it (tells whether it signs the payload hash).
        budget: the held-bytes budget a held body reserves its size in before it is read.

    Returns:
        (body, digests, reserved): a StreamedBody when the source can be read twice and S3 checks the body
        (nothing reserved), else the bytes; the caller releases `reserved` once the request is done.

    Raises:
        TransientStorageError: the source ended early.
        StorageError: reading the source failed.
    """
    protected = content_md5 or algorithm is not None
    if size > STREAM_MIN_SIZE and protected:
        digests = await content.digest_range(offset, size, algorithm, sha256=datapath.signs_payload(True))
        if digests is not None:
            body = StreamedBody(content.read_range, offset, size, digests.sha256)
            return body, PartDigest(digests.md5, digests.checksum), 0
    reserved = await budget.acquire(size)
    try:
        data = await content.read_range(offset, size)
        return data, await digest_part(data, algorithm), reserved
    except BaseException:
        budget.release(reserved)
        raise
