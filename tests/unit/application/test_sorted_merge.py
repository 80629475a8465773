"""The sorted merge of the listings gives exactly the key-map mode's outcome: final target, counters, deletes."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.pipeline.target_merge import comparison_mode
from s3syncpy.application.ports.callbacks import FilterObject, SyncCallbacks
from s3syncpy.application.ports.storage import ListingOptions, StorageFeatures
from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import Deletion, UpdateCheck
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.exit_codes import ExitCode
from s3syncpy.domain.filters import FilterSettings
from s3syncpy.domain.keys import local_listing_key
from s3syncpy.domain.model import ObjectInfo
from s3syncpy.domain.paths import LocalLocation, S3Location
from tests.fakes.clock import FakeClock
from tests.fakes.features import FILE_TREE, OBJECT_STORE
from tests.fakes.storage import InMemoryObjectStorage

SECOND = 1_000_000_000
T0 = 1_700_000_000 * SECOND

# "-" sorts before "/" and "0" after it; "é" and "😀" are past ASCII (UTF-8 byte order is code point order).
_segment = st.sampled_from(["a", "a-b", "a0", "b", "é", "😀", "-"])
_key = st.lists(_segment, min_size=1, max_size=3).map("/".join)
# S3 keys may also have empty segments, which a local target stores under their normalised keys.
_s3_key = st.one_of(_key, _key.map(lambda key: "/" + key), _key.map(lambda key: key.replace("/", "//", 1)))

DIRECTIONS = {
    "local-to-s3": (FILE_TREE, OBJECT_STORE),
    "s3-to-s3": (OBJECT_STORE, OBJECT_STORE),
    "s3-to-local": (OBJECT_STORE, FILE_TREE),
}


class _DropsDigits(SyncCallbacks):
    """A user filter: drops the keys holding a "0" (their target copies stay protected)."""

    has_filter = True

    async def filter(self, obj: FilterObject) -> bool:
        return "0" not in obj.key


def _as_files(keys: list[str]) -> list[str]:
    """Keys a directory tree can hold at once: no key is also the directory of another."""
    chosen: list[str] = []
    for key in sorted(keys, key=len, reverse=True):
        if not any(other.startswith(key + "/") or key.startswith(other + "/") for other in chosen):
            chosen.append(key)
    return chosen


@st.composite
def _case(draw: st.DrawFn) -> tuple[str, dict[str, tuple[bytes, int]], dict[str, tuple[bytes, int]], SyncConfig, bool]:
    direction = draw(st.sampled_from(sorted(DIRECTIONS)))
    source_features, target_features = DIRECTIONS[direction]
    source_keys = draw(st.lists(_key if source_features.stores_directories else _s3_key, max_size=12, unique=True))
    target_keys = draw(st.lists(_key, max_size=12, unique=True))
    if source_features.stores_directories:
        source_keys = _as_files(source_keys)
    elif target_features.stores_directories:
        # One source key per file: two keys naming one file (`/a`, `a`) overwrite each other in either mode, in
        # no fixed order (test_two_source_keys_naming_one_file_...).
        source_keys = list({local_listing_key(key): key for key in reversed(source_keys)}.values())
    if target_features.stores_directories:
        # Some of the source's files already there (under the names they are written to), the rest target-only.
        copied = draw(st.lists(st.sampled_from(source_keys), unique=True)) if source_keys else []
        target_keys = _as_files(target_keys + [local_listing_key(key) for key in copied])
    else:
        target_keys = list(dict.fromkeys(target_keys + draw(st.lists(st.sampled_from(source_keys), unique=True))
                                         if source_keys else target_keys))
    body = st.sampled_from([b"", b"x", b"xy", b"other"])
    mtime = st.sampled_from([T0 - 10 * SECOND, T0, T0 + 10 * SECOND])
    source = {key: (draw(body), draw(mtime)) for key in source_keys}
    target = {key: (draw(body), draw(mtime)) for key in target_keys}
    exclude = draw(st.sampled_from([None, "a-", "^b", "é"]))
    include = draw(st.sampled_from([None, None, "a"]))
    update = draw(st.sampled_from([
        UpdateCheck(), UpdateCheck(check_size=True), UpdateCheck(check_etag=True),
        UpdateCheck(remove_modified_filter=True),
    ]))
    deletion = Deletion(
        delete=draw(st.booleans()),
        max_delete=draw(st.sampled_from([None, None, 0, 1, 3])),
        delete_excluded=draw(st.booleans()),
    )
    cfg = SyncConfig(
        source=LocalLocation("/src") if source_features.stores_directories else S3Location("src", ""),
        target=LocalLocation("/dst") if target_features.stores_directories else S3Location("dst", ""),
        update_check=update,
        deletion=deletion,
        filters=FilterSettings(
            exclude_regex=regex.compile(exclude) if exclude else None,
            include_regex=regex.compile(include) if include else None,
        ),
    )
    return direction, source, target, cfg, draw(st.booleans())


def _storage(features: StorageFeatures, objects: dict[str, tuple[bytes, int]]) -> InMemoryObjectStorage:
    storage = InMemoryObjectStorage(features=features, clock=lambda: T0)
    for key, (data, mtime_ns) in objects.items():
        storage.seed(key, data, mtime_ns=mtime_ns)
    return storage


def _outcome(
    direction: str, source: dict[str, tuple[bytes, int]], target: dict[str, tuple[bytes, int]], cfg: SyncConfig,
    *, ordered: bool, user_filter: bool = False, target_storage: InMemoryObjectStorage | None = None,
) -> tuple[dict[str, bytes], dict[str, object], list[str], int, list[str], list[str]]:
    source_features, target_features = (
        features if ordered else dataclasses.replace(features, lists_in_key_order=False)
        for features in DIRECTIONS[direction]
    )
    source_storage = _storage(source_features, source)
    if target_storage is None:
        target_storage = _storage(target_features, target)
    callbacks = _DropsDigits() if user_filter else None
    report: SyncReport = asyncio.run(
        run_sync(cfg, source_storage, target_storage, FakeClock(0.0), asyncio.Event(), callbacks=callbacks)
    )
    final = {key: target_storage.data(key) for key in target_storage.objects}
    deleted = sorted(key for operation, key in target_storage.calls if operation == "delete")
    return (final, dataclasses.asdict(report.stats), deleted, int(report.exit_code), sorted(report.warnings),
            sorted(report.errors))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_case())
def test_the_sorted_merge_and_the_key_map_give_the_same_outcome(
    case: tuple[str, dict[str, tuple[bytes, int]], dict[str, tuple[bytes, int]], SyncConfig, bool],
) -> None:
    direction, source, target, cfg, user_filter = case

    merged = _outcome(direction, source, target, cfg, ordered=True, user_filter=user_filter)
    mapped = _outcome(direction, source, target, cfg, ordered=False, user_filter=user_filter)

    assert merged == mapped


@pytest.mark.parametrize(
    ("direction", "merged"),
    [("local-to-s3", True), ("s3-to-s3", True), ("s3-to-local", True)],
)
def test_the_merge_runs_where_both_listings_compare_in_key_order(direction: str, merged: bool) -> None:
    source, target = DIRECTIONS[direction]

    assert comparison_mode(source, target).sorted_merge is merged
    assert not comparison_mode(dataclasses.replace(source, lists_in_key_order=False), target).sorted_merge
    assert not comparison_mode(source, dataclasses.replace(target, lists_in_key_order=False)).sorted_merge


@pytest.mark.parametrize(("ordered", "line"), [(True, "by sorted merge"), (False, "by key map")])
def test_the_mode_that_ran_is_logged_at_info(ordered: bool, line: str, caplog: pytest.LogCaptureFixture) -> None:
    cfg = SyncConfig(source=LocalLocation("/src"), target=S3Location("dst", ""), deletion=Deletion(delete=True))
    with caplog.at_level(logging.INFO, logger="s3syncpy"):
        _outcome("local-to-s3", {"a": (b"x", T0)}, {"b": (b"y", T0)}, cfg, ordered=ordered)

    assert any(f"comparing the listings {line}." in r.getMessage() for r in caplog.records if r.levelno == logging.INFO)


def test_target_only_keys_are_deleted_only_after_the_merge_saw_the_whole_source() -> None:
    cfg = SyncConfig(source=LocalLocation("/src"), target=S3Location("dst", ""), deletion=Deletion(delete=True))
    source = {"a": (b"x", T0), "c": (b"x", T0)}
    target = {"a-b": (b"y", T0), "a/x": (b"y", T0), "b": (b"y", T0), "c": (b"x", T0), "d": (b"y", T0)}

    final, stats, deleted, *_ = _outcome("local-to-s3", source, target, cfg, ordered=True)

    assert deleted == ["a-b", "a/x", "b", "d"]
    assert final == {"a": b"x", "c": b"x"}
    assert stats["deleted"] == 4


class _FailsAfter(InMemoryObjectStorage):
    """A target whose listing fails after its first key."""

    async def list_objects(self, options: ListingOptions) -> AsyncIterator[ObjectInfo]:
        async for info in super().list_objects(options):
            yield info
            raise StorageError("ListObjectsV2 failed", operation="ListObjectsV2")


def test_a_target_listing_failing_during_the_merge_is_an_error_and_deletes_nothing() -> None:
    cfg = SyncConfig(source=LocalLocation("/src"), target=S3Location("dst", ""), deletion=Deletion(delete=True))
    target = _FailsAfter(features=OBJECT_STORE, clock=lambda: T0)
    for key in ("a", "b", "c"):
        target.seed(key, b"old", mtime_ns=T0)

    final, _, deleted, exit_code, _, errors = _outcome(
        "local-to-s3", {"c": (b"x", T0), "d": (b"x", T0)}, {}, cfg, ordered=True, target_storage=target
    )

    assert deleted == []
    assert exit_code == int(ExitCode.ERROR)
    assert any("ListObjectsV2 failed" in error for error in errors)
    assert {"a", "b", "c"} <= set(final)


def test_two_source_keys_naming_one_file_may_be_counted_differently_but_delete_the_same() -> None:
    """`/a` and `a` both write the file `a`. The key map lists the target before any write; the merge meets the
    file `a` after `/a` (sorted before it) may have written it, and then skips `a` when the file matches it. So
    the split between transferred and skipped may differ, and which copy the file ends with is a race in either
    mode; the files and the deletes are the same."""
    cfg = SyncConfig(source=S3Location("src", ""), target=LocalLocation("/dst"), deletion=Deletion(delete=True))
    source = {"/a": (b"", T0), "a": (b"", T0), "a-b": (b"y", T0)}
    target = {"c": (b"z", T0)}

    merged = _outcome("s3-to-local", source, target, cfg, ordered=True)
    mapped = _outcome("s3-to-local", source, target, cfg, ordered=False)

    assert merged[0] == mapped[0] == {"a": b"", "a-b": b"y"}
    assert merged[2] == mapped[2] == ["c"]
    for _, stats, *_ in (merged, mapped):
        assert stats["transferred_objects"] + stats["skipped"] == 3
