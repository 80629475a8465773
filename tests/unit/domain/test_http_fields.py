"""The characters a header value and a header name may carry, one row per class of character."""

from __future__ import annotations

import pytest

from s3syncpy.domain.http_fields import control_character_in, is_token


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("text/plain; charset=utf-8", None, id="plain"),
        pytest.param("a\tb", None, id="tab-allowed"),
        pytest.param("caf\u00e9 \u65e5\u672c", None, id="non-ascii-allowed"),
        pytest.param("", None, id="empty"),
        pytest.param("a\r\nX-Injected: 1", "U+000D", id="crlf"),
        pytest.param("a\nb", "U+000A", id="lf"),
        pytest.param("a\x00", "U+0000", id="nul"),
        pytest.param("a\x1b[31m", "U+001B", id="escape"),
        pytest.param("a\x7f", "U+007F", id="del"),
    ],
)
def test_control_characters_in_a_header_value(value: str, expected: str | None) -> None:
    assert control_character_in(value) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("origin", True, id="word"),
        pytest.param("s3sync_origin-last.modified~1", True, id="marks"),
        pytest.param("", False, id="empty"),
        pytest.param("two words", False, id="space"),
        pytest.param("a:b", False, id="colon"),
        pytest.param("a\nb", False, id="lf"),
        pytest.param("caf\u00e9", False, id="non-ascii"),
    ],
)
def test_header_name_tokens(name: str, expected: bool) -> None:
    assert is_token(name) is expected
