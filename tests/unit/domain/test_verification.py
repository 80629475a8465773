"""Upload-side ETag verification matrix (reference §2.4) and the mismatch warning texts."""

from __future__ import annotations

import pytest

from s3syncpy.domain.model import Encryption
from s3syncpy.domain.verification import (
    CHECKSUM_MISMATCH_HELP_UPLOAD,
    CHECKSUM_MISMATCH_UPLOAD,
    ETAG_MISMATCH_DOWNLOAD,
    ETAG_MISMATCH_HELP_DOWNLOAD,
    ETAG_MISMATCH_HELP_UPLOAD,
    ETAG_MISMATCH_UPLOAD,
    Verification,
    checksum_mismatch_message,
    download_etag_mismatch_message,
    etag_mismatch_message,
    verify_checksum,
    verify_etag,
)

E1 = '"111136b1987c972de7d0808e4132423e"'
E2 = '"222236b1987c972de7d0808e13241abe"'
M1 = '"111136b1987c972de7d0808e4132423e-3"'
M2 = '"222236b1987c972de7d0808e13241abe-4"'
AES = Encryption(algorithm="AES256")
KMS = Encryption(algorithm="aws:kms", kms_key_id="key")
DSSE = Encryption(algorithm="aws:kms:dsse")
SSE_C = Encryption(customer_algorithm="AES256")

MATCH, MISMATCH, UNKNOWN = Verification.MATCH, Verification.MISMATCH, Verification.UNKNOWN


@pytest.mark.parametrize(
    ("source", "target", "src_enc", "tgt_enc", "sse_c", "no_multipart", "expected"),
    [
        pytest.param(E1, E1, None, None, False, False, MATCH, id="plain-equal"),
        pytest.param(E1, E1.strip('"'), None, None, False, False, MATCH, id="quotes-ignored"),
        pytest.param(E1, E2, None, None, False, False, MISMATCH, id="plain-different"),
        pytest.param(M1, M1, None, None, False, False, MATCH, id="multipart-equal"),
        pytest.param(M1, M2, None, None, False, False, MISMATCH, id="multipart-different"),
        pytest.param(E1, E1, AES, AES, False, False, MATCH, id="sse-s3-both"),
        pytest.param(E1, E2, AES, None, False, False, MISMATCH, id="sse-s3-source-different"),
        pytest.param(E1, E1, KMS, None, False, False, UNKNOWN, id="kms-source"),
        pytest.param(M1, M1, None, KMS, False, False, UNKNOWN, id="kms-target"),
        pytest.param(E1, E2, DSSE, DSSE, False, False, UNKNOWN, id="dsse-both"),
        pytest.param(E1, E1, None, None, True, False, UNKNOWN, id="sse-c-configured"),
        pytest.param(E1, E1, SSE_C, None, False, False, UNKNOWN, id="sse-c-object"),
        pytest.param(None, E1, None, None, False, False, UNKNOWN, id="source-missing"),
        pytest.param(E1, None, None, None, False, False, UNKNOWN, id="target-missing"),
        pytest.param(E1, E1, None, None, False, True, MATCH, id="no-multipart-verify-single-equal"),
        pytest.param(E1, E2, None, None, False, True, MISMATCH, id="no-multipart-verify-single-different"),
        pytest.param(M1, M1, None, None, False, True, UNKNOWN, id="no-multipart-verify-both-multipart"),
        pytest.param(M1, E1, None, None, False, True, UNKNOWN, id="no-multipart-verify-source-multipart"),
        pytest.param(E1, M1, None, None, False, True, UNKNOWN, id="no-multipart-verify-target-multipart"),
        pytest.param("UNKNOWN", M1, None, None, False, False, MISMATCH, id="unknown-literal-never-matches"),
    ],
)
def test_verify_etag(
    source: str | None,
    target: str | None,
    src_enc: Encryption | None,
    tgt_enc: Encryption | None,
    sse_c: bool,
    no_multipart: bool,
    expected: Verification,
) -> None:
    result = verify_etag(
        source,
        target,
        source_encryption=src_enc,
        target_encryption=tgt_enc,
        sse_c_used=sse_c,
        disable_multipart_verify=no_multipart,
    )
    assert result is expected


def test_long_help_wording() -> None:
    assert ETAG_MISMATCH_HELP_UPLOAD == (
        "e_tag mismatch. object in the target storage may be corrupted. or the current multipart_threshold or "
        "multipart_chunksize may be different when uploading to the source. To suppress this warning, please add "
        "--disable-multipart-verify command line option. To resolve this issue, please add --auto-chunksize "
        "command line option(but extra API overheads)."
    )
    assert ETAG_MISMATCH_HELP_DOWNLOAD == ETAG_MISMATCH_HELP_UPLOAD.replace("target storage", "local storage")
    assert ETAG_MISMATCH_UPLOAD == "e_tag mismatch. file in the target storage may be corrupted."
    assert ETAG_MISMATCH_DOWNLOAD == "e_tag mismatch. file in the local storage may be corrupted."


@pytest.mark.parametrize(
    ("source_is_s3", "multipart", "auto_chunksize", "expected"),
    [
        pytest.param(True, True, False, ETAG_MISMATCH_HELP_UPLOAD, id="s3-multipart-no-auto"),
        pytest.param(True, True, True, ETAG_MISMATCH_UPLOAD, id="s3-multipart-auto"),
        pytest.param(True, False, False, ETAG_MISMATCH_UPLOAD, id="s3-single"),
        pytest.param(False, True, False, ETAG_MISMATCH_UPLOAD, id="local-source"),
    ],
)
def test_etag_mismatch_message(
    source_is_s3: bool, multipart: bool, auto_chunksize: bool, expected: str
) -> None:
    message = etag_mismatch_message(
        source_is_s3=source_is_s3, source_etag_multipart=multipart, auto_chunksize=auto_chunksize
    )
    assert message == expected


@pytest.mark.parametrize(
    ("sizes_equal", "multipart", "parts_known", "expected"),
    [
        pytest.param(True, True, False, ETAG_MISMATCH_HELP_DOWNLOAD, id="likely-chunk-size"),
        pytest.param(False, True, False, ETAG_MISMATCH_DOWNLOAD, id="size-differs"),
        pytest.param(True, False, False, ETAG_MISMATCH_DOWNLOAD, id="single-part-source"),
        pytest.param(True, True, True, ETAG_MISMATCH_DOWNLOAD, id="parts-were-known"),
    ],
)
def test_download_etag_mismatch_message(
    sizes_equal: bool, multipart: bool, parts_known: bool, expected: str
) -> None:
    message = download_etag_mismatch_message(
        sizes_equal=sizes_equal, source_etag_multipart=multipart, parts_known=parts_known
    )
    assert message == expected


# ---------------------------------------------------------------- additional checksums


@pytest.mark.parametrize(
    ("source", "target", "s3", "multipart", "disable", "expected"),
    [
        pytest.param(None, "A==", True, False, False, Verification.UNKNOWN, id="source-missing"),
        pytest.param("A==", None, True, False, False, Verification.UNKNOWN, id="target-missing"),
        pytest.param("A==", "A==", False, False, False, Verification.MATCH, id="equal"),
        pytest.param("A==-2", "A==-2", True, True, True, Verification.MATCH, id="equal-even-when-disabled"),
        pytest.param("A==", "B==", False, False, False, Verification.MISMATCH, id="differ"),
        pytest.param("A==-2", "B==-3", True, True, True, Verification.UNKNOWN, id="s3-multipart-disabled"),
        pytest.param("A==-2", "B==-3", True, True, False, Verification.MISMATCH, id="s3-multipart-enabled"),
        pytest.param("A==", "B==", False, True, True, Verification.MISMATCH, id="local-source-never-suppressed"),
    ],
)
def test_verify_checksum(source: str | None, target: str | None, s3: bool, multipart: bool, disable: bool,
                         expected: Verification) -> None:
    outcome = verify_checksum(source, target, source_is_s3=s3, source_etag_multipart=multipart,
                              disable_multipart_verify=disable)
    assert outcome is expected


@pytest.mark.parametrize(
    ("s3", "multipart", "auto", "expected"),
    [
        pytest.param(True, True, False, CHECKSUM_MISMATCH_HELP_UPLOAD, id="rechunked-s3-source"),
        pytest.param(True, True, True, CHECKSUM_MISMATCH_UPLOAD, id="auto-chunksize"),
        pytest.param(True, False, False, CHECKSUM_MISMATCH_UPLOAD, id="single-part-source"),
        pytest.param(False, True, False, CHECKSUM_MISMATCH_UPLOAD, id="local-source"),
    ],
)
def test_checksum_mismatch_message(s3: bool, multipart: bool, auto: bool, expected: str) -> None:
    assert checksum_mismatch_message(source_is_s3=s3, source_etag_multipart=multipart, auto_chunksize=auto) == expected
    assert expected.startswith("additional checksum")
