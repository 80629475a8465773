"""Hostile input on the local side of whole sync runs (reference §11, DECISIONS.md #3).

Keys from S3 that a local directory cannot hold as they are (traversal segments, backslashes, collisions, names
too long), and local trees that misbehave (unreadable files, files that vanish or change size between listing and
reading, broken symlinks, symlink loops, a full disk). The S3 side is the in-memory fake, which accepts every key
(SeaweedFS refuses `.`/`..` segments and rewrites backslashes); the local side is the real adapter on real files.
Whatever happens: nothing is written outside the target directory, no temp file survives, an existing file is
never damaged, and the run ends with the documented exit code.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from s3syncpy.adapters.local.storage import LocalObjectStorage
from s3syncpy.adapters.local.temp_files import TEMP_PREFIX
from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.ports.storage import ListingOptions
from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.run.run_context import record_warning
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import ForceRetry, Transfer
from s3syncpy.domain.exit_codes import ExitCode
from s3syncpy.domain.model import ObjectInfo
from s3syncpy.domain.paths import LocalLocation, S3Location
from tests.fakes.clock import FakeClock
from tests.fakes.storage import InMemoryObjectStorage
from tests.support.unprivileged import run_unprivileged

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions, symlinks and tmpfs")

SECOND = 1_000_000_000
T0 = 1_700_000_000 * SECOND
MIB = 1024 * 1024

TRAVERSAL_KEYS = [
    "../escape",
    "a/../../escape",
    "./x",
    ".",
    "..",
    "...",
    ".. ",
    "..\\evil",
    "a\\..\\..\\evil",
    "a/./b",
    "/../x",
    "x/..",
    "x/../../../../etc/passwd",
]
BENIGN_KEYS = {
    "ok": b"ok",
    "..jpg": b"1",
    "jpg.": b"2",
    "dots...": b"3",
    "/etc/passwd": b"4",
    "a\\b": b"5",
    "a//c": b"6",
    "ctl\x01x": b"7",
    "tab\tkey": b"8",
    "nl\nkey": b"9",
    "100%": b"10",
    "%2e%2e/x": b"11",
    "q?x=1#f": b"12",
    unicodedata.normalize("NFC", "caf\u00e9"): b"nfc",
    unicodedata.normalize("NFD", "caf\u00e9"): b"nfd",
    "/".join(c * 250 for c in "wxyz"): b"long",
}


def _config(target: Path, **changes: object) -> SyncConfig:
    base = SyncConfig(
        source=S3Location("bucket", ""),
        target=LocalLocation(str(target)),
        force_retry=ForceRetry(force_retry_count=1, force_retry_interval_milliseconds=1),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _s3(objects: dict[str, bytes]) -> InMemoryObjectStorage:
    source = InMemoryObjectStorage()
    for key, data in objects.items():
        source.seed(key, data, mtime_ns=T0)
    return source


async def _download(objects: dict[str, bytes], target: Path, **changes: object) -> SyncReport:
    report = SyncReport()
    storage = LocalObjectStorage(
        LocalLocation(str(target)), on_warning=lambda line: record_warning(report, line)
    )
    return await run_sync(
        _config(target, **changes), _s3(objects), storage, FakeClock(0.0), asyncio.Event(), report
    )


def _files_under(root: Path) -> dict[str, bytes]:
    return {
        os.path.relpath(os.path.join(parent, name), root): Path(parent, name).read_bytes()
        for parent, _, names in os.walk(root)
        for name in names
    }


def _assert_jailed(jail: Path, target: Path) -> None:
    """Everything under `jail` (the target's parent) is inside `target`, and no temp file is left."""
    outside = [path for path in _files_under(jail) if not path.startswith(target.name + os.sep)]
    assert outside == [], f"written outside the target: {outside}"
    assert [p for p in target.rglob(TEMP_PREFIX + "*")] == []


# -- keys from S3 ---------------------------------------------------------------------------------------------------


async def test_traversal_keys_are_skipped_with_a_warning_each(tmp_path: Path) -> None:
    target = tmp_path / "target"
    objects = {**{key: b"evil" for key in TRAVERSAL_KEYS}, **BENIGN_KEYS}

    report = await _download(objects, target)

    _assert_jailed(tmp_path, target)
    assert report.stats.warnings == len(TRAVERSAL_KEYS)
    assert all("key=" in w for w in report.warnings)
    assert report.stats.errors == 0
    assert report.exit_code is ExitCode.WARNING
    written = _files_under(target)
    assert b"evil" not in written.values()
    assert written[os.path.join("etc", "passwd")] == b"4"
    assert written["a\\b"] == b"5"  # a backslash is a plain character on POSIX, not a separator
    assert written[os.path.join("a", "c")] == b"6"
    assert written["nl\nkey"] == b"9"
    assert written[os.path.join("%2e%2e", "x")] == b"11"  # percent signs are not decoded
    assert written[unicodedata.normalize("NFC", "caf\u00e9")] == b"nfc"
    assert written[unicodedata.normalize("NFD", "caf\u00e9")] == b"nfd"  # both forms kept, as S3 keeps them
    assert written[os.path.join(*(c * 250 for c in "wxyz"))] == b"long"
    assert report.stats.transferred_objects == len(BENIGN_KEYS)


async def test_traversal_keys_with_warn_as_error_fail_the_run_and_still_write_nothing_outside(
    tmp_path: Path,
) -> None:
    target = tmp_path / "target"

    report = await _download({key: b"evil" for key in TRAVERSAL_KEYS}, target, warn_as_error=True)

    _assert_jailed(tmp_path, target)
    assert report.exit_code is ExitCode.ERROR
    assert b"evil" not in _files_under(tmp_path).values()


@pytest.mark.parametrize(
    "keys",
    [
        pytest.param({"a": b"file", "a/b": b"inner"}, id="a-and-a/b"),
        pytest.param({"a": b"file", "a/": b""}, id="a-and-a/"),
        pytest.param({"a": b"file", "a/": b"", "a/b": b"inner"}, id="a-a/-and-a/b"),
    ],
)
async def test_a_key_next_to_its_own_directory_is_an_error_and_damages_nothing(
    keys: dict[str, bytes], tmp_path: Path
) -> None:
    target = tmp_path / "target"

    report = await _download(keys, target)

    # Reference §11.1: no special handling; the failing write is a non-retryable put error, so the run fails.
    assert report.exit_code is ExitCode.ERROR
    _assert_jailed(tmp_path, target)
    for path, data in _files_under(target).items():
        assert data == keys[path.replace(os.sep, "/")]


async def test_a_name_too_long_for_the_filesystem_is_an_error_without_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "target"
    report = await _download({"n" * 300: b"long", "fine": b"ok"}, target, transfer=Transfer(worker_size=1))

    assert report.exit_code is ExitCode.ERROR
    assert any("n" * 300 in e for e in report.errors)
    _assert_jailed(tmp_path, target)


# -- local trees that misbehave -------------------------------------------------------------------------------------


class _Tampering(LocalObjectStorage):
    """A local source whose files are changed right after the listing reports them."""

    def __init__(self, root: Path, tamper: dict[str, str]) -> None:
        self.warnings: list[str] = []
        super().__init__(LocalLocation(str(root)), on_warning=self.warnings.append)
        self._tamper_root = root
        self._tamper = tamper

    async def list_objects(self, options: ListingOptions) -> AsyncIterator[ObjectInfo]:
        listed = [info async for info in super().list_objects(options)]
        for key, action in self._tamper.items():
            path = self._tamper_root / key
            if action == "delete":
                path.unlink()
            elif action == "grow":
                with path.open("ab") as out:
                    out.write(b"+appended")
            elif action == "shrink":
                os.truncate(path, 1)
            elif action == "unreadable":
                path.chmod(0o000)
        for info in listed:
            yield info


async def _upload(
    source: LocalObjectStorage, root: Path, **changes: object
) -> tuple[SyncReport, InMemoryObjectStorage]:
    target = InMemoryObjectStorage()
    config = dataclasses.replace(
        _config(root),
        source=LocalLocation(str(root)),
        target=S3Location("bucket", ""),
        **changes,  # type: ignore[arg-type]
    )
    report = await run_sync(config, source, target, FakeClock(0.0), asyncio.Event())
    return report, target


def _tree(root: Path, files: dict[str, bytes]) -> None:
    for key, data in files.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


async def test_a_file_that_vanishes_after_listing_is_skipped_with_a_warning(tmp_path: Path) -> None:
    _tree(tmp_path, {"stays.txt": b"here", "gone.txt": b"soon gone"})
    source = _Tampering(tmp_path, {"gone.txt": "delete"})

    report, target = await _upload(source, tmp_path)

    assert report.exit_code is ExitCode.WARNING
    assert report.warnings == ["object not found. skipping. key=gone.txt"]
    assert set(target.objects) == {"stays.txt"}


@pytest.mark.parametrize("change", ["shrink", "grow"])
@pytest.mark.parametrize("size", [1000, 6 * MIB], ids=["single-part", "multipart"])
async def test_a_file_that_changes_size_after_listing_is_sent_as_it_is_when_read(
    change: str, size: int, tmp_path: Path
) -> None:
    original = os.urandom(size)
    _tree(tmp_path, {"stays.txt": b"here", "changes.bin": original})
    source = _Tampering(tmp_path, {"changes.bin": change})

    report, target = await _upload(
        source, tmp_path, transfer=Transfer(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)
    )

    # What the file holds when it is opened is what the target gets (the reference re-stats it too): a copy cut
    # to the listed size would look newer than the file and never be corrected by the next run.
    assert report.exit_code is ExitCode.SUCCESS, report.errors + report.warnings
    assert target.data("changes.bin") == (tmp_path / "changes.bin").read_bytes()
    assert target.data("stays.txt") == b"here"


@posix_only
async def test_broken_symlinks_are_skipped_silently_and_loops_warn(tmp_path: Path) -> None:
    _tree(tmp_path, {"real/file.txt": b"f"})
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "real" / "loop").symlink_to(tmp_path / "real")
    report = SyncReport()
    source = LocalObjectStorage(
        LocalLocation(str(tmp_path)), on_warning=lambda line: record_warning(report, line)
    )
    target = InMemoryObjectStorage()
    config = dataclasses.replace(
        _config(tmp_path), source=LocalLocation(str(tmp_path)), target=S3Location("b", "")
    )

    await run_sync(config, source, target, FakeClock(0.0), asyncio.Event(), report)

    assert set(target.objects) == {"real/file.txt"}
    assert report.stats.warnings == 1 and report.warnings[0].startswith("failed to list local files.")
    assert report.exit_code is ExitCode.WARNING


@posix_only
def test_unreadable_files_are_warned_about_and_the_rest_is_synced() -> None:
    # Not tmp_path: pytest's base temp is private to the user, and the run happens as another one.
    root = Path(tempfile.mkdtemp(prefix="s3syncpy-hostile-"))
    try:
        _tree(root, {"ok.txt": b"ok", "locked.txt": b"l", "later.txt": b"made unreadable after the listing"})
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
            if os.geteuid() == 0:
                os.chown(path, 65534, 65534)  # the child may then make its own file unreadable
        (root / "locked.txt").chmod(0o000)

        def body() -> dict[str, object]:
            source = _Tampering(root, {"later.txt": "unreadable"})
            report = SyncReport()
            source._on_warning = lambda line: record_warning(report, line)
            target = InMemoryObjectStorage()
            config = dataclasses.replace(
                _config(root), source=LocalLocation(str(root)), target=S3Location("b", "")
            )
            asyncio.run(run_sync(config, source, target, FakeClock(0.0), asyncio.Event(), report))
            return {
                "keys": sorted(target.objects),
                "warnings": report.warnings,
                "exit": int(report.exit_code),
            }

        result = run_unprivileged(body)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    assert result["keys"] == ["ok.txt"]
    warnings = result["warnings"]
    assert isinstance(warnings, list) and len(warnings) == 2
    assert any(w.startswith("failed to access file.") and "locked.txt" in w for w in warnings)
    assert "access denied. skipping. key=later.txt" in warnings
    assert result["exit"] == ExitCode.WARNING


# -- a full disk ----------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _tiny_filesystem(path: Path, size: str) -> Iterator[Path]:
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@posix_only
@pytest.mark.parametrize(
    ("size", "new_size", "transfer"),
    [
        pytest.param("1m", 2 * MIB, Transfer(), id="streamed"),
        pytest.param(
            "8m", 6 * MIB, Transfer(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB), id="parts"
        ),
    ],
)
async def test_full_disk_keeps_the_existing_file_and_removes_the_temp(
    size: str, new_size: int, transfer: Transfer, tmp_path: Path
) -> None:
    with _tiny_filesystem(tmp_path / "disk", size) as disk:
        target = disk / "target"
        target.mkdir()
        old = b"previous content " * 1000
        (target / "file.bin").write_bytes(old)
        os.utime(target / "file.bin", (1, 1))
        if new_size > 2 * MIB:
            (target / "filler").write_bytes(b"\0" * (4 * MIB))

        report = await _download(
            {"file.bin": os.urandom(new_size), "small.txt": b"fits"}, target, transfer=transfer
        )

        assert report.exit_code is ExitCode.ERROR
        assert (target / "file.bin").read_bytes() == old
        assert [p.name for p in target.iterdir() if p.name.startswith(TEMP_PREFIX)] == []
        # The temp file's blocks are released (its descriptor closed, not only its name removed).
        deadline = time.monotonic() + 5
        while shutil.disk_usage(disk).used >= len(old) + 5 * MIB and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert shutil.disk_usage(disk).used < len(old) + 5 * MIB
