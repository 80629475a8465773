"""The key order of one directory's entries in a key-ordered walk: a directory sorts as `name/`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from s3syncpy.adapters.local.walk import _sorted_entries


class _Entry:
    def __init__(self, name: str, is_dir: bool | None) -> None:
        self.name = name
        self._is_dir = is_dir

    def is_dir(self) -> bool:
        if self._is_dir is None:
            raise PermissionError("cannot stat")
        return self._is_dir


class _Scan:
    def __init__(self, entries: list[_Entry], fail: bool = False) -> None:
        self._entries = entries
        self._fail = fail
        self.closed = False

    def __iter__(self) -> Iterator[_Entry]:
        yield from self._entries
        if self._fail:
            raise OSError("I/O error")

    def close(self) -> None:
        self.closed = True


def test_entries_sort_in_s3_byte_order_with_directories_as_name_slash() -> None:
    scan = _Scan([_Entry("a", True), _Entry("a-b", False), _Entry("a0", True), _Entry("é", False),
                  _Entry("a.txt", False), _Entry("B", None), _Entry("😀", True)])

    names = [entry.name for entry in _sorted_entries(scan)]  # type: ignore[arg-type]

    assert names == ["B", "a-b", "a.txt", "a", "a0", "é", "😀"]
    assert scan.closed


def test_a_directory_failing_while_read_is_closed_and_the_error_raised() -> None:
    scan = _Scan([_Entry("a", False)], fail=True)

    with pytest.raises(OSError, match="I/O error"):
        _sorted_entries(scan)  # type: ignore[arg-type]
    assert scan.closed
