"""Each adapter's capability flags agree with the optional methods it implements (rclone's Features.Fill idea):
a flag cannot promise a method the adapter lacks, and a method cannot hide behind a flag left off."""

from __future__ import annotations

import pytest

from s3syncpy.application.ports.storage import (
    CAPABILITY_METHODS,
    ObjectStorage,
    StorageFeatures,
    undeclared_capabilities,
)
from tests.contract.conftest import Harness


def test_flags_agree_with_the_methods_implemented(harness: Harness) -> None:
    if harness.name.startswith("memory"):
        pytest.skip("the in-memory fake implements every method and takes its flags from each test")
    assert undeclared_capabilities(harness.storage) == []


class _Declares(ObjectStorage):
    """Claims parts without implementing them (and implements nothing else optional)."""

    @property
    def features(self) -> StorageFeatures:
        return StorageFeatures(supports_parts=True, computes_digests=False, supports_tagging=False,
                               supports_versioning=False, supports_server_side_copy=False)

    def list_objects(self, options):  # type: ignore[no-untyped-def, override]
        raise NotImplementedError

    async def head_object(self, key, *, version_id=None, part_number=None):  # type: ignore[no-untyped-def, override]
        raise NotImplementedError

    async def open_content(self, info, *, first_range=None):  # type: ignore[no-untyped-def, override]
        raise NotImplementedError

    async def get_object_tagging(self, key, *, version_id=None):  # type: ignore[no-untyped-def, override]
        return {}

    async def put_object(self, key, content, request):  # type: ignore[no-untyped-def, override]
        raise NotImplementedError

    async def delete_object(self, key, *, if_match=None):  # type: ignore[no-untyped-def, override]
        raise NotImplementedError

    def describe(self, key):  # type: ignore[no-untyped-def, override]
        return key


def test_a_flag_without_its_method_is_reported() -> None:
    assert set(CAPABILITY_METHODS) >= {"supports_parts"}
    assert undeclared_capabilities(_Declares()) == ["supports_parts"]
