"""Key-range shards through the real pipeline on in-memory storages: shards that partition the key space do
exactly what one unsharded run does, --delete included, in every direction."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from s3syncpy.application.pipeline.key_ranges import RunKeyRange
from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.ports.storage import StorageFeatures
from s3syncpy.application.run.report import SyncReport, merge_reports
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import ClientSettings, Deletion
from s3syncpy.application.settings.sharded_run import ShardRunner, check_shardable, shard_config
from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.key_range import KeyRange
from s3syncpy.domain.paths import LocalLocation, S3Location, StorageLocation
from s3syncpy.domain.shard_plan import plan_shards, ranges_from_cuts
from tests.fakes.clock import FakeClock
from tests.fakes.features import FILE_TREE, OBJECT_STORE
from tests.fakes.storage import InMemoryObjectStorage

_SEGMENT = st.sampled_from(["a", "b", "a-b", "é", "日", "z0", ""])
_KEY = st.lists(_SEGMENT, min_size=1, max_size=3).map("/".join).filter(lambda key: key.strip("/") != "")

_DIRECTIONS = {
    "local-to-s3": (FILE_TREE, OBJECT_STORE),
    "s3-to-local": (OBJECT_STORE, FILE_TREE),
    "s3-to-s3": (OBJECT_STORE, OBJECT_STORE),
}


def _location(features: StorageFeatures, name: str) -> StorageLocation:
    return LocalLocation(f"/{name}") if features.stores_directories else S3Location(name, "")


def _storage(features: StorageFeatures, keys: list[str], marker: bytes) -> InMemoryObjectStorage:
    storage = InMemoryObjectStorage(features=features)
    for key in keys:
        if features.stores_directories:
            key = "/".join(part for part in key.split("/") if part)
        storage.seed(key, marker + key.encode(), mtime_ns=1_000_000_000)
    return storage


def _config(source: StorageFeatures, target: StorageFeatures) -> SyncConfig:
    return SyncConfig(
        source=_location(source, "src"), target=_location(target, "dst"), deletion=Deletion(delete=True)
    )


async def _run(config: SyncConfig, source: InMemoryObjectStorage, target: InMemoryObjectStorage) -> SyncReport:
    return await run_sync(config, source, target, FakeClock(0.0), asyncio.Event())


def _final_state(
    direction: str, source_keys: list[str], target_keys: list[str], ranges: list[KeyRange] | None
) -> tuple[dict[str, bytes], SyncReport]:
    source_features, target_features = _DIRECTIONS[direction]
    source = _storage(source_features, source_keys, b"new:")
    target = _storage(target_features, target_keys, b"old:")
    config = _config(source_features, target_features)

    async def run_all() -> SyncReport:
        if ranges is None:
            return await _run(config, source, target)
        reports = [await _run(shard_config(config, key_range), source, target) for key_range in ranges]
        return merge_reports(reports, elapsed_secs=0.0)

    report = asyncio.run(run_all())
    return {key: stored.data for key, stored in target.objects.items()}, report


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    direction=st.sampled_from(sorted(_DIRECTIONS)),
    source_keys=st.lists(_KEY, max_size=12, unique=True),
    target_keys=st.lists(_KEY, max_size=12, unique=True),
    cuts=st.lists(_KEY, max_size=4, unique=True),
)
# The S3 key `/a` is written to the local file `a`: a shard cut between the two orders must still keep them together.
@example(direction="s3-to-local", source_keys=["/a"], target_keys=[], cuts=["a"])
def test_shards_that_partition_the_keys_do_what_one_run_does(
    direction: str, source_keys: list[str], target_keys: list[str], cuts: list[str]
) -> None:
    whole, whole_report = _final_state(direction, source_keys, target_keys, None)
    sharded, sharded_report = _final_state(direction, source_keys, target_keys, ranges_from_cuts(sorted(cuts)))

    assert sharded == whole
    assert sharded_report.stats == whole_report.stats
    assert sharded_report.exit_code == whole_report.exit_code


@pytest.mark.parametrize("direction", sorted(_DIRECTIONS))
def test_planned_shards_do_what_one_run_does(direction: str) -> None:
    source_keys = [f"d{index % 7}/k{index:03d}" for index in range(200)] + ["a-b", "a/b", "é/x"]
    target_keys = [f"d{index % 5}/k{index:03d}" for index in range(0, 300, 3)] + ["zz/only-target"]
    ranges = plan_shards(sorted(source_keys), 4)
    assert len(ranges) == 4

    whole, whole_report = _final_state(direction, source_keys, target_keys, None)
    sharded, report = _final_state(direction, source_keys, target_keys, ranges)

    assert sharded == whole
    assert "zz/only-target" not in sharded
    assert report.stats == whole_report.stats
    assert report.stats.transferred_objects + report.stats.skipped == len(source_keys)


async def test_a_range_limits_both_listings_and_the_deletes() -> None:
    source = _storage(OBJECT_STORE, ["a", "m", "z"], b"new:")
    target = _storage(OBJECT_STORE, ["b", "n", "y"], b"old:")
    config = dataclasses.replace(_config(OBJECT_STORE, OBJECT_STORE), key_range=KeyRange("b", "y"))

    report = await _run(config, source, target)

    assert sorted(target.objects) == ["m", "y"]
    assert report.stats.transferred_objects == 1 and report.stats.deleted == 2


def test_a_local_target_compares_normalised_source_keys() -> None:
    shard = RunKeyRange.between(KeyRange("a", "b"), OBJECT_STORE, FILE_TREE)
    # `/a` is written to the file `a`: it belongs where `a` belongs, whatever the raw key's order.
    assert shard.keeps_source("/a") and shard.keeps_target("a")
    assert shard.source_listing_hint is None
    raw = RunKeyRange.between(KeyRange("a", "b"), OBJECT_STORE, OBJECT_STORE)
    assert not raw.keeps_source("/a") and raw.source_listing_hint == KeyRange("a", "b")


def test_merged_reports_sum_counters_and_keep_messages() -> None:
    first = SyncReport(warnings=["w1"])
    first.stats.transferred_objects = 2
    first.stats.warnings = 1
    second = SyncReport(errors=["e1"], cancelled=True)
    second.stats.transferred_objects = 3
    second.stats.deleted = 1

    merged = merge_reports([first, second], elapsed_secs=4.0)

    assert merged.stats.transferred_objects == 5 and merged.stats.deleted == 1 and merged.stats.warnings == 1
    assert merged.errors == ["e1"] and merged.warnings == ["w1"]
    assert merged.cancelled and merged.elapsed_secs == 4.0


def test_a_shard_carries_no_credentials() -> None:
    config = _config(OBJECT_STORE, OBJECT_STORE)
    config = dataclasses.replace(
        config,
        source_client=dataclasses.replace(
            config.source_client, access_key="AKIA", secret_access_key="secret", session_token="token"
        ),
    )
    shard = shard_config(config, KeyRange("a", "b"))
    assert shard.key_range == KeyRange("a", "b")
    assert (shard.source_client.access_key, shard.source_client.secret_access_key) == (None, None)
    assert shard.source_client.session_token is None
    assert shard_config(config, KeyRange()).key_range is None


def test_a_local_shard_keeps_the_credentials() -> None:
    """A local worker process is a child on this machine: the keys travel through a pipe, not the network."""
    config = _config(OBJECT_STORE, OBJECT_STORE)
    keys = ClientSettings(access_key="AKIA", secret_access_key="secret", session_token="token")
    config = dataclasses.replace(config, source_client=keys, target_client=keys)
    check_shardable(config, 2, ShardRunner.LOCAL)
    shard = shard_config(config, KeyRange("a", "b"), ShardRunner.LOCAL)
    assert shard.key_range == KeyRange("a", "b")
    assert shard.source_client == keys and shard.target_client == keys


def test_the_local_runner_needs_no_dask() -> None:
    """The default install has no Dask: the local runner and the command line must not import it."""
    import subprocess
    import sys

    code = ("import sys, s3syncpy.local_shards, s3syncpy.cli.main; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert imported.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"key_range": KeyRange("a", None)}, "cannot be combined with --dask-scheduler"),
        ({"deletion": Deletion(delete=True, max_delete=3)}, "--max-delete cannot be combined"),
        ({"target_client": ClientSettings(access_key="AKIA", secret_access_key="secret")},
         "--target-access-key/.* cannot be combined with --dask-scheduler: task payloads carry no credentials"),
        ({"source_client": ClientSettings(session_token="token")}, "--source-access-key/.* cannot be combined"),
    ],
    ids=["key-range", "max-delete", "target-keys", "source-token"],
)
def test_what_cannot_be_sharded_is_refused(change: dict[str, object], message: str) -> None:
    config = dataclasses.replace(_config(OBJECT_STORE, OBJECT_STORE), **change)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=message):
        check_shardable(config, 4)
    if "credentials" not in message and "access-key" not in message:
        # The same rules hold for local worker processes, named by their option.
        with pytest.raises(ConfigError, match=message.replace("--dask-scheduler", "--dask-shards")):
            check_shardable(config, 4, ShardRunner.LOCAL)
    with pytest.raises(ConfigError, match="at least 1"):
        check_shardable(_config(OBJECT_STORE, OBJECT_STORE), 0)
