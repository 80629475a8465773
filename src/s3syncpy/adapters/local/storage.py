"""LocalObjectStorage: the ObjectStorage port over a local directory (the reference's local file handling).

Listing walks the tree in worker threads (adapters.local.walk), writes are atomic temp-file renames
(adapters.local.atomic), reads are positional reads on one descriptor (adapters.local.content). Keys are checked
against directory traversal before any filesystem call that takes a key.

Warnings (unreadable files, unlistable directories, symlink loops) are not exceptions: the listing skips the
entry and passes one line to `on_warning`, which the sync service counts (they make the run exit 3).

Keys the disk cannot hold under their own name (its LocalNamePolicy: Windows' reserved names and characters, and
on a case-insensitive disk a second spelling of a name already there, adapters.local.case_twins) are refused with
UnsupportedLocalNameError before anything is written or deleted; the object syncer makes that a warning.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from s3syncpy.adapters.listing_fanout import Level, ListNode, fan_out, ordered_fan_out
from s3syncpy.adapters.local.atomic import TempFile, default_file_mode, write_parts, write_stream
from s3syncpy.adapters.local.case_twins import CaseTwins
from s3syncpy.adapters.local.content import LocalContent, guess_content_type
from s3syncpy.adapters.local.hashing import TempFileDigestSource, file_digests, hash_entries
from s3syncpy.adapters.local.paths import LocalRoot, is_not_found, storage_error
from s3syncpy.adapters.local.resumable_download import ResumableDownloads
from s3syncpy.adapters.local.temp_files import remove_stale_temp_files
from s3syncpy.adapters.local.walk import (
    ACCESS_WARNING,
    DirectoryWalker,
    FileEntry,
    SubDirectory,
    warning_text,
)
from s3syncpy.application.ports.storage import (
    FileDigests,
    ListingOptions,
    ObjectContent,
    ObjectStorage,
    PutRequest,
    PutResult,
    StorageFeatures,
)
from s3syncpy.domain.errors import (
    DirectoryTraversalError,
    ObjectNotFoundError,
    StorageError,
    TransientStorageError,
    UnsupportedLocalNameError,
)
from s3syncpy.domain.key_range import KeyRange
from s3syncpy.domain.keys import key_to_relative_path_parts
from s3syncpy.domain.local_names import LocalNamePolicy, policy_for_platform
from s3syncpy.domain.model import ChecksumAlgorithm, ObjectDetails, ObjectInfo, SystemMetadata
from s3syncpy.domain.paths import LocalLocation

_log = logging.getLogger(__name__)

DEFAULT_IO_CONCURRENCY = 8
DEFAULT_PARALLEL_PARTS = 16

WarningSink = Callable[[str], None]


_FILE_TREE_FEATURES = StorageFeatures(
    has_etags=False,
    stores_checksums=False,
    supports_parts=False,
    computes_digests=True,
    stores_directories=True,
    sets_mtime=True,
    validates_before_commit=True,
    supports_tagging=False,
    supports_versioning=False,
    supports_server_side_copy=False,
)


def _subdirectory_key(node: SubDirectory | None) -> str:
    """The key prefix of a directory the parallel walk lists (the root is never a child)."""
    return node.key_prefix if node is not None else ""


class LocalObjectStorage(ObjectStorage):
    """A local directory (or one file) seen as an object storage."""

    def __init__(
        self,
        location: LocalLocation,
        *,
        ignore_symlinks: bool = False,
        guess_mime_type: bool = True,
        max_parallel_io: asyncio.Semaphore | None = None,
        max_parallel_parts: int = DEFAULT_PARALLEL_PARTS,
        on_warning: WarningSink | None = None,
        walk_batch_size: int = 1000,
        path_policy: LocalNamePolicy | None = None,
    ) -> None:
        """Set up the storage (nothing is touched on disk until the first call).

        Args:
            location: the directory, or a single file (LocalLocation.single_file), keys are relative to.
            ignore_symlinks: skip symlinks while listing (--ignore-symlinks); by default they are followed.
            guess_mime_type: give read objects a Content-Type from their extension (False: --no-guess-mime-type).
            max_parallel_io: bounds the worker threads this storage uses for hashing and large reads/writes;
                share one semaphore between storages to bound the whole run. Default: a private one of 8.
            max_parallel_parts: parts fetched at once by one multipart put (--max-parallel-uploads).
            on_warning: receives one line per listing warning ("failed to list local files. ...",
                "failed to access file. ..."); by default they are logged at WARNING level.
            walk_batch_size: files the walker returns per thread hop.
            path_policy: the file-name rules of the disk (None: those of the platform this runs on).
        """
        policy = path_policy if path_policy is not None else policy_for_platform(os.name, sys.platform)
        self._root = LocalRoot.from_location(location, policy)
        # Only a case-insensitive disk needs to know which spellings its folders already hold.
        self._case_twins = CaseTwins(self._root.directory, policy) if policy.case_insensitive else None
        self._follow_symlinks = not ignore_symlinks
        self._guess_mime_type = guess_mime_type
        self._io_limit = max_parallel_io or asyncio.Semaphore(DEFAULT_IO_CONCURRENCY)
        self._max_parallel_parts = max(1, max_parallel_parts)
        self._on_warning: WarningSink = on_warning or _log.warning
        self._walk_batch_size = walk_batch_size
        self._file_mode = default_file_mode()
        # This storage's temp files being written (normalised paths): never swept as stale.
        self._in_flight: set[str] = set()
        # Folders already cleared of stale temp files in this run (each is swept once, before its first write).
        self._swept: set[str] = set()
        self._resumable = ResumableDownloads(self._root, self._io_limit, self._max_parallel_parts, self._file_mode)

    @property
    def features(self) -> StorageFeatures:
        """A directory tree: no stored ETags, checksums, parts or tags; files hashed in place, mtimes kept, and
        downloads validated in a temp file before the rename."""
        return _FILE_TREE_FEATURES

    @property
    def root(self) -> str:
        """The directory keys are relative to."""
        return self._root.directory

    def describe(self, key: str) -> str:
        """The file path of `key` (shown as-is when the key cannot be mapped)."""
        try:
            return self._root.path_of(key)
        except (DirectoryTraversalError, UnsupportedLocalNameError, StorageError):
            return os.path.join(self._root.directory, key)

    async def list_objects(self, options: ListingOptions) -> AsyncIterator[ObjectInfo]:
        """Yield every regular file under the root (directories never), in walk order (key order with
        `options.key_order`).

        With options.etag_threshold and etag_chunksize set, each file's ETag is computed (--check-etag).
        """
        if self._root.single_file is not None:
            async for entries in self._single_file_batches():
                for info in await self._infos(entries, options):
                    yield info
            return
        if options.parallel:
            lister = self._directory_lister(options)
            listing = (
                ordered_fan_out(None, lister, _subdirectory_key, parallel=options.parallel_listings,
                                max_depth=options.parallel_depth)
                if options.key_order
                else fan_out(None, lister, parallel=options.parallel_listings, max_depth=options.parallel_depth)
            )
            # Closed with this generator, so a consumer that stops early also stops the listings in flight.
            async with contextlib.aclosing(listing):
                async for info in listing:
                    yield info
            return
        async for entries in self._walk_batches(self._walker(options.key_range, ordered=options.key_order)):
            for info in await self._infos(entries, options):
                yield info

    def _directory_lister(self, options: ListingOptions) -> ListNode[SubDirectory | None]:
        """Lists one directory (None: the root) for the parallel fan-out: a walker of its own, in threads."""

        async def list_directory(node: SubDirectory | None, one_level: bool) -> AsyncIterator[Level[Any]]:
            walker = self._walker(options.key_range, node, one_level, ordered=options.key_order)
            if options.key_order and one_level:
                # The ordered fan-out places each child between the files around it: one page with both.
                infos: list[ObjectInfo] = []
                async for entries in self._walk_batches(walker):
                    infos.extend(await self._infos(entries, options))
                yield Level(infos, list(walker.children))
                return
            async for entries in self._walk_batches(walker):
                yield Level(await self._infos(entries, options))
            yield Level(children=list(walker.children))

        return list_directory

    async def _infos(self, entries: list[FileEntry], options: ListingOptions) -> list[ObjectInfo]:
        """Listing entries as objects, each with its ETag computed in --check-etag mode."""
        if options.etag_threshold is not None and options.etag_chunksize is not None:
            return await hash_entries(
                entries, options.etag_threshold, options.etag_chunksize, self._io_limit, self._on_warning
            )
        return [ObjectInfo(key=entry.key, size=entry.size, mtime_ns=entry.mtime_ns) for entry in entries]

    def _walker(
        self,
        key_range: KeyRange | None,
        subdirectory: SubDirectory | None = None,
        one_level: bool = False,
        *,
        ordered: bool = False,
    ) -> DirectoryWalker:
        return DirectoryWalker(
            self._root.directory,
            follow_symlinks=self._follow_symlinks,
            batch_size=self._walk_batch_size,
            subdirectory=subdirectory,
            one_level=one_level,
            key_range=key_range,
            ordered=ordered,
        )

    async def _walk_batches(self, walker: DirectoryWalker) -> AsyncIterator[list[FileEntry]]:
        # The next batch is walked in a thread while the caller consumes the current one.
        upcoming = asyncio.ensure_future(asyncio.to_thread(walker.next_batch))
        try:
            while True:
                files, warnings = await upcoming
                for line in warnings:
                    self._on_warning(line)
                if not files and not warnings:
                    return
                upcoming = asyncio.ensure_future(asyncio.to_thread(walker.next_batch))
                if files:
                    yield files
        finally:
            upcoming.cancel()
            walker.close()

    async def _single_file_batches(self) -> AsyncIterator[list[FileEntry]]:
        name = self._root.single_file
        assert name is not None
        path = os.path.join(self._root.directory, name)
        try:
            st = os.stat(path)
        except OSError as exc:
            if not is_not_found(exc):
                self._on_warning(warning_text(ACCESS_WARNING, path, exc))
            return
        if stat.S_ISREG(st.st_mode):
            yield [FileEntry(name, path, st.st_size, st.st_mtime_ns)]

    def _stat(self, path: str, key: str, operation: str) -> os.stat_result | None:
        try:
            return os.stat(path)
        except OSError as exc:
            if is_not_found(exc):
                return None
            raise storage_error(exc, operation, key) from exc

    def _head(self, key: str) -> ObjectDetails | None:
        """Stat the file of `key`.

        A directory is not an object, except that a key ending in "/" whose directory exists reports size 0
        (the reference's directory-marker check, so a synced marker is skipped next time).

        Raises:
            DirectoryTraversalError: the key has a "." / ".." segment.
            AccessDeniedError / StorageError: the stat failed for another reason than absence.
        """
        path = self._root.path_of(key)
        st = self._stat(path, key, "stat")
        if st is None:
            return None
        if key.endswith("/"):
            if not stat.S_ISDIR(st.st_mode):
                return None
            return ObjectDetails(info=ObjectInfo(key=key, size=0, mtime_ns=st.st_mtime_ns))
        if not stat.S_ISREG(st.st_mode):
            return None
        return ObjectDetails(
            info=ObjectInfo(key=key, size=st.st_size, mtime_ns=st.st_mtime_ns), metadata=self._metadata(key)
        )

    async def head_object(
        self, key: str, *, version_id: str | None = None, part_number: int | None = None
    ) -> ObjectDetails | None:
        """Stat the file of `key` (see _head); `part_number` is ignored: files have no parts.

        Raises:
            DirectoryTraversalError: the key has a "." / ".." segment.
            AccessDeniedError / StorageError: the stat failed for another reason than absence.
        """
        return self._head(key)

    async def compute_digests(
        self,
        key: str,
        part_sizes: Sequence[int],
        algorithm: ChecksumAlgorithm | None = None,
        full_object: bool = False,
    ) -> FileDigests | None:
        """Hash the file of `key` cut into `part_sizes` (one read, in a worker thread).

        This is how a local file is compared with an S3 object's ETag or additional checksum under the S3
        object's own layout (--check-additional-checksum, --check-etag --auto-chunksize, the reference's HEAD-based update check).

        Args:
            key: the file's key.
            part_sizes: the layout; they must add up to the file's size.
            algorithm: the additional checksum per part (None: MD5 only).
            full_object: also the CRC of the whole file (CRC algorithms).

        Returns:
            The digests (never None for a local storage).

        Raises:
            DirectoryTraversalError: the key has a "." / ".." segment.
            ObjectNotFoundError: the file does not exist.
            ValueError: the part sizes do not add up to the file's size (it changed since it was listed).
            AccessDeniedError / StorageError: the file cannot be read.
        """
        path = self._root.path_of(key)
        try:
            async with self._io_limit:
                return await asyncio.to_thread(file_digests, path, part_sizes, algorithm, full_object)
        except OSError as exc:
            raise storage_error(exc, "read", key) from exc

    def _metadata(self, key: str) -> SystemMetadata:
        if not self._guess_mime_type:
            return SystemMetadata()
        return SystemMetadata(content_type=guess_content_type(key))

    async def open_content(
        self, info: ObjectInfo, *, first_range: tuple[int, int] | None = None
    ) -> ObjectContent:
        """Open the file of `info.key` for reading (first_range is irrelevant for files: reads are ranged).

        Raises:
            DirectoryTraversalError: the key has a "." / ".." segment.
            ObjectNotFoundError: the file is gone or is not a regular file.
            AccessDeniedError / StorageError: it cannot be opened.
        """
        path = self._root.path_of(info.key)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
        except OSError as exc:
            raise storage_error(exc, "open", info.key) from exc
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise ObjectNotFoundError(f"{path} is not a regular file", operation="open", key=info.key)
        except BaseException:
            os.close(fd)
            raise
        details = ObjectDetails(
            info=ObjectInfo(key=info.key, size=st.st_size, mtime_ns=st.st_mtime_ns),
            metadata=self._metadata(info.key),
        )
        return LocalContent(fd, path, details, self._io_limit)

    async def get_object_tagging(self, key: str, *, version_id: str | None = None) -> dict[str, str]:
        """Files have no tags."""
        return {}

    async def reserve_key(self, key: str) -> None:
        """Refuse a key this disk cannot hold under its own name, before the source is read (see put_object's
        UnsupportedLocalNameError); on a case-insensitive disk the key's spelling is claimed for this run.

        Raises:
            UnsupportedLocalNameError: as put_object.
            DirectoryTraversalError: the key has a "." / ".." segment (a symlinked directory is checked when
                writing).
        """
        self._root.path_of(key)
        if self._case_twins is not None:
            await self._case_twins.claim(key, key_to_relative_path_parts(key), self._io_limit)

    async def put_object(self, key: str, content: ObjectContent, request: PutRequest) -> PutResult:
        """Write `request.size` bytes from `content` to the file of `key`, atomically.

        A key ending in "/" with size 0 creates that directory and nothing else. Otherwise the bytes go to a
        temp file beside the destination (one stream when request.part_sizes is empty, else the parts fetched
        concurrently with read_range), `request.validate` is awaited on it, and only when it accepts is the file
        given `request.mtime_ns` and renamed into place. The temp file never survives an error or cancellation.
        Before the first write into a folder, temp files a killed run left there over an hour ago are removed.
        With `request.resume` a multipart download is written by ResumableDownloads instead (its temp file and
        journal survive an interruption, and a later run continues them).

        Returns:
            PutResult(committed=False) when validation refused the bytes (the old file is untouched), else
            PutResult(committed=True) without digests (local targets verify through `validate`).

        Raises:
            DirectoryTraversalError: the key has a "." / ".." segment, or its directory is reached through a
                symlinked directory that leads outside the root (nothing is written).
            UnsupportedLocalNameError: the disk cannot hold the key's name (a name its policy refuses, or a case
                twin of a name already there or written in this run); nothing is written.
            TransientStorageError: the source delivered a different number of bytes than request.size.
            AccessDeniedError / StorageError: a directory, the temp file, or the rename failed (for example when
                the key collides with an existing directory, or a parent path is a file).
        """
        path = self._root.path_of(key)
        # As for deletes: nothing is created through a symlinked directory that leads outside the tree.
        self._root.ensure_inside(path)
        if self._case_twins is not None:
            await self._case_twins.claim(key, key_to_relative_path_parts(key), self._io_limit)
        if key.endswith("/"):
            return self._put_directory(path, key, request.size)
        if request.part_sizes and sum(request.part_sizes) != request.size:
            raise StorageError(
                f"part sizes add up to {sum(request.part_sizes)} bytes, not {request.size}",
                operation="write", key=key,
            )
        await self._sweep_once(os.path.dirname(path))
        if request.resume is not None and request.part_sizes:
            return await self._resumable.put(path, key, content, request)
        try:
            temp = TempFile(path, self._file_mode)
        except OSError as exc:
            raise storage_error(exc, "create", key, not_found=False) from exc
        in_flight = os.path.normpath(temp.path)
        self._in_flight.add(in_flight)
        try:
            return await self._fill_and_commit(temp, key, content, request)
        finally:
            self._in_flight.discard(in_flight)

    async def _sweep_once(self, directory: str) -> None:
        """Remove what killed runs left in `directory` (temp files over an hour old, see temp_files.py), the
        first time this storage writes there: only folders this run writes are touched, once each."""
        folder = os.path.normpath(directory)
        if folder in self._swept:
            return
        self._swept.add(folder)
        async with self._io_limit:
            removed = await asyncio.to_thread(remove_stale_temp_files, folder, time.time(), self._in_flight)
        for path in removed:
            _log.info("removed a stale temp file left by an earlier run.", extra={"fields": {"path": path}})

    async def _fill_and_commit(self, temp: TempFile, key: str, content: ObjectContent, request: PutRequest) -> PutResult:
        try:
            written: bytes | None = None
            if request.part_sizes:
                await write_parts(
                    temp, content, request.part_sizes, self._max_parallel_parts, self._io_limit, request.on_bytes
                )
            else:
                written = await write_stream(temp, content, request.size, self._io_limit, request.on_bytes)
            await temp.flush_to_disk(self._io_limit)
            temp.close()
            if request.validate is not None:
                digest_source = TempFileDigestSource(temp.path, request.size, self._io_limit, written)
                accepted = await request.validate(digest_source)
                if not accepted:
                    temp.discard()
                    return PutResult(committed=False)
            # Again before the rename: a directory swapped for a link while the bytes arrived is caught too.
            self._root.ensure_inside(temp.final_path)
            temp.commit(request.mtime_ns)
        except TransientStorageError as exc:
            temp.discard()
            exc.key = exc.key or key
            raise
        except OSError as exc:
            temp.discard()
            raise storage_error(exc, "write", key, not_found=False) from exc
        except BaseException:
            temp.discard()
            raise
        return PutResult(committed=True)

    def _put_directory(self, path: str, key: str, size: int) -> PutResult:
        if size != 0:
            raise StorageError(f"directory marker {key!r} has {size} bytes of content", operation="mkdir", key=key)
        try:
            os.makedirs(path, exist_ok=True)
        except OSError as exc:
            raise storage_error(exc, "mkdir", key, not_found=False) from exc
        return PutResult(committed=True)

    async def delete_object(self, key: str, *, if_match: str | None = None) -> None:
        """Remove the file of `key`; a missing file, and any directory, are left alone.

        `if_match` does not apply: a file has no stored ETag (--if-match requires an S3 target).

        Raises:
            DirectoryTraversalError: the key has a "." / ".." segment, or its parent directory is reached through
                a symlinked directory that leads outside the root (nothing is removed).
            UnsupportedLocalNameError: the disk cannot hold the key's name, or (case-insensitive disk) its file is
                the one this run wrote for another spelling of the key (nothing is removed).
            AccessDeniedError / StorageError: the file exists but cannot be removed.
        """
        path = self._root.path_of(key)
        # A target-only key the listing found through a symlinked directory names a file outside the tree.
        self._root.ensure_inside(path)
        if self._case_twins is not None:
            self._case_twins.check_delete(key, key_to_relative_path_parts(key))
        try:
            st = os.lstat(path)
            if stat.S_ISDIR(st.st_mode):
                return
            os.unlink(path)
        except OSError as exc:
            if is_not_found(exc):
                return
            raise storage_error(exc, "delete", key, not_found=False) from exc
