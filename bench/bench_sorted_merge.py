"""Sorted merge vs key map: wall time and peak RSS of one run over a generated source and target (no server).

The source and the target are listings generated on the fly (never held): N keys `d00000/f000` ... in key order,
stored ETags, the same size and second on both sides. Every 100th key is source-only (a transfer; the run is a
dry run, so nothing is read or written), every 100th other one target-only (a --delete candidate). Each case runs
in a fresh child process, which first cuts the source into shard ranges with the key-range planner
(domain/shard_plan.py, one streaming pass), then runs the whole sync pipeline (plan per object, update check,
--delete) with the listings compared by sorted merge (both sides list in key order) or by the key map (the
same storages with the key-order flag off), and reports its wall time and peak RSS (getrusage ru_maxrss).

Goal: the merge's peak RSS flat, <= 150 MB, whatever N; the key map's grows with N (about 100 MB per million
target keys, more with --delete, which also keeps the source keys).

Run: PYTHONPATH=src .venv/bin/python bench/bench_sorted_merge.py [--keys 1000000,10000000] [--no-delete]
(10,000,000 keys take minutes per case and, in key-map mode, over a GB.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
from collections.abc import AsyncIterator

from s3syncpy.adapters.clock import SystemClock
from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.ports.storage import (
    ListingOptions,
    ObjectContent,
    ObjectStorage,
    PutRequest,
    PutResult,
    StorageFeatures,
)
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import Deletion
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.model import ObjectDetails, ObjectInfo
from s3syncpy.domain.paths import S3Location
from s3syncpy.domain.shard_plan import BoundarySampler

T0_NS = 1_700_000_000 * 1_000_000_000
SHARDS = 16
# Listing entries between two yields to the event loop (one ListObjectsV2 page).
PAGE = 1000


def key_of(number: int) -> str:
    """The key of entry `number`: zero-padded, so key order is number order."""
    return f"d{number // 1000:05d}/f{number % 1000:03d}"


class GeneratedListing(ObjectStorage):
    """A storage that only lists: `count` generated keys, without one in a hundred (`skip_remainder`)."""

    def __init__(self, count: int, skip_remainder: int, ordered: bool) -> None:
        self._count = count
        self._skip = skip_remainder
        self._features = StorageFeatures(lists_in_key_order=ordered)

    @property
    def features(self) -> StorageFeatures:
        return self._features

    async def list_objects(self, options: ListingOptions) -> AsyncIterator[ObjectInfo]:
        for number in range(self._count):
            if number % 100 == self._skip:
                continue
            if number % PAGE == 0:
                await asyncio.sleep(0)
            yield ObjectInfo(key=key_of(number), size=number % 4096, mtime_ns=T0_NS,
                             e_tag=f'"{number:032x}"')

    async def head_object(
        self, key: str, *, version_id: str | None = None, part_number: int | None = None
    ) -> ObjectDetails | None:
        return None

    async def open_content(self, key: str, *, version_id: str | None = None) -> ObjectContent:
        raise StorageError("the benchmark's generated storage only lists (the run is a dry run)", operation="get")

    async def get_object_tagging(self, key: str, *, version_id: str | None = None) -> dict[str, str]:
        return {}

    async def put_object(self, key: str, content: ObjectContent, request: PutRequest) -> PutResult:
        raise StorageError("the benchmark's generated storage only lists (the run is a dry run)", operation="put")

    async def delete_object(self, key: str, *, if_match: str | None = None) -> None:
        raise StorageError("the benchmark's generated storage only lists (the run is a dry run)", operation="delete")

    def describe(self, key: str) -> str:
        return key


async def plan_ranges(source: GeneratedListing) -> int:
    """The key-range planner over one streaming source listing (O(shards) memory); the number of ranges."""
    sampler = BoundarySampler(SHARDS)
    async for obj in source.list_objects(ListingOptions()):
        sampler.add(obj.key)
    return len(sampler.ranges())


def child(mode: str, count: int, delete: bool) -> None:
    """One case in this process; prints a JSON line."""
    ordered = mode == "merge"
    source = GeneratedListing(count, skip_remainder=50, ordered=ordered)
    target = GeneratedListing(count, skip_remainder=0, ordered=ordered)
    config = SyncConfig(source=S3Location("source", ""), target=S3Location("target", ""), dry_run=True,
                        deletion=Deletion(delete=delete))
    start = time.perf_counter()
    ranges = asyncio.run(plan_ranges(source))
    plan_s = time.perf_counter() - start
    start = time.perf_counter()
    report = asyncio.run(run_sync(config, source, target, SystemClock(), asyncio.Event()))
    sync_s = time.perf_counter() - start
    stats = report.stats
    print(json.dumps({
        "plan_s": plan_s,
        "ranges": ranges,
        "sync_s": sync_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6,
        "transferred": stats.transferred_objects,
        "skipped": stats.skipped,
        "deleted": stats.deleted,
        "errors": report.errors,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keys", default="1000000,10000000", help="comma-separated key counts")
    parser.add_argument("--no-delete", action="store_true", help="without --delete")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "KEYS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    delete = not args.no_delete
    if args.child:
        child(args.child[0], int(args.child[1]), delete)
        return
    counts = [int(text.replace("_", "")) for text in args.keys.split(",")]
    print(f"\nsorted merge vs key map, {'with' if delete else 'without'} --delete, dry run; MB = 10^6 bytes\n")
    print("| keys | mode | planner s | sync s | keys/s | peak RSS MB | transferred | skipped | deleted |")
    print("|---|---|---|---|---|---|---|---|---|")
    for count in counts:
        for mode in ("merge", "map"):
            argv = [sys.executable, __file__, "--child", mode, str(count)]
            if not delete:
                argv.append("--no-delete")
            done = subprocess.run(argv, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(f"| {count:,} | {mode} | failed: {done.stderr.strip().splitlines()[-1:]} |||||||")
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            if result["errors"]:
                print(f"| {count:,} | {mode} | errors: {result['errors'][:1]} |||||||")
                continue
            print(f"| {count:,} | {mode} | {result['plan_s']:.1f} | {result['sync_s']:.1f} | "
                  f"{count / result['sync_s']:,.0f} | {result['peak_rss_mb']:.0f} | {result['transferred']:,} | "
                  f"{result['skipped']:,} | {result['deleted']:,} |", flush=True)


if __name__ == "__main__":
    main()
