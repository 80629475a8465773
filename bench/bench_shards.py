"""bench_shards.py — an upload as one process vs as key-range shards, on a Dask LocalCluster or local processes.

One SeaweedFS on loopback, one tree of `--files` files of `--size` bytes, a fresh bucket per run. Runs, in turn
and rotated each round: the plain command (one process), then each shard count of `--shards` (default 1,2,4):
`--dask-scheduler` on a LocalCluster of `--workers` worker processes (default: the CPU count), one thread each;
with `--local`, `--dask-shards N` alone (the command's own worker processes; no Dask needed). Every run must
leave every object in the bucket. Output: a markdown table of objects/s, wall seconds, client CPU seconds (user +
sys of the command and the workers it waited for; a LocalCluster's workers are not its children, so their CPU
is missing there), CPU per object and the ratio to the one-process run (above 1: the shards are faster). Wall
time includes planning (one listing of the source), worker or task start-up and the merge of the reports; a
LocalCluster is started once, outside the timing, as a user's long-lived cluster would be, whereas local worker
processes start inside it, as every run starts them.

    PYTHONPATH=src .venv/bin/python bench/bench_shards.py --files 100000 --size 1KiB
    PYTHONPATH=src .venv/bin/python bench/bench_shards.py --local --files 20000 --size 10KiB --shards 2
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench_sync import new_seaweed_server
from harness import BucketAdmin, make_dataset, parse_size, run_measured


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=100_000, help="number of files (default 100000)")
    parser.add_argument("--size", type=parse_size, default=parse_size("1KiB"), help="bytes per file (1KiB)")
    parser.add_argument("--shards", default="1,2,4", help="comma list of shard counts (default 1,2,4)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="LocalCluster worker processes")
    parser.add_argument("--local", action="store_true",
                        help="shards on the command's own worker processes (--dask-shards alone), no Dask")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the best of them is reported")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds before a run is killed")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns 1 when a run failed or left objects out."""
    args = _parse_args(argv)

    s3sync = str(Path(sys.executable).parent / "s3sync")
    work = Path(tempfile.mkdtemp(prefix="s3syncpy-shards-"))
    server, _ = new_seaweed_server()
    best: dict[str, float] = {}
    cpu: dict[str, float] = {}
    failures: list[str] = []
    try:
        make_dataset(work / "source", args.files, args.size)
        endpoint = server.start()
        admin = BucketAdmin(endpoint.endpoint_url, endpoint.access_key, endpoint.secret_key, endpoint.region)
        credentials = {
            "AWS_ACCESS_KEY_ID": endpoint.access_key,
            "AWS_SECRET_ACCESS_KEY": endpoint.secret_key,
            "AWS_REGION": endpoint.region,
        }
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3SYNC_"))} | credentials
        with _cluster(args, credentials) as scheduler:
            cases = ["one process"] + [f"{n} shards" for n in args.shards.split(",")]
            for round_number in range(args.repeat):
                shift = round_number % len(cases)
                for case in cases[shift:] + cases[:shift]:
                    bucket = f"shards-{secrets.token_hex(6)}"
                    admin.create_bucket(bucket)
                    extra = [] if case == "one process" else [
                        *(["--dask-scheduler", scheduler] if scheduler else []), "--dask-shards", case.split()[0],
                    ]
                    argv = [s3sync, "--show-no-progress", *extra, "--target-endpoint-url", endpoint.endpoint_url,
                            "--target-force-path-style", f"{work / 'source'}/", f"s3://{bucket}/data/"]
                    print(f"  [{round_number + 1}] {case} ...", file=sys.stderr, flush=True)
                    result = run_measured(argv, env, args.timeout)
                    stored = len(admin.snapshot(bucket, "data/"))
                    admin.delete_bucket(bucket)
                    if result.exit_code != 0 or stored != args.files:
                        failures.append(f"{case}: exit {result.exit_code}, {stored} objects: {result.stderr_tail}")
                        continue
                    if result.wall_seconds < best.get(case, float("inf")):
                        best[case], cpu[case] = result.wall_seconds, result.cpu_seconds
    finally:
        server.stop()
        server.remove_files()
        shutil.rmtree(work, ignore_errors=True)
    single = best.get("one process")
    runner = "local worker processes" if args.local else f"LocalCluster of {args.workers} worker processes"
    print(f"## Sharded upload: {args.files} files x {args.size} bytes, {runner}, best of {args.repeat}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} after\n")
    print("| run | objects/s | wall s | client CPU s | CPU ms/object | ÷ one process |\n|---|--:|--:|--:|--:|--:|")
    for case, seconds in best.items():
        ratio = f"{single / seconds:.2f}x" if single else "—"
        print(f"| {case} | {args.files / seconds:.0f} | {seconds:.2f} | {cpu[case]:.2f} | "
              f"{1000 * cpu[case] / args.files:.2f} | {ratio} |")
    for line in failures:
        print(f"- failed: {line}")
    return 1 if failures else 0


@contextlib.contextmanager
def _cluster(args: argparse.Namespace, credentials: dict[str, str]) -> Iterator[str | None]:
    """The scheduler address of a LocalCluster started for the benchmark; None with --local (no cluster)."""
    if args.local:
        yield None
        return
    from distributed import LocalCluster  # the dask extra: pip install 's3syncpy[dask]'

    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      env=credentials) as cluster:
        yield cluster.scheduler_address


if __name__ == "__main__":
    started = time.time()
    code = main()
    print(f"\n({time.time() - started:.0f} s in all)", file=sys.stderr)
    sys.exit(code)
