"""VersionedObjectStorage: the in-memory fake with a version history per key, like a versioned S3 bucket.

Every put adds a version and every delete a delete marker (nothing is ever removed from the history);
`list_object_versions` reports each key's entries newest first with IsLatest on the last one written, as S3 does;
`head_object` / `open_content` with a version id read that version. `seed_version` / `seed_delete_marker` build a
history directly; `history(key)` reads it back oldest first as (version id, bytes or None for a marker, metadata).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from s3syncpy.application.ports.storage import ListingOptions, ObjectContent, PutRequest, PutResult
from s3syncpy.domain.errors import ObjectNotFoundError
from s3syncpy.domain.model import ObjectDetails, ObjectInfo
from s3syncpy.domain.versions import ObjectVersion
from tests.fakes.content import BytesContent
from tests.fakes.storage import InMemoryObjectStorage
from tests.fakes.stored import StoredObject


@dataclass(slots=True)
class _Entry:
    version_id: str
    mtime_ns: int
    stored: StoredObject | None  # None: a delete marker


class VersionedObjectStorage(InMemoryObjectStorage):
    """An in-memory bucket with versioning Enabled (or not, with `enabled=False`)."""

    def __init__(self, *, enabled: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.enabled = enabled
        self.versions: dict[str, list[_Entry]] = {}
        self._counter = 0

    def _append(self, key: str, mtime_ns: int, stored: StoredObject | None) -> str:
        self._counter += 1
        version_id = f"{key}#{self._counter:04d}"
        self.versions.setdefault(key, []).append(_Entry(version_id, mtime_ns, stored))
        return version_id

    def seed_version(self, key: str, data: bytes, *, mtime_ns: int, user_metadata: dict[str, str] | None = None) -> str:
        """Write one version directly (with `user_metadata`, e.g. a copy's origin keys); returns its id."""
        stored = self.seed(key, data, mtime_ns=mtime_ns, user_metadata=user_metadata)
        return self._append(key, mtime_ns, stored)

    def seed_delete_marker(self, key: str, *, mtime_ns: int) -> str:
        """Delete the key directly (a delete marker); returns the marker's id."""
        self.objects.pop(key, None)
        return self._append(key, mtime_ns, None)

    def history(self, key: str) -> list[tuple[str, bytes | None, dict[str, str]]]:
        """The key's entries oldest first: (version id, bytes or None for a marker, user metadata)."""
        return [
            (e.version_id, None if e.stored is None else e.stored.data,
             {} if e.stored is None else dict(e.stored.user_metadata))
            for e in self.versions.get(key, [])
        ]

    async def versioning_enabled(self) -> bool:
        return self.enabled

    async def list_object_versions(
        self, options: ListingOptions, *, key: str | None = None
    ) -> AsyncIterator[list[ObjectVersion]]:
        self._enter("versions", key or "")
        for name in sorted(self.versions):
            if key is not None and name != key:
                continue
            entries = self.versions[name]
            listed = []
            for index, entry in enumerate(entries):
                stored = entry.stored
                info = ObjectInfo(key=name, size=0 if stored is None else len(stored.data), mtime_ns=entry.mtime_ns,
                                  e_tag=None if stored is None else stored.e_tag, version_id=entry.version_id)
                listed.append(ObjectVersion(info=info, is_latest=index == len(entries) - 1,
                                            delete_marker=stored is None))
            yield listed[::-1]  # newest first, as S3 lists them

    def _version(self, key: str, version_id: str) -> _Entry | None:
        return next((e for e in self.versions.get(key, []) if e.version_id == version_id), None)

    def _version_details(self, key: str, entry: _Entry) -> ObjectDetails:
        assert entry.stored is not None
        details = self._details(key, entry.stored)
        return dataclasses.replace(details, info=dataclasses.replace(details.info, version_id=entry.version_id))

    async def head_object(
        self, key: str, *, version_id: str | None = None, part_number: int | None = None
    ) -> ObjectDetails | None:
        if version_id is None:
            return await super().head_object(key, part_number=part_number)
        self._enter("head", key)
        entry = self._version(key, version_id)
        if entry is None or entry.stored is None:
            return None
        if part_number is not None:
            return self._part_details(key, entry.stored, part_number)
        return self._version_details(key, entry)

    async def open_content(
        self, info: ObjectInfo, *, first_range: tuple[int, int] | None = None
    ) -> ObjectContent:
        if info.version_id is None:
            return await super().open_content(info, first_range=first_range)
        self._enter("open", info.key)
        entry = self._version(info.key, info.version_id)
        if entry is None or entry.stored is None:
            raise ObjectNotFoundError(f"no version {info.version_id!r}", operation="GetObject", key=info.key)
        return BytesContent(entry.stored.data, self._version_details(info.key, entry))

    async def put_object(self, key: str, content: ObjectContent, request: PutRequest) -> PutResult:
        result = await super().put_object(key, content, request)
        if result.committed:
            stored = self.objects[key]
            self._append(key, stored.mtime_ns, stored)
        return result

    async def delete_object(self, key: str) -> None:
        await super().delete_object(key)
        self._append(key, self._clock(), None)
