"""The rule for endpoint URLs (--source-endpoint-url, --target-endpoint-url).

The reference parses each URL option as a URL when it reads the command line and accepts only the http and https
schemes, so a mistyped endpoint is an invalid argument rather than a run that fails while it connects. The
reasons are worded as the reference's URL parser words them ("relative URL without a base", "empty host", ...).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# What a URL's scheme looks like (a letter, then letters, digits, "+", "-" or "."), followed by its ":".
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_ALLOWED_SCHEMES = frozenset({"http", "https"})
INVALID_SCHEME = "scheme must be https:// or http:// ."
# Characters no host name may contain (the URL standard's forbidden domain code points, printable ones).
_FORBIDDEN_HOST_CHARACTERS = frozenset(" #%/:<>?@[\\]^|\x7f")


def endpoint_url_problem(url: str) -> str | None:
    """Why `url` cannot be an S3 endpoint, or None when it can.

    Args:
        url: the option's value as given.

    Returns:
        A short reason ("relative URL without a base", "scheme must be https:// or http:// .", "empty host",
        "invalid port number", "invalid domain character", "invalid IPv6 address"), or None.
    """
    text = url.strip()
    if _SCHEME.match(text) is None:
        return "relative URL without a base"
    try:
        parts = urlsplit(text)
    except ValueError:
        # urlsplit refuses only an unbalanced "[" or "]" in the host part.
        return "invalid IPv6 address"
    if parts.scheme.lower() not in _ALLOWED_SCHEMES:
        return INVALID_SCHEME
    host = parts.hostname or ""
    if not host:
        return "empty host"
    try:
        parts.port  # noqa: B018 - reading it is the check: it raises on a port that is no number in 0-65535
    except ValueError:
        return "invalid port number"
    if "[" not in parts.netloc and (
        any(char in _FORBIDDEN_HOST_CHARACTERS for char in host) or any(ord(char) < 0x20 for char in host)
    ):
        return "invalid domain character"
    return None


def check_endpoint_url(url: str, option: str) -> str | None:
    """The message of an invalid endpoint URL given as `option`, or None when the URL is usable.

    Args:
        url: the option's value.
        option: the option's name, e.g. "--target-endpoint-url".

    Returns:
        "invalid value '<url>' for '<option>': <reason>", or None.
    """
    problem = endpoint_url_problem(url)
    return None if problem is None else f"invalid value '{url}' for '{option}': {problem}"
