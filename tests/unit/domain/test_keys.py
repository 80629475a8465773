"""Directory-traversal guard and key -> path segments (reference §11.1)."""

from __future__ import annotations

import pytest

from s3syncpy.domain.errors import DirectoryTraversalError
from s3syncpy.domain.keys import (
    ensure_safe_key,
    is_traversal_key,
    key_to_relative_path_parts,
    local_listing_key,
)


@pytest.mark.parametrize(
    ("key", "rejected"),
    [
        pytest.param("a/../b", True, id="parent-in-middle"),
        pytest.param("../etc/passwd", True, id="leading-parent"),
        pytest.param("./data2", True, id="leading-dot"),
        pytest.param(".", True, id="dot"),
        pytest.param("..", True, id="dotdot"),
        pytest.param("...", True, id="three-dots"),
        pytest.param(".. ", True, id="dotdot-trailing-space"),
        pytest.param("a/.  /b", True, id="dot-trailing-spaces"),
        pytest.param("dir/..", True, id="trailing-parent"),
        pytest.param("a\\..\\b", True, id="backslash-parent"),
        pytest.param("c:\\xyz\\..\\..\\etc", True, id="windows-path"),
        pytest.param("..jpg", False, id="dots-then-name"),
        pytest.param("jpg.", False, id="name-then-dot"),
        pytest.param("/xyz/test..jpg", False, id="dots-inside-name"),
        pytest.param(" ..", False, id="leading-space"),
        pytest.param("/etc/passwd", False, id="absolute-looking"),
        pytest.param("a//b", False, id="empty-segment"),
        pytest.param("dir/", False, id="directory-marker"),
        pytest.param("", False, id="empty-key"),
    ],
)
def test_traversal_guard(key: str, rejected: bool) -> None:
    assert is_traversal_key(key) is rejected
    if rejected:
        with pytest.raises(DirectoryTraversalError, match="parent directory"):
            ensure_safe_key(key)
    else:
        ensure_safe_key(key)


@pytest.mark.parametrize(
    ("key", "parts"),
    [
        pytest.param("data", ["data"], id="plain"),
        pytest.param("dir/data", ["dir", "data"], id="nested"),
        pytest.param("/data", ["data"], id="leading-slash"),
        pytest.param("///etc/passwd", ["etc", "passwd"], id="many-leading-slashes"),
        pytest.param("a//b", ["a", "", "b"], id="double-slash-kept"),
        pytest.param("dir/", ["dir", ""], id="directory-marker"),
    ],
)
def test_key_to_relative_path_parts(key: str, parts: list[str]) -> None:
    assert key_to_relative_path_parts(key) == parts


@pytest.mark.parametrize(
    ("key", "listed"),
    [
        pytest.param("a/b", "a/b", id="plain"),
        pytest.param("/a", "a", id="leading-slash"),
        pytest.param("//a", "a", id="leading-slashes"),
        pytest.param("a//b", "a/b", id="empty-segment"),
        pytest.param("dir/", "dir/", id="marker-keeps-its-slash"),
        pytest.param("/dir//", "dir/", id="marker-with-empty-segments"),
        pytest.param("/", "", id="nothing-left"),
    ],
)
def test_local_listing_key(key: str, listed: str) -> None:
    assert local_listing_key(key) == listed
