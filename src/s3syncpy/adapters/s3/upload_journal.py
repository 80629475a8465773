"""The upload journal of --resume: one small JSON file per target key, in a per-user state folder.

Public API:
    STATE_DIR_ENV = "S3SYNCPY_STATE_DIR"
    default_state_dir() -> Path               $S3SYNCPY_STATE_DIR, else <the botocore cache folder>/resume
    JournalEntry                              what was recorded when an upload started
    UploadJournal(directory).read(bucket, key) / .record(entry) / .forget(bucket, key, upload_id)

Why a journal at all: ListMultipartUploads tells which uploads are open for a key, not who started them nor for
which bytes. An upload is continued only when the journal says this user's s3sync started it for a source of the
same path, size, mtime and part layout; any other open upload is not ours to touch.

Why one file per key: workers write entries concurrently; a file each, replaced atomically (temp file + rename),
needs no lock and survives a SIGKILL at any moment (the old entry or the new one, never half of either).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from s3syncpy.adapters.s3.model_cache import default_cache_dir

STATE_DIR_ENV = "S3SYNCPY_STATE_DIR"
_FORMAT = 1


def default_state_dir() -> Path:
    """$S3SYNCPY_STATE_DIR, else the `resume` folder of the per-user cache (also when that cache is disabled)."""
    configured = os.environ.get(STATE_DIR_ENV, "").strip()
    if configured:
        return Path(configured)
    cache = default_cache_dir()
    if cache is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        cache = Path(base) / "s3syncpy"
    return cache / "resume"


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One upload as it was started.

    Attributes:
        bucket / key: the target bucket and full key.
        upload_id: S3's id of the multipart upload.
        source: the source as described (the file's path).
        size / mtime_ns: the source file when the upload started.
        part_sizes: the layout the upload was started with.
        fingerprint: the request options that shape the parts (checksum algorithm and type, encryption).
        started: when the upload was created (seconds since the epoch).
    """

    bucket: str
    key: str
    upload_id: str
    source: str
    size: int
    mtime_ns: int
    part_sizes: list[int]
    fingerprint: str
    started: float


class UploadJournal:
    """The journal files in one folder (created private, 0700, on the first entry)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, bucket: str, key: str) -> Path:
        name = hashlib.sha256(f"{bucket}\0{key}".encode()).hexdigest()[:40]
        return self.directory / f"{name}.json"

    def read(self, bucket: str, key: str) -> JournalEntry | None:
        """The entry for the key, or None (none, unreadable, or another format: treated as none)."""
        try:
            data = json.loads(self._path(bucket, key).read_text(encoding="utf-8"))
            if data.pop("format", None) != _FORMAT:
                return None
            entry = JournalEntry(**data)
        except (OSError, ValueError, TypeError):
            return None
        return entry if entry.bucket == bucket and entry.key == key else None

    def record(self, entry: JournalEntry) -> None:
        """Write the entry, replacing the key's previous one atomically.

        Raises:
            OSError: the folder or the file cannot be written.
        """
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        data: dict[str, Any] = {"format": _FORMAT, **asdict(entry)}
        fd, temp = tempfile.mkstemp(dir=self.directory, prefix=".entry-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump(data, file)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp, self._path(entry.bucket, entry.key))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise

    def forget(self, bucket: str, key: str, upload_id: str) -> None:
        """Remove the key's entry if it still names `upload_id` (best effort: never raises)."""
        entry = self.read(bucket, key)
        if entry is None or entry.upload_id != upload_id:
            return
        with contextlib.suppress(OSError):
            self._path(bucket, key).unlink()
