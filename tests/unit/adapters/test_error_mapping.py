"""Every exception class of the vendor libraries the S3 adapter calls becomes a domain StorageError.

The classes are enumerated from the installed botocore and aiohttp, so a new release that adds one is covered
without editing this test; the network-level ones must become TransientStorageError (worth a force retry).
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import aiohttp
import botocore.exceptions  # type: ignore[import-untyped]
import pytest

from s3syncpy.adapters.s3.errors import map_botocore_errors
from s3syncpy.domain.errors import StorageError, TransientStorageError


def _subclasses(root: type[BaseException], module: Any) -> list[type[BaseException]]:
    found = [
        cls for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, root) and cls.__module__.startswith(module.__name__.split(".")[0])
    ]
    return sorted(set(found), key=lambda cls: cls.__qualname__)


BOTOCORE = _subclasses(botocore.exceptions.BotoCoreError, botocore.exceptions) + _subclasses(
    botocore.exceptions.ClientError, botocore.exceptions
)
AIOHTTP = _subclasses(aiohttp.ClientError, aiohttp)


def _instance(cls: type[BaseException]) -> BaseException:
    """An instance without running constructors whose arguments differ per class; str() must still work."""
    exc = cls.__new__(cls)
    exc.args = ("simulated failure",)
    if issubclass(cls, botocore.exceptions.ClientError):
        exc.response = {"Error": {"Code": "SomethingElse", "Message": "m"}, "ResponseMetadata": {}}  # type: ignore[attr-defined]
        exc.operation_name = "GetObject"  # type: ignore[attr-defined]
    if issubclass(cls, botocore.exceptions.BotoCoreError):
        exc.kwargs = {}  # type: ignore[attr-defined]
    try:
        str(exc)
    except AttributeError:
        # aiohttp's messages read attributes only its constructors set; keep the class, replace the message.
        shim = type(cls.__name__, (cls,), {"__str__": lambda self: "simulated failure"})
        return _instance(shim)
    return exc


@pytest.mark.parametrize("cls", BOTOCORE + AIOHTTP, ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_every_vendor_exception_is_mapped(cls: type[BaseException]) -> None:
    exc = _instance(cls)
    with pytest.raises(StorageError) as raised, map_botocore_errors("GetObject", "s3://b/k", key="k"):
        raise exc
    assert raised.value.__cause__ is exc
    assert raised.value.operation == "GetObject" and raised.value.key == "k"


@pytest.mark.parametrize(
    "cls",
    [c for c in BOTOCORE if issubclass(c, (botocore.exceptions.HTTPClientError, botocore.exceptions.ConnectionError))]
    + AIOHTTP + [asyncio.TimeoutError, ConnectionResetError, BrokenPipeError],
    ids=lambda cls: cls.__qualname__,
)
def test_network_level_failures_are_worth_a_force_retry(cls: type[BaseException]) -> None:
    with pytest.raises(TransientStorageError), map_botocore_errors("GetObject", "s3://b/k"):
        raise _instance(cls)


def test_the_enumeration_found_the_vendor_trees() -> None:
    assert len(BOTOCORE) > 50 and len(AIOHTTP) > 10
