"""The lean SigV4 signer produces exactly botocore's S3 signatures (no server: botocore is the oracle)."""

from __future__ import annotations

import calendar
import time

import botocore.auth
import botocore.credentials
import pytest
from botocore.awsrequest import AWSRequest

from s3syncpy.adapters.s3.lean.signing import (
    EMPTY_SHA256,
    UNSIGNED_PAYLOAD,
    FrozenCredentials,
    SigV4Signer,
    payload_sha256,
)

_NOW = calendar.timegm((2026, 11, 25, 18, 58, 40, 0, 0, 0))
_AMZ_DATE = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(_NOW))


def _botocore_authorization(
    method: str, url: str, headers: dict[str, str], credentials: FrozenCredentials, region: str
) -> str:
    """botocore's Authorization header for the same request, signed at _NOW."""
    request = AWSRequest(method=method, url=url, headers=dict(headers))
    request.context["timestamp"] = _AMZ_DATE
    auth = botocore.auth.S3SigV4Auth(
        botocore.credentials.Credentials(credentials.access_key, credentials.secret_key, credentials.token),
        "s3",
        region,
    )
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    signed = auth.signed_headers(auth.headers_to_sign(request))
    return (
        f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/{auth.credential_scope(request)}, "
        f"SignedHeaders={signed}, Signature={signature}"
    )


CASES = [
    pytest.param(
        "PUT",
        "/bkt/data/d00/f001.bin",
        "",
        {"content-md5": "1B2M2Y8AsgTpgAmY7PhCfg==", "content-type": "text/plain", "x-amz-meta-a": " x  y "},
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        None,
        id="put-with-metadata",
    ),
    pytest.param(
        "GET",
        "/bkt",
        "continuation-token=a%2Fb%3D%3D&encoding-type=url&list-type=2&max-keys=1000&prefix=data%2F%20x",
        {},
        EMPTY_SHA256,
        None,
        id="list-with-query",
    ),
    pytest.param(
        "GET",
        "/bkt/%E2%82%AC%20dir/a%2Bb~c",
        "versionId=v%2B1",
        {"range": "bytes=0-99", "if-match": '"abc"'},
        UNSIGNED_PAYLOAD,
        "session-token/with+chars==",
        id="get-unicode-key-session-token",
    ),
]


@pytest.mark.parametrize(("method", "path", "query", "extra", "payload", "token"), CASES)
def test_signature_matches_botocore(
    method: str, path: str, query: str, extra: dict[str, str], payload: str, token: str | None
) -> None:
    credentials = FrozenCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    headers = {"host": "127.0.0.1:8333", **extra}
    SigV4Signer("eu-west-1").sign(method, path, query, headers, payload, credentials, now=_NOW)

    unsigned = {k: v for k, v in headers.items() if k != "authorization"}
    url = f"http://127.0.0.1:8333{path}" + (f"?{query}" if query else "")
    expected = _botocore_authorization(method, url, unsigned, credentials, "eu-west-1")
    assert headers["authorization"] == expected
    assert headers["x-amz-date"] == _AMZ_DATE
    assert headers["x-amz-content-sha256"] == payload
    assert headers.get("x-amz-security-token") == token


def test_signing_key_follows_secret_and_day() -> None:
    signer = SigV4Signer("us-east-1")
    first = {"host": "h"}
    signer.sign("GET", "/", "", first, EMPTY_SHA256, FrozenCredentials("AK", "secret-1"), now=_NOW)
    rotated = {"host": "h"}
    signer.sign("GET", "/", "", rotated, EMPTY_SHA256, FrozenCredentials("AK", "secret-2"), now=_NOW)
    next_day = {"host": "h"}
    signer.sign(
        "GET", "/", "", next_day, EMPTY_SHA256, FrozenCredentials("AK", "secret-2"), now=_NOW + 86_400
    )
    signatures = {h["authorization"].rpartition("=")[2] for h in (first, rotated, next_day)}
    assert len(signatures) == 3
    assert "/20261126/us-east-1/s3/aws4_request" in next_day["authorization"]


def test_user_agent_is_not_signed() -> None:
    headers = {"host": "h", "user-agent": "x", "expect": "100-continue"}
    SigV4Signer("us-east-1").sign(
        "PUT", "/b/k", "", headers, EMPTY_SHA256, FrozenCredentials("A", "S"), now=_NOW
    )
    assert "SignedHeaders=host;x-amz-content-sha256;x-amz-date," in headers["authorization"]


def test_payload_sha256() -> None:
    assert payload_sha256(b"") == EMPTY_SHA256
    assert payload_sha256(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_credentials_hide_secrets_in_repr() -> None:
    text = repr(FrozenCredentials("AKID", "the-secret", "the-token"))
    assert "the-secret" not in text
    assert "the-token" not in text
