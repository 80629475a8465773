"""Version listings of one bucket prefix: ListObjectVersions pages regrouped per key, and the versioning status.

Public API:
    VersionLister(client, location, errors)
        .versioning_enabled() -> bool                             GetBucketVersioning status == "Enabled"
        .keys(max_keys, key=None, before_page=None) -> AsyncIterator[list[ObjectVersion]]

Why regroup: botocore splits each page into Versions and DeleteMarkers, and a key's entries may straddle pages.
S3 pages over the one key-ordered sequence of both, newest first within a key; the two lists are interleaved
again in that order (version_order), and a key is flushed once a later key appears, which gives each key's
history as one list in listing order. The listing is paged with KeyMarker / VersionIdMarker and is never
parallel (the reference lists versions so).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from s3syncpy.adapters.s3.details import datetime_to_ns, info_from_listing
from s3syncpy.adapters.s3.errors import ErrorMapper
from s3syncpy.adapters.s3.version_order import entries_in_listed_order, record_entry_order
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.model import ObjectInfo
from s3syncpy.domain.paths import S3Location
from s3syncpy.domain.versions import ObjectVersion


def _version(key: str, entry: Mapping[str, Any]) -> ObjectVersion:
    info = info_from_listing(key, entry)
    return ObjectVersion(
        info=ObjectInfo(
            key=info.key,
            size=info.size,
            mtime_ns=info.mtime_ns,
            e_tag=info.e_tag,
            checksum_algorithm=info.checksum_algorithm,
            version_id=entry.get("VersionId"),
            storage_class=info.storage_class,
        ),
        is_latest=bool(entry.get("IsLatest")),
    )


def _delete_marker(key: str, entry: Mapping[str, Any]) -> ObjectVersion:
    info = ObjectInfo(
        key=key, size=0, mtime_ns=datetime_to_ns(entry["LastModified"]), version_id=entry.get("VersionId")
    )
    return ObjectVersion(info=info, is_latest=bool(entry.get("IsLatest")), delete_marker=True)


class VersionLister:
    """The version requests of one bucket prefix (control-plane calls on the botocore client)."""

    def __init__(self, client: Any, location: S3Location, errors: ErrorMapper) -> None:
        self._client = client
        self._location = location
        self._errors = errors
        record_entry_order(client)

    async def versioning_enabled(self) -> bool:
        """Whether GetBucketVersioning reports Status "Enabled" (Suspended or never enabled: False).

        Raises:
            StorageError: the request failed.
        """
        async with self._errors.request("GetBucketVersioning"):
            response = await self._client.get_bucket_versioning(Bucket=self._location.bucket)
        return bool(response.get("Status") == "Enabled")

    async def keys(
        self,
        max_keys: int,
        key: str | None = None,
        *,
        before_page: Callable[[], Awaitable[None]] | None = None,
    ) -> AsyncIterator[list[ObjectVersion]]:
        """Each key's versions and delete markers as one list in listing order (newest first), keys in order.

        An object named like the prefix itself comes with the empty key: the run counts it as skipped, as the
        reference does.

        Args:
            max_keys: the page size.
            key: only this exact key (relative); its entries, or nothing.
            before_page: awaited before each request (--rate-limit-objects takes a token per page).

        Raises:
            StorageError: a request failed, or a truncated page has no markers to continue from.
        """
        location = self._location
        prefix = location.full_key(key) if key is not None else location.prefix
        kwargs: dict[str, Any] = {"Bucket": location.bucket, "Prefix": prefix, "MaxKeys": max_keys}
        current: list[ObjectVersion] = []
        while True:
            if before_page is not None:
                await before_page()
            async with self._errors.request("ListObjectVersions"):
                page = await self._client.list_object_versions(**kwargs)
            entries = [
                (entry["Key"], _delete_marker if marker else _version, entry)
                for marker, entry in entries_in_listed_order(page)
            ]
            # Stable: a key's entries keep the listed order; the sort only guards the grouping against a server
            # whose page is not key-ordered.
            entries.sort(key=lambda item: item[0])
            for full_key, convert, entry in entries:
                relative = location.relative_key(full_key)
                if key is not None and relative != key:
                    continue  # a longer key sharing the one key's prefix
                if current and current[0].key != relative:
                    yield current
                    current = []
                current.append(convert(relative, entry))
            if not page.get("IsTruncated"):
                break
            key_marker, version_marker = page.get("NextKeyMarker"), page.get("NextVersionIdMarker")
            if not key_marker or (key_marker, version_marker) == (
                kwargs.get("KeyMarker"), kwargs.get("VersionIdMarker")
            ):
                raise StorageError(
                    f"ListObjectVersions {self._errors.where(None)}: a truncated page cannot be continued; the "
                    "listing is incomplete",
                    operation="ListObjectVersions",
                )
            kwargs["KeyMarker"] = key_marker
            if version_marker:
                kwargs["VersionIdMarker"] = version_marker
            else:
                kwargs.pop("VersionIdMarker", None)
        if current:
            yield current
