"""Where a key lives on disk, and how OS errors become the domain's StorageError tree (the reference's path and key rules).

Key -> path mapping: leading "/"s are stripped, the rest is split on "/" and joined under the root directory.
Nothing is normalised ("a//b" stays harmless), but a key with a "." / ".." style segment is refused before any
filesystem call, so no key can reach outside the root. Keys always use "/"; paths use the OS separator. On
Windows a "\\" in a key is a separator too (as in the reference), and a segment that Windows reads as a drive or a
drive root ("C:x", "\\x") is refused as well: os.path.join would drop the root directory before it.

The root carries the disk's file-name rules (domain.local_names: Windows', macOS's or POSIX's, chosen by the
composition root): a key the disk cannot hold under its own name (`CON`, `a:b`, `jpg.` under Windows' rules) is
refused with the reason, before the drive check, which would otherwise call `a:b` a path outside the directory.
"""

from __future__ import annotations

import errno
import ntpath
import os
from collections.abc import Sequence
from dataclasses import dataclass

from s3syncpy.domain.errors import (
    AccessDeniedError,
    DirectoryTraversalError,
    ObjectNotFoundError,
    StorageError,
    UnsupportedLocalNameError,
)
from s3syncpy.domain.keys import ensure_safe_key, key_to_relative_path_parts
from s3syncpy.domain.local_names import LocalNamePolicy, key_name_problem, unstorable_message
from s3syncpy.domain.paths import LocalLocation

# errno values meaning "the path does not name an existing object": a missing entry, or a path that runs through
# a regular file ("a/b" when "a" is a file), or a dangling symlink.
_NOT_FOUND_ERRNOS = frozenset({errno.ENOENT, errno.ENOTDIR})
_ACCESS_ERRNOS = frozenset({errno.EACCES, errno.EPERM})
# Whether paths follow Windows' rules, where a key segment can name a drive (see windows_rooted_segment).
_WINDOWS_PATHS = os.sep == "\\"


def windows_rooted_segment(parts: Sequence[str]) -> bool:
    """Whether a Windows path join of these key segments would leave the directory they are joined under.

    ntpath.join restarts at any segment carrying a drive ("C:x", "C:", "\\\\server\\share") or starting at a
    drive root ("\\x"), so a key like "a/C:x" would be written relative to drive C's current directory.

    Args:
        parts: the key's segments (key_to_relative_path_parts).

    Returns:
        True when some segment is drive-qualified or rooted under Windows' rules.
    """
    return any(part.startswith("\\") or ntpath.splitdrive(part)[0] for part in parts)


@dataclass(frozen=True, slots=True)
class LocalRoot:
    """The directory keys are relative to, and for a single-file location the one file it holds.

    Attributes:
        directory: the root directory (it may not exist yet: a target is created on demand).
        single_file: the bare name of the only file listed, or None for a directory location.
        policy: the file-name rules of the disk it is on.
    """

    directory: str
    single_file: str | None = None
    policy: LocalNamePolicy = LocalNamePolicy.POSIX

    @classmethod
    def from_location(cls, location: LocalLocation, policy: LocalNamePolicy = LocalNamePolicy.POSIX) -> LocalRoot:
        """Resolve a LocalLocation.

        `single_file` may be given either as the bare file name with `path` its directory, or with `path`
        naming the file itself; both resolve to (parent directory, bare name).

        Args:
            location: the local SOURCE or TARGET.
            policy: the file-name rules of its disk.

        Returns:
            The resolved root.
        """
        if location.single_file is None:
            return cls(directory=location.path, policy=policy)
        name = os.path.basename(location.single_file)
        path = location.path
        if os.path.basename(os.path.normpath(path)) == name and not os.path.isdir(path):
            path = os.path.dirname(os.path.normpath(path)) or os.curdir
        return cls(directory=path, single_file=name, policy=policy)

    def path_of(self, key: str) -> str:
        """The filesystem path of a key (a trailing "/" in the key is kept as a trailing separator).

        Raises:
            DirectoryTraversalError: the key has a "." / ".." style segment (or, on Windows, a drive or
                drive-rooted segment).
            UnsupportedLocalNameError: a segment is a name the policy's disk cannot hold as spelled.
            StorageError: the key is empty once leading "/"s are stripped.
        """
        ensure_safe_key(key)
        parts = key_to_relative_path_parts(key)
        if not any(parts):
            raise StorageError(f"empty key {key!r} has no local path", operation="path", key=key)
        problem = key_name_problem(key, self.policy)
        if problem is not None:
            raise UnsupportedLocalNameError(unstorable_message(key, self.policy, problem))
        if _WINDOWS_PATHS and windows_rooted_segment(parts):
            raise DirectoryTraversalError(f"a object references a path outside the target directory. key={key}")
        return os.path.join(self.directory, *parts)

    def ensure_inside(self, path: str) -> None:
        """Refuse a path whose directory is reached through a symlinked directory that leads outside the root.

        The listing follows symlinked directories, so a key can name a file outside the tree; only the tree's own
        files are ours to write or delete. Callers check at the moment they act, so a directory swapped for a link
        after the listing is caught too. A link that stays inside the root is an ordinary directory of it.

        Args:
            path: a path from `path_of` (a trailing separator: the directory itself is checked).

        Raises:
            DirectoryTraversalError: the path's directory resolves outside the root.
        """
        parent = os.path.realpath(os.path.dirname(path))
        root = os.path.realpath(self.directory)
        if parent != root and not parent.startswith(os.path.join(root, "")):
            raise DirectoryTraversalError(
                f"{path} is reached through a symlinked directory outside the target directory"
            )


def is_not_found(exc: OSError) -> bool:
    """Whether an OSError means the path names nothing (missing, dangling link, or through a file)."""
    return exc.errno in _NOT_FOUND_ERRNOS


def storage_error(exc: OSError, operation: str, key: str | None, *, not_found: bool = True) -> StorageError:
    """Translate an OSError into the matching StorageError subclass (the caller raises it `from exc`).

    Args:
        exc: the error of a filesystem call.
        operation: what was attempted ("open", "write", "rename", ...).
        key: the key concerned.
        not_found: map "no such file" to ObjectNotFoundError; writers pass False, because for them a missing
            path component means a key collision (a parent is a file), not a missing object.

    Returns:
        ObjectNotFoundError, AccessDeniedError or a plain StorageError carrying the OS message.
    """
    where = exc.filename if exc.filename is not None else key
    message = f"{operation} failed for {where}: {exc.strerror or exc}"
    if not_found and is_not_found(exc):
        return ObjectNotFoundError(message, operation=operation, key=key)
    if exc.errno in _ACCESS_ERRNOS:
        return AccessDeniedError(message, operation=operation, key=key)
    return StorageError(message, operation=operation, key=key)
