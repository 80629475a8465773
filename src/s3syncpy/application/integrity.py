"""End-to-end integrity checks after a transfer (reference §2.4 upload, §2.5 download, DECISIONS.md #3).

Uploads: the ETag S3 reports is compared with the source's (S3 source: its listed ETag; local source: rebuilt
from the MD5s of the exact bytes sent). Downloads: the temp file is hashed before the rename; a mismatch keeps the
existing local file and counts a warning.
"""

from __future__ import annotations

import logging

from s3syncpy.application.config import SyncConfig
from s3syncpy.application.ports.storage import DigestSource, PutResult
from s3syncpy.application.run_context import RunContext, log_enabled, logger
from s3syncpy.domain import etag as etag_math
from s3syncpy.domain.model import Encryption, ObjectDetails, ObjectInfo
from s3syncpy.domain.verification import (
    Verification,
    download_etag_mismatch_message,
    etag_mismatch_message,
    verify_etag,
)

_NO_ENCRYPTION = Encryption()


def verify_upload(
    config: SyncConfig,
    source_is_local: bool,
    obj: ObjectInfo,
    source_details: ObjectDetails,
    result: PutResult,
    part_sizes: list[int],
    run: RunContext,
) -> None:
    """Compare the target's ETag with the source's and count the outcome.

    Args:
        config: the run's settings.
        source_is_local: whether the source ETag must be rebuilt from the MD5s of the bytes sent.
        obj: the listed source object.
        source_details: the source's GET headers (encryption decides whether ETags are MD5s).
        result: what the target reported.
        part_sizes: the multipart layout used ([] for a single PutObject).
        run: where counters and warnings go.
    """
    verification = config.verification
    if verification.disable_etag_verify or verification.disable_content_md5_header:
        return
    if source_is_local:
        if not result.part_md5s:
            return
        source_etag: str | None = etag_math.etag_from_part_digests(result.part_md5s, multipart=bool(part_sizes))
    else:
        source_etag = obj.e_tag
    outcome = verify_etag(
        source_etag,
        result.e_tag,
        source_encryption=source_details.encryption,
        target_encryption=_NO_ENCRYPTION,
        sse_c_used=False,
        disable_multipart_verify=verification.disable_multipart_verify,
    )
    message = etag_mismatch_message(
        source_is_s3=not source_is_local,
        source_etag_multipart=etag_math.is_multipart_etag(source_etag),
        auto_chunksize=False,
    )
    _count(outcome, obj, source_etag, result.e_tag, run, message)


def _count(
    outcome: Verification,
    obj: ObjectInfo,
    source_etag: str | None,
    target_etag: str | None,
    run: RunContext,
    mismatch_message: str,
) -> None:
    if outcome is Verification.MATCH:
        run.stats.etag_verified += 1
        if log_enabled(logging.DEBUG):
            logger.debug(
                "e_tag verified.",
                extra={"fields": {"key": obj.key, "source_e_tag": source_etag, "target_e_tag": target_etag}},
            )
    elif outcome is Verification.MISMATCH:
        run.warn(mismatch_message, key=obj.key, source_e_tag=source_etag, target_e_tag=target_etag)


class DownloadVerifier:
    """The validation hook of one download: hashes the temp file and accepts it only when it verifies."""

    def __init__(self, config: SyncConfig, obj: ObjectInfo, details: ObjectDetails, run: RunContext) -> None:
        self._config = config
        self._obj = obj
        self._details = details
        self._run = run

    async def validate(self, written: DigestSource) -> bool:
        """Return True to rename the temp file into place (see DECISIONS.md #3)."""
        obj = self._obj
        verification = self._config.verification
        if verification.disable_etag_verify:
            # The adapter already refuses a temp file whose size differs from the source's.
            return True
        transfer = self._config.transfer
        layout = etag_math.part_sizes(obj.size, transfer.multipart_threshold, transfer.multipart_chunksize)
        source_etag = obj.e_tag or self._details.info.e_tag
        if source_etag is None or not self._details.encryption.allows_md5_etag:
            # KMS / DSSE / SSE-C ETags are not MD5s: hashing the file could not verify anything ("unknown").
            return True
        digests = await written.digests(layout or [obj.size])
        local_etag = etag_math.etag_from_part_digests(digests.part_md5s, multipart=bool(layout))
        outcome = verify_etag(
            source_etag,
            local_etag,
            source_encryption=self._details.encryption,
            target_encryption=_NO_ENCRYPTION,
            sse_c_used=False,
            disable_multipart_verify=verification.disable_multipart_verify,
        )
        message = download_etag_mismatch_message(
            sizes_equal=digests.total_size == obj.size,
            source_etag_multipart=etag_math.is_multipart_etag(source_etag),
            parts_known=False,
        )
        _count(outcome, obj, source_etag, local_etag, self._run, message)
        return outcome is not Verification.MISMATCH
