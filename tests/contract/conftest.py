"""Storage factories for the ObjectStorage contract suite: every test runs once per implementation.

Each factory yields a Harness: the storage under test plus a way to see leftovers (temp files of a local
directory, unfinished multipart uploads of a bucket) that a failed or refused put must not leave behind.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from s3syncpy.adapters.local.storage import LocalObjectStorage
from s3syncpy.adapters.local.temp_files import TEMP_PREFIX
from s3syncpy.application.ports.storage import ObjectStorage
from s3syncpy.domain.paths import LocalLocation
from tests.fakes.features import FILE_TREE
from tests.fakes.storage import InMemoryObjectStorage


@dataclass
class Harness:
    """The storage under test and how to inspect what it left behind.

    Attributes:
        storage: the implementation under test.
        leftovers: names of temp files / open multipart uploads; must be empty after any put.
        name: the factory id.
    """

    storage: ObjectStorage
    leftovers: Callable[[], list[str]]
    name: str


def _local_leftovers(root: Path) -> Callable[[], list[str]]:
    def scan() -> list[str]:
        return sorted(
            os.path.relpath(os.path.join(parent, name), root)
            for parent, _dirs, files in os.walk(root)
            for name in files
            if name.startswith(TEMP_PREFIX)
        )

    return scan


FACTORIES = ["memory", "memory-local", "local", "s3"]


@pytest.fixture(params=FACTORIES)
async def harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    """One ObjectStorage implementation, fresh and empty."""
    kind: str = request.param
    if kind == "memory":
        yield Harness(InMemoryObjectStorage(), list, kind)
    elif kind == "memory-local":
        yield Harness(InMemoryObjectStorage(features=FILE_TREE), list, kind)
    elif kind == "local":
        root = tmp_path / "root"
        storage = LocalObjectStorage(LocalLocation(str(root)))
        yield Harness(storage, _local_leftovers(tmp_path), kind)
        await storage.aclose()
    else:
        # Imported here: the S3 adapter pulls in aiobotocore, which the other kinds do not need.
        from tests.contract.s3_factory import open_s3_harness

        async with open_s3_harness(request) as s3_harness:
            yield s3_harness
