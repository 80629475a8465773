"""The directory walk behind LocalObjectStorage.list_objects (the reference's local listing), run in worker threads.

The walk is synchronous and resumable: each `next_batch()` call (one thread hop) returns up to `batch_size`
regular files plus the warnings met on the way, so a 100k-file tree costs about a hundred thread hops, not one
per file, and warnings reach the caller on the event-loop thread.

Rules, as the reference's walkdir(follow_links = !ignore_symlinks) applies them:
* symlinks are followed by default (a linked file is a regular file, a linked directory is walked);
  with `ignore_symlinks` every symlink entry is skipped;
* a directory already on the path from the root (same st_dev/st_ino) is a loop: warned about, not entered;
* entries that vanish, and dangling symlinks, are skipped silently;
* other errors (permission denied, ELOOP, ...) become warnings "failed to list local files." for directories
  and "failed to access file." for files, and the entry is skipped;
* only regular files are returned; directories, FIFOs, sockets and devices never are;
* s3sync's own temp files and their --resume journals (temp_files.is_own_name) are never objects: in flight,
  or left by a killed run;
* an error while reading an opened directory is a StorageError: the listing cannot be completed.

A key-ordered walk (`ordered`) yields files in S3 byte order, the order of an S3 listing of the same keys: each
directory is read whole and its entries sorted by `name + "/"` for a directory and `name` for a file, and the
walk descends into a directory at its place in that order. So `a-b` comes before the files of directory `a`
("-" sorts before "/"), and `a` (a file) before them too. Memory: one sorted directory per level of the current
path, not the whole tree.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from s3syncpy.adapters.local.paths import is_not_found
from s3syncpy.adapters.local.temp_files import TEMP_PREFIX, is_own_name
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.key_range import KeyRange

LIST_WARNING = "failed to list local files."
ACCESS_WARNING = "failed to access file."
DEFAULT_BATCH_SIZE = 1000

_DirId = tuple[int, int]


class FileEntry(NamedTuple):
    """One regular file found by the walk.

    Attributes:
        key: "/"-separated path relative to the root.
        path: the path to open.
        size: st_size (of the link target for a followed symlink).
        mtime_ns: st_mtime_ns.
    """

    key: str
    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class SubDirectory:
    """A directory a one-level walk found, to be walked by a walker of its own (parallel listing).

    Attributes:
        path: the directory to walk.
        key_prefix: the keys of its files start with this ("a/b/").
        ancestors: ids of the directories on the path from the root to it, itself included (loop detection).
    """

    path: str
    key_prefix: str
    ancestors: frozenset[tuple[int, int]]


@dataclass(slots=True)
class _Frame:
    iterator: Iterator[os.DirEntry[str]] | None
    path: str
    key_prefix: str
    ancestors: frozenset[_DirId]
    subdirs: list[_Frame] = field(default_factory=list)


def warning_text(kind: str, path: str, exc: BaseException) -> str:
    """The one-line warning for a walk error: the reference's message, then where and why."""
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"{kind} path: {path}, error: {reason}"


def _is_utf8(name: str) -> bool:
    # Undecodable file names arrive with surrogate escapes; they cannot become S3 keys.
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _directory_id(path: str) -> _DirId | None:
    """(st_dev, st_ino) of a directory whose DirEntry.stat() left them zero, or None when they stay unknown.

    Windows' DirEntry.stat() always reports st_dev and st_ino as 0 (only os.stat fills them); taken as they are,
    every directory would share the id (0, 0) and the first nested one would pass for a symlink loop. One extra
    stat per directory there; elsewhere DirEntry.stat() has real ids and this is never called.
    """
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if st.st_ino else None


def _sorted_entries(scan: Iterator[os.DirEntry[str]]) -> Iterator[os.DirEntry[str]]:
    """The entries of an opened directory (read whole, then closed) in key order: a directory sorts as
    `name + "/"`, anything else as `name`."""
    try:
        entries = list(scan)
    finally:
        close = getattr(scan, "close", None)
        if close is not None:
            close()

    def sort_key(entry: os.DirEntry[str]) -> str:
        try:
            return entry.name + "/" if entry.is_dir() else entry.name
        except OSError:
            return entry.name

    entries.sort(key=sort_key)
    return iter(entries)


class DirectoryWalker:
    """A resumable depth-first walk of one directory tree. Not thread-safe beyond one `next_batch` at a time."""

    def __init__(
        self,
        root: str,
        *,
        follow_symlinks: bool = True,
        batch_size: int = DEFAULT_BATCH_SIZE,
        subdirectory: SubDirectory | None = None,
        one_level: bool = False,
        key_range: KeyRange | None = None,
        ordered: bool = False,
    ) -> None:
        """Prepare a walk of `root` (nothing is read until the first batch).

        Args:
            root: the directory to walk; a missing root lists nothing.
            follow_symlinks: False skips every symlink entry (--ignore-symlinks).
            batch_size: the most files one `next_batch` returns.
            subdirectory: walk this sub-directory found by a one-level walk instead of `root` (its keys keep their
                prefix, and symlink loops through its ancestors are still detected).
            one_level: read only the directory itself; the sub-directories found are left in `children`.
            key_range: when set, directories that cannot hold a key of the range are not read, and files
                outside it are not returned.
            ordered: yield files in key order (S3 byte order, see the module docstring); a one-level walk then
                returns its files and its `children` each in key order.
        """
        self._root = root if subdirectory is None else subdirectory.path
        self._subdirectory = subdirectory
        self._one_level = one_level
        self.children: list[SubDirectory] = []
        self._follow = follow_symlinks
        self._batch_size = batch_size
        self._key_range = key_range
        self._ordered = ordered
        self._stack: list[_Frame] = []
        self._started = False
        self._closed = False
        self._lock = threading.Lock()

    def next_batch(self) -> tuple[list[FileEntry], list[str]]:
        """Walk on until `batch_size` files are found or the tree is exhausted.

        Returns:
            (files, warnings); both empty means the walk is over.

        Raises:
            StorageError: a directory failed while being read (its entries are partly unknown).
        """
        with self._lock:
            files: list[FileEntry] = []
            warnings: list[str] = []
            if not self._closed:
                if not self._started:
                    self._started = True
                    self._push_root(warnings)
                self._fill(files, warnings)
            if self._closed:
                self._close_frames()
            return files, warnings

    def close(self) -> None:
        """Release open directory handles; safe to call while a batch runs in another thread."""
        self._closed = True
        # A batch running elsewhere holds the lock and closes the frames itself when it sees the flag.
        if self._lock.acquire(blocking=False):
            try:
                self._close_frames()
            finally:
                self._lock.release()

    def _close_frames(self) -> None:
        for frame in self._stack:
            close = getattr(frame.iterator, "close", None)
            if close is not None:
                close()
        self._stack.clear()

    def _push_root(self, warnings: list[str]) -> None:
        sub = self._subdirectory
        if sub is not None:
            self._stack.append(_Frame(None, sub.path, sub.key_prefix, sub.ancestors))
            return
        try:
            st = os.stat(self._root)
        except OSError as exc:
            if not is_not_found(exc):
                warnings.append(warning_text(LIST_WARNING, self._root, exc))
            return
        if not stat.S_ISDIR(st.st_mode):
            warnings.append(f"{LIST_WARNING} path: {self._root}, error: not a directory")
            return
        self._stack.append(_Frame(None, self._root, "", frozenset({(st.st_dev, st.st_ino)})))

    def _fill(self, files: list[FileEntry], warnings: list[str]) -> None:
        while self._stack and len(files) < self._batch_size and not self._closed:
            frame = self._stack[-1]
            if frame.iterator is None:
                try:
                    frame.iterator = os.scandir(frame.path)
                except OSError as exc:
                    self._stack.pop()
                    if not is_not_found(exc):
                        warnings.append(warning_text(LIST_WARNING, frame.path, exc))
                    continue
                if self._ordered:
                    try:
                        frame.iterator = _sorted_entries(frame.iterator)
                    except OSError as exc:
                        # As below: an opened directory that fails while being read leaves the listing incomplete.
                        raise StorageError(warning_text(LIST_WARNING, frame.path, exc), operation="list") from exc
            try:
                exhausted = self._scan(frame, files, warnings)
            except OSError as exc:
                # Reading an opened directory failed (an I/O error, a dropped network mount): part of it is
                # unknown, and a listing that looks complete would let --delete remove its files' copies.
                raise StorageError(warning_text(LIST_WARNING, frame.path, exc), operation="list") from exc
            if exhausted:
                self._stack.pop()
                close = getattr(frame.iterator, "close", None)
                if close is not None:
                    close()
                if self._one_level:
                    self.children.extend(SubDirectory(d.path, d.key_prefix, d.ancestors) for d in frame.subdirs)
                else:
                    self._stack.extend(reversed(frame.subdirs))

    def _scan(self, frame: _Frame, files: list[FileEntry], warnings: list[str]) -> bool:
        """Read entries of one directory until the batch is full; True when the directory is exhausted.

        A key-ordered walk stops at each sub-directory (False) after putting it on the stack, so it is walked
        before the entries after it.
        """
        # The per-entry path is the hot loop of a 100k-file listing: locals instead of attribute lookups.
        assert frame.iterator is not None
        follow = self._follow
        prefix = frame.key_prefix
        append = files.append
        limit = self._batch_size
        key_range = self._key_range
        descend = self._ordered and not self._one_level
        s_isdir, s_isreg, access, r_ok = stat.S_ISDIR, stat.S_ISREG, os.access, os.R_OK
        for entry in frame.iterator:
            name = entry.name
            try:
                if not follow and entry.is_symlink():
                    continue
                st = entry.stat()
            except OSError as exc:
                # A dangling link or a file deleted since the directory was read: nothing to list.
                if not is_not_found(exc):
                    warnings.append(warning_text(ACCESS_WARNING, entry.path, exc))
                continue
            if not name.isascii() and not _is_utf8(name):
                warnings.append(f"{ACCESS_WARNING} path: {entry.path!r}, error: the name is not valid UTF-8")
                continue
            mode = st.st_mode
            if s_isreg(mode):
                path = entry.path
                if name.startswith(TEMP_PREFIX) and is_own_name(name):
                    continue
                # The reference opens each file to check it; access() asks the same question in one syscall.
                if key_range is not None and not key_range.contains(prefix + name):
                    continue
                if not access(path, r_ok):
                    warnings.append(f"{ACCESS_WARNING} path: {path}, error: permission denied")
                    continue
                append(FileEntry(prefix + name, path, st.st_size, st.st_mtime_ns))
                if len(files) >= limit:
                    return False
            elif s_isdir(mode):
                if key_range is not None and not key_range.may_hold_prefix(f"{prefix}{name}/"):
                    continue
                dir_id = (st.st_dev, st.st_ino) if st.st_ino else _directory_id(entry.path)
                if dir_id is None:
                    # Not identifiable: walked without loop detection rather than not at all.
                    ancestors = frame.ancestors
                elif dir_id in frame.ancestors:
                    warnings.append(f"{LIST_WARNING} path: {entry.path}, error: symlink loop detected")
                    continue
                else:
                    ancestors = frame.ancestors | {dir_id}
                subdir = _Frame(None, entry.path, f"{prefix}{name}/", ancestors)
                if descend:
                    self._stack.append(subdir)
                    return False
                frame.subdirs.append(subdir)
        return True
