"""The ObjectStorage port: what the sync service needs from a storage, local or S3.

Contract (every implementation, including tests/fakes.InMemoryObjectStorage, passes tests/contract):
* Keys are relative to the storage's root (S3 prefix or local directory), "/"-separated.
* `list_objects()` yields every object once, in any order; with `ListingOptions.key_order` a storage whose
  `features.lists_in_key_order` is set yields them in S3 byte order (UTF-8 binary, Python str order). Local storages never yield directories; S3 yields
  directory markers ("x/") as objects. A key equal to the prefix (empty relative key) is yielded only with
  `ListingOptions.include_prefix_key`.
* `head_object()` returns None when the object does not exist; other failures raise StorageError subclasses.
* `open_content()` starts reading an object (an S3 GET, a local open) and returns an ObjectContent the caller
  closes (async with). Missing objects raise ObjectNotFoundError.
* `put_object()` writes an object atomically: readers see the old object or the whole new one, never a part.
  A local storage writes a temp file beside the destination, runs `request.validate` on it if given, and
  renames it into place only when validation accepts; otherwise the temp file is removed and the existing
  file is left untouched. Any failure or cancellation removes the temp file / aborts the multipart upload, except
  for a write whose `request.resume` is set (--resume): an interruption or a transient failure then leaves the
  multipart upload open, or the temp file with its journal, for a later put of the same source to continue.
* `delete_object()` removes one object; deleting a missing object is not an error. With `if_match` (S3 only) the
  delete is conditional and a changed object raises PreconditionFailedError.
* Conditional writes (`PutRequest.conditions`, `CopyRequest.conditions`) are sent by storages that support them
  (S3); a failed precondition raises PreconditionFailedError and nothing is replaced.
* `copy_object()` (storages with `supports_server_side_copy`) makes the storage copy an object it can read itself,
  named by the source storage's `copy_source()`; no byte of the body passes through us. A failed multipart copy is
  aborted.
* `delete_object()` removes one object; deleting a missing object is not an error.
* `list_object_versions()` (storages with `supports_versioning`) yields each key's versions and delete markers
  as one list, keys in any order, never in parallel (an object named like the prefix comes with the empty key, to
  be counted as skipped); `versioning_enabled()` says whether the storage keeps them.
* Vendor errors never cross the port: adapters raise the domain's StorageError subclasses.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from s3syncpy.application.ports.write_requests import (
    NO_CONDITIONS,
    CopyRequest,
    CopySource,
    WriteConditions,
)
from s3syncpy.application.settings.resume_settings import ResumableSource
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.key_range import KeyRange
from s3syncpy.domain.model import ChecksumAlgorithm, ObjectDetails, ObjectInfo, SystemMetadata
from s3syncpy.domain.versions import ObjectVersion


@dataclass(frozen=True, slots=True)
class ListingOptions:
    """How to list.

    Attributes:
        etag_threshold / etag_chunksize: when set on a local storage, compute each file's ETag during listing
            with this multipart layout (--check-etag mode, the reference's listing-based update check).
        max_keys: page size for S3 listings.
        before_page: awaited before each listing page request (--rate-limit-objects takes a token per page).
        include_prefix_key: also yield an object whose key equals the prefix, with the empty key (the source
            listing: the reference counts it as skipped).
        parallel_listings: listing requests (directory reads) in flight at once; 1 lists serially.
        parallel_depth: levels below the root whose sub-prefixes / sub-directories are listed in parallel.
        key_range: when set, the storage may leave out keys outside it (S3 starts the listing near its start and
            stops at its end; a local walk skips directories that cannot hold its keys). It may still yield keys
            outside: the caller keeps only those inside.
        key_order: yield keys in ascending S3 byte order (honoured by storages with `lists_in_key_order`; a
            parallel listing then still lists sub-prefixes concurrently but yields them in prefix order).
    """

    etag_threshold: int | None = None
    etag_chunksize: int | None = None
    max_keys: int = 1000
    before_page: Callable[[], Awaitable[None]] | None = None
    include_prefix_key: bool = False
    parallel_listings: int = 1
    parallel_depth: int = 0
    key_range: KeyRange | None = None
    key_order: bool = False

    @property
    def parallel(self) -> bool:
        """Whether the listing fans out over sub-prefixes / sub-directories."""
        return self.parallel_listings > 1 and self.parallel_depth > 0


@dataclass(frozen=True, slots=True)
class FileDigests:
    """Digests of a byte sequence cut into parts.

    Attributes:
        part_md5s: raw MD5 digest of each part (one entry for a single part).
        part_checksums: raw additional-checksum digest of each part (empty without an algorithm).
        full_checksum: the raw full-object checksum (CRC over the whole stream), if requested.
        total_size: bytes hashed.
    """

    part_md5s: list[bytes]
    part_checksums: list[bytes] = field(default_factory=list)
    full_checksum: bytes | None = None
    total_size: int = 0


@dataclass(frozen=True, slots=True)
class RangeDigests:
    """Digests of one byte range, taken in one read of it (ObjectContent.digest_range).

    Attributes:
        md5: the raw MD5 (Content-MD5 and the ETag).
        checksum: the raw additional checksum, None without an algorithm.
        sha256: the raw SHA-256 when asked for (a signed request's payload hash), else None.
    """

    md5: bytes
    checksum: bytes | None = None
    sha256: bytes | None = None


class DigestSource(abc.ABC):
    """Bytes written but not yet committed (a local temp file), offered to a validation callback."""

    @abc.abstractmethod
    async def digests(
        self, part_sizes: Sequence[int], algorithm: ChecksumAlgorithm | None = None, full_object: bool = False
    ) -> FileDigests:
        """Hash the written bytes cut into `part_sizes` (which must sum to the size; [size] for one part).

        Raises:
            ValueError: the part sizes do not add up to the written size.
        """


# What read_range returns: bytes, or a bytearray a source filled in place (one buffer per part, never joined
# from chunks). Readers treat both alike; neither is hashable as a dict key or modified after it is returned.
Bytes = bytes | bytearray

Validator = Callable[[DigestSource], Awaitable[bool]]
ByteCounter = Callable[[int], None]
# Called after each successful write request: (bytes written, part number, upload id); None for a single PUT.
WriteReporter = Callable[[int, int | None, str | None], None]


@dataclass(frozen=True, slots=True)
class PutRequest:
    """What to write and how.

    Attributes:
        size: the number of bytes to write (the listed source size).
        part_sizes: [] for a single PutObject / single-stream write, else the multipart layout.
        metadata / user_metadata / tagging: what the target object carries (S3 targets).
        acl / storage_class / request_payer: per-object request values a preprocess callback set (S3 targets;
            None: the run's defaults).
        mtime_ns: the modification time to give a local file (source LastModified).
        content_md5: send Content-MD5 on every PutObject / UploadPart (S3 targets).
        validate: local targets only; called on the complete temp file before the rename.
        on_bytes: called with each number of bytes once the target has them (a PutObject / UploadPart S3
            acknowledged, a chunk written to a local file), for progress and statistics.
        conditions: the preconditions S3 checks before it replaces the object.
        on_write: called after each PutObject or UploadPart succeeded (S3 targets), for SYNC_WRITE events.
        resume: --resume: the source a multipart write may be continued for (an interrupted upload left open, a
            download's temp file kept with its journal); None: a failed write leaves nothing behind.
    """

    size: int
    part_sizes: list[int] = field(default_factory=list)
    metadata: SystemMetadata = field(default_factory=SystemMetadata)
    user_metadata: dict[str, str] = field(default_factory=dict)
    tagging: str | None = None
    acl: str | None = None
    storage_class: str | None = None
    request_payer: str | None = None
    mtime_ns: int | None = None
    content_md5: bool = True
    validate: Validator | None = None
    on_bytes: ByteCounter | None = None
    conditions: WriteConditions = NO_CONDITIONS
    on_write: WriteReporter | None = None
    resume: ResumableSource | None = None


@dataclass(frozen=True, slots=True)
class PutResult:
    """The outcome of put_object.

    Attributes:
        committed: False when nothing was written: `validate` rejected the bytes (nothing was replaced), or a
            preprocess callback cancelled the write.
        e_tag: the target ETag the storage reported (S3), with quotes, or None.
        part_md5s: raw MD5 of each part as sent (one entry for a single part), for the source-side ETag.
        checksum: the target's additional checksum value as the storage reported it (S3 format: base64, with
            "-N" for a composite multipart checksum), if any.
        sent_checksum: the same additional checksum computed by the adapter over the exact bytes it sent, in the
            same format, so a local source can be verified against `checksum`; None without an algorithm.
    """

    committed: bool = True
    e_tag: str | None = None
    part_md5s: list[bytes] = field(default_factory=list)
    checksum: str | None = None
    sent_checksum: str | None = None


@dataclass(frozen=True, slots=True)
class ObjectPart:
    """One part of a multipart object as S3 describes it (GetObjectAttributes ObjectParts).

    Attributes:
        size: the part's size in bytes.
        checksum: the part's additional checksum (base64), when the object has one.
    """

    size: int
    checksum: str | None = None


class ObjectContent(abc.ABC):
    """The readable bytes of one source object, opened by ObjectStorage.open_content (use with async with)."""

    details: ObjectDetails

    @abc.abstractmethod
    async def read_range(self, offset: int, length: int) -> Bytes:
        """Read exactly `length` bytes at `offset` (bytes, or a bytearray filled in place).

        Raises:
            TransientStorageError: fewer bytes arrived than asked (connection reset, file shrank).
        """

    @abc.abstractmethod
    def stream(self, offset: int, length: int) -> AsyncIterator[bytes]:
        """Yield the bytes of [offset, offset+length) in chunks, without holding them all in memory."""

    async def digest_range(
        self, offset: int, length: int, algorithm: ChecksumAlgorithm | None, *, sha256: bool = False
    ) -> RangeDigests | None:
        """Hash [offset, offset+length) without keeping it, when reading the range again costs no request.

        A source that serves the same bytes twice for free (a local file) returns their digests, so a writer can
        put the digests in the request headers and then send the range by reading it again (read_range in
        pieces) instead of holding it whole. Others return None, the default: the writer reads the range once
        and holds it.

        Args:
            offset: where the range starts.
            length: its size.
            algorithm: the additional checksum to compute as well (None: MD5 only).
            sha256: also the SHA-256 (a signed request's payload hash).

        Raises:
            TransientStorageError: the source ends before offset + length.
            StorageError: the read failed.
        """
        return None

    @abc.abstractmethod
    async def aclose(self) -> None:
        """Release the open response body / file handle."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


@dataclass(frozen=True, slots=True)
class StorageFeatures:
    """What a storage can do, named by behaviour (the application asks these, never which backend it holds).

    Every flag is read by the application. The flags that stand for an optional method (CAPABILITY_METHODS) are
    declared exactly when the adapter implements that method; the contract suite checks it for every adapter.

    Attributes:
        has_etags: listings and HEADs report an ETag the storage keeps; without it an ETag must be computed from
            the bytes (with the multipart rule), e.g. while listing in --check-etag mode.
        stores_checksums: objects keep additional checksums (reported with checksum mode).
        supports_parts: multipart layouts can be described (partNumber HEAD, GetObjectAttributes parts).
        computes_digests: `compute_digests` hashes stored bytes cheaply (they are on a local disk).
        stores_directories: keys map onto a directory tree: a "x/" marker is a directory (it cannot hold bytes)
            and keys that would climb out of the tree are refused.
        sets_mtime: a write keeps the requested modification time (else the storage stamps its own).
        validates_before_commit: put_object runs `PutRequest.validate` on the complete bytes before they replace
            the existing object.
        supports_tagging / supports_versioning / supports_server_side_copy: object tags, version listings, and
            copies made by the storage itself without the bytes passing through us.
        lists_in_key_order: `list_objects` honours `ListingOptions.key_order` (S3 byte order); a storage whose
            listing has no order (an Express One Zone directory bucket) leaves it False.
    """

    has_etags: bool = True
    stores_checksums: bool = True
    supports_parts: bool = True
    computes_digests: bool = False
    stores_directories: bool = False
    sets_mtime: bool = False
    validates_before_commit: bool = False
    supports_tagging: bool = True
    supports_versioning: bool = True
    supports_server_side_copy: bool = True
    lists_in_key_order: bool = True


# Each flag that stands for an optional method, and that method: a storage declares the flag exactly when it
# implements the method (the contract suite checks every adapter with `undeclared_capabilities`).
CAPABILITY_METHODS: dict[str, str] = {
    "supports_parts": "get_object_parts",
    "computes_digests": "compute_digests",
    "supports_tagging": "put_object_tagging",
    "supports_versioning": "list_object_versions",
    "supports_server_side_copy": "copy_object",
}


def undeclared_capabilities(storage: ObjectStorage) -> list[str]:
    """The flags of `storage.features` that disagree with the methods its class implements (empty: they agree).

    A flag is declared and its method is the port's default, or the method is implemented and the flag is not.
    """
    disagreeing = []
    for flag, method in CAPABILITY_METHODS.items():
        implemented = getattr(type(storage), method) is not getattr(ObjectStorage, method)
        if implemented != getattr(storage.features, flag):
            disagreeing.append(flag)
    return disagreeing


class ObjectStorage(abc.ABC):
    """A place objects are listed, read, written and deleted (an S3 bucket prefix or a local directory)."""

    @property
    @abc.abstractmethod
    def features(self) -> StorageFeatures:
        """What this storage can do; the application reads these flags, never the storage's kind."""

    @abc.abstractmethod
    def list_objects(self, options: ListingOptions) -> AsyncIterator[ObjectInfo]:
        """Yield every object under the root (see the module contract)."""

    async def versioning_enabled(self) -> bool:
        """Whether the storage keeps versions (an S3 bucket whose versioning status is Enabled).

        Raises:
            StorageError: the status could not be read.
        """
        return False

    async def list_object_versions(
        self, options: ListingOptions, *, key: str | None = None
    ) -> AsyncIterator[list[ObjectVersion]]:
        """Yield, per key, every version and delete marker under the root (each key's entries in one list).

        Args:
            options: the page size and `before_page` (version listings are never parallel).
            key: list only this exact key (its list, or nothing when it has no versions).

        Raises:
            StorageError: the listing failed, or this storage keeps no versions.
        """
        raise StorageError(f"{self.describe('')} keeps no object versions", operation="ListObjectVersions")
        yield []  # pragma: no cover  (makes this an async generator)

    @abc.abstractmethod
    async def head_object(
        self, key: str, *, version_id: str | None = None, part_number: int | None = None
    ) -> ObjectDetails | None:
        """Details of one object, or None when it does not exist.

        With `part_number` (S3 only), details describe that part: `info.size` is the part's Content-Length and
        `parts_count` the object's x-amz-mp-parts-count (None for a single-part object). Checksums are included
        when the storage was opened with checksum mode.
        """

    async def get_object_parts(self, key: str, *, version_id: str | None = None) -> list[int]:
        """The size of every part of a multipart object, in order, found with one HEAD per part
        (HeadObject partNumber=k and x-amz-mp-parts-count, the reference's auto-chunksize part discovery); [] for a single-part object.

        Raises:
            ObjectNotFoundError: the object does not exist.
            StorageError: any other failure.
        """
        return []

    async def get_object_part_attributes(
        self, key: str, *, version_id: str | None = None, max_parts: int = 1000
    ) -> list[ObjectPart]:
        """GetObjectAttributes ObjectParts, paged with PartNumberMarker; [] when the object has no part list
        (single-part, or a full-object checksum).

        Raises:
            ObjectNotFoundError: the object does not exist.
            StorageError: any other failure.
        """
        return []

    async def compute_digests(
        self,
        key: str,
        part_sizes: Sequence[int],
        algorithm: ChecksumAlgorithm | None = None,
        full_object: bool = False,
    ) -> FileDigests | None:
        """Hash a stored object cut into `part_sizes`, where the storage can read its bytes cheaply (local files).

        The application uses it to compare a local file with an S3 object's ETag or checksum under the S3 side's
        layout (--check-additional-checksum, --check-etag with --auto-chunksize). Storages that would have to
        download the object (S3) return None.

        Args:
            key: the object's key.
            part_sizes: the layout; they must add up to the object's size ([size] for one part).
            algorithm: the additional checksum to compute per part (None: MD5 only).
            full_object: also compute the CRC of the whole object (CRC algorithms only).

        Returns:
            The digests, or None when this storage does not compute digests.

        Raises:
            ObjectNotFoundError: the object does not exist.
            ValueError: the part sizes do not add up to the object's size (it changed since it was listed).
            StorageError: the object cannot be read.
        """
        return None

    @abc.abstractmethod
    async def open_content(
        self, info: ObjectInfo, *, first_range: tuple[int, int] | None = None
    ) -> ObjectContent:
        """Start reading an object. `first_range` = (offset, length) for the first GET of a multipart copy.

        Raises:
            ObjectNotFoundError, AccessDeniedError, InvalidObjectStateError, TransientStorageError.
        """

    @abc.abstractmethod
    async def get_object_tagging(self, key: str, *, version_id: str | None = None) -> dict[str, str]:
        """The object's tags (empty for storages without tagging)."""

    @abc.abstractmethod
    async def put_object(self, key: str, content: ObjectContent, request: PutRequest) -> PutResult:
        """Write `request.size` bytes read from `content` under `key` (see the module contract)."""

    async def reserve_key(self, key: str) -> None:
        """Called before an object is read to be written under `key`: refuse a key this storage cannot hold.

        A local disk cannot hold every key under its own name (Windows' reserved names and characters, a second
        spelling of a name a case-insensitive disk already holds); refusing here costs no read of the source.
        `put_object` applies the same rules. Storages that take any key accept it (the default).

        Raises:
            UnsupportedLocalNameError: the key cannot be stored as spelled (the object is to be skipped).
            DirectoryTraversalError: the key would leave a directory tree.
        """
        return

    async def put_object_tagging(self, key: str, tagging: str) -> None:
        """Replace the object's tags with `tagging` (`k=v&k2=v2`, URL-encoded); storages without tags ignore it.

        Raises:
            ObjectNotFoundError: the object does not exist.
            StorageError: any other failure.
        """
        return

    async def delete_object_tagging(self, key: str) -> None:
        """Remove every tag of the object; storages without tags ignore it.

        Raises:
            StorageError: the request failed.
        """
        return

    def copy_source(self, info: ObjectInfo) -> CopySource:
        """How a server-side copy names this storage's object (only with `supports_server_side_copy`).

        Raises:
            NotImplementedError: the storage cannot be the source of a server-side copy.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot be the source of a server-side copy")

    async def copy_object(self, key: str, source: CopySource, request: CopyRequest) -> PutResult:
        """Make the storage copy `source` to `key` itself: one CopyObject, or a multipart copy (UploadPartCopy of
        `request.part_sizes` ranges, aborted on any failure). Only with `supports_server_side_copy`.

        Returns:
            The target ETag and additional checksum as reported (part_md5s and sent_checksum stay empty).

        Raises:
            PreconditionFailedError: a precondition of `request.conditions` failed (nothing was written).
            StorageError: the copy failed.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot make server-side copies")

    @abc.abstractmethod
    async def delete_object(self, key: str, *, if_match: str | None = None) -> None:
        """Remove one object (missing is fine); with `if_match`, only while its ETag is that value."""

    @abc.abstractmethod
    def describe(self, key: str) -> str:
        """How the key is shown in logs: the full S3 key (with prefix) or the real local path."""

    async def aclose(self) -> None:
        """Release clients and connections."""
