"""Multipart downloads that survive an interruption (--resume): a temp file with a journal beside it.

Public API:
    ResumableDownloads(root, io_limit, max_parallel_parts, file_mode, now=time.time)
        .put(path, key, content, request) -> PutResult

A resumable download writes to a temp file named from its destination (`.s3sync-tmp-` + 16 hex digits of a hash
of the file name: the walk never lists it), and keeps `<temp name>.resume` beside it: the source's ETag, size,
version and part layout, and the parts written (each fsynced before it is recorded, so a recorded part is on
disk). An interruption (Ctrl-C, a transient failure, a kill) leaves both. The next run with --resume continues
only when the object it opened is the one journaled (same ETag, size, version and layout) and the journal is
younger than --max-resume-age; the missing parts are then read with If-Match on that ETag (every ranged GET of
an S3 source is pinned to the first response's ETag). Either way the whole temp file is verified before the
rename, exactly as a download that was never interrupted. Another object, an old journal, or a failed
verification: both files go and the download starts over.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from s3syncpy.adapters.local.atomic import TempFile, write_parts
from s3syncpy.adapters.local.hashing import TempFileDigestSource
from s3syncpy.adapters.local.paths import LocalRoot, storage_error
from s3syncpy.adapters.local.temp_files import JOURNAL_SUFFIX, TEMP_PREFIX
from s3syncpy.application.ports.storage import ObjectContent, PutRequest, PutResult
from s3syncpy.application.settings.resume_settings import ResumableSource
from s3syncpy.domain.errors import TransientStorageError

_log = logging.getLogger(__name__)
_FORMAT = 1


@dataclass(slots=True)
class _Journal:
    """What a resumable download records beside its temp file."""

    source: str
    e_tag: str | None
    version_id: str | None
    size: int
    part_sizes: list[int]
    started: float
    done: list[int] = field(default_factory=list)

    def matches(self, source: ResumableSource, part_sizes: list[int]) -> bool:
        return (
            self.source == source.source
            and self.e_tag == source.e_tag
            and self.version_id == source.version_id
            and self.size == source.size
            and self.part_sizes == part_sizes
        )


def resumable_temp_path(path: str) -> str:
    """The temp file a resumable download of `path` writes: a temp name derived from the file's name."""
    digest = hashlib.sha256(os.path.basename(path).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return os.path.join(os.path.dirname(path) or os.curdir, TEMP_PREFIX + digest)


def _read_journal(path: str) -> _Journal | None:
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
        if data.pop("format", None) != _FORMAT:
            return None
        return _Journal(**data)
    except (OSError, ValueError, TypeError):
        return None


def _write_journal(path: str, journal: _Journal) -> None:
    # Rewritten in place: a crash mid-write leaves an unreadable journal, which only means starting over.
    with open(path, "w", encoding="utf-8") as file:
        json.dump({"format": _FORMAT, **asdict(journal)}, file)


def _remove(*paths: str) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _keeps(exc: BaseException) -> bool:
    """An interruption or a transient failure keeps the temp file and its journal for the next run."""
    return isinstance(exc, (asyncio.CancelledError, TransientStorageError))


class ResumableDownloads:
    """Writes multipart downloads that a later run may continue (see the module docstring)."""

    def __init__(
        self,
        root: LocalRoot,
        io_limit: asyncio.Semaphore,
        max_parallel_parts: int,
        file_mode: int,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._root = root
        self._io_limit = io_limit
        self._max_parallel_parts = max_parallel_parts
        self._file_mode = file_mode
        self._now = now

    def _journal_for(self, temp_path: str, journal_path: str, key: str, request: PutRequest) -> _Journal | None:
        """The journal to continue, or None (any leftover of another object, or too old, is removed)."""
        source = request.resume
        assert source is not None
        journal = _read_journal(journal_path)
        if journal is None:
            _remove(journal_path)
            return None
        if not os.path.isfile(temp_path):
            message = None
        elif self._now() - journal.started > source.max_age_seconds:
            message = "dropping a kept download older than --max-resume-age; starting over."
        elif not journal.matches(source, list(request.part_sizes)):
            message = "restarting a download: the object changed since it was started."
        else:
            return journal
        if message is not None:
            _log.info(message, extra={"fields": {"key": key}})
        _remove(temp_path, journal_path)
        return None

    async def put(self, path: str, key: str, content: ObjectContent, request: PutRequest) -> PutResult:
        """Write `request.size` bytes of `content` to `path` in `request.part_sizes` parts, continuing a kept
        download of the same object; verified with `request.validate` and renamed into place as any download.

        Raises:
            TransientStorageError: the source delivered the wrong number of bytes (the files are kept).
            AccessDeniedError / StorageError: the temp file, the journal or the rename failed.
        """
        source = request.resume
        assert source is not None
        temp_path = resumable_temp_path(path)
        journal_path = temp_path + JOURNAL_SUFFIX
        part_sizes = list(request.part_sizes)
        journal = self._journal_for(temp_path, journal_path, key, request)
        try:
            if journal is None:
                _remove(temp_path)
                journal = _Journal(source.source, source.e_tag, source.version_id, source.size, part_sizes,
                                   started=self._now())
            temp = TempFile(path, self._file_mode, path=temp_path)
            _write_journal(journal_path, journal)
        except OSError as exc:
            raise storage_error(exc, "create", key, not_found=False) from exc
        done = set(journal.done)
        if done:
            kept = sum(part_sizes[index] for index in done if index < len(part_sizes))
            _log.info("resuming a download.", extra={"fields": {
                "key": key, "parts_kept": len(done), "parts_total": len(part_sizes), "bytes_kept": kept,
            }})
            # Already on disk: a progress display counts them as done.
            if request.on_bytes is not None:
                request.on_bytes(kept)

        async def recorded(index: int) -> None:
            # On disk before it is journaled: a part the journal lists is never one the cache still held.
            await temp.flush_to_disk(self._io_limit)
            journal.done.append(index)
            _write_journal(journal_path, journal)

        try:
            await write_parts(temp, content, part_sizes, self._max_parallel_parts, self._io_limit,
                              request.on_bytes, skip=done, on_part=recorded)
            await temp.flush_to_disk(self._io_limit)
            temp.close()
            if request.validate is not None:
                accepted = await request.validate(TempFileDigestSource(temp.path, request.size, self._io_limit))
                if not accepted:
                    temp.discard()
                    _remove(journal_path)
                    return PutResult(committed=False)
            self._root.ensure_inside(temp.final_path)
            temp.commit(request.mtime_ns)
            _remove(journal_path)
        except BaseException as exc:
            if _keeps(exc):
                temp.close()
                _log.warning("download kept for --resume; run again with --resume to continue it.",
                             extra={"fields": {"key": key, "reason": type(exc).__name__}})
            else:
                temp.discard()
                _remove(journal_path)
            if isinstance(exc, TransientStorageError):
                exc.key = exc.key or key
            if isinstance(exc, OSError):
                raise storage_error(exc, "write", key, not_found=False) from exc
            raise
        return PutResult(committed=True)

