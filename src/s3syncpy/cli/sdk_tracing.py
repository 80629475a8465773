"""--aws-sdk-tracing: the AWS SDK's own log records (botocore, aiobotocore) through our tracing output.

The reference enables the Rust SDK's tracing targets at the chosen level. botocore logs through stdlib logging
under "botocore.*", mostly at DEBUG: the request parameters, the signed request's headers, the canonical request
it signs, the response headers. Those contain credentials-adjacent values, so every SDK record passes two filters
before it is written: the known secret values (secret keys, session tokens, SSE-C keys given on the command line
or in AWS_* variables) are replaced by `***`, and so is the value after any header or parameter whose name marks
it as secret (X-Amz-Security-Token, the SSE-C key headers, a secret access key), whatever its origin (a profile
file, an instance role), and so is the content of such a field in a response body: the temporary credentials that
STS (XML), SSO and credential processes (JSON) hand out when a profile assumes a role.
"""

from __future__ import annotations

import logging
import re

SDK_LOGGER_NAMES: tuple[str, ...] = ("botocore", "aiobotocore")

REDACTED = "***"

# Names whose value is a credential, matched case-insensitively (botocore writes `X-Amz-Security-Token` and
# `x-amz-security-token`; STS answers `SessionToken`, SSO `sessionToken`): request headers and parameters (session
# token, SSE-C keys, the SSO bearer token, the instance metadata token), and the fields of every credential document the SDK may log
# (STS XML, SSO and credential-process JSON, container credentials, SSO OIDC tokens). An access key id is not a
# secret and stays visible: it is what a user needs to tell identities apart. The bare names `token` and
# `secret_key` (container credentials, botocore's credentials repr) only count as whole words, so paging tokens
# (ContinuationToken, NextToken) stay readable.
_SECRET_NAMES = (
    r"x-amz-security-token"
    r"|x-amz-(?:copy-source-)?server-side-encryption-customer-key(?:-md5)?"
    r"|(?:CopySource)?SSECustomerKey(?:MD5)?"
    r"|(?:aws_)?secret_access_key|SecretAccessKey"
    r"|(?:aws_)?session_token|SessionToken|SecurityToken"
    r"|x-amz-sso[_-]bearer[_-]token|x-aws-ec2-metadata-token|accessToken|refreshToken|clientSecret"
    r"|(?<![\w-])(?:secret_key|token)"
)
# `name` then `:` or `=` (header dumps, dict reprs, JSON, canonical requests, form bodies), then the value up to a
# quote, comma, brace, bracket, ampersand (the next form field) or whitespace.
_NAMED_VALUE = re.compile(
    rf"(?i)((?:{_SECRET_NAMES})['\"]?\s*[:=]\s*b?['\"]?)([^'\"\s,}}\]<>&]+)"
)
# `<name ...>value` (STS and other XML bodies), the value up to the next tag, or to the end of a cut-off text.
_XML_ELEMENT = re.compile(rf"(?i)(<(?:[\w.-]+:)?(?:{_SECRET_NAMES})(?:\s[^<>]*)?>)([^<]+)")


def redact_secret_values(text: str) -> str:
    """The text with the value of every secret-named header, parameter or body field replaced by `***`."""
    text = _XML_ELEMENT.sub(lambda m: m.group(1) + REDACTED, text)
    return _NAMED_VALUE.sub(lambda m: m.group(1) + REDACTED, text)


class SecretHeaderRedactor(logging.Filter):
    """Redacts the values of secret-named headers and parameters from a record (message and exception text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drops it."""
        record.msg = redact_secret_values(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_secret_values(record.exc_text)
        return True
