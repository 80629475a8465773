"""Capability sets for the in-memory fake: tests pick the flags the code under test must cope with.

`OBJECT_STORE` has every flag of an object store (stored ETags, checksums, parts, tags); `FILE_TREE` the flags of
a directory tree (computed digests, directories, kept mtimes, validation before commit). A test that needs another
mix derives one with `dataclasses.replace`.
"""

from __future__ import annotations

from s3syncpy.application.ports.storage import StorageFeatures

OBJECT_STORE = StorageFeatures()

FILE_TREE = StorageFeatures(
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
