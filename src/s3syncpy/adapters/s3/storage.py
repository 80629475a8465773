"""S3ObjectStorage: the ObjectStorage port on one S3 bucket prefix.

Public API:
    S3ObjectStorage(client, location, *, part_semaphore, options=S3StorageOptions(), secrets=(),
                    operation_timeout=None, datapath=None, held_bytes=None)

Keys are relative to the location's prefix, joined and stripped textually (no implicit "/"). The client is owned
by whoever created it (see factory.open_s3_storage); this class never closes it. Vendor errors are translated
by the storage's ErrorMapper (errors.py) at every call into botocore or aiohttp.

The storage's S3StorageOptions go on every request of their kind: SSE-C on every read and write (HEAD, GET,
GetObjectAttributes, PutObject, the multipart calls), ChecksumMode on HEAD and GET, SSE / ACL /
the additional checksum on writes. Multipart layouts are described by get_object_parts (one HEAD partNumber=k per
part) and get_object_part_attributes (GetObjectAttributes ObjectParts, paged).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import parse_qsl

from s3syncpy.adapters.listing_fanout import Level, fan_out, ordered_fan_out
from s3syncpy.adapters.s3 import checksums
from s3syncpy.adapters.s3.byte_budget import ByteBudget
from s3syncpy.adapters.s3.conditions import write_condition_params
from s3syncpy.adapters.s3.content import S3ObjectContent
from s3syncpy.adapters.s3.datapath import BotocoreDataPath, ListPage, S3DataPath
from s3syncpy.adapters.s3.details import details_from_response, object_parts
from s3syncpy.adapters.s3.emptied_folders import without_emptied_folder
from s3syncpy.adapters.s3.errors import ErrorMapper
from s3syncpy.adapters.s3.multipart import MultipartUploader, abort_upload, content_md5_header
from s3syncpy.adapters.s3.options import S3StorageOptions
from s3syncpy.adapters.s3.part_body import prepare_body
from s3syncpy.adapters.s3.range_listing import range_of_listing
from s3syncpy.adapters.s3.resumed_upload import UploadResumer
from s3syncpy.adapters.s3.server_side_copy import ServerSideCopier, attribute_params
from s3syncpy.adapters.s3.upload_journal import UploadJournal
from s3syncpy.adapters.s3.versions import VersionLister
from s3syncpy.application.ports.storage import (
    ListingOptions,
    ObjectContent,
    ObjectPart,
    ObjectStorage,
    PutRequest,
    PutResult,
    StorageFeatures,
)
from s3syncpy.application.ports.write_requests import (
    CopyRequest,
    CopySource,
    ObjectAttributes,
    WriteConditions,
)
from s3syncpy.domain.errors import ObjectNotFoundError, StorageError
from s3syncpy.domain.model import ObjectDetails, ObjectInfo
from s3syncpy.domain.paths import S3Location, is_directory_bucket
from s3syncpy.domain.versions import ObjectVersion

# Part HEADs in flight at once for one object (get_object_parts).
_PART_HEAD_CONCURRENCY = 8
# Held request bodies when no budget is given: the default --max-parallel-uploads x --multipart-chunksize.
DEFAULT_HELD_BYTES = 16 * 8 * 1024 * 1024


_BUCKET_FEATURES = StorageFeatures()
# Directory buckets (Express One Zone) list keys in no particular order, some S3-compatible servers in another.
_UNORDERED_FEATURES = StorageFeatures(lists_in_key_order=False)


class S3ObjectStorage(ObjectStorage):
    """An S3 bucket prefix as an ObjectStorage (contract in application/ports/storage.py)."""

    def __init__(
        self,
        client: Any,
        location: S3Location,
        *,
        part_semaphore: asyncio.Semaphore,
        options: S3StorageOptions | None = None,
        secrets: Sequence[str | None] = (),
        operation_timeout: float | None = None,
        datapath: S3DataPath | None = None,
        held_bytes: ByteBudget | None = None,
        upload_journal: UploadJournal | None = None,
    ) -> None:
        """Bind a client to a location.

        Args:
            client: an open aiobotocore S3 client (owned by the caller).
            location: the bucket and prefix.
            part_semaphore: bounds concurrent multipart parts across every object (share it between storages).
            options: encryption, checksum and storage-class settings of this storage.
            secrets: strings to redact from error messages (secret key, session token).
            operation_timeout: seconds an API call may take, retries included (None: no limit).
            datapath: the per-object request path; defaults to BotocoreDataPath on `client`.
            held_bytes: bounds the bytes of request bodies held in memory at once (bodies that cannot be
                streamed from their source); default DEFAULT_HELD_BYTES.
            upload_journal: --resume: where multipart uploads are journaled, so that uploads whose request is
                resumable are continued by a later run (None: every failed upload is aborted).
        """
        self._client = client
        self._location = location
        self._options = options or S3StorageOptions()
        self._errors = ErrorMapper(
            location, (*secrets, *self._options.secrets), operation_timeout=operation_timeout
        )
        self._datapath = datapath or BotocoreDataPath(client, location)
        self._held = held_bytes or ByteBudget(DEFAULT_HELD_BYTES)
        resumer = None
        if upload_journal is not None:
            resumer = UploadResumer(client, location, self._errors, self._options, upload_journal,
                                    abort=self._abort_upload)
        self._uploader = MultipartUploader(
            client, self._datapath, self._errors, self._options, part_semaphore, self._held, resumer
        )
        self._copier = ServerSideCopier(client, location, self._errors, self._options, part_semaphore)
        self._versions = VersionLister(client, location, self._errors)
        self._lists_in_key_order = self._options.key_ordered_listing is not False and not is_directory_bucket(
            location.bucket
        )
        self._read_params = self._options.read_params()
        self._plain_params = self._options.plain_params()
        if self._options.checksum_mode:
            checksums.skip_response_checksum_validation(client)

    async def _abort_upload(self, key: str, upload_id: str) -> None:
        await abort_upload(self._client, self._location, self._errors, self._options, key, upload_id)

    @property
    def features(self) -> StorageFeatures:
        """An S3 bucket: stored ETags, checksums, parts, tags, versions and server-side copy; listings in key
        order except in a directory bucket or on an endpoint that lists in another order."""
        return _BUCKET_FEATURES if self._lists_in_key_order else _UNORDERED_FEATURES

    @property
    def location(self) -> S3Location:
        """The bucket and prefix this storage serves."""
        return self._location

    def describe(self, key: str) -> str:
        """The full S3 key (prefix + key)."""
        return self._location.full_key(key)

    async def list_objects(self, options: ListingOptions) -> AsyncIterator[ObjectInfo]:
        """Yield every object under the prefix (ListObjectsV2 pages of `options.max_keys`).

        With `options.parallel`, sub-prefixes are listed by delimiter "/" down to `options.parallel_depth`, up to
        `options.parallel_listings` at once (adapters/listing_fanout.py).

        Raises:
            StorageError: a listing request failed, or the listing cannot be followed to its end (a truncated
                page without a continuation token, or a token that repeats the previous one).
        """
        key_range = options.key_range
        if options.parallel:
            # Closed with this generator, so a consumer that stops early also stops the listings in flight.
            async with contextlib.aclosing(self._list_in_parallel(options)) as fanned:
                async for info in fanned:
                    if info.key or options.include_prefix_key:
                        yield info
            return
        # ListObjectsV2 returns keys in UTF-8 binary order, so a range starts near its first key and stops at its
        # end. Directory buckets (Express One Zone) list in no particular order, and some S3-compatible servers in
        # directory-tree order: they get neither (the caller cuts the range).
        if key_range is None or not self._lists_in_key_order:
            pages = self._pages(self._location.prefix, options.max_keys, before_page=options.before_page)
            async with contextlib.aclosing(pages):
                async for page in pages:
                    for info in page.objects:
                        if info.key or options.include_prefix_key:
                            yield info
            return
        # The order is checked on the way, not only assumed (adapters/s3/range_listing.py).
        pages = self._pages(self._location.prefix, options.max_keys, start_after=key_range.listing_start_after(),
                            before_page=options.before_page)
        ranged = range_of_listing(pages, key_range, where=self._errors.where(None),
                                  include_prefix_key=options.include_prefix_key)
        async with contextlib.aclosing(pages), contextlib.aclosing(ranged):
            async for info in ranged:
                yield info

    def _list_in_parallel(self, options: ListingOptions) -> AsyncGenerator[ObjectInfo, None]:
        """Sub-prefixes listed by delimiter "/" down to the fan-out depth; with a key range, sub-prefixes that
        cannot hold a key of it are not listed (keys outside it may still come: the caller keeps the inside)."""
        key_range = options.key_range
        location = self._location

        async def list_prefix(prefix: str, one_level: bool) -> AsyncIterator[Level[str]]:
            # One level: the prefix's own objects, and its CommonPrefixes as the next nodes.
            async for page in self._pages(prefix, options.max_keys, delimiter="/" if one_level else None,
                                          before_page=options.before_page):
                children = page.prefixes if one_level else []
                if key_range is not None:
                    children = [c for c in children if key_range.may_hold_prefix(location.relative_key(c))]
                yield Level(page.objects, children)

        if options.key_order and self._lists_in_key_order:
            return ordered_fan_out(location.prefix, list_prefix, location.relative_key,
                                   parallel=options.parallel_listings, max_depth=options.parallel_depth)
        return fan_out(location.prefix, list_prefix, parallel=options.parallel_listings,
                       max_depth=options.parallel_depth)

    async def _pages(
        self,
        prefix: str,
        max_keys: int,
        *,
        delimiter: str | None = None,
        start_after: str | None = None,
        before_page: Callable[[], Awaitable[None]] | None = None,
    ) -> AsyncGenerator[ListPage, None]:
        """Every page of one listing; `start_after` (a relative key) positions the first request only;
        `before_page` is awaited before each request (--rate-limit-objects). An entry that is the listed folder
        itself with the empty ETag is left out (emptied_folders.py)."""
        token: str | None = None
        while True:
            if before_page is not None:
                await before_page()
            async with self._errors.request("ListObjectsV2"):
                page = await self._datapath.list_page(
                    token,
                    max_keys,
                    start_after if token is None else None,
                    prefix=prefix,
                    delimiter=delimiter,
                    params=self._plain_params,
                )
            # Dropped here, the one place every page passes: both data paths (lean, botocore) and every listing
            # shape (serial, parallel, ordered) get the same rule for a folder emptied on the server.
            yield without_emptied_folder(page, prefix, self._location)
            if not page.truncated:
                return
            self._check_continuation(token, page.next_token)
            token = page.next_token

    async def versioning_enabled(self) -> bool:
        """Whether the bucket's versioning status is Enabled (GetBucketVersioning).

        Raises:
            StorageError: the request failed.
        """
        return await self._versions.versioning_enabled()

    async def list_object_versions(
        self, options: ListingOptions, *, key: str | None = None
    ) -> AsyncIterator[list[ObjectVersion]]:
        """Each key's versions and delete markers as one list (ListObjectVersions, never parallel).

        Raises:
            StorageError: a listing request failed or the listing cannot be followed to its end.
        """
        async for entries in self._versions.keys(options.max_keys, key, before_page=options.before_page):
            yield entries

    def _check_continuation(self, previous: str | None, token: str | None) -> None:
        """Refuse to take a listing that cannot continue for a complete one.

        WHY: the run deletes, with --delete, every target key the listings leave out; stopping silently at a
        broken page would delete everything past it. Resuming with StartAfter = the last key seen is not done
        either: the server already ignored our own continuation protocol, and where its key order differs from
        UTF-8 byte order, StartAfter would skip keys without any sign.
        """
        where = self._errors.where(None)
        if token is None:
            raise StorageError(
                f"ListObjectsV2 {where}: a page is truncated but has no continuation token; the listing is "
                "incomplete",
                operation="ListObjectsV2",
            )
        if token == previous:
            raise StorageError(
                f"ListObjectsV2 {where}: the server repeated its continuation token; the listing cannot advance",
                operation="ListObjectsV2",
            )

    async def head_object(
        self, key: str, *, version_id: str | None = None, part_number: int | None = None
    ) -> ObjectDetails | None:
        """HeadObject (of one part with `part_number`); None when the object (or version) does not exist.

        Raises:
            StorageError: any other failure (AccessDeniedError for 403).
        """
        try:
            return await self._head(key, version_id, part_number)
        except ObjectNotFoundError:
            return None

    async def _head(self, key: str, version_id: str | None, part_number: int | None) -> ObjectDetails:
        kwargs: dict[str, Any] = {
            "Bucket": self._location.bucket,
            "Key": self.describe(key),
            **self._read_params,
        }
        if version_id is not None:
            kwargs["VersionId"] = version_id
        if part_number is not None:
            kwargs["PartNumber"] = part_number
        async with self._errors.request("HeadObject", key):
            response = await self._client.head_object(**kwargs)
        return details_from_response(key, response, part=part_number is not None)

    async def get_object_parts(self, key: str, *, version_id: str | None = None) -> list[int]:
        """Every part's size, from HeadObject partNumber=1..N (the reference's auto-chunksize part discovery); [] for a single-part object.

        Raises:
            ObjectNotFoundError: the object does not exist.
            StorageError: any other failure.
        """
        first = await self._head(key, version_id, 1)
        count = first.parts_count or 0
        e_tag = first.info.e_tag
        if count <= 0 or (e_tag is not None and "-" not in e_tag):
            # A single PUT has no part list. AWS omits x-amz-mp-parts-count for it; some servers (SeaweedFS)
            # report 1, so the ETag's missing "-N" suffix decides.
            return []
        sizes = [first.info.size]
        # Parts are independent HEADs: a few at a time keep a 1,000-part object from costing 1,000 round trips
        # in series, without flooding the connection pool the transfers share.
        batch = _PART_HEAD_CONCURRENCY
        for start in range(2, count + 1, batch):
            numbers = range(start, min(start + batch, count + 1))
            heads = await asyncio.gather(*(self._head(key, version_id, number) for number in numbers))
            sizes.extend(head.info.size for head in heads)
        return sizes

    async def get_object_part_attributes(
        self, key: str, *, version_id: str | None = None, max_parts: int = 1000
    ) -> list[ObjectPart]:
        """GetObjectAttributes(ObjectParts), following PartNumberMarker; [] when S3 lists no parts.

        Raises:
            ObjectNotFoundError: the object does not exist.
            StorageError: any other failure.
        """
        kwargs: dict[str, Any] = {
            "Bucket": self._location.bucket,
            "Key": self.describe(key),
            "ObjectAttributes": ["ObjectParts"],
            "MaxParts": max_parts,
            **self._options.attributes_params(),
        }
        if version_id is not None:
            kwargs["VersionId"] = version_id
        parts: list[ObjectPart] = []
        marker: int | None = None
        while True:
            if marker is not None:
                kwargs["PartNumberMarker"] = marker
            async with self._errors.request("GetObjectAttributes", key):
                response = await self._client.get_object_attributes(**kwargs)
            parts.extend(object_parts(response))
            page = response.get("ObjectParts") or {}
            next_marker = page.get("NextPartNumberMarker")
            if not page.get("IsTruncated") or next_marker is None or int(next_marker) == marker:
                return parts
            marker = int(next_marker)

    async def open_content(
        self, info: ObjectInfo, *, first_range: tuple[int, int] | None = None
    ) -> ObjectContent:
        """GetObject (ranged when `first_range` = (offset, length) is given and non-empty).

        Raises:
            ObjectNotFoundError, AccessDeniedError, InvalidObjectStateError, TransientStorageError, StorageError.
        """
        byte_range = first_range if first_range is not None and first_range[1] > 0 else None
        async with self._errors.request("GetObject", info.key):
            first = await self._datapath.get_object(
                info.key, version_id=info.version_id, byte_range=byte_range, params=self._read_params
            )
        try:
            return S3ObjectContent(
                self._datapath,
                self._errors,
                first,
                byte_range[0] if byte_range else 0,
                version_id=info.version_id,
                read_params=self._read_params,
            )
        except BaseException:
            await first.body.aclose()
            raise

    async def get_object_tagging(self, key: str, *, version_id: str | None = None) -> dict[str, str]:
        """GetObjectTagging as a dict.

        Raises:
            ObjectNotFoundError: the object does not exist.
            StorageError: any other failure.
        """
        kwargs: dict[str, Any] = {
            "Bucket": self._location.bucket,
            "Key": self.describe(key),
            **self._plain_params,
        }
        if version_id is not None:
            kwargs["VersionId"] = version_id
        async with self._errors.request("GetObjectTagging", key):
            response = await self._client.get_object_tagging(**kwargs)
        return {tag["Key"]: tag["Value"] for tag in response.get("TagSet", ())}

    def _write_params(self, request: PutRequest) -> dict[str, Any]:
        params = self._options.write_params()
        params.update(attribute_params(ObjectAttributes(
            request.metadata, request.user_metadata, request.tagging,
            acl=request.acl, storage_class=request.storage_class, request_payer=request.request_payer,
        )))
        return params

    async def put_object(self, key: str, content: ObjectContent, request: PutRequest) -> PutResult:
        """One PutObject, or a multipart upload when `request.part_sizes` is not empty.

        With an additional checksum algorithm, each request carries our value over its bytes (S3 rejects a
        mismatch) and the result holds both S3's checksum and ours (`sent_checksum`).

        Returns:
            The target ETag, the raw MD5 of each part as sent, the target's additional checksum and ours.

        Raises:
            StorageError: reading the source or writing the target failed (a multipart upload is aborted).
        """
        params = self._write_params(request)
        if request.part_sizes:
            return await self._uploader.upload(key, content, request, params)
        algorithm = self._options.checksum_algorithm
        data, digest, reserved = await prepare_body(
            content, 0, request.size, algorithm, content_md5=request.content_md5, datapath=self._datapath,
            budget=self._held,
        )
        try:
            if request.content_md5:
                params["ContentMD5"] = content_md5_header(digest.md5)
            sent = None
            if algorithm is not None and digest.checksum is not None:
                sent = checksums.encode(digest.checksum)
                params[checksums.checksum_param(algorithm)] = sent
            params.update(write_condition_params(request.conditions))
            async with self._errors.request("PutObject", key):
                response = await self._datapath.put_object(key, data, params)
        finally:
            del data  # the held bytes go before their reservation does
            self._held.release(reserved)
        # Counted once S3 has acknowledged them, so a progress display never runs ahead of the target.
        if request.on_bytes is not None:
            request.on_bytes(request.size)
        if request.on_write is not None:
            request.on_write(request.size, None, None)
        checksum = response.checksums.get(algorithm.value) if algorithm is not None else None
        return PutResult(e_tag=response.e_tag, part_md5s=[digest.md5], checksum=checksum, sent_checksum=sent)

    async def delete_object(self, key: str, *, if_match: str | None = None) -> None:
        """DeleteObject (with If-Match when given); a missing object is not an error.

        Raises:
            PreconditionFailedError: the object's ETag is no longer `if_match`.
            StorageError: the delete failed.
        """
        conditions = write_condition_params(WriteConditions(if_match=if_match))
        try:
            async with self._errors.request("DeleteObject", key):
                await self._client.delete_object(
                    Bucket=self._location.bucket, Key=self.describe(key), **self._plain_params, **conditions
                )
        except ObjectNotFoundError:
            return

    async def put_object_tagging(self, key: str, tagging: str) -> None:
        """PutObjectTagging with the tags of `tagging` (`k=v&k2=v2`, URL-encoded).

        Raises:
            ObjectNotFoundError: the object does not exist.
            StorageError: any other failure.
        """
        tag_set = [{"Key": k, "Value": v} for k, v in parse_qsl(tagging, keep_blank_values=True)]
        async with self._errors.request("PutObjectTagging", key):
            await self._client.put_object_tagging(
                Bucket=self._location.bucket, Key=self.describe(key), Tagging={"TagSet": tag_set},
                **self._plain_params,
            )

    async def delete_object_tagging(self, key: str) -> None:
        """DeleteObjectTagging.

        Raises:
            StorageError: the request failed.
        """
        async with self._errors.request("DeleteObjectTagging", key):
            await self._client.delete_object_tagging(
                Bucket=self._location.bucket, Key=self.describe(key), **self._plain_params
            )

    def copy_source(self, info: ObjectInfo) -> CopySource:
        """This bucket's object as a copy source: full key, version and the source SSE-C key."""
        return CopySource(
            bucket=self._location.bucket,
            key=self.describe(info.key),
            version_id=info.version_id,
            customer_key=self._options.sse_c,
        )

    async def copy_object(self, key: str, source: CopySource, request: CopyRequest) -> PutResult:
        """CopyObject below the multipart threshold, else CreateMultipartUpload + UploadPartCopy + Complete
        (aborted on any failure). No body passes through us.

        Raises:
            PreconditionFailedError: If-None-Match or x-amz-copy-source-if-match failed.
            StorageError: the copy failed.
        """
        return await self._copier.copy(key, source, request)
