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


# What STS AssumeRole answers, as botocore logs it ("Response body:" and the bytes' repr, newlines escaped).
STS_BODY = (
    "b'<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\\n  <AssumeRoleResult>\\n"
    "    <Credentials>\\n      <AccessKeyId>ASIAFAKEACCESSKEY</AccessKeyId>\\n"
    "      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLE</SecretAccessKey>\\n"
    "      <SessionToken>FwoGZXIvYXdzEJr//////////wEaDExample+Token==</SessionToken>\\n"
    "      <Expiration>2030-01-01T00:00:00Z</Expiration>\\n    </Credentials>'"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            STS_BODY,
            STS_BODY.replace("wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLE", "***").replace(
                "FwoGZXIvYXdzEJr//////////wEaDExample+Token==", "***"),
            id="sts-xml-body"),
        pytest.param("<SessionToken>\n  tok/en==\n</SessionToken>", "<SessionToken>***</SessionToken>",
                     id="xml-value-with-whitespace"),
        pytest.param("<secretaccesskey>abc</secretaccesskey>", "<secretaccesskey>***</secretaccesskey>",
                     id="xml-any-case"),
        pytest.param('<sts:SessionToken a="1">tok</sts:SessionToken>', '<sts:SessionToken a="1">***</sts:SessionToken>',
                     id="xml-prefixed-with-attribute"),
        pytest.param("<SessionToken>tok-cut-off", "<SessionToken>***", id="xml-unclosed"),
        pytest.param("<SessionToken></SessionToken>", "<SessionToken></SessionToken>", id="xml-empty-untouched"),
        pytest.param(
            'b\'{"roleCredentials":{"accessKeyId":"ASIAFAKE","secretAccessKey":"s3cr/et+key",'
            '"sessionToken":"IQoJb3Jp/Z2lu==","expiration":1700000000000}}\'',
            'b\'{"roleCredentials":{"accessKeyId":"ASIAFAKE","secretAccessKey":"***",'
            '"sessionToken":"***","expiration":1700000000000}}\'',
            id="sso-role-credentials-json"),
        pytest.param(
            '{"Version": 1, "AccessKeyId": "AKIAFAKE", "SecretAccessKey": "abc/def", "SessionToken": "tok=", '
            '"Expiration": "2030-01-01T00:00:00Z"}',
            '{"Version": 1, "AccessKeyId": "AKIAFAKE", "SecretAccessKey": "***", "SessionToken": "***", '
            '"Expiration": "2030-01-01T00:00:00Z"}',
            id="credential-process-json"),
        pytest.param('{"AccessKeyId": "ASIA", "SecretAccessKey": "abc", "Token": "tok", "Expiration": "x"}',
                     '{"AccessKeyId": "ASIA", "SecretAccessKey": "***", "Token": "***", "Expiration": "x"}',
                     id="container-credentials-json"),
        pytest.param('{"accessToken":"aoaAAAA","refreshToken":"aorAAAA","clientSecret":"eyJraWQ"}',
                     '{"accessToken":"***","refreshToken":"***","clientSecret":"***"}', id="sso-oidc-tokens"),
        pytest.param("{'x-amz-sso_bearer_token': b'aoaAAAA'}", "{'x-amz-sso_bearer_token': b'***'}",
                     id="sso-bearer-header"),
        pytest.param("{'x-aws-ec2-metadata-token': 'AQAEAtok', 'x-aws-ec2-metadata-token-ttl-seconds': '21600'}",
                     "{'x-aws-ec2-metadata-token': '***', 'x-aws-ec2-metadata-token-ttl-seconds': '21600'}",
                     id="instance-metadata-token"),
        pytest.param("Action=AssumeRole&SecretAccessKey=abc%2Fdef&SessionToken=tok%3D%3D&Version=2011-06-15",
                     "Action=AssumeRole&SecretAccessKey=***&SessionToken=***&Version=2011-06-15",
                     id="form-encoded"),
        pytest.param("SECRETACCESSKEY=abc&sessiontoken=tok", "SECRETACCESSKEY=***&sessiontoken=***",
                     id="form-any-case"),
        pytest.param("ReadOnlyCredentials(access_key='AKIA', secret_key='abc', token='tok')",
                     "ReadOnlyCredentials(access_key='AKIA', secret_key='***', token='***')", id="credentials-repr"),
        pytest.param("{'ContinuationToken': 'abc', 'NextToken': 'def'}", "{'ContinuationToken': 'abc', 'NextToken': 'def'}",
                     id="paging-tokens-untouched"),
    ],
)
def test_secret_fields_are_redacted_in_every_body_form(text: str, expected: str) -> None:
    assert redact_secret_values(text) == expected
