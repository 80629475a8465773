"""LocalObjectStorage under Windows' and macOS's file-name rules, on a real directory of this (POSIX) machine.

A key the policy's disk cannot hold is refused with UnsupportedLocalNameError before anything is written; on a
case-insensitive disk the first spelling of a name wins, in the folder or claimed in this run, and a delete never
removes the file this run wrote for another spelling.
"""

from __future__ import annotations

import asyncio
import os
import unicodedata
from pathlib import Path

import pytest

from s3syncpy.adapters.local.storage import LocalObjectStorage
from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.ports.storage import PutRequest
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import Deletion
from s3syncpy.domain.errors import UnsupportedLocalNameError
from s3syncpy.domain.local_names import LocalNamePolicy
from s3syncpy.domain.paths import LocalLocation, S3Location
from tests.fakes.clock import FakeClock
from tests.fakes.content import BytesContent
from tests.fakes.storage import InMemoryObjectStorage


def _files(root: Path) -> dict[str, bytes]:
    return {
        os.path.relpath(os.path.join(parent, name), root).replace(os.sep, "/"): Path(parent, name).read_bytes()
        for parent, _dirs, names in os.walk(root)
        for name in names
    }


def _storage(target: Path, policy: LocalNamePolicy) -> LocalObjectStorage:
    return LocalObjectStorage(LocalLocation(str(target)), path_policy=policy)


async def _put(storage: LocalObjectStorage, key: str, data: bytes) -> None:
    async with BytesContent(data) as content:
        result = await storage.put_object(key, content, PutRequest(size=len(data)))
    assert result.committed


@pytest.mark.parametrize(
    "key",
    ["CON", "nul.txt", "COM1", "a:b", "x:y.txt", "jpg.", "trail ", "dir/LPT9/x", "q?", "ctl\x01", "sub./x"],
)
async def test_windows_rules_refuse_the_key_before_anything_is_written(tmp_path: Path, key: str) -> None:
    target = tmp_path / "target"
    storage = _storage(target, LocalNamePolicy.WINDOWS)

    with pytest.raises(UnsupportedLocalNameError, match="^the key cannot be stored as a Windows file: "):
        await storage.reserve_key(key)
    with pytest.raises(UnsupportedLocalNameError):
        await _put(storage, key, b"x")
    with pytest.raises(UnsupportedLocalNameError):
        await storage.head_object(key)

    assert not target.exists()


async def test_a_second_spelling_is_refused_and_the_first_kept(tmp_path: Path) -> None:
    storage = _storage(tmp_path, LocalNamePolicy.WINDOWS)
    await _put(storage, "README", b"first")

    with pytest.raises(UnsupportedLocalNameError, match='"Readme" differs only in case from "README"'):
        await _put(storage, "Readme", b"second")
    await _put(storage, "README", b"again")  # the same spelling is the same file: written as usual

    assert _files(tmp_path) == {"README": b"again"}


async def test_twins_written_at_once_leave_exactly_one_file(tmp_path: Path) -> None:
    storage = _storage(tmp_path, LocalNamePolicy.MACOS)
    keys = ["dir/Readme", "dir/README", "dir/readme", "DIR/x"]

    outcomes = await asyncio.gather(*(_put(storage, key, key.encode()) for key in keys), return_exceptions=True)

    written = [key for key, outcome in zip(keys, outcomes, strict=True) if outcome is None]
    refused = [outcome for outcome in outcomes if isinstance(outcome, UnsupportedLocalNameError)]
    assert len(written) == 1 and len(refused) == 3, outcomes
    assert _files(tmp_path) == {written[0]: written[0].encode()}


async def test_a_spelling_on_disk_from_an_earlier_run_wins(tmp_path: Path) -> None:
    (tmp_path / "Docs").mkdir()
    (tmp_path / "Docs" / "a").write_bytes(b"old")
    storage = _storage(tmp_path, LocalNamePolicy.WINDOWS)

    with pytest.raises(UnsupportedLocalNameError, match='"docs" differs only in case from "Docs"'):
        await storage.reserve_key("docs/b")
    with pytest.raises(UnsupportedLocalNameError, match='"A" differs only in case from "a"'):
        await _put(storage, "Docs/A", b"new")
    await _put(storage, "Docs/b", b"fine")

    assert _files(tmp_path) == {"Docs/a": b"old", "Docs/b": b"fine"}


async def test_the_file_written_for_one_spelling_is_not_deleted_for_another(tmp_path: Path) -> None:
    storage = _storage(tmp_path, LocalNamePolicy.WINDOWS)
    await _put(storage, "Readme", b"kept")

    with pytest.raises(UnsupportedLocalNameError, match="the one this run wrote for key Readme"):
        await storage.delete_object("README")
    await storage.delete_object("other")  # unrelated names are deleted (or absent) as usual

    assert _files(tmp_path) == {"Readme": b"kept"}


async def test_macos_folds_unicode_normalisation_too(tmp_path: Path) -> None:
    storage = _storage(tmp_path, LocalNamePolicy.MACOS)
    nfc, nfd = unicodedata.normalize("NFC", "caf\u00e9"), unicodedata.normalize("NFD", "caf\u00e9")
    await _put(storage, nfc, b"nfc")

    with pytest.raises(UnsupportedLocalNameError, match="differs only in Unicode normalisation"):
        await _put(storage, nfd, b"nfd")
    await _put(storage, "a:b", b"colon")  # macOS's POSIX layer keeps ":" as spelled

    assert _files(tmp_path) == {nfc: b"nfc", "a:b": b"colon"}


async def test_posix_rules_keep_every_spelling(tmp_path: Path) -> None:
    storage = _storage(tmp_path, LocalNamePolicy.POSIX)
    for key in ("README", "Readme", "CON", "a:b", "jpg."):
        await storage.reserve_key(key)
        await _put(storage, key, key.encode())

    assert _files(tmp_path) == {key: key.encode() for key in ("README", "Readme", "CON", "a:b", "jpg.")}


async def test_refused_keys_are_never_read_from_the_source_and_delete_nothing(tmp_path: Path) -> None:
    source = InMemoryObjectStorage()
    for key in ("CON", "a:b", "README", "Readme", "ok"):
        source.seed(key, key.encode(), mtime_ns=1_700_000_000_000_000_000)
    config = SyncConfig(source=S3Location("bucket", ""), target=LocalLocation(str(tmp_path)),
                        deletion=Deletion(delete=True))

    reads = []
    for _ in range(2):
        source.calls.clear()
        report = await run_sync(config, source, _storage(tmp_path, LocalNamePolicy.WINDOWS), FakeClock(0.0),
                                asyncio.Event())
        assert (report.stats.warnings, report.stats.deleted) == (3, 0)
        reads.append(sorted(key for operation, key in source.calls if operation == "open"))

    # Only the keys written were read (the first run); the refused ones never were, nor anything on the rerun.
    # Of the two case twins, the one a worker reached first is kept (workers run concurrently): either spelling.
    (kept,) = [key for key in reads[0] if key != "ok"]
    assert kept in {"README", "Readme"}
    assert reads == [sorted([kept, "ok"]), []]
    assert _files(tmp_path) == {kept: kept.encode(), "ok": b"ok"}
