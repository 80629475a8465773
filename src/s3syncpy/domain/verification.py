"""Post-transfer ETag verification (the reference's upload-side verification, `verify_e_tag`) and the warning texts of a mismatch.

ETags are MD5-based only for plain and SSE-S3 (AES256) objects, and a multipart ETag depends on the part layout,
so some comparisons cannot say anything. Those give UNKNOWN: no "etag verified" count, no warning.

Truth table of `verify_etag` (first matching row wins):

    SSE-C used on either side (config or object)            -> UNKNOWN
    either side SSE other than none/AES256 (KMS, DSSE)       -> UNKNOWN
    either ETag missing                                      -> UNKNOWN
    --disable-multipart-verify and either ETag has "-N"      -> UNKNOWN
    normalised ETags equal                                   -> MATCH     (stat ETagVerified)
    otherwise                                                -> MISMATCH  (stat SyncWarning, warning flag)

The literal "UNKNOWN" that an auto-chunksize ETag computation yields on a short read never equals a real ETag, so it
lands on MISMATCH, as in the reference.

Additional checksums do not depend on the encryption (S3 computes them over the plaintext), so `verify_checksum`
has no SSE rows:

    either value missing                                             -> UNKNOWN
    values equal                                                     -> MATCH     (stat ChecksumVerified)
    differ, S3 source with a "-N" ETag, --disable-multipart-verify   -> UNKNOWN   (no count, no warning)
    otherwise                                                        -> MISMATCH  (stat SyncWarning, warning flag)
"""

from __future__ import annotations

import enum

from s3syncpy.domain.etag import is_multipart_etag, normalize_etag
from s3syncpy.domain.model import Encryption


class Verification(enum.Enum):
    """Outcome of one integrity comparison."""

    MATCH = "match"
    MISMATCH = "mismatch"
    UNKNOWN = "unknown"


# The reference's texts, byte for byte: users grep their logs for them.
_MISMATCH_HELP_TAIL = (
    "or the current multipart_threshold or multipart_chunksize may be different when uploading to the source. "
    "To suppress this warning, please add --disable-multipart-verify command line option. "
    "To resolve this issue, please add --auto-chunksize command line option(but extra API overheads)."
)
ETAG_MISMATCH_HELP_UPLOAD = (
    "e_tag mismatch. object in the target storage may be corrupted. " + _MISMATCH_HELP_TAIL
)
ETAG_MISMATCH_HELP_DOWNLOAD = (
    "e_tag mismatch. object in the local storage may be corrupted. " + _MISMATCH_HELP_TAIL
)
ETAG_MISMATCH_UPLOAD = "e_tag mismatch. file in the target storage may be corrupted."
ETAG_MISMATCH_DOWNLOAD = "e_tag mismatch. file in the local storage may be corrupted."
CHECKSUM_MISMATCH_HELP_UPLOAD = (
    "additional checksum mismatch. object in the target storage may be corrupted. " + _MISMATCH_HELP_TAIL
)
CHECKSUM_MISMATCH_UPLOAD = "additional checksum mismatch. file in the target storage may be corrupted."
CHECKSUM_MISMATCH_DOWNLOAD = "additional checksum mismatch. file in the local storage may be corrupted."
CHECKSUM_SOURCE_MISSING = (
    "additional checksum algorithm is different from the target storage. skip additional checksum verification."
)


def _etag_verifiable(encryption: Encryption | None) -> bool:
    return encryption is None or encryption.allows_md5_etag


def verify_etag(
    source_etag: str | None,
    target_etag: str | None,
    *,
    source_encryption: Encryption | None,
    target_encryption: Encryption | None,
    sse_c_used: bool,
    disable_multipart_verify: bool,
) -> Verification:
    """Compare the source's ETag with the one the target reported (see the module's truth table).

    Args:
        source_etag: the source ETag (for a local source: rebuilt from the MD5s of the bytes sent), quoted or not.
        target_etag: the ETag from the PutObject / CopyObject / CompleteMultipartUpload response (or computed
            over the downloaded file).
        source_encryption: the source object's SSE, None when plain or local.
        target_encryption: the target object's SSE, None when plain or local.
        sse_c_used: an SSE-C key was configured for the source or the target.
        disable_multipart_verify: --disable-multipart-verify.

    Returns:
        MATCH, MISMATCH or UNKNOWN.
    """
    if sse_c_used or not _etag_verifiable(source_encryption) or not _etag_verifiable(target_encryption):
        return Verification.UNKNOWN
    source, target = normalize_etag(source_etag), normalize_etag(target_etag)
    if source is None or target is None:
        return Verification.UNKNOWN
    if disable_multipart_verify and (is_multipart_etag(source) or is_multipart_etag(target)):
        return Verification.UNKNOWN
    return Verification.MATCH if source == target else Verification.MISMATCH


def etag_mismatch_message(*, source_is_s3: bool, source_etag_multipart: bool, auto_chunksize: bool) -> str:
    """The warning text for an ETag MISMATCH after an upload or S3-to-S3 copy.

    The long help (the part layout may differ; --disable-multipart-verify / --auto-chunksize) is given when the
    source is S3, its ETag is multipart and --auto-chunksize is off: then a different chunk size is the usual cause.

    Args:
        source_is_s3: the source is an S3 bucket (not a local directory).
        source_etag_multipart: the source ETag has a "-N" suffix.
        auto_chunksize: --auto-chunksize is on.

    Returns:
        The message, one line.
    """
    if source_is_s3 and source_etag_multipart and not auto_chunksize:
        return ETAG_MISMATCH_HELP_UPLOAD
    return ETAG_MISMATCH_UPLOAD


def download_etag_mismatch_message(
    *, sizes_equal: bool, source_etag_multipart: bool, parts_known: bool
) -> str:
    """The warning text for an ETag MISMATCH of a downloaded file (S3 -> local).

    The long help is given when the file has the source's size, the source ETag is multipart and the part sizes
    were not known (so the local ETag was computed with the configured chunk size, a likely cause).

    Args:
        sizes_equal: the downloaded file's size equals the source object's Content-Length.
        source_etag_multipart: the source ETag has a "-N" suffix.
        parts_known: the source's part sizes were fetched (auto-chunksize or composite checksum parts).

    Returns:
        The message, one line.
    """
    if sizes_equal and source_etag_multipart and not parts_known:
        return ETAG_MISMATCH_HELP_DOWNLOAD
    return ETAG_MISMATCH_DOWNLOAD


def verify_checksum(
    source_checksum: str | None,
    target_checksum: str | None,
    *,
    source_is_s3: bool,
    source_etag_multipart: bool,
    disable_multipart_verify: bool,
) -> Verification:
    """Compare the source's additional checksum with the target's (see the module's truth table).

    Args:
        source_checksum: the source value (local source: computed over the bytes sent; S3 source: its stored
            value; download: the S3 object's value).
        target_checksum: the target value (S3 response, or computed over the downloaded file).
        source_is_s3: the source is an S3 bucket.
        source_etag_multipart: the source ETag has a "-N" suffix.
        disable_multipart_verify: --disable-multipart-verify.

    Returns:
        MATCH, MISMATCH or UNKNOWN.
    """
    if source_checksum is None or target_checksum is None:
        return Verification.UNKNOWN
    if source_checksum == target_checksum:
        return Verification.MATCH
    if source_is_s3 and source_etag_multipart and disable_multipart_verify:
        return Verification.UNKNOWN
    return Verification.MISMATCH


def checksum_mismatch_message(*, source_is_s3: bool, source_etag_multipart: bool, auto_chunksize: bool) -> str:
    """The warning text for an additional-checksum MISMATCH after an upload or S3-to-S3 copy.

    The long help is given in the same case as for ETags: an S3 source with a multipart ETag, without
    --auto-chunksize (the target was re-chunked).

    Returns:
        The message, one line.
    """
    if source_is_s3 and source_etag_multipart and not auto_chunksize:
        return CHECKSUM_MISMATCH_HELP_UPLOAD
    return CHECKSUM_MISMATCH_UPLOAD
