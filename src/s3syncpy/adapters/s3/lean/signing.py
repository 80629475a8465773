"""AWS Signature Version 4 for the lean data path, in plain Python over hashlib/hmac (OpenSSL).

Public API:
    Credentials                                          protocol: access_key, secret_key, token
    FrozenCredentials(access_key, secret_key, token)     one consistent set of keys (secrets hidden from repr)
    SigV4Signer(region, service="s3")                     sign(method, path, query, headers, payload_hash, creds)
    payload_sha256(body) -> str                           the hex SHA-256 of a body (x-amz-content-sha256)
    UNSIGNED_PAYLOAD, EMPTY_SHA256

Why not awscrt's signer: measured on this machine, one aws_sign_request costs ~80 us (a native request object, its
headers and a future per call) against ~20 us here, where the derived signing key is cached per day and the
x-amz-date string per second. The S3 flavour of SigV4 is used: the path is signed exactly as sent (no
normalisation, no double encoding), as botocore's S3SigV4Auth does; tests compare signatures with botocore's.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
# botocore leaves these out of the signature: proxies and the HTTP stack may change or add them.
_UNSIGNED_HEADERS = frozenset({"expect", "user-agent", "x-amzn-trace-id", "authorization"})


class Credentials(Protocol):
    """What signing needs (botocore's ReadOnlyCredentials and FrozenCredentials both fit)."""

    @property
    def access_key(self) -> str: ...

    @property
    def secret_key(self) -> str: ...

    @property
    def token(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class FrozenCredentials:
    """One consistent set of credentials (a refreshable provider hands out a new one after each refresh)."""

    access_key: str
    secret_key: str = field(repr=False)
    token: str | None = field(default=None, repr=False)


def payload_sha256(body: bytes) -> str:
    """The hex SHA-256 of `body`, as x-amz-content-sha256 carries it."""
    return hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256


class SigV4Signer:
    """Signs requests for one region and service; caches what does not change per request."""

    def __init__(self, region: str, service: str = "s3") -> None:
        """Create a signer.

        Args:
            region: the signing region (from the endpoint resolution, e.g. "us-east-1").
            service: the signing name ("s3").
        """
        self.region = region
        self.service = service
        self._scope_tail = f"/{region}/{service}/aws4_request"
        self._date_second = -1
        self._amz_date = ""
        self._key_for: tuple[str, str] = ("", "")
        self._key = b""

    def _now(self, now: float | None) -> str:
        second = int(time.time() if now is None else now)
        if second != self._date_second:
            self._amz_date = time.strftime(_AMZ_DATE_FORMAT, time.gmtime(second))
            self._date_second = second
        return self._amz_date

    def _signing_key(self, secret: str, day: str) -> bytes:
        if self._key_for != (secret, day):
            key = hmac.digest(f"AWS4{secret}".encode(), day.encode(), "sha256")
            for part in (self.region, self.service, "aws4_request"):
                key = hmac.digest(key, part.encode(), "sha256")
            self._key, self._key_for = key, (secret, day)
        return self._key

    def sign(
        self,
        method: str,
        path: str,
        query: str,
        headers: MutableMapping[str, str],
        payload_hash: str,
        credentials: Credentials,
        *,
        now: float | None = None,
    ) -> None:
        """Add x-amz-date, x-amz-content-sha256, x-amz-security-token and Authorization to `headers`.

        Args:
            method: the HTTP method.
            path: the URL path exactly as sent (percent-encoded once).
            query: the canonical query string, exactly as sent (keys sorted, values encoded with
                `quote(value, safe="-_.~")`); "" for none.
            headers: lowercase header names -> values; every one of them except those botocore leaves out
                (user-agent, expect) is signed. The Host header must be among them.
            payload_hash: the hex SHA-256 of the body, or UNSIGNED_PAYLOAD.
            credentials: the keys to sign with.
            now: the signing time (seconds since the epoch); default: the current time.
        """
        amz_date = self._now(now)
        headers["x-amz-date"] = amz_date
        headers["x-amz-content-sha256"] = payload_hash
        if credentials.token:
            headers["x-amz-security-token"] = credentials.token
        names: Sequence[str] = sorted(n for n in headers if n not in _UNSIGNED_HEADERS)
        signed_headers = ";".join(names)
        canonical_headers = "".join(f"{n}:{' '.join(headers[n].split())}\n" for n in names)
        canonical = f"{method}\n{path}\n{query}\n{canonical_headers}\n{signed_headers}\n{payload_hash}"
        scope = amz_date[:8] + self._scope_tail
        to_sign = f"{ALGORITHM}\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        key = self._signing_key(credentials.secret_key, amz_date[:8])
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (
            f"{ALGORITHM} Credential={credentials.access_key}/{scope}, "
            f"SignedHeaders={signed_headers}, Signature={signature}"
        )
