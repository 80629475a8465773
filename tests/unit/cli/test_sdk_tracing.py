"""The SDK records' redaction of secret-named headers and parameters, one row per form botocore logs."""

from __future__ import annotations

import pytest

from s3syncpy.cli.sdk_tracing import redact_secret_values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("headers={'X-Amz-Security-Token': b'FQoGZXIv+/abc='}", "headers={'X-Amz-Security-Token': b'***'}",
                     id="prepared-request-bytes"),
        pytest.param("{'x-amz-security-token': 'tok'}", "{'x-amz-security-token': '***'}", id="dict-str"),
        pytest.param("x-amz-security-token:tok\nx-amz-date:2025", "x-amz-security-token:***\nx-amz-date:2025",
                     id="canonical-request"),
        pytest.param("'x-amz-server-side-encryption-customer-key': 'a2V5a2V5', "
                     "'x-amz-server-side-encryption-customer-key-MD5': 'bWQ1'",
                     "'x-amz-server-side-encryption-customer-key': '***', "
                     "'x-amz-server-side-encryption-customer-key-MD5': '***'", id="sse-c-headers"),
        pytest.param("x-amz-copy-source-server-side-encryption-customer-key:a2V5",
                     "x-amz-copy-source-server-side-encryption-customer-key:***", id="copy-source-sse-c"),
        pytest.param("params: {'SSECustomerKey': 'a2V5', 'SSECustomerKeyMD5': 'bWQ1'}",
                     "params: {'SSECustomerKey': '***', 'SSECustomerKeyMD5': '***'}", id="api-params"),
        pytest.param("aws_secret_access_key = abc/def", "aws_secret_access_key = ***", id="ini-line"),
        pytest.param("{'SecretAccessKey': 'x', 'SessionToken': 'y'}", "{'SecretAccessKey': '***', 'SessionToken': '***'}",
                     id="sts-response"),
        pytest.param("SignedHeaders=host;x-amz-security-token, Signature=abc",
                     "SignedHeaders=host;x-amz-security-token, Signature=abc", id="header-name-list-untouched"),
        pytest.param("Response headers: {'ETag': '\"abc\"'}", "Response headers: {'ETag': '\"abc\"'}", id="no-secret"),
    ],
)
def test_secret_values_are_redacted(text: str, expected: str) -> None:
    assert redact_secret_values(text) == expected
