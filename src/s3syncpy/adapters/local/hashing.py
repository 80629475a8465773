"""Hashing local files off the event loop: listing ETags (--check-etag, the reference's listing-based update check), digests of temp files
(download verification) and digests of stored files under a given layout (checksum update checks).

All hashing goes through the `_speedups` facade, which releases the GIL, and runs in worker threads bounded by
the storage's I/O semaphore. Small files are hashed several to a thread hop, so hashing a tree of 10 KiB files
is not dominated by hop overhead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from s3syncpy import _speedups
from s3syncpy.adapters.local.content import INLINE_READ_LIMIT
from s3syncpy.adapters.local.paths import is_not_found
from s3syncpy.adapters.local.walk import ACCESS_WARNING, FileEntry, warning_text
from s3syncpy.application.ports.storage import DigestSource, FileDigests
from s3syncpy.domain import etag
from s3syncpy.domain.model import ChecksumAlgorithm, ObjectInfo

# One thread hop hashes files until this many bytes or files are covered.
_GROUP_BYTES = 16 * 1024 * 1024
_GROUP_FILES = 64


def file_etag(path: str, size: int, threshold: int, chunksize: int) -> str:
    """The quoted ETag S3 would give this file uploaded with this threshold and chunk size (the reference's local ETag math).

    Blocking: call it from a worker thread.

    Args:
        path: the file.
        size: its listed size; the file must still have exactly this size.
        threshold: multipart threshold (size >= threshold is multipart).
        chunksize: part size.

    Returns:
        The quoted single-part or "-N" multipart ETag.

    Raises:
        OSError: the file cannot be read.
        ValueError: the file's size is no longer `size`.
    """
    layout = etag.part_sizes(size, threshold, chunksize)
    result = _speedups.hash_file_parts(path, layout or [size])
    return etag.etag_from_part_digests(result.part_md5s, multipart=bool(layout))


def _hash_group(
    entries: Sequence[FileEntry], threshold: int, chunksize: int
) -> tuple[list[ObjectInfo], list[str]]:
    infos: list[ObjectInfo] = []
    warnings: list[str] = []
    for entry in entries:
        try:
            e_tag = file_etag(entry.path, entry.size, threshold, chunksize)
        except OSError as exc:
            # Deleted since it was listed: skipped silently, as the walk itself does.
            if not is_not_found(exc):
                warnings.append(warning_text(ACCESS_WARNING, entry.path, exc))
            continue
        except ValueError:
            # Changed size between stat and hash: an ETag of other bytes would mislead the comparison, and
            # leaving the file out would let --delete remove its copy. An unknown ETag gets it transferred.
            e_tag = None
        infos.append(ObjectInfo(key=entry.key, size=entry.size, mtime_ns=entry.mtime_ns, e_tag=e_tag))
    return infos, warnings


def _groups(entries: Sequence[FileEntry]) -> list[list[FileEntry]]:
    groups: list[list[FileEntry]] = []
    current: list[FileEntry] = []
    covered = 0
    for entry in entries:
        current.append(entry)
        covered += entry.size
        if covered >= _GROUP_BYTES or len(current) >= _GROUP_FILES:
            groups.append(current)
            current, covered = [], 0
    if current:
        groups.append(current)
    return groups


async def hash_entries(
    entries: Sequence[FileEntry],
    threshold: int,
    chunksize: int,
    io_limit: asyncio.Semaphore,
    on_warning: Callable[[str], None],
) -> list[ObjectInfo]:
    """ObjectInfos with computed ETags for a batch of listed files, hashed in parallel threads.

    Files that vanished are dropped silently; files that cannot be read are dropped with a warning; files whose
    size changed since the walk are listed with an unknown ETag (e_tag None), so the update check transfers them.

    Args:
        entries: files from the walk.
        threshold / chunksize: the multipart layout the ETags assume.
        io_limit: bounds the hashing threads.
        on_warning: receives one line per unreadable file (on the event-loop thread).

    Returns:
        One ObjectInfo per readable file (the walk's size and mtime).
    """

    async def run(group: list[FileEntry]) -> tuple[list[ObjectInfo], list[str]]:
        async with io_limit:
            return await asyncio.to_thread(_hash_group, group, threshold, chunksize)

    results = await asyncio.gather(*(run(group) for group in _groups(entries)))
    infos: list[ObjectInfo] = []
    for group_infos, warnings in results:
        infos.extend(group_infos)
        for line in warnings:
            on_warning(line)
    return infos


def file_digests(
    path: str, part_sizes: Sequence[int], algorithm: ChecksumAlgorithm | None = None, full_object: bool = False
) -> FileDigests:
    """Per-part MD5s and additional checksums of a file cut into `part_sizes`, read once.

    Blocking: call it from a worker thread.

    Args:
        path: the file.
        part_sizes: the layout; they must add up to the file's size ([] means an empty file).
        algorithm: the additional checksum per part (None: MD5 only).
        full_object: also the CRC of the whole file (ignored for SHA algorithms, which have no such form).

    Returns:
        The digests.

    Raises:
        OSError: the file cannot be read.
        ValueError: the part sizes do not add up to the file's size.
    """
    options = _hash_options(algorithm, full_object)
    return _digests_of(_speedups.hash_file_parts(path, list(part_sizes) or [0], *options))


def _hash_options(algorithm: ChecksumAlgorithm | None, full_object: bool) -> tuple[str | None, bool]:
    """The (algorithm name, full-object CRC wanted) arguments of the _speedups hashers."""
    name = algorithm.value if algorithm is not None else None
    return name, full_object and algorithm not in (None, ChecksumAlgorithm.SHA1, ChecksumAlgorithm.SHA256)


def _digests_of(result: _speedups.HashResult) -> FileDigests:
    return FileDigests(
        part_md5s=list(result.part_md5s),
        part_checksums=list(result.part_checksums),
        full_checksum=result.full_checksum,
        total_size=result.total_size,
    )


class TempFileDigestSource(DigestSource):
    """Digests of a written, not yet committed file (handed to PutRequest.validate)."""

    def __init__(self, path: str, size: int, io_limit: asyncio.Semaphore, written: bytes | None = None) -> None:
        """Args:
            path: the temp file.
            size: the bytes written to it.
            io_limit: bounds the hashing threads.
            written: the bytes written, when the writer still holds them all (small files): hashed from memory
                instead of re-reading the file.
        """
        self._path = path
        self._size = size
        self._io_limit = io_limit
        self._written = written if written is not None and len(written) == size else None

    async def digests(
        self, part_sizes: Sequence[int], algorithm: ChecksumAlgorithm | None = None, full_object: bool = False
    ) -> FileDigests:
        """Hash the written bytes cut into `part_sizes`, in a worker thread.

        Raises:
            ValueError: the part sizes do not add up to the written size.
        """
        sizes = list(part_sizes)
        if sum(sizes) != self._size:
            raise ValueError(f"part sizes add up to {sum(sizes)} bytes but {self._size} were written")
        if self._written is not None:
            options = _hash_options(algorithm, full_object)
            return _digests_of(_speedups.hash_buffer_parts(self._written, sizes or [0], *options))
        if self._size <= INLINE_READ_LIMIT:
            # Hot path (every downloaded small file): hashing a few KiB inline is cheaper than the thread hop.
            return file_digests(self._path, sizes, algorithm, full_object)
        async with self._io_limit:
            return await asyncio.to_thread(file_digests, self._path, sizes, algorithm, full_object)
