"""An SSE-C key and its checks: base64 of 32 bytes, AES256, the MD5 header value computed when not given.

A pure value with its rules; the key itself never appears in repr() or in an error message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field

from s3syncpy.domain.errors import ConfigError

# The only SSE-C algorithm S3 accepts, and its key length (AES-256).
SSE_C_CHOICES: tuple[str, ...] = ("AES256",)
SSE_C_KEY_BYTES = 32


@dataclass(frozen=True, slots=True)
class CustomerKey:
    """An SSE-C key (--source-sse-c-key / --target-sse-c-key). Never shown in repr().

    Attributes:
        key: the base64-encoded 256-bit key.
        key_md5: the base64-encoded MD5 digest of the raw key; `checked()` fills it in when absent.
        algorithm: "AES256" (the only SSE-C algorithm).
    """

    key: str = field(repr=False)
    key_md5: str | None = field(default=None, repr=False)
    algorithm: str = "AES256"

    def md5(self) -> str:
        """The key's MD5 header value: `key_md5`, or computed from the decoded key when not given.

        Why always send it: botocore treats a key without an MD5 as raw bytes and base64-encodes it once more.

        Raises:
            ConfigError: the key is not valid base64 (the message never contains the key).
        """
        if self.key_md5:
            return self.key_md5
        try:
            raw = base64.b64decode(self.key, validate=True)
        except (binascii.Error, ValueError):
            raise ConfigError("the SSE-C key is not valid base64") from None
        return base64.b64encode(hashlib.md5(raw, usedforsecurity=False).digest()).decode("ascii")

    def checked(self, side: str) -> CustomerKey:
        """Validate the key and return it with its MD5 filled in.

        Args:
            side: "source" or "target", for the option names in messages.

        Returns:
            The same key with `key_md5` set.

        Raises:
            ConfigError: the algorithm is not AES256, the key is not base64 of 32 bytes, or the MD5 differs.
        """
        if self.algorithm not in SSE_C_CHOICES:
            raise ConfigError(f"invalid value '{self.algorithm}' for '--{side}-sse-c': valid choices: AES256")
        try:
            raw = base64.b64decode(self.key, validate=True)
        except (binascii.Error, ValueError):
            raise ConfigError(f"--{side}-sse-c-key must be a base64-encoded 256-bit key") from None
        if len(raw) != SSE_C_KEY_BYTES:
            raise ConfigError(f"--{side}-sse-c-key must be a base64-encoded 256-bit key (got {len(raw) * 8} bits)")
        md5 = base64.b64encode(hashlib.md5(raw, usedforsecurity=False).digest()).decode()
        if self.key_md5 is not None and self.key_md5 != md5:
            raise ConfigError(f"--{side}-sse-c-key-md5 is not the base64-encoded MD5 digest of --{side}-sse-c-key")
        return CustomerKey(key=self.key, key_md5=md5, algorithm=self.algorithm)
