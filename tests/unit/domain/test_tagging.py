"""Tag serialisation (the reference's urlencoding) and --tagging validation."""

from __future__ import annotations

import pytest

from s3syncpy.domain.tagging import encode_tagging, format_tags, parse_tagging


@pytest.mark.parametrize(
    ("tags", "encoded"),
    [
        pytest.param({"k": "v"}, "k=v", id="plain"),
        pytest.param({"a b": "c+d"}, "a%20b=c%2Bd", id="space-and-plus"),
        pytest.param({"日本": "100%"}, "%E6%97%A5%E6%9C%AC=100%25", id="unicode-and-percent"),
        pytest.param({"z": "1", "a": ""}, "z=1&a=", id="source-order-and-empty-value"),
    ],
)
def test_encode_tagging_round_trips_through_parse(tags: dict[str, str], encoded: str) -> None:
    assert encode_tagging(tags) == encoded
    assert parse_tagging(encoded) == tags


def test_format_tags_sorts_by_key() -> None:
    assert format_tags({"z": "1", "a": "2"}) == "a=2&z=1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("a=1&b=2", {"a": "1", "b": "2"}, id="two"),
        pytest.param("a+b=c+d", {"a b": "c d"}, id="form-plus-is-space"),
        pytest.param("flag", {"flag": ""}, id="no-value"),
    ],
)
def test_parse_tagging(text: str, expected: dict[str, str]) -> None:
    assert parse_tagging(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("a=1&a=2", "duplicated", id="duplicate"),
        pytest.param("a=1&&b=2", "no key", id="empty-pair"),
        pytest.param("a=x y", "not URL-encoded", id="raw-space"),
        pytest.param("a=%4", "not URL-encoded", id="short-escape"),
        pytest.param("a=%C3", "UTF-8", id="broken-utf8"),
        pytest.param("a=b=c", "not URL-encoded", id="raw-equals-in-value"),
    ],
)
def test_parse_tagging_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_tagging(text)
