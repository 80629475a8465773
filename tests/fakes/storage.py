"""InMemoryObjectStorage: the ObjectStorage port over a dict, for pipeline unit tests (passes tests/contract).

It behaves like S3 by default (directory markers are objects, ETags are MD5 / "-N" multipart ETags, LastModified
has whole-second precision) or like a local directory with `is_local=True` (markers become directories that are
never listed, keys are checked against directory traversal, the written mtime is the requested one, ETags appear
in listings only in --check-etag mode).

Test hooks: `seed()` puts an object directly, `data()` reads one back, `fail_on(operation, key, error)` makes the
next calls raise, `calls` records every operation as (operation, key).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from s3syncpy import _speedups
from s3syncpy.application.ports.storage import (
    DigestSource,
    FileDigests,
    ListingOptions,
    ObjectContent,
    ObjectStorage,
    PutRequest,
    PutResult,
)
from s3syncpy.domain import etag
from s3syncpy.domain.errors import ObjectNotFoundError, StorageError, TransientStorageError
from s3syncpy.domain.keys import ensure_safe_key
from s3syncpy.domain.model import (
    NANOS_PER_SECOND,
    ChecksumAlgorithm,
    ObjectDetails,
    ObjectInfo,
    SystemMetadata,
)
from tests.fakes.content import BytesContent

Operation = str  # "list", "head", "open", "put", "delete", "tagging"


@dataclass(slots=True)
class StoredObject:
    """One object as the fake holds it."""

    data: bytes
    mtime_ns: int
    e_tag: str
    metadata: SystemMetadata = field(default_factory=SystemMetadata)
    user_metadata: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    checksum: str | None = None


class _BufferDigests(DigestSource):
    def __init__(self, data: bytes) -> None:
        self._data = data

    async def digests(
        self, part_sizes: Sequence[int], algorithm: ChecksumAlgorithm | None = None, full_object: bool = False
    ) -> FileDigests:
        sizes = list(part_sizes) or [0]
        if sum(sizes) != len(self._data):
            raise ValueError(f"part sizes add up to {sum(sizes)} bytes but {len(self._data)} were written")
        name = algorithm.value if algorithm else None
        result = _speedups.hash_buffer_parts(self._data, sizes, name, full_object)
        return FileDigests(list(result.part_md5s), list(result.part_checksums), result.full_checksum,
                           result.total_size)


def _checksum(data: bytes, sizes: list[int], algorithm: ChecksumAlgorithm, full_object: bool,
              multipart: bool) -> str:
    """The additional checksum S3 reports (reference §2.3): plain, composite "-N", or full-object."""
    result = _speedups.hash_buffer_parts(data, sizes, algorithm.value, full_object)
    if not multipart:
        return base64.b64encode(result.part_checksums[0]).decode()
    if full_object:
        assert result.full_checksum is not None
        return base64.b64encode(result.full_checksum).decode()
    joined = b"".join(result.part_checksums)
    combined = _speedups.hash_buffer_parts(joined, [len(joined)], algorithm.value).part_checksums[0]
    return f"{base64.b64encode(combined).decode()}-{len(sizes)}"


class InMemoryObjectStorage(ObjectStorage):
    """Objects in a dict, honouring the whole port contract (atomic put, validate, not-found behaviour)."""

    def __init__(
        self,
        *,
        is_local: bool = False,
        clock: Callable[[], int] = time.time_ns,
        checksum_algorithm: ChecksumAlgorithm | None = None,
        full_object_checksum: bool = False,
        name: str = "mem://",
    ) -> None:
        """Args:
            is_local: behave like a local directory instead of an S3 prefix (see the module docstring).
            clock: current time in ns, for the mtime of written objects (S3 mode truncates it to seconds).
            checksum_algorithm: compute this additional checksum on put, like an S3 target asked for one.
            full_object_checksum: make multipart CRC checksums full-object instead of composite.
            name: the prefix describe() puts before keys.
        """
        self._is_local = is_local
        self._clock = clock
        self._algorithm = checksum_algorithm
        self._full_object = full_object_checksum or checksum_algorithm is ChecksumAlgorithm.CRC64NVME
        self._name = name
        self.objects: dict[str, StoredObject] = {}
        self.directories: set[str] = set()
        self.calls: list[tuple[Operation, str]] = []
        self._failures: dict[tuple[Operation, str], tuple[BaseException, int]] = {}

    @property
    def is_local(self) -> bool:
        return self._is_local

    # ---- test hooks -------------------------------------------------------------------------------------------

    def seed(
        self,
        key: str,
        data: bytes = b"",
        *,
        mtime_ns: int | None = None,
        part_sizes: Sequence[int] = (),
        metadata: SystemMetadata | None = None,
        user_metadata: dict[str, str] | None = None,
        tags: dict[str, str] | None = None,
        e_tag: str | None = None,
    ) -> StoredObject:
        """Store an object directly (no put_object call is recorded).

        Args:
            key: the key.
            data: the content.
            mtime_ns: its LastModified / mtime (default: the clock).
            part_sizes: the multipart layout it was "uploaded" with (changes the ETag and checksum).
            metadata / user_metadata / tags: what it carries.
            e_tag: force an ETag (default: computed from data and part_sizes).

        Returns:
            The stored object.
        """
        sizes = list(part_sizes)
        stored = StoredObject(
            data=data,
            mtime_ns=self._clock() if mtime_ns is None else mtime_ns,
            e_tag=e_tag or self._etag(data, sizes),
            metadata=metadata or SystemMetadata(),
            user_metadata=dict(user_metadata or {}),
            tags=dict(tags or {}),
            checksum=self._checksum_of(data, sizes),
        )
        self.objects[key] = stored
        return stored

    def data(self, key: str) -> bytes:
        """The content of an object (KeyError when absent)."""
        return self.objects[key].data

    def fail_on(self, operation: Operation, key: str, error: BaseException, times: int = 1) -> None:
        """Make the next `times` calls of `operation` on `key` raise `error` (key "*" matches any key)."""
        self._failures[(operation, key)] = (error, times)

    def _enter(self, operation: Operation, key: str) -> None:
        self.calls.append((operation, key))
        for slot in ((operation, key), (operation, "*")):
            if slot in self._failures:
                error, times = self._failures[slot]
                if times <= 1:
                    del self._failures[slot]
                else:
                    self._failures[slot] = (error, times - 1)
                raise error

    # ---- helpers ----------------------------------------------------------------------------------------------

    @staticmethod
    def _etag(data: bytes, sizes: list[int]) -> str:
        if not sizes:
            return etag.single_etag(hashlib.md5(data, usedforsecurity=False).digest())
        return etag.multipart_etag(_speedups.hash_buffer_parts(data, sizes).part_md5s)

    def _checksum_of(self, data: bytes, sizes: list[int]) -> str | None:
        if self._algorithm is None:
            return None
        return _checksum(data, sizes or [len(data)], self._algorithm, self._full_object, bool(sizes))

    def _check_key(self, key: str) -> None:
        if self._is_local:
            ensure_safe_key(key)
        if not key:
            raise StorageError("empty key", operation="key", key=key)

    def _details(self, key: str, stored: StoredObject) -> ObjectDetails:
        return ObjectDetails(
            info=self._info(key, stored, None),
            metadata=stored.metadata,
            user_metadata=dict(stored.user_metadata),
            checksums={self._algorithm.value: stored.checksum} if self._algorithm and stored.checksum else {},
            tag_count=len(stored.tags),
        )

    def _info(self, key: str, stored: StoredObject, options: ListingOptions | None) -> ObjectInfo:
        e_tag: str | None = stored.e_tag
        if self._is_local:
            e_tag = None
            if options and options.etag_threshold is not None and options.etag_chunksize is not None:
                sizes = etag.part_sizes(len(stored.data), options.etag_threshold, options.etag_chunksize)
                e_tag = self._etag(stored.data, sizes)
        return ObjectInfo(key=key, size=len(stored.data), mtime_ns=stored.mtime_ns, e_tag=e_tag,
                          checksum_algorithm=self._algorithm.value if self._algorithm and not self._is_local else None)

    # ---- the port ---------------------------------------------------------------------------------------------

    async def list_objects(self, options: ListingOptions) -> AsyncIterator[ObjectInfo]:
        """Yield a snapshot of the objects (sorted by key, like S3)."""
        self._enter("list", "")
        for key, stored in sorted(self.objects.items()):
            await asyncio.sleep(0)
            yield self._info(key, stored, options)

    async def head_object(self, key: str, *, version_id: str | None = None) -> ObjectDetails | None:
        """Details of the object, or None; in local mode an existing directory "x/" reports size 0."""
        self._check_key(key)
        self._enter("head", key)
        stored = self.objects.get(key)
        if stored is not None:
            return self._details(key, stored)
        if self._is_local and key.endswith("/") and key in self.directories:
            return ObjectDetails(info=ObjectInfo(key=key, size=0, mtime_ns=0))
        return None

    async def open_content(
        self, info: ObjectInfo, *, first_range: tuple[int, int] | None = None
    ) -> ObjectContent:
        """A BytesContent over the stored bytes (a snapshot: later puts do not change it)."""
        self._check_key(info.key)
        self._enter("open", info.key)
        stored = self.objects.get(info.key)
        if stored is None:
            raise ObjectNotFoundError(f"no such key {info.key!r}", operation="GetObject", key=info.key)
        return BytesContent(stored.data, self._details(info.key, stored))

    async def get_object_tagging(self, key: str, *, version_id: str | None = None) -> dict[str, str]:
        """The stored tags ({} in local mode)."""
        self._enter("tagging", key)
        stored = self.objects.get(key)
        if stored is None:
            if self._is_local:
                return {}
            raise ObjectNotFoundError(f"no such key {key!r}", operation="GetObjectTagging", key=key)
        return dict(stored.tags)

    async def put_object(self, key: str, content: ObjectContent, request: PutRequest) -> PutResult:
        """Read everything first, validate, then replace the dict entry in one step (atomic)."""
        self._check_key(key)
        self._enter("put", key)
        if self._is_local and key.endswith("/"):
            if request.size != 0:
                raise StorageError(f"directory marker {key!r} has content", operation="mkdir", key=key)
            self.directories.add(key)
            return PutResult()
        if request.part_sizes and sum(request.part_sizes) != request.size:
            raise StorageError("part sizes do not add up to the size", operation="put", key=key)
        data = await self._read_all(content, request)
        if len(data) != request.size:
            raise TransientStorageError(f"source sent {len(data)} of {request.size} bytes", operation="read", key=key)
        if request.validate is not None and not await request.validate(_BufferDigests(data)):
            return PutResult(committed=False)
        sizes = list(request.part_sizes)
        if self._is_local:
            mtime_ns = request.mtime_ns if request.mtime_ns is not None else self._clock()
        else:
            mtime_ns = self._clock() // NANOS_PER_SECOND * NANOS_PER_SECOND
        stored = StoredObject(
            data=data,
            mtime_ns=mtime_ns,
            e_tag=self._etag(data, sizes),
            metadata=request.metadata,
            user_metadata=dict(request.user_metadata),
            tags=dict(parse_qsl(request.tagging, keep_blank_values=True)) if request.tagging else {},
            checksum=self._checksum_of(data, sizes),
        )
        self.objects[key] = stored
        layout = sizes or [len(data)]
        part_md5s = list(_speedups.hash_buffer_parts(data, layout).part_md5s)
        return PutResult(committed=True, e_tag=None if self._is_local else stored.e_tag,
                         part_md5s=[] if self._is_local else part_md5s, checksum=stored.checksum)

    @staticmethod
    async def _read_all(content: ObjectContent, request: PutRequest) -> bytes:
        pieces: list[bytes] = []
        if request.part_sizes:
            offset = 0
            for size in request.part_sizes:
                pieces.append(await content.read_range(offset, size))
                offset += size
                if request.on_bytes:
                    request.on_bytes(size)
        else:
            async for chunk in content.stream(0, request.size):
                pieces.append(chunk)
                if request.on_bytes:
                    request.on_bytes(len(chunk))
        return b"".join(pieces)

    async def delete_object(self, key: str) -> None:
        """Remove the object; a missing key is fine."""
        self._check_key(key)
        self._enter("delete", key)
        self.objects.pop(key, None)

    def describe(self, key: str) -> str:
        return self._name + key
