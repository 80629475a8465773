"""Tag and metadata serialisation as the reference writes it (the reference's metadata and tag serialisation).

URL encoding follows the Rust `urlencoding` crate: everything but A-Z a-z 0-9 - _ . ~ becomes %XX (UTF-8 bytes),
space included (%20).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote, unquote_to_bytes

_SAFE = "-_.~"
# One URL-encoded component: unreserved characters and %XX escapes ("+" is a form-encoded space).
_ENCODED = re.compile(r"(?:[A-Za-z0-9\-_.~+]|%[0-9A-Fa-f]{2})*")


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


def decode_component(text: str) -> str:
    """One URL-encoded tag key or value, decoded ("+" is a space, as in form encoding).

    Raises:
        ValueError: it is not URL-encoded, or its bytes are not UTF-8.
    """
    if _ENCODED.fullmatch(text) is None:
        raise ValueError(f"'{text}' is not URL-encoded")
    try:
        return unquote_to_bytes(text.replace("+", "%20")).decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"'{text}' does not decode to UTF-8") from None


def parse_tagging(text: str) -> dict[str, str]:
    """The tags of a --tagging value (`k=v&k2=v2`, URL-encoded UTF-8), in order.

    Raises:
        ValueError: an empty value or key, a component that is not URL-encoded, or a tag name given twice.
    """
    if not text:
        raise ValueError("the tagging is empty")
    tags: dict[str, str] = {}
    for pair in text.split("&"):
        encoded_key, _, encoded_value = pair.partition("=")
        key = decode_component(encoded_key)
        if not key:
            raise ValueError(f"a tag has no key in '{text}'")
        if key in tags:
            raise ValueError(f"the tag name '{key}' is duplicated")
        tags[key] = decode_component(encoded_value)
    return tags


def validated_tagging(text: str) -> str:
    """A --tagging value checked by parse_tagging, returned as given (it is sent as the x-amz-tagging header).

    Raises:
        ValueError: see parse_tagging.
    """
    parse_tagging(text)
    return text
