"""Layer B of the update check: when it runs, its detector and its decisions (domain/decisions/head.py)."""

from __future__ import annotations

import pytest

from s3syncpy.domain.decisions.head import (
    HeadDecision,
    HeadDetector,
    HeadReason,
    head_check_required,
    head_detector,
    head_says_modified,
    needs_source_encryption,
)
from s3syncpy.domain.decisions.mode import UpdateMode, UpdateRule
from s3syncpy.domain.model import Encryption, ObjectDetails, ObjectInfo
from tests.unit.domain.decisions.values import (
    AES,
    CHECKSUM,
    E1,
    E2,
    ETAG,
    KMS,
    LOCAL_TO_S3,
    MT_CHECKSUM,
    MT_ETAG,
    MTIME,
    S3_TO_LOCAL,
    S3_TO_S3,
    SIZE,
    F,
    R,
    T,
    head,
    mode_of,
    src,
)

# ---------------------------------------------------------------- layer B: when and which detector


@pytest.mark.parametrize(
    ("target_is_local", "remove_modified_filter", "head_each_target", "required"),
    [
        pytest.param(True, True, False, False, id="local-remove-filter-overwrites"),
        pytest.param(True, True, True, True, id="local-remove-filter-head-each"),
        pytest.param(True, False, False, True, id="local-default"),
        pytest.param(True, False, True, True, id="local-head-each"),
        pytest.param(False, False, True, True, id="s3-head-each"),
        pytest.param(False, True, True, True, id="s3-remove-filter-head-each"),
        pytest.param(False, False, False, False, id="s3-default"),
        pytest.param(False, True, False, False, id="s3-remove-filter"),
    ],
)
def test_head_check_required(
    target_is_local: bool, remove_modified_filter: bool, head_each_target: bool, required: bool
) -> None:
    mode = UpdateMode(
        MTIME,
        remove_modified_filter=remove_modified_filter,
        head_each_target=head_each_target,
        target_is_local=target_is_local,
    )
    assert head_check_required(mode) is required


@pytest.mark.parametrize(
    ("rule", "head_each_target", "detector"),
    [
        pytest.param(SIZE, False, HeadDetector.SIZE, id="size"),
        pytest.param(SIZE, True, HeadDetector.SIZE, id="size-head-each"),
        pytest.param(ETAG, True, HeadDetector.ETAG, id="etag-head-each"),
        pytest.param(ETAG, False, HeadDetector.ALWAYS_DIFFERENT, id="etag-local-target"),
        pytest.param(MTIME, False, HeadDetector.STANDARD, id="standard"),
        pytest.param(MTIME, True, HeadDetector.STANDARD, id="standard-head-each"),
    ],
)
def test_head_detector(rule: UpdateRule, head_each_target: bool, detector: HeadDetector) -> None:
    assert head_detector(UpdateMode(rule, head_each_target=head_each_target)) is detector




@pytest.mark.parametrize(
    ("mode", "source", "target", "source_enc", "expected"),
    [
        pytest.param(
            mode_of(MTIME, S3_TO_S3), src(), None, None, HeadDecision(T, R.TARGET_MISSING), id="missing"
        ),
        pytest.param(
            mode_of(ETAG, S3_TO_S3), src(), None, None, HeadDecision(T, R.TARGET_MISSING), id="missing-etag"
        ),
        # SizeDiffDetector
        pytest.param(
            mode_of(SIZE, S3_TO_S3),
            src(size=1),
            head(size=2),
            None,
            HeadDecision(T, R.SIZES_DIFFER),
            id="size-diff",
        ),
        pytest.param(
            mode_of(SIZE, S3_TO_LOCAL),
            src(size=2, secs=500),
            head(size=2),
            None,
            HeadDecision(F, R.SIZES_SAME),
            id="size-same-newer-ignored",
        ),
        # ETagDiffDetector
        pytest.param(
            mode_of(ETAG, S3_TO_S3),
            src(),
            head(encryption=KMS),
            None,
            HeadDecision(F, R.TARGET_SSE_UNSUPPORTED, warning=True),
            id="etag-s3-target-kms",
        ),
        pytest.param(
            mode_of(ETAG, LOCAL_TO_S3),
            src(e_tag=E2),
            head(e_tag=E1, encryption=KMS),
            None,
            HeadDecision(F, R.TARGET_SSE_UNSUPPORTED, warning=True),
            id="etag-local-source-target-kms",
        ),
        pytest.param(
            mode_of(ETAG, S3_TO_S3),
            src(e_tag=E1),
            head(e_tag=E1, encryption=AES),
            None,
            HeadDecision(F, R.ETAGS_SAME),
            id="etag-same-sse-s3",
        ),
        pytest.param(
            mode_of(ETAG, S3_TO_S3),
            src(e_tag=E1, size=10),
            head(e_tag=E1, size=11),
            None,
            HeadDecision(T, R.ETAGS_SAME_SIZES_DIFFER, warning=True),
            id="etag-same-size-differs",
        ),
        pytest.param(
            mode_of(ETAG, S3_TO_S3),
            src(e_tag=E1),
            head(e_tag=E2),
            None,
            HeadDecision(T, R.ETAGS_DIFFER),
            id="etag-differ-plain-source",
        ),
        pytest.param(
            mode_of(ETAG, S3_TO_S3),
            src(e_tag=E1),
            head(e_tag=E2),
            AES,
            HeadDecision(T, R.ETAGS_DIFFER),
            id="etag-differ-sse-s3-source",
        ),
        pytest.param(
            mode_of(ETAG, S3_TO_S3),
            src(e_tag=E1),
            head(e_tag=E2),
            KMS,
            HeadDecision(F, R.SOURCE_SSE_UNSUPPORTED, warning=True),
            id="etag-differ-kms-source",
        ),
        pytest.param(
            mode_of(ETAG, S3_TO_S3),
            src(e_tag=None),
            head(e_tag=E2),
            None,
            HeadDecision(T, R.ETAG_MISSING),
            id="etag-missing",
        ),
        pytest.param(
            mode_of(ETAG, LOCAL_TO_S3),
            src(e_tag=E1),
            head(e_tag=E2),
            KMS,
            HeadDecision(T, R.ETAGS_DIFFER),
            id="etag-local-source-ignores-source-sse",
        ),
        pytest.param(
            mode_of(ETAG, S3_TO_LOCAL),
            src(e_tag=E1),
            head(e_tag=E1),
            None,
            HeadDecision(F, R.ETAGS_SAME),
            id="etag-local-target-same",
        ),
        pytest.param(
            mode_of(ETAG, S3_TO_LOCAL),
            src(e_tag=E1),
            head(e_tag=E2),
            KMS,
            HeadDecision(T, R.ETAGS_DIFFER),
            id="etag-local-target-differs-no-sse-check",
        ),
        # AlwaysDifferent: --check-etag, local target, no --head-each-target
        pytest.param(
            mode_of(ETAG, S3_TO_LOCAL, head_each_target=False),
            src(e_tag=E1),
            head(e_tag=E1),
            None,
            HeadDecision(T, R.DECIDED_BY_LISTING),
            id="etag-always-different",
        ),
        # StandardDiffDetector
        pytest.param(
            mode_of(MTIME, S3_TO_LOCAL),
            src(size=0, secs=200),
            head(size=0, secs=100),
            None,
            HeadDecision(F, R.BOTH_EMPTY),
            id="standard-both-empty",
        ),
        pytest.param(
            mode_of(MTIME, S3_TO_LOCAL),
            src(size=0, secs=200),
            head(size=1, secs=100),
            None,
            HeadDecision(T, R.SOURCE_NEWER),
            id="standard-source-empty-newer",
        ),
        pytest.param(
            mode_of(MTIME, S3_TO_LOCAL),
            src(secs=101),
            head(secs=100.9),
            None,
            HeadDecision(T, R.SOURCE_NEWER),
            id="standard-source-newer-second",
        ),
        pytest.param(
            mode_of(MTIME, S3_TO_S3),
            src(secs=100.9),
            head(secs=100),
            None,
            HeadDecision(F, R.TARGET_NOT_OLDER),
            id="standard-same-second",
        ),
        pytest.param(
            mode_of(MTIME, LOCAL_TO_S3),
            src(secs=50, size=1),
            head(secs=100, size=2),
            None,
            HeadDecision(F, R.TARGET_NOT_OLDER),
            id="standard-target-newer",
        ),
    ],
)
def test_head_says_modified(
    mode: UpdateMode,
    source: ObjectInfo,
    target: ObjectDetails | None,
    source_enc: Encryption | None,
    expected: HeadDecision,
) -> None:
    assert head_says_modified(source, target, mode, source_encryption=source_enc) == expected


@pytest.mark.parametrize(
    ("mode", "source", "target", "needed"),
    [
        pytest.param(mode_of(ETAG, S3_TO_S3), src(e_tag=E1), head(e_tag=E2), True, id="s3-s3-differ"),
        pytest.param(mode_of(ETAG, S3_TO_S3), src(e_tag=E1), head(e_tag=E1), False, id="s3-s3-same"),
        pytest.param(mode_of(ETAG, S3_TO_S3), src(e_tag=E1), None, False, id="target-missing"),
        pytest.param(
            mode_of(ETAG, S3_TO_S3),
            src(e_tag=E1),
            head(e_tag=E2, encryption=KMS),
            False,
            id="target-kms-decides",
        ),
        pytest.param(mode_of(ETAG, S3_TO_S3), src(e_tag=None), head(e_tag=E2), False, id="etag-missing"),
        pytest.param(mode_of(ETAG, LOCAL_TO_S3), src(e_tag=E1), head(e_tag=E2), False, id="local-source"),
        pytest.param(mode_of(ETAG, S3_TO_LOCAL), src(e_tag=E1), head(e_tag=E2), False, id="local-target"),
        pytest.param(mode_of(MTIME, S3_TO_S3), src(e_tag=E1), head(e_tag=E2), False, id="not-etag-detector"),
        pytest.param(
            mode_of(ETAG, S3_TO_S3, head_each_target=False),
            src(e_tag=E1),
            head(e_tag=E2),
            False,
            id="no-head-each",
        ),
    ],
)
def test_needs_source_encryption(
    mode: UpdateMode, source: ObjectInfo, target: ObjectDetails | None, needed: bool
) -> None:
    assert needs_source_encryption(source, target, mode) is needed


def test_reasons_carry_distinct_messages() -> None:
    messages = [reason.value for reason in HeadReason]
    assert len(set(messages)) == len(messages)
    assert (
        HeadReason.TARGET_SSE_UNSUPPORTED.value
        == "Object filtered. Only ServerSideEncryption::Aes256 is supported."
    )





@pytest.mark.parametrize(
    ("mode", "required"),
    [
        pytest.param(UpdateMode(ETAG, auto_chunksize=True), True, id="s3-etag-auto-chunksize"),
        pytest.param(UpdateMode(ETAG), False, id="s3-etag-listing-only"),
        pytest.param(UpdateMode(MT_ETAG), True, id="s3-mtime-and-etag"),
        pytest.param(UpdateMode(CHECKSUM), True, id="s3-checksum"),
        pytest.param(UpdateMode(MT_CHECKSUM), True, id="s3-mtime-and-checksum"),
        pytest.param(UpdateMode(CHECKSUM, remove_modified_filter=True, target_is_local=True), True,
                     id="local-remove-filter-checksum-still-heads"),
        pytest.param(UpdateMode(ETAG, remove_modified_filter=True, target_is_local=True), False,
                     id="local-remove-filter-etag-overwrites"),
    ],
)
def test_head_check_required_new_rules(mode: UpdateMode, required: bool) -> None:
    assert head_check_required(mode) is required


@pytest.mark.parametrize(
    ("mode", "detector"),
    [
        pytest.param(UpdateMode(ETAG, auto_chunksize=True), HeadDetector.ETAG, id="etag-auto-chunksize"),
        pytest.param(UpdateMode(MT_ETAG), HeadDetector.ETAG, id="mtime-and-etag"),
        pytest.param(UpdateMode(CHECKSUM), HeadDetector.CHECKSUM, id="checksum"),
        pytest.param(UpdateMode(MT_CHECKSUM, head_each_target=True), HeadDetector.CHECKSUM,
                     id="mtime-and-checksum"),
    ],
)
def test_head_detector_new_rules(mode: UpdateMode, detector: HeadDetector) -> None:
    assert head_detector(mode) is detector


C1, C2 = "AAAAAA==", "BBBBBB==-2"


@pytest.mark.parametrize(
    ("sides", "source", "target", "source_checksum", "target_checksum", "expected"),
    [
        pytest.param(S3_TO_S3, src(), head(), None, C1, HeadDecision(F, R.CHECKSUM_MISSING, True),
                     id="s3-source-missing-warns-and-skips"),
        pytest.param(S3_TO_S3, src(), head(), C1, None, HeadDecision(F, R.CHECKSUM_MISSING, True),
                     id="s3-target-missing-warns-and-skips"),
        pytest.param(LOCAL_TO_S3, src(), head(), None, None, HeadDecision(F, R.TARGET_CHECKSUM_MISSING, True),
                     id="local-source-target-missing"),
        pytest.param(S3_TO_LOCAL, src(), head(), None, None, HeadDecision(F, R.SOURCE_CHECKSUM_MISSING, True),
                     id="local-target-source-missing"),
        pytest.param(S3_TO_S3, src(), head(), C1, C1, HeadDecision(F, R.CHECKSUMS_SAME), id="same-skips"),
        pytest.param(S3_TO_S3, src(size=1), head(size=2), C1, C1,
                     HeadDecision(F, R.CHECKSUMS_SAME_SIZES_DIFFER, True), id="same-sizes-differ-warns"),
        pytest.param(LOCAL_TO_S3, src(), head(), C1, C2, HeadDecision(T, R.CHECKSUMS_DIFFER), id="differ"),
        pytest.param(S3_TO_LOCAL, src(secs=1), head(secs=100), C2, C1, HeadDecision(T, R.CHECKSUMS_DIFFER),
                     id="differ-ignores-mtime"),
    ],
)
def test_checksum_detector(
    sides: dict[str, bool],
    source: ObjectInfo,
    target: ObjectDetails,
    source_checksum: str | None,
    target_checksum: str | None,
    expected: HeadDecision,
) -> None:
    mode = UpdateMode(CHECKSUM, **sides)
    decision = head_says_modified(source, target, mode, source_checksum=source_checksum,
                                  target_checksum=target_checksum)
    assert decision == expected


@pytest.mark.parametrize(
    ("mode", "source", "target", "expected"),
    [
        pytest.param(UpdateMode(MT_ETAG, **LOCAL_TO_S3), src(e_tag=E1), head(e_tag=E1),
                     HeadDecision(F, R.ETAGS_SAME), id="mtime-and-etag-touched-only-skips"),
        pytest.param(UpdateMode(MT_ETAG, **LOCAL_TO_S3), src(e_tag=E1), head(e_tag=E2),
                     HeadDecision(T, R.ETAGS_DIFFER), id="mtime-and-etag-modified-transfers"),
        pytest.param(UpdateMode(ETAG, auto_chunksize=True, **S3_TO_LOCAL), src(e_tag=E1), head(e_tag='"UNKNOWN"'),
                     HeadDecision(T, R.ETAGS_DIFFER), id="auto-chunksize-unknown-local-etag-transfers"),
    ],
)
def test_etag_detector_under_new_rules(mode: UpdateMode, source: ObjectInfo, target: ObjectDetails,
                                       expected: HeadDecision) -> None:
    assert head_says_modified(source, target, mode) == expected
