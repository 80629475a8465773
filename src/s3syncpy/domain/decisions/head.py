"""Layer B of the update check: a HEAD of the target object (a stat of a local file) and a diff detector.

Whether it runs depends on the mode alone (`head_check_required`), as does the detector (`head_detector`, the
reference's choice); `head_says_modified` then decides per object, with a reason to log and whether the
reference counts a warning.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from s3syncpy.domain.decisions.mode import UpdateMode, UpdateRule
from s3syncpy.domain.etag import normalize_etag
from s3syncpy.domain.model import Encryption, ObjectDetails, ObjectInfo


class HeadDetector(enum.Enum):
    """The reference's diff detector for layer B, chosen once per run (`head_detector`)."""

    SIZE = "SizeDiffDetector"
    ETAG = "ETagDiffDetector"
    ALWAYS_DIFFERENT = "AlwaysDifferentDiffDetector"
    CHECKSUM = "ChecksumDiffDetector"
    STANDARD = "StandardDiffDetector"


def head_check_required(mode: UpdateMode) -> bool:
    """Whether layer B runs (HEAD the target, or stat the local file).

    Truth table (first matching row):

        target   rule                   --remove-modified-filter  --head-each-target   result
        local    not CHECKSUM           yes                       no                   False  (always overwrite)
        local    any                    any other combination                          True
        S3       any                    any                       yes                  True
        S3       ETAG + auto-chunksize  any                       no                   True
        S3       MTIME_AND_ETAG         any                       no                   True
        S3       CHECKSUM, MTIME_AND_C. any                       no                   True
        S3       MTIME, SIZE, ETAG      any                       no                   False  (layer A decides)

    Returns:
        True when `head_says_modified` must be consulted; False means "transfer" as far as layer B goes.
    """
    if (
        mode.target_is_local
        and mode.remove_modified_filter
        and not mode.head_each_target
        and mode.rule is not UpdateRule.CHECKSUM
    ):
        return False
    if mode.target_is_local or mode.head_each_target:
        return True
    if mode.rule is UpdateRule.ETAG:
        return mode.auto_chunksize
    return mode.rule in (UpdateRule.MTIME_AND_ETAG, UpdateRule.CHECKSUM, UpdateRule.MTIME_AND_CHECKSUM)


def head_detector(mode: UpdateMode) -> HeadDetector:
    """The diff detector layer B uses (reference order: size, ETag, always-different, standard).

    Truth table:

        rule                          --head-each-target or --auto-chunksize   detector
        SIZE                          any                                      SIZE
        ETAG                          yes                                      ETAG
        ETAG                          no                                       ALWAYS_DIFFERENT  (layer A compared)
        MTIME_AND_ETAG                any                                      ETAG
        CHECKSUM, MTIME_AND_CHECKSUM  any                                      CHECKSUM
        MTIME                         any                                      STANDARD
    """
    if mode.rule is UpdateRule.SIZE:
        return HeadDetector.SIZE
    if mode.rule is UpdateRule.ETAG:
        if mode.head_each_target or mode.auto_chunksize:
            return HeadDetector.ETAG
        return HeadDetector.ALWAYS_DIFFERENT
    if mode.rule is UpdateRule.MTIME_AND_ETAG:
        return HeadDetector.ETAG
    if mode.rule in (UpdateRule.CHECKSUM, UpdateRule.MTIME_AND_CHECKSUM):
        return HeadDetector.CHECKSUM
    return HeadDetector.STANDARD


class HeadReason(enum.Enum):
    """Why layer B decided as it did; the value is the log / event message."""

    TARGET_MISSING = "Target object not found."
    SIZES_DIFFER = "Sizes are different."
    SIZES_SAME = "Object filtered. Sizes are same."
    ETAGS_DIFFER = "ETags are different."
    ETAGS_SAME = "Object filtered. ETags are same."
    ETAGS_SAME_SIZES_DIFFER = "ETags are same but sizes are different. The object will be transferred."
    ETAG_MISSING = "ETag is missing on one side. The object will be transferred."
    TARGET_SSE_UNSUPPORTED = "Object filtered. Only ServerSideEncryption::Aes256 is supported."
    # The reference logs the source-side case with a lower-case "object"; kept so log searches match.
    SOURCE_SSE_UNSUPPORTED = "object filtered. Only ServerSideEncryption::Aes256 is supported."
    DECIDED_BY_LISTING = "Modified according to the target listing."
    BOTH_EMPTY = "Object filtered. Both objects are empty."
    # The checksum detector's messages, as the reference words them per direction.
    CHECKSUM_MISSING = "object filtered. Checksum not found."
    TARGET_CHECKSUM_MISSING = "object filtered. Target checksum not found."
    SOURCE_CHECKSUM_MISSING = "object filtered. Source checksum not found."
    CHECKSUMS_SAME = "object filtered. Checksums are same."
    CHECKSUMS_SAME_SIZES_DIFFER = "Checksums are same but sizes are different."
    CHECKSUMS_DIFFER = "Checksums are different."
    SOURCE_NEWER = "Source object is newer."
    TARGET_NOT_OLDER = "Object filtered. The target is newer."


@dataclass(frozen=True, slots=True)
class HeadDecision:
    """Layer B's answer for one object.

    Attributes:
        transfer: True to transfer the object, False to skip it.
        reason: why; `reason.value` is the message to log.
        warning: the reference counts a warning (stat SyncWarning + the warning flag) for this outcome.
    """

    transfer: bool
    reason: HeadReason
    warning: bool = False


def _sse_allows_etag(encryption: Encryption | None) -> bool:
    # The detector looks at x-amz-server-side-encryption only: KMS / DSSE ETags are not MD5 digests.
    return encryption is None or encryption.algorithm in (None, "AES256")


def needs_source_encryption(source: ObjectInfo, target: ObjectDetails | None, mode: UpdateMode) -> bool:
    """Whether `head_says_modified` needs the source object's SSE (the reference HEADs the source then).

    Only S3 -> S3 with the ETag detector, when the target exists, its SSE allows ETag comparison and the ETags
    differ: a KMS-encrypted source would then look different for nothing.

    Returns:
        True when the caller must HEAD the source and pass `source_encryption`.
    """
    if (
        target is None
        or mode.source_is_local
        or mode.target_is_local
        or head_detector(mode) is not HeadDetector.ETAG
    ):
        return False
    if not _sse_allows_etag(target.encryption):
        return False
    source_etag, target_etag = normalize_etag(source.e_tag), normalize_etag(target.info.e_tag)
    return source_etag is not None and target_etag is not None and source_etag != target_etag


def _etag_decision(
    source: ObjectInfo, target: ObjectDetails, mode: UpdateMode, source_encryption: Encryption | None
) -> HeadDecision:
    if not mode.target_is_local and not _sse_allows_etag(target.encryption):
        return HeadDecision(False, HeadReason.TARGET_SSE_UNSUPPORTED, warning=True)
    source_etag, target_etag = normalize_etag(source.e_tag), normalize_etag(target.info.e_tag)
    if source_etag is None or target_etag is None:
        return HeadDecision(True, HeadReason.ETAG_MISSING)
    if source_etag == target_etag:
        if source.size != target.info.size:
            # The reference panics here; README, Differences 6: transfer, and say so.
            return HeadDecision(True, HeadReason.ETAGS_SAME_SIZES_DIFFER, warning=True)
        return HeadDecision(False, HeadReason.ETAGS_SAME)
    if not mode.source_is_local and not mode.target_is_local and not _sse_allows_etag(source_encryption):
        return HeadDecision(False, HeadReason.SOURCE_SSE_UNSUPPORTED, warning=True)
    return HeadDecision(True, HeadReason.ETAGS_DIFFER)


def _checksum_decision(
    source: ObjectInfo, target: ObjectDetails, mode: UpdateMode, source_checksum: str | None,
    target_checksum: str | None,
) -> HeadDecision:
    if source_checksum is None or target_checksum is None:
        if mode.source_is_local:
            return HeadDecision(False, HeadReason.TARGET_CHECKSUM_MISSING, warning=True)
        if mode.target_is_local:
            return HeadDecision(False, HeadReason.SOURCE_CHECKSUM_MISSING, warning=True)
        return HeadDecision(False, HeadReason.CHECKSUM_MISSING, warning=True)
    if source_checksum == target_checksum:
        if source.size != target.info.size:
            return HeadDecision(False, HeadReason.CHECKSUMS_SAME_SIZES_DIFFER, warning=True)
        return HeadDecision(False, HeadReason.CHECKSUMS_SAME)
    return HeadDecision(True, HeadReason.CHECKSUMS_DIFFER)


def head_says_modified(
    source: ObjectInfo,
    target: ObjectDetails | None,
    mode: UpdateMode,
    *,
    source_encryption: Encryption | None = None,
    source_checksum: str | None = None,
    target_checksum: str | None = None,
) -> HeadDecision:
    """Layer B: decide from the target's HEAD (or local stat) whether to transfer.

    Truth table (first matching row of the chosen detector wins; W = warning):

        detector          condition                                             transfer  reason
        any               target absent (404 / no file)                          yes       TARGET_MISSING
        SIZE              sizes differ                                           yes       SIZES_DIFFER
        SIZE              sizes equal                                            no        SIZES_SAME
        ETAG              S3 target whose SSE is KMS/DSSE                        no  W     TARGET_SSE_UNSUPPORTED
        ETAG              either ETag missing                                    yes       ETAG_MISSING
        ETAG              ETags equal, sizes differ (README, Differences 6)            yes W     ETAGS_SAME_SIZES_DIFFER
        ETAG              ETags equal                                            no        ETAGS_SAME
        ETAG              differ, S3->S3, source SSE is KMS/DSSE                 no  W     SOURCE_SSE_UNSUPPORTED
        ETAG              ETags differ                                           yes       ETAGS_DIFFER
        ALWAYS_DIFFERENT  (layer A already compared)                             yes       DECIDED_BY_LISTING
        CHECKSUM          either value missing (a local side: the S3 side's)     no  W     *_CHECKSUM_MISSING
        CHECKSUM          values equal, sizes differ                             no  W     CHECKSUMS_SAME_SIZES_DIFFER
        CHECKSUM          values equal                                           no        CHECKSUMS_SAME
        CHECKSUM          values differ                                          yes       CHECKSUMS_DIFFER
        STANDARD          both sizes 0                                           no        BOTH_EMPTY
        STANDARD          target.mtime_secs < source.mtime_secs                  yes       SOURCE_NEWER
        STANDARD          otherwise (equal second or target newer)               no        TARGET_NOT_OLDER

    Args:
        source: the source listing entry (for ETAG with a local source, `e_tag` is the computed ETag).
        target: the target's HEAD result, None when it does not exist (for a local target with ETAG,
            `info.e_tag` must be the ETag computed over the file).
        mode: the run's update mode.
        source_encryption: the source's SSE from a source HEAD, needed only when `needs_source_encryption` says
            so; None means not encrypted.
        source_checksum / target_checksum: for the CHECKSUM detector, the two values (a local side's computed
            with the S3 side's layout; None when the S3 side has none).

    Returns:
        The decision, with the reason and whether the reference counts a warning.
    """
    if target is None:
        return HeadDecision(True, HeadReason.TARGET_MISSING)
    detector = head_detector(mode)
    if detector is HeadDetector.SIZE:
        if source.size != target.info.size:
            return HeadDecision(True, HeadReason.SIZES_DIFFER)
        return HeadDecision(False, HeadReason.SIZES_SAME)
    if detector is HeadDetector.ETAG:
        return _etag_decision(source, target, mode, source_encryption)
    if detector is HeadDetector.ALWAYS_DIFFERENT:
        return HeadDecision(True, HeadReason.DECIDED_BY_LISTING)
    if detector is HeadDetector.CHECKSUM:
        return _checksum_decision(source, target, mode, source_checksum, target_checksum)
    if source.size == 0 and target.info.size == 0:
        return HeadDecision(False, HeadReason.BOTH_EMPTY)
    if target.info.mtime_secs < source.mtime_secs:
        return HeadDecision(True, HeadReason.SOURCE_NEWER)
    return HeadDecision(False, HeadReason.TARGET_NOT_OLDER)
