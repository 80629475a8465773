"""What an HTTP header line can carry: the rule a metadata value must meet before it becomes a request header.

A field value is visible characters, spaces, tabs and bytes from 0x80 up; every other control character (CR and LF
above all, which would end the header line and start another) is refused by HTTP clients before they send the
request. A field name is a token: letters, digits and a few marks, no space, no separator.
"""

from __future__ import annotations

import re

# The control characters (C0 and DEL) a field value must not contain; the horizontal tab is allowed.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# tchar: ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
_TOKEN = re.compile(r"[A-Za-z0-9!#$%&'*+\-.^_`|~]+")


def control_character_in(value: str) -> str | None:
    """The first character of `value` a header value cannot carry, as `U+000A`, or None when there is none."""
    match = _CONTROL_CHARACTER.search(value)
    return None if match is None else f"U+{ord(match.group()):04X}"


def is_token(name: str) -> bool:
    """`name` can be (part of) a header name."""
    return _TOKEN.fullmatch(name) is not None
