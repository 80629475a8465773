"""End-to-end integrity checks after a transfer: uploads as the reference checks them, downloads before the rename.

Uploads: the ETag S3 reports is compared with the source's (S3 source: its listed ETag; local source: rebuilt
from the MD5s of the exact bytes sent), and the additional checksum S3 reports with the source's (local source:
computed by the adapter over the bytes sent; S3 source: its stored value, read with checksum mode).
Downloads: the temp file is hashed before the rename against the source's own layout: a plain ETag is the MD5 of
the whole object whatever its size; a "-N" ETag is checked with the source's real part sizes (known, or learned
from the source when the configured layout does not explain it). Only a file that fails against its real layout
is refused: the existing local file is kept and a warning counted. The reference warns on a mere layout
difference instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from s3syncpy.application.ports.callbacks import EventType
from s3syncpy.application.ports.storage import DigestSource, FileDigests, PutResult
from s3syncpy.application.run.run_context import RunContext, log_enabled, logger
from s3syncpy.application.settings.config import ObjectSettings
from s3syncpy.domain import checksums
from s3syncpy.domain import etag as etag_math
from s3syncpy.domain.model import ChecksumAlgorithm, Encryption, ObjectDetails, ObjectInfo
from s3syncpy.domain.verification import (
    CHECKSUM_MISMATCH_DOWNLOAD,
    CHECKSUM_SOURCE_MISSING,
    Verification,
    checksum_mismatch_message,
    download_etag_mismatch_message,
    etag_mismatch_message,
    verify_checksum,
    verify_etag,
)

_NO_ENCRYPTION = Encryption()

PartsLearner = Callable[[], Awaitable[list[int] | None]]


def verify_upload(
    config: ObjectSettings,
    source_has_etags: bool,
    obj: ObjectInfo,
    source_details: ObjectDetails,
    result: PutResult,
    part_sizes: list[int],
    run: RunContext,
    *,
    source_checksum: str | None = None,
    parts_known: bool = False,
) -> None:
    """Compare the target's ETag and additional checksum with the source's and count the outcomes.

    Args:
        config: the run's settings.
        source_has_etags: whether the source values come from the source object (an S3 source) or from the bytes
            sent (a source without stored ETags: local files).
        obj: the listed source object.
        source_details: the source's GET headers (encryption decides whether ETags are MD5s).
        result: what the target reported.
        part_sizes: the multipart layout used ([] for a single PutObject).
        run: where counters and warnings go.
        source_checksum: an S3 source's whole-object checksum, read with checksum mode (None otherwise).
        parts_known: the source's part sizes were reproduced (--auto-chunksize): mismatches are then not
            explained by re-chunking.
    """
    verification = config.verification
    auto_chunksize = config.transfer.auto_chunksize and parts_known
    source_etag = obj.e_tag if source_has_etags else None
    if not source_has_etags and result.part_md5s:
        source_etag = etag_math.etag_from_part_digests(result.part_md5s, multipart=bool(part_sizes))
    source_multipart = etag_math.is_multipart_etag(source_etag)
    if not (verification.disable_etag_verify or verification.disable_content_md5_header) and source_etag:
        outcome = verify_etag(
            source_etag,
            result.e_tag,
            source_encryption=source_details.encryption,
            target_encryption=config.encryption.target_encryption,
            sse_c_used=config.encryption.sse_c_used,
            disable_multipart_verify=verification.disable_multipart_verify,
        )
        message = etag_mismatch_message(
            source_is_s3=source_has_etags, source_etag_multipart=source_multipart, auto_chunksize=auto_chunksize
        )
        _count_etag(outcome, obj, source_etag, result.e_tag, run, message)
    if verification.disable_additional_checksum_verify:
        return
    algorithm = verification.additional_checksum_algorithm
    if not source_has_etags:
        source_value = result.sent_checksum
    else:
        source_value = source_checksum
        if verification.enable_additional_checksum and source_value is None:
            run.warn(CHECKSUM_SOURCE_MISSING, key=obj.key)
    outcome = verify_checksum(
        source_value,
        result.checksum,
        source_is_s3=source_has_etags,
        source_etag_multipart=source_multipart,
        disable_multipart_verify=verification.disable_multipart_verify,
    )
    message = checksum_mismatch_message(
        source_is_s3=source_has_etags, source_etag_multipart=source_multipart, auto_chunksize=auto_chunksize
    )
    _count_checksum(outcome, obj, algorithm, source_value, result.checksum, run, message)


def _count_etag(
    outcome: Verification,
    obj: ObjectInfo,
    source_etag: str | None,
    target_etag: str | None,
    run: RunContext,
    mismatch_message: str,
) -> None:
    if outcome is Verification.MATCH:
        run.stats.etag_verified += 1
        run.events.emit(EventType.SYNC_ETAG_VERIFIED, key=obj.key, source_etag=source_etag, target_etag=target_etag)
        if log_enabled(logging.DEBUG):
            logger.debug(
                "e_tag verified.",
                extra={"fields": {"key": obj.key, "source_e_tag": source_etag, "target_e_tag": target_etag}},
            )
    elif outcome is Verification.MISMATCH:
        run.count_warning(mismatch_message, key=obj.key, source_e_tag=source_etag, target_e_tag=target_etag)
        run.events.emit(
            EventType.SYNC_ETAG_MISMATCH, key=obj.key, source_etag=source_etag, target_etag=target_etag,
            message=mismatch_message,
        )


def _count_checksum(
    outcome: Verification,
    obj: ObjectInfo,
    algorithm: ChecksumAlgorithm | None,
    source_checksum: str | None,
    target_checksum: str | None,
    run: RunContext,
    mismatch_message: str,
) -> None:
    fields = {
        "key": obj.key,
        "additional_checksum_algorithm": algorithm.value if algorithm else "",
        "source_checksum": source_checksum,
        "target_checksum": target_checksum,
    }
    event_fields = {
        "key": obj.key,
        "checksum_algorithm": algorithm.value if algorithm else None,
        "source_checksum": source_checksum,
        "target_checksum": target_checksum,
    }
    if outcome is Verification.MATCH:
        run.stats.checksum_verified += 1
        run.events.emit(EventType.SYNC_CHECKSUM_VERIFIED, **event_fields)
        if log_enabled(logging.DEBUG):
            logger.debug("additional checksum verified.", extra={"fields": fields})
    elif outcome is Verification.MISMATCH:
        run.count_warning(mismatch_message, **fields)
        run.events.emit(EventType.SYNC_CHECKSUM_MISMATCH, message=mismatch_message, **event_fields)


class DownloadVerifier:
    """The validation hook of one download: hashes the temp file and accepts it only when it verifies."""

    def __init__(
        self,
        config: ObjectSettings,
        obj: ObjectInfo,
        details: ObjectDetails,
        run: RunContext,
        *,
        source_parts: list[int] | None = None,
        source_checksum: str | None = None,
        checksum_algorithm: ChecksumAlgorithm | None = None,
        learn_parts: PartsLearner | None = None,
    ) -> None:
        """Args:
            config: the run's settings.
            obj: the listed source object.
            details: the first GET's headers (ETag, encryption).
            run: where counters and warnings go.
            source_parts: the source's part sizes, when known (auto-chunksize or composite checksum).
            source_checksum: the source's whole-object checksum (checksum mode), verified when given.
            checksum_algorithm: its algorithm.
            learn_parts: asks the source for its real part sizes; called when a "-N" ETag that the configured
                layout seemed to explain (same part count) does not verify, before the file is refused.
        """
        self._config = config
        self._obj = obj
        self._details = details
        self._run = run
        self._parts = source_parts
        self._checksum = source_checksum
        self._algorithm = checksum_algorithm
        self._learn_parts = learn_parts

    def _etag_layout(self, source_etag: str) -> tuple[list[int], bool]:
        """(part sizes, multipart) the local ETag is computed with: the source's own layout where it is known or
        stated by its ETag, else the configured one (see domain/etag.py `stated_layout`)."""
        size = self._obj.size
        if self._parts and etag_math.is_multipart_etag(source_etag):
            return list(self._parts), True
        transfer = self._config.transfer
        stated = etag_math.stated_layout(source_etag, size, transfer.multipart_threshold, transfer.multipart_chunksize)
        if stated is not None:
            return stated
        # The real parts could not be learned: the configured layout, which fails as the reference's check does.
        layout = etag_math.part_sizes(size, transfer.multipart_threshold, transfer.multipart_chunksize)
        return (layout or [size]), bool(layout)

    def _checksum_layout(self, source_checksum: str) -> tuple[list[int], bool, bool]:
        """(part sizes, multipart, full_object) the local checksum is computed with (the reference's download-side verification)."""
        size = self._obj.size
        parts = list(self._parts) if self._parts else [size]
        threshold = checksums.verification_threshold(
            source_checksum, parts, size, self._config.transfer.multipart_threshold
        )
        multipart = checksums.is_multipart_layout(parts, threshold)
        return parts, multipart, checksums.is_full_object_checksum(source_checksum)

    async def validate(self, written: DigestSource) -> bool:
        """Return True to rename the temp file into place (False: it fails against the source's real layout)."""
        obj = self._obj
        verification = self._config.verification
        source_etag = obj.e_tag or self._details.info.e_tag
        check_etag = (
            not verification.disable_etag_verify
            and source_etag is not None
            # KMS / DSSE / SSE-C ETags are not MD5s: hashing the file could not verify anything ("unknown").
            and self._details.encryption.allows_md5_etag
            and self._config.encryption.source_sse_c is None
        )
        check_checksum = self._checksum is not None and self._algorithm is not None
        if not (check_etag or check_checksum):
            # The adapter already refuses a temp file whose size differs from the source's.
            return True
        etag_layout: tuple[list[int], bool] | None = None
        checksum_layout: tuple[list[int], bool, bool] | None = None
        if check_etag:
            assert source_etag is not None
            etag_layout = self._etag_layout(source_etag)
        if check_checksum:
            assert self._checksum is not None
            checksum_layout = self._checksum_layout(self._checksum)
        etag_digests, checksum_digests = await self._hash(written, etag_layout, checksum_layout)
        accepted = True
        if etag_layout is not None and etag_digests is not None:
            assert source_etag is not None
            etag_digests = await self._against_real_parts(written, source_etag, etag_layout, etag_digests)
            accepted &= self._verify_etag(source_etag, etag_digests, etag_layout[1])
        if checksum_layout is not None and checksum_digests is not None:
            accepted &= self._verify_checksum(checksum_digests, checksum_layout)
        return accepted

    async def _hash(
        self,
        written: DigestSource,
        etag_layout: tuple[list[int], bool] | None,
        checksum_layout: tuple[list[int], bool, bool] | None,
    ) -> tuple[FileDigests | None, FileDigests | None]:
        """Hash the temp file once when both checks use the same layout, else once per check."""
        algorithm = self._algorithm if checksum_layout is not None else None
        full = False
        if checksum_layout is not None and algorithm is not None:
            full = checksum_layout[1] and checksums.uses_full_object(algorithm, checksum_layout[2])
        if etag_layout is not None and checksum_layout is not None and etag_layout[0] == checksum_layout[0]:
            both = await written.digests(etag_layout[0], algorithm, full)
            return both, both
        etag_digests = await written.digests(etag_layout[0]) if etag_layout is not None else None
        checksum_digests = None
        if checksum_layout is not None:
            checksum_digests = await written.digests(checksum_layout[0], algorithm, full)
        return etag_digests, checksum_digests

    async def _against_real_parts(
        self, written: DigestSource, source_etag: str, layout: tuple[list[int], bool], digests: FileDigests
    ) -> FileDigests:
        """The digests to verify with: `digests`, or, when a multipart ETag does not verify under a layout that was
        assumed (the configured one, with the same part count), the file hashed again in the source's real parts."""
        parts, multipart = layout
        if not multipart or self._parts or self._learn_parts is None:
            return digests
        local_etag = etag_math.etag_from_part_digests(digests.part_md5s, multipart=True)
        if etag_math.normalize_etag(local_etag) == etag_math.normalize_etag(source_etag):
            return digests
        real = await self._learn_parts()
        if not real or real == parts:
            return digests
        self._parts = real
        return await written.digests(real)

    def _verify_etag(self, source_etag: str | None, digests: FileDigests, multipart: bool) -> bool:
        obj = self._obj
        local_etag = etag_math.etag_from_part_digests(digests.part_md5s, multipart=multipart)
        outcome = verify_etag(
            source_etag,
            local_etag,
            source_encryption=self._details.encryption,
            target_encryption=_NO_ENCRYPTION,
            sse_c_used=False,
            disable_multipart_verify=self._config.verification.disable_multipart_verify,
        )
        message = download_etag_mismatch_message(
            sizes_equal=digests.total_size == obj.size,
            source_etag_multipart=etag_math.is_multipart_etag(source_etag),
            parts_known=bool(self._parts),
        )
        _count_etag(outcome, obj, source_etag, local_etag, self._run, message)
        return outcome is not Verification.MISMATCH

    def _verify_checksum(self, digests: FileDigests, layout: tuple[Sequence[int], bool, bool]) -> bool:
        assert self._algorithm is not None
        _, multipart, full_object = layout
        local_value = checksums.checksum_value(
            self._algorithm, digests.part_checksums, digests.full_checksum, multipart=multipart, full_object=full_object
        )
        outcome = verify_checksum(
            self._checksum, local_value, source_is_s3=False, source_etag_multipart=False,
            disable_multipart_verify=False,
        )
        _count_checksum(outcome, self._obj, self._algorithm, self._checksum, local_value, self._run,
                        CHECKSUM_MISMATCH_DOWNLOAD)
        return outcome is not Verification.MISMATCH
