"""InMemoryObjectStorage: the ObjectStorage port over a dict, for pipeline unit tests (passes tests/contract).

Its behaviour follows the capability flags it is given (`features`, see tests/fakes/features.py), one by one:
`stores_directories` (markers become directories that are never listed, keys are checked against directory
traversal, and a key is stored as the file it names, empty segments collapsed: `/a` is the file `a`), `sets_mtime` (the written mtime is the requested one, else whole seconds of the clock), `has_etags`
(else ETags appear in listings only in --check-etag mode), `stores_checksums`, `supports_parts`,
`computes_digests`, `supports_tagging` and `validates_before_commit`.

With `supports_parts` it also emulates what the integrity checks read from S3 (reference §2.2-2.3): objects remember the
part layout they were written (or seeded) with, `head_object(part_number=k)` describes part k with the parts
count, `get_object_parts` / `get_object_part_attributes` list the layout (the latter with per-part checksums, and
empty for single-part and full-object objects, as S3 does), and put_object reports both the checksum "S3"
computed and `sent_checksum`. With `computes_digests`, `compute_digests` hashes the stored bytes like a local file.

Test hooks: `seed()` puts an object directly, `data()` reads one back, `fail_on(operation, key, error)` makes the
next calls raise, `calls` records every operation as (operation, key), `link_copy_source()` lets `copy_object` read
another fake (server-side copy).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator, Callable, Sequence
from urllib.parse import parse_qsl

from s3syncpy import _speedups
from s3syncpy.application.ports.storage import (
    FileDigests,
    ListingOptions,
    ObjectContent,
    ObjectPart,
    ObjectStorage,
    PutRequest,
    PutResult,
    StorageFeatures,
)
from s3syncpy.application.ports.write_requests import CopyRequest, CopySource, Directive
from s3syncpy.domain import checksums, etag
from s3syncpy.domain.errors import (
    ObjectNotFoundError,
    PreconditionFailedError,
    StorageError,
    TransientStorageError,
)
from s3syncpy.domain.keys import ensure_safe_key, local_listing_key
from s3syncpy.domain.model import (
    NANOS_PER_SECOND,
    ChecksumAlgorithm,
    ObjectDetails,
    ObjectInfo,
    SystemMetadata,
)
from tests.fakes.content import BytesContent
from tests.fakes.features import OBJECT_STORE
from tests.fakes.stored import BufferDigests, StoredObject, checksum_of, digests_of

# "list", "head", "open", "put", "copy", "delete", "tagging", "put-tagging", "delete-tagging", "parts",
# "attributes", "digests"
Operation = str


class InMemoryObjectStorage(ObjectStorage):
    """Objects in a dict, honouring the whole port contract (atomic put, validate, not-found behaviour)."""

    def __init__(
        self,
        *,
        features: StorageFeatures = OBJECT_STORE,
        clock: Callable[[], int] = time.time_ns,
        checksum_algorithm: ChecksumAlgorithm | None = None,
        full_object_checksum: bool = False,
        checksum_mode: bool = True,
        name: str = "mem://",
    ) -> None:
        """Args:
            features: the capability flags to honour (see the module docstring).
            clock: current time in ns, for the mtime of written objects (S3 mode truncates it to seconds).
            checksum_algorithm: compute this additional checksum on put (and for seeded objects), like an S3
                target asked for one.
            full_object_checksum: make multipart CRC checksums full-object instead of composite (CRC64NVME
                always is; SHA algorithms ignore it).
            checksum_mode: head_object / open_content report stored checksums (S3's x-amz-checksum-mode); with
                False they report none, like S3 without ChecksumMode.
            name: the prefix describe() puts before keys.
        """
        self._features = features
        self._clock = clock
        self._algorithm = checksum_algorithm
        self._full_object = checksum_algorithm is not None and checksums.uses_full_object(
            checksum_algorithm, full_object_checksum
        )
        self._checksum_mode = checksum_mode
        self._name = name
        self.objects: dict[str, StoredObject] = {}
        self.directories: set[str] = set()
        self.calls: list[tuple[Operation, str]] = []
        self._failures: dict[tuple[Operation, str], tuple[BaseException, int]] = {}
        self._copy_sources: dict[str, InMemoryObjectStorage] = {}

    @property
    def features(self) -> StorageFeatures:
        return self._features

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
        checksum_algorithm: ChecksumAlgorithm | None = None,
        full_object_checksum: bool | None = None,
        checksum: str | None = None,
    ) -> StoredObject:
        """Store an object directly (no put_object call is recorded).

        Args:
            key: the key.
            data: the content.
            mtime_ns: its LastModified / mtime (default: the clock).
            part_sizes: the multipart layout it was "uploaded" with (changes the ETag and checksum).
            metadata / user_metadata / tags: what it carries.
            e_tag: force an ETag (default: computed from data and part_sizes).
            checksum_algorithm: the object's additional checksum algorithm (default: the storage's).
            full_object_checksum: whether a multipart CRC checksum is full-object (default: the storage's rule).
            checksum: force the stored checksum value (a corrupted object; default: computed from the data).

        Returns:
            The stored object.
        """
        sizes = list(part_sizes)
        algorithm = checksum_algorithm or self._algorithm
        flag = self._full_object if full_object_checksum is None else full_object_checksum
        full_object = algorithm is not None and checksums.uses_full_object(algorithm, flag)
        computed = None if algorithm is None else checksum_of(data, sizes, algorithm, full_object)
        stored = StoredObject(
            data=data,
            mtime_ns=self._clock() if mtime_ns is None else mtime_ns,
            e_tag=e_tag or self._etag(data, sizes),
            metadata=metadata or SystemMetadata(),
            user_metadata=dict(user_metadata or {}),
            tags=dict(tags or {}),
            checksum=checksum or computed,
            part_sizes=sizes,
            checksum_algorithm=algorithm,
            full_object=full_object,
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
        return checksum_of(data, sizes, self._algorithm, self._full_object)

    def _file_key(self, key: str) -> str:
        """The key an object is stored under: a directory tree keeps `/a` and `a//b` as the files `a`, `a/b`."""
        return local_listing_key(key) if self._features.stores_directories else key

    def _check_key(self, key: str) -> None:
        if self._features.stores_directories:
            ensure_safe_key(key)
        if not key:
            raise StorageError("empty key", operation="key", key=key)

    def _details(self, key: str, stored: StoredObject) -> ObjectDetails:
        algorithm = stored.checksum_algorithm
        show = self._checksum_mode and algorithm is not None and stored.checksum is not None
        return ObjectDetails(
            info=self._info(key, stored, None),
            metadata=stored.metadata,
            user_metadata=dict(stored.user_metadata),
            checksums={algorithm.value: stored.checksum} if show and algorithm and stored.checksum else {},
            checksum_type=stored.checksum_type if show else None,
            tag_count=len(stored.tags),
        )

    def _part_details(self, key: str, stored: StoredObject, part_number: int) -> ObjectDetails:
        """HEAD partNumber=k as S3 answers it: the part's size, the parts count, the part's composite checksum."""
        layout = stored.part_sizes or [len(stored.data)]
        if not 1 <= part_number <= len(layout):
            raise StorageError(f"InvalidPartNumber: {key!r} has no part {part_number} (HTTP 416)",
                               operation="HeadObject", key=key)
        whole = self._details(key, stored)
        size = layout[part_number - 1]
        info = ObjectInfo(key=key, size=size, mtime_ns=whole.info.mtime_ns, e_tag=whole.info.e_tag,
                          checksum_algorithm=whole.info.checksum_algorithm)
        part_checksums = stored.part_checksums()
        found: dict[str, str] = {}
        if not stored.part_sizes:
            found = dict(whole.checksums)
        elif whole.checksums and stored.checksum_type == "COMPOSITE" and stored.checksum_algorithm:
            found = {stored.checksum_algorithm.value: part_checksums[part_number - 1]}
        start = sum(layout[:part_number - 1])
        return ObjectDetails(
            info=info,
            metadata=whole.metadata,
            user_metadata=whole.user_metadata,
            checksums=found,
            checksum_type=whole.checksum_type,
            parts_count=len(stored.part_sizes) or None,
            tag_count=whole.tag_count,
            content_range=f"bytes {start}-{start + size - 1}/{len(stored.data)}" if size else None,
        )

    def _info(self, key: str, stored: StoredObject, options: ListingOptions | None) -> ObjectInfo:
        e_tag: str | None = stored.e_tag
        if not self._features.has_etags:
            e_tag = None
            if options and options.etag_threshold is not None and options.etag_chunksize is not None:
                sizes = etag.part_sizes(len(stored.data), options.etag_threshold, options.etag_chunksize)
                e_tag = self._etag(stored.data, sizes)
        algorithm = stored.checksum_algorithm
        return ObjectInfo(key=key, size=len(stored.data), mtime_ns=stored.mtime_ns, e_tag=e_tag,
                          checksum_algorithm=algorithm if self._features.stores_checksums else None)

    # ---- the port ---------------------------------------------------------------------------------------------

    async def list_objects(self, options: ListingOptions) -> AsyncIterator[ObjectInfo]:
        """Yield a snapshot of the objects (sorted by key, like S3)."""
        self._enter("list", "")
        for key, stored in sorted(self.objects.items()):
            await asyncio.sleep(0)
            yield self._info(key, stored, options)

    async def head_object(
        self, key: str, *, version_id: str | None = None, part_number: int | None = None
    ) -> ObjectDetails | None:
        """Details of the object (of one part in S3 mode), or None; local mode: a directory "x/" has size 0."""
        self._check_key(key)
        self._enter("head", key)
        stored = self.objects.get(self._file_key(key))
        if stored is not None:
            if part_number is not None and self._features.supports_parts:
                return self._part_details(key, stored, part_number)
            return self._details(key, stored)
        if self._features.stores_directories and key.endswith("/") and key in self.directories:
            return ObjectDetails(info=ObjectInfo(key=key, size=0, mtime_ns=0))
        return None

    def _stored(self, key: str, operation: str) -> StoredObject:
        stored = self.objects.get(key)
        if stored is None:
            raise ObjectNotFoundError(f"no such key {key!r}", operation=operation, key=key)
        return stored

    async def get_object_parts(self, key: str, *, version_id: str | None = None) -> list[int]:
        """The part sizes the object was written with; [] for single-part objects and without supports_parts."""
        self._check_key(key)
        self._enter("parts", key)
        if not self._features.supports_parts:
            return []
        return list(self._stored(key, "HeadObject").part_sizes)

    async def get_object_part_attributes(
        self, key: str, *, version_id: str | None = None, max_parts: int = 1000
    ) -> list[ObjectPart]:
        """The parts with their checksums; [] for single-part and full-object objects (reference §2.2)."""
        self._check_key(key)
        self._enter("attributes", key)
        if not self._features.supports_parts:
            return []
        stored = self._stored(key, "GetObjectAttributes")
        if not stored.part_sizes or stored.full_object:
            return []
        sums: list[str | None] = list(stored.part_checksums()) or [None] * len(stored.part_sizes)
        return [ObjectPart(size=size, checksum=value) for size, value in zip(stored.part_sizes, sums, strict=True)]

    async def compute_digests(
        self,
        key: str,
        part_sizes: Sequence[int],
        algorithm: ChecksumAlgorithm | None = None,
        full_object: bool = False,
    ) -> FileDigests | None:
        """With computes_digests: the digests of the stored bytes (like a local file); else None, like S3."""
        self._check_key(key)
        self._enter("digests", key)
        if not self._features.computes_digests:
            return None
        return digests_of(self._stored(key, "read").data, part_sizes, algorithm, full_object)

    async def open_content(
        self, info: ObjectInfo, *, first_range: tuple[int, int] | None = None
    ) -> ObjectContent:
        """A BytesContent over the stored bytes (a snapshot: later puts do not change it)."""
        self._check_key(info.key)
        self._enter("open", info.key)
        stored = self._stored(info.key, "GetObject")
        return BytesContent(stored.data, self._details(info.key, stored))

    async def get_object_tagging(self, key: str, *, version_id: str | None = None) -> dict[str, str]:
        """The stored tags ({} without supports_tagging)."""
        self._enter("tagging", key)
        stored = self.objects.get(key)
        if stored is None:
            if not self._features.supports_tagging:
                return {}
            raise ObjectNotFoundError(f"no such key {key!r}", operation="GetObjectTagging", key=key)
        return dict(stored.tags)

    async def put_object(self, key: str, content: ObjectContent, request: PutRequest) -> PutResult:
        """Read everything first, validate, then replace the dict entry in one step (atomic)."""
        self._check_key(key)
        self._enter("put", key)
        if self._features.stores_directories and key.endswith("/"):
            if request.size != 0:
                raise StorageError(f"directory marker {key!r} has content", operation="mkdir", key=key)
            self.directories.add(key)
            return PutResult()
        if request.part_sizes and sum(request.part_sizes) != request.size:
            raise StorageError("part sizes do not add up to the size", operation="put", key=key)
        data = await self._read_all(content, request)
        if len(data) != request.size:
            raise TransientStorageError(f"source sent {len(data)} of {request.size} bytes", operation="read", key=key)
        self._check_conditions(key, request.conditions.if_match, request.conditions.if_none_match)
        validate = request.validate if self._features.validates_before_commit else None
        if validate is not None and not await validate(BufferDigests(data)):
            return PutResult(committed=False)
        sizes = list(request.part_sizes)
        if self._features.sets_mtime:
            mtime_ns = request.mtime_ns if request.mtime_ns is not None else self._clock()
        else:
            mtime_ns = self._clock() // NANOS_PER_SECOND * NANOS_PER_SECOND
        checksum = self._checksum_of(data, sizes) if self._features.stores_checksums else None
        stored = StoredObject(
            data=data,
            mtime_ns=mtime_ns,
            e_tag=self._etag(data, sizes),
            metadata=request.metadata,
            user_metadata=dict(request.user_metadata),
            tags=_tags(request.tagging) if self._features.supports_tagging else {},
            checksum=checksum,
            part_sizes=sizes,
            checksum_algorithm=None if checksum is None else self._algorithm,
            full_object=checksum is not None and self._full_object,
        )
        self.objects[self._file_key(key)] = stored
        if not self._features.has_etags:
            return PutResult(committed=True)
        layout = sizes or [len(data)]
        part_md5s = list(_speedups.hash_buffer_parts(data, layout).part_md5s)
        # The fake reads exactly what it stores, so the value "S3" reports is the value computed over the sent bytes.
        return PutResult(committed=True, e_tag=stored.e_tag, part_md5s=part_md5s, checksum=checksum,
                         sent_checksum=checksum)

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

    def _check_conditions(self, key: str, if_match: str | None, if_none_match: bool) -> None:
        """S3's If-Match / If-None-Match: * against the stored object (412 as PreconditionFailedError); a storage
        without stored ETags (a directory tree) has nothing to compare and ignores them."""
        if not self._features.has_etags:
            return
        stored = self.objects.get(self._file_key(key))
        if if_none_match and stored is not None:
            raise PreconditionFailedError(f"{key!r} exists (If-None-Match)", operation="put", key=key)
        if if_match is not None and (stored is None or stored.e_tag != if_match):
            raise PreconditionFailedError(f"{key!r} does not match {if_match}", operation="put", key=key)

    def link_copy_source(self, source: InMemoryObjectStorage) -> None:
        """Let copy_object read `source`'s objects (a server-side copy between two fakes)."""
        self._copy_sources[source.describe("")] = source

    def copy_source(self, info: ObjectInfo) -> CopySource:
        if not self._features.supports_server_side_copy:
            raise NotImplementedError("this fake has no server-side copy")
        return CopySource(bucket=self.describe(""), key=info.key, version_id=info.version_id)

    async def copy_object(self, key: str, source: CopySource, request: CopyRequest) -> PutResult:
        """Copy from a linked fake as S3 would: directives, attributes, conditions; no ObjectContent involved."""
        self._check_key(key)
        self._enter("copy", key)
        origin = self if source.bucket == self.describe("") else self._copy_sources[source.bucket]
        stored_source = origin.objects.get(source.key)
        if stored_source is None:
            raise ObjectNotFoundError(f"no such key {source.key!r}", operation="CopyObject", key=key)
        conditions = request.conditions
        if conditions.copy_source_if_match is not None and conditions.copy_source_if_match != stored_source.e_tag:
            raise PreconditionFailedError("the source changed", operation="CopyObject", key=key)
        # CopyObject sends no If-Match (reference); the multipart complete does.
        self._check_conditions(key, conditions.if_match if request.part_sizes else None, conditions.if_none_match)
        if request.part_sizes and sum(request.part_sizes) != len(stored_source.data):
            raise StorageError("part sizes do not add up to the size", operation="copy", key=key)
        attributes = request.attributes
        single = not request.part_sizes
        keep_metadata = single and request.metadata_directive is Directive.COPY
        keep_tags = single and request.tagging_directive is Directive.COPY
        data = stored_source.data
        sizes = list(request.part_sizes)
        stored = StoredObject(
            data=data,
            mtime_ns=self._clock() // NANOS_PER_SECOND * NANOS_PER_SECOND,
            e_tag=self._etag(data, sizes),
            metadata=stored_source.metadata if keep_metadata else attributes.metadata,
            user_metadata=dict(stored_source.user_metadata if keep_metadata else attributes.user_metadata),
            tags=dict(stored_source.tags) if keep_tags else _tags(attributes.tagging),
            checksum=self._checksum_of(data, sizes),
            part_sizes=sizes,
            checksum_algorithm=self._algorithm,
            full_object=self._full_object,
        )
        self.objects[key] = stored
        if request.on_bytes is not None:
            request.on_bytes(request.size)
        return PutResult(committed=True, e_tag=stored.e_tag, checksum=stored.checksum)

    async def put_object_tagging(self, key: str, tagging: str) -> None:
        self._enter("put-tagging", key)
        self._stored(key, "PutObjectTagging").tags = _tags(tagging)

    async def delete_object_tagging(self, key: str) -> None:
        self._enter("delete-tagging", key)
        self._stored(key, "DeleteObjectTagging").tags = {}

    async def delete_object(self, key: str, *, if_match: str | None = None) -> None:
        """Remove the object; a missing key is fine; `if_match` other than the stored ETag: a failed precondition."""
        self._check_key(key)
        self._enter("delete", key)
        key = self._file_key(key)
        stored = self.objects.get(key)
        if self._features.has_etags and if_match is not None and stored is not None and stored.e_tag != if_match:
            raise PreconditionFailedError(f"{key!r} has another ETag", operation="DeleteObject", key=key)
        self.objects.pop(key, None)

    def describe(self, key: str) -> str:
        return self._name + key


def _tags(tagging: str | None) -> dict[str, str]:
    return dict(parse_qsl(tagging, keep_blank_values=True)) if tagging else {}
