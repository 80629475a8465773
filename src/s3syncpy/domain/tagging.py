"""Tag and metadata serialisation as the reference writes it (behaviour §4.2).

URL encoding follows the Rust `urlencoding` crate: everything but A-Z a-z 0-9 - _ . ~ becomes %XX (UTF-8 bytes),
space included (%20).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

_SAFE = "-_.~"


def url_encode(text: str) -> str:
    """Percent-encode like the `urlencoding` crate."""
    return quote(text, safe=_SAFE)


def encode_tagging(tags: Mapping[str, str]) -> str:
    """The x-amz-tagging header value: `urlenc(k)=urlenc(v)` joined by "&", in the given (source) order."""
    return "&".join(f"{url_encode(k)}={url_encode(v)}" for k, v in tags.items())


def format_tags(tags: Mapping[str, str]) -> str:
    """Tags for the tag regex filters and reports: sorted by key, then encoded as in encode_tagging."""
    return "&".join(f"{url_encode(k)}={url_encode(tags[k])}" for k in sorted(tags))


def format_metadata(metadata: Mapping[str, str]) -> str:
    """User metadata for the metadata regex filters: sorted keys, `key=urlenc(value)` joined by ","."""
    return ",".join(f"{k}={url_encode(metadata[k])}" for k in sorted(metadata))
