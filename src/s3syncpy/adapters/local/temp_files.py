"""The temp files downloads are written to: a name no user file is likely to have, and removal of stale ones.

Public API:
    TEMP_PREFIX                                  every temp file's name starts with it
    is_temp_name(name) -> bool                   whether a file name is one s3sync gives its temp files
    JOURNAL_SUFFIX, is_own_name(name) -> bool    a temp file's --resume journal is `<temp name>.resume`
    create_temp_file(directory) -> (fd, path)    a new, empty temp file, opened for writing
    STALE_AFTER_SECONDS                          how old a temp file must be before another run removes it
    remove_stale_temp_files(directory, now, keep) -> removed paths

Why a distinctive name: a run killed with SIGKILL (or a power cut) cannot remove the temp file it was writing. Named
like any other hidden file (`.tmpXXXXXXXX`), it was listed as an object: uploaded by a sync of the folder back to
S3, and never cleaned up. The name is `.s3sync-tmp-` and 16 hex digits; the local walk skips exactly such names,
so they are never uploaded, counted, compared or deleted as objects, while a user's `.s3sync-tmp-notes` still is
an ordinary file.

Why an age threshold rather than "any temp file in a folder we write": two runs may write the same folder, and the
temp file of the other one is not ours to remove. A live download writes its temp file as the bytes arrive, so its
mtime stays recent; one untouched for an hour belongs to no live run (a stalled transfer is abandoned long before,
by the stalled-stream timeout). One moment breaks that: just before the rename, the temp file already carries the
object's (old) mtime. A sweep by another run at exactly that moment removes it, and the rename then fails with
"no such file": the writer reports that as transient, and its force retry downloads the object again.

A temp file kept for --resume has a journal beside it (`<temp name>.resume`, see local/resumable_download.py):
the sweep leaves such a temp file alone while its journal is younger than JOURNAL_KEPT_SECONDS (the default
--max-resume-age), and removes journals whose temp file is gone or that are older.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Container

TEMP_PREFIX = ".s3sync-tmp-"
_RANDOM_HEX_DIGITS = 16
_HEX_DIGITS = frozenset("0123456789abcdef")
_NAME_LENGTH = len(TEMP_PREFIX) + _RANDOM_HEX_DIGITS
_CREATE_ATTEMPTS = 100
STALE_AFTER_SECONDS = 3600
JOURNAL_SUFFIX = ".resume"
JOURNAL_KEPT_SECONDS = 7 * 24 * 3600


def is_temp_name(name: str) -> bool:
    """Whether `name` (a bare file name) is one create_temp_file gives: the prefix and 16 lowercase hex digits."""
    return len(name) == _NAME_LENGTH and name.startswith(TEMP_PREFIX) and _HEX_DIGITS.issuperset(
        name[len(TEMP_PREFIX):]
    )


def is_own_name(name: str) -> bool:
    """Whether `name` is s3sync's own: a temp file, or a temp file's --resume journal (never an object)."""
    name = name.removesuffix(JOURNAL_SUFFIX)
    return is_temp_name(name)


def create_temp_file(directory: str) -> tuple[int, str]:
    """Create a new empty temp file in `directory` (mode 0o600 until the caller sets the final one).

    Args:
        directory: an existing directory.

    Returns:
        (descriptor open for reading and writing, path).

    Raises:
        OSError: the file cannot be created (FileExistsError only after many random names were all taken).
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for attempt in range(_CREATE_ATTEMPTS):
        path = os.path.join(directory, TEMP_PREFIX + secrets.token_hex(_RANDOM_HEX_DIGITS // 2))
        try:
            return os.open(path, flags, 0o600), path
        except FileExistsError:
            if attempt == _CREATE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def remove_stale_temp_files(directory: str, now: float, keep: Container[str]) -> list[str]:
    """Remove the temp files in `directory` (not below it) last modified STALE_AFTER_SECONDS or more before `now`.

    Best effort: a file that cannot be examined or removed is left alone, and a missing directory holds none.

    Args:
        directory: the folder about to be written.
        now: the current wall-clock time (seconds since the epoch).
        keep: normalised paths never to remove (this run's own temp files in flight).

    Returns:
        The paths removed.
    """
    removed: list[str] = []
    cutoff_ns = int((now - STALE_AFTER_SECONDS) * 1_000_000_000)
    journal_cutoff_ns = int((now - JOURNAL_KEPT_SECONDS) * 1_000_000_000)
    try:
        scan = os.scandir(directory)
    except OSError:
        return removed
    with scan:
        entries = [entry for entry in scan if is_own_name(entry.name)]
    names = {entry.name for entry in entries}
    for entry in entries:
        with contextlib.suppress(OSError):
            # lstat: a symlink that happens to carry the name is not one of ours.
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or os.path.normpath(entry.path) in keep:
                continue
            if entry.name.endswith(JOURNAL_SUFFIX):
                temp_name = entry.name[: -len(JOURNAL_SUFFIX)]
                if temp_name in names and st.st_mtime_ns > journal_cutoff_ns:
                    continue
            elif st.st_mtime_ns > cutoff_ns or _journal_kept(entry.path, journal_cutoff_ns):
                continue
            os.unlink(entry.path)
            removed.append(entry.path)
    return removed


def _journal_kept(temp_path: str, cutoff_ns: int) -> bool:
    """Whether the temp file has a --resume journal recent enough to keep it."""
    try:
        return os.stat(temp_path + JOURNAL_SUFFIX).st_mtime_ns > cutoff_ns
    except OSError:
        return False
