"""Listing benchmark: serial vs parallel listing (--max-parallel-listings / --max-parallel-listing-max-depth).

Builds a tree of empty files spread over two levels of folders (top/mid/file, 100,000 keys by default), uploads it
once to a SeaweedFS bucket on loopback (not timed), then lists it, round-robin with the order rotated each round
and after one warm-up listing of each, through the storage adapters the sync uses:
    s3 serial      ListObjectsV2 pages under the prefix, one after another
    s3 parallel    sub-prefixes by delimiter "/" down to --depth, --parallel at once
    local serial   the directory walk
    local parallel sub-directories walked concurrently, the same bounds
and checks that every listing found every key. Prints a markdown table (keys/s, best wall seconds of --repeat) and
the parallel / serial ratio per storage. Progress goes to stderr.

Run: PYTHONPATH=src .venv/bin/python bench/bench_listing.py [--keys 100000] [--top 20] [--mid 10]
         [--parallel 16] [--depth 2] [--repeat 3] [--only s3|local]
This needs an otherwise idle machine for meaningful figures; `--keys 2000 --repeat 1` is a quick smoke run.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench_sync import new_seaweed_server

import s3syncpy
from s3syncpy.adapters.local.storage import LocalObjectStorage
from s3syncpy.adapters.s3 import open_s3_storage
from s3syncpy.application.ports.storage import ListingOptions, ObjectStorage
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import ClientSettings, Transfer
from s3syncpy.domain.paths import LocalLocation, S3Location

BUCKET = "listing-bench"


def make_tree(root: Path, keys: int, top: int, mid: int) -> None:
    """`keys` empty files as root/tNN/mNN/fNNNNNN, spread evenly over top x mid folders."""
    for index in range(keys):
        folder = index % (top * mid)
        path = root / f"t{folder // mid:02d}" / f"m{folder % mid:02d}" / f"f{index:06d}"
        if index < top * mid:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()


async def count_listing(storage: ObjectStorage, options: ListingOptions) -> tuple[int, float]:
    started = time.perf_counter()
    found = 0
    async for _ in storage.list_objects(options):
        found += 1
    return found, time.perf_counter() - started


async def measure(args: argparse.Namespace, source: Path, settings: ClientSettings) -> dict[str, float]:
    serial = ListingOptions(max_keys=1000)
    parallel = ListingOptions(max_keys=1000, parallel_listings=args.parallel, parallel_depth=args.depth)
    cases = [(kind, name, options) for kind in args.only for name, options in (("serial", serial),
                                                                              ("parallel", parallel))]
    best: dict[str, float] = {}
    local = LocalObjectStorage(LocalLocation(str(source)))
    async with open_s3_storage(S3Location(BUCKET, ""), settings) as bucket:
        storages: dict[str, ObjectStorage] = {"s3": bucket, "local": local}
        for kind, _, options in cases:  # warm-up: server caches, page cache, imports
            await count_listing(storages[kind], options)
        for round_number in range(args.repeat):
            shift = round_number % len(cases)
            for kind, name, options in cases[shift:] + cases[:shift]:
                found, seconds = await count_listing(storages[kind], options)
                if found != args.keys:
                    raise SystemExit(f"{kind} {name}: listed {found} keys, expected {args.keys}")
                label = f"{kind} {name}"
                best[label] = min(best.get(label, seconds), seconds)
                print(f"  round {round_number + 1}: {label}: {seconds:.3f} s", file=sys.stderr, flush=True)
    return best


def report(args: argparse.Namespace, best: dict[str, float]) -> str:
    title = (f"{args.keys} keys, {args.top} x {args.mid} folders, --max-parallel-listings {args.parallel}, "
             f"--max-parallel-listing-max-depth {args.depth}, best of {args.repeat}")
    lines = [title, "", "| listing | keys/s | seconds |", "|---|---:|---:|"]
    for label, seconds in best.items():
        lines.append(f"| {label} | {args.keys / seconds:,.0f} | {seconds:.3f} |")
    lines.append("")
    for kind in args.only:
        lines.append(f"{kind}: parallel / serial speed = {best[f'{kind} serial'] / best[f'{kind} parallel']:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--top", type=int, default=20, help="first-level folders")
    parser.add_argument("--mid", type=int, default=10, help="second-level folders in each")
    parser.add_argument("--parallel", type=int, default=16)
    parser.add_argument("--depth", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=("s3", "local"), action="append", help="default: both")
    args = parser.parse_args(argv)
    args.only = args.only or ["s3", "local"]
    work = Path(tempfile.mkdtemp(prefix="s3syncpy-listing-bench-"))
    server, _ = new_seaweed_server()
    try:
        print(f"writing {args.keys} empty files ...", file=sys.stderr, flush=True)
        make_tree(work / "tree", args.keys, args.top, args.mid)
        endpoint = server.start()
        settings = ClientSettings(access_key=endpoint.access_key, secret_access_key=endpoint.secret_key,
                                  region=endpoint.region, endpoint_url=endpoint.endpoint_url, force_path_style=True)
        import botocore.session  # the bench runs in the project's venv

        admin = botocore.session.Session().create_client(
            "s3", endpoint_url=endpoint.endpoint_url, region_name=endpoint.region,
            aws_access_key_id=endpoint.access_key, aws_secret_access_key=endpoint.secret_key)
        admin.create_bucket(Bucket=BUCKET)
        if "s3" in args.only:
            print("uploading (not timed) ...", file=sys.stderr, flush=True)
            upload = SyncConfig(source=LocalLocation(str(work / "tree")), target=S3Location(BUCKET, ""),
                                target_client=settings, transfer=Transfer(worker_size=64))
            result = asyncio.run(s3syncpy.sync(upload))
            if result.stats.transferred_objects != args.keys:
                raise SystemExit(f"upload incomplete: {result.stats.transferred_objects} of {args.keys}")
        best = asyncio.run(measure(args, work / "tree", settings))
    finally:
        server.stop()
        server.remove_files()
        shutil.rmtree(work, ignore_errors=True)
    print(report(args, best))
    return 0


if __name__ == "__main__":
    sys.exit(main())
