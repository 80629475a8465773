"""No-op sync at scale: s3syncpy against s5cmd (and optionally rclone, awscli) with 1,000,000 objects in place.

A re-sync that has nothing to do is what a scheduled sync of a large tree costs every time it runs: both listings,
the comparison, and nothing else. This benchmark populates once, outside the timing:
    a local folder of --objects files of --size bytes (100 per folder, mtime an hour back),
    s3://noop-source/data/ uploaded from it by s3syncpy,
    s3://noop-target/data/ copied from noop-source by s3syncpy (so every target object is newer than its source),
then times, for each tool and each direction, the sync that should move nothing:
    local   local folder -> s3://noop-source/data/
    s3      s3://noop-source/data/ -> s3://noop-target/data/
with the tools' order rotated each round. A run counts only when it moved nothing: ours must print "transferred 0
objects" and "skipped N objects" in its summary, s5cmd must print no operation, awscli is checked by its exit code
alone (rclone is left out: its local no-op sets each object's modtime by a server-side copy, so it is not one). Reported per run: wall seconds, peak RSS of the process tree (wait4), CPU seconds, our wall
time over the peer's (below 1 means we are faster), listing keys/s (the keys of both sides over the wall time,
start-up included) and MB per million keys (our peak RSS above an empty sync's, per million listed objects: the
cost of the comparison state, not of the interpreter).

Run (about 40 minutes at 1,000,000 objects on 2 cores, most of it populating; needs ~5 GB of disk):
    PYTHONPATH=src .venv/bin/python bench/bench_noop_scale.py [--objects 1000000] [--size 1KiB]
        [--tools s3syncpy,s5cmd] [--directions local,s3] [--repeat 2] [--timeout 3600]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import peers
from bench_sync import PREFIX, new_seaweed_server
from harness import BucketAdmin, RunResult, make_dataset, parse_size, run_measured
from sync_tools import OURS, TOOL_NAMES, SyncTool, build_tool

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
SOURCE_BUCKET = "noop-source"
TARGET_BUCKET = "noop-target"
DIRECTIONS = ("local", "s3")
_OURS_SUMMARY = re.compile(r"transferred\s+(\d+) objects.*skipped (\d+) objects.*error (\d+) objects")
_MIB = 1024 * 1024


@dataclass(frozen=True)
class NoopRun:
    """One timed no-op of one tool in one direction; `ok` only when it moved nothing and exited 0."""

    tool: str
    direction: str
    repeat: int
    ok: bool
    wall_seconds: float
    peak_rss_bytes: int
    cpu_seconds: float
    note: str


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--objects", type=int, default=1_000_000, help="objects on each side (default 1000000)"
    )
    parser.add_argument("--size", type=parse_size, default=parse_size("1KiB"), help="bytes per object (1KiB)")
    parser.add_argument("--tools", default=f"{OURS},s5cmd", help="comma list of " + ",".join(TOOL_NAMES))
    parser.add_argument("--directions", default=",".join(DIRECTIONS), help="comma list of local,s3")
    parser.add_argument("--repeat", type=int, default=2, help="timed rounds; the best of them is reported")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds before a tool run is killed")
    args = parser.parse_args(argv)
    args.tools = [
        OURS if name.strip() == "ours" else name.strip() for name in args.tools.split(",") if name.strip()
    ]
    args.directions = [name.strip() for name in args.directions.split(",") if name.strip()]
    if "rclone" in args.tools:
        # Its no-op is not one: a local file whose mtime differs from the object's makes rclone rewrite the object's
        # metadata with a server-side copy, which changes noop-source under every later run.
        parser.error("rclone cannot take part: its local no-op rewrites the objects (it sets their modtime)")
    unknown = [name for name in args.tools if name not in TOOL_NAMES] + [
        name for name in args.directions if name not in DIRECTIONS
    ]
    if unknown or OURS not in args.tools:
        parser.error(f"unknown tools/directions {unknown} (s3syncpy must be among the tools)")
    return args


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _ours_printing_summary(argv: list[str]) -> list[str]:
    # Without --show-no-progress our summary line goes to stdout, so every run can be checked for what it moved;
    # with stdout a file, that line is all the progress display prints.
    return [arg for arg in argv if arg != "--show-no-progress"]


def _command(tool: SyncTool, direction: str, source_dir: Path) -> list[str]:
    if direction == "local":
        argv = tool.upload(source_dir, SOURCE_BUCKET, PREFIX)
    else:
        argv = tool.copy(SOURCE_BUCKET, PREFIX, TARGET_BUCKET)
    return _ours_printing_summary(argv) if tool.name == OURS else argv


def _moved_nothing(tool: str, output: str, objects: int) -> str:
    """Why the run did not move nothing, or "" when it did (as far as the tool's output tells)."""
    if tool == OURS:
        found = _OURS_SUMMARY.search(output)
        if found is None:
            return f"no summary line in: {output.strip()[-200:]!r}"
        transferred, skipped, errors = (int(group) for group in found.groups())
        if transferred or errors or skipped != objects:
            return f"transferred {transferred}, skipped {skipped} of {objects}, errors {errors}"
        return ""
    if tool == "s5cmd":
        operations = [line for line in output.splitlines() if line.strip()]
        return f"{len(operations)} operations, first: {operations[0][:120]}" if operations else ""
    return ""


def _populate(ours: SyncTool, source_dir: Path, objects: int, timeout: float, work: Path) -> None:
    """Upload the folder to noop-source, then copy noop-source to noop-target, with s3syncpy; both must be whole."""
    steps = [
        (
            "upload to s3://noop-source",
            _ours_printing_summary(ours.upload(source_dir, SOURCE_BUCKET, PREFIX)),
        ),
        ("copy to s3://noop-target", _ours_printing_summary(ours.copy(SOURCE_BUCKET, PREFIX, TARGET_BUCKET))),
    ]
    for label, argv in steps:
        _log(f"populating: {label} ({objects} objects) ...")
        output = work / "populate.out"
        result = run_measured(argv, ours.env, timeout, stdout=output)
        found = _OURS_SUMMARY.search(output.read_text(errors="replace"))
        if result.exit_code != 0 or found is None or int(found.group(1)) != objects:
            raise SystemExit(f"populating failed ({label}, exit {result.exit_code}): {result.stderr_tail}")
        _log(f"  {result.wall_seconds:.0f} s ({objects / result.wall_seconds:.0f} objects/s)")


def _measure(tool: SyncTool, direction: str, repeat: int, args: argparse.Namespace, work: Path) -> NoopRun:
    output = work / f"{tool.name}-{direction}.out"
    result: RunResult = run_measured(
        _command(tool, direction, work / "source"), tool.env, args.timeout, output
    )
    problem = _moved_nothing(tool.name, output.read_text(errors="replace"), args.objects)
    if result.exit_code != 0:
        problem = f"exit {result.exit_code}{' (timed out)' if result.timed_out else ''}: {result.stderr_tail[-300:]}"
    run = NoopRun(
        tool.name,
        direction,
        repeat,
        not problem,
        result.wall_seconds,
        result.peak_rss_bytes,
        result.cpu_seconds,
        problem,
    )
    state = "ok" if run.ok else f"FAILED: {problem}"
    _log(
        f"  [{repeat + 1}] {tool.name:8s} {direction:5s} {run.wall_seconds:7.2f} s "
        f"{run.peak_rss_bytes / _MIB:7.0f} MiB  {state}"
    )
    return run


def _empty_sync_rss(ours: SyncTool, work: Path, timeout: float) -> int:
    """Peak RSS of our sync of an empty folder to an empty prefix: the interpreter and libraries alone."""
    empty = work / "empty"
    empty.mkdir(exist_ok=True)
    argv = ours.upload(empty, SOURCE_BUCKET, "empty-baseline")
    return run_measured(argv, ours.env, timeout).peak_rss_bytes


def _best(runs: list[NoopRun], tool: str, direction: str) -> NoopRun | None:
    passed = [run for run in runs if run.tool == tool and run.direction == direction and run.ok]
    return min(passed, key=lambda run: run.wall_seconds) if passed else None


def _table(runs: list[NoopRun], args: argparse.Namespace, baseline_rss: int, header: str) -> str:
    lines = [
        header,
        "",
        "| direction | tool | wall s | peak RSS MiB | CPU s | ours ÷ tool (wall) | listing keys/s | MB per million |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    listed = 2 * args.objects  # both sides are listed in full
    for direction in args.directions:
        ours = _best(runs, OURS, direction)
        for tool in args.tools:
            best = _best(runs, tool, direction)
            if best is None:
                lines.append(f"| {direction} | {tool} | failed | | | | | |")
                continue
            ratio = f"{ours.wall_seconds / best.wall_seconds:.2f}x" if ours and tool != OURS else "—"
            per_million = ""
            if tool == OURS:
                per_million = f"{(best.peak_rss_bytes - baseline_rss) / 1e6 / (args.objects / 1e6):.0f}"
            lines.append(
                f"| {direction} | {tool} | {best.wall_seconds:.2f} | {best.peak_rss_bytes / _MIB:.0f} | "
                f"{best.cpu_seconds:.2f} | {ratio} | {listed / best.wall_seconds:,.0f} | {per_million} |"
            )
    lines += [
        "",
        (
            f"local = local folder -> s3://{SOURCE_BUCKET}/{PREFIX}/; s3 = s3://{SOURCE_BUCKET}/{PREFIX}/ -> "
            f"s3://{TARGET_BUCKET}/{PREFIX}/. Best of {args.repeat}; ratio below 1 means s3syncpy is faster. "
            f"Listing keys/s = {listed:,} listed keys (both sides) / wall time, start-up included. MB per million = "
            f"(our peak RSS - an empty sync's {baseline_rss / _MIB:.0f} MiB) per million objects."
        ),
    ]
    failures = [
        f"- {run.tool} {run.direction} round {run.repeat + 1}: {run.note}" for run in runs if not run.ok
    ]
    return "\n".join(lines + ([""] + failures if failures else []))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns 0 when every timed run moved nothing, 1 otherwise."""
    args = _parse_args(argv)
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="s3syncpy-noop-"))
    server, _ = new_seaweed_server()
    runs: list[NoopRun] = []
    try:
        _log(f"writing {args.objects} files of {args.size} bytes ...")
        started = time.perf_counter()
        make_dataset(work / "source", args.objects, args.size)
        _log(f"  {time.perf_counter() - started:.0f} s")
        endpoint = server.start()
        peers_dir = peers.ensure_peers_dir()
        tools = [build_tool(name, endpoint, peers_dir) for name in args.tools]  # type: ignore[arg-type]
        ours = next(tool for tool in tools if tool.name == OURS)
        admin = BucketAdmin(endpoint.endpoint_url, endpoint.access_key, endpoint.secret_key, endpoint.region)
        admin.create_bucket(SOURCE_BUCKET)
        admin.create_bucket(TARGET_BUCKET)
        _populate(ours, work / "source", args.objects, args.timeout, work)
        baseline_rss = _empty_sync_rss(ours, work, args.timeout)
        for repeat in range(args.repeat):
            shift = repeat % len(tools)
            for direction in args.directions:
                for tool in tools[shift:] + tools[:shift]:
                    runs.append(_measure(tool, direction, repeat, args, work))
        versions = {tool.name: peers.tool_version(tool.version_argv) for tool in tools}
    finally:
        server.stop()
        server.remove_files()
        shutil.rmtree(work, ignore_errors=True)
    header = (
        f"## No-op sync of {args.objects:,} objects x {args.size} B, best of {args.repeat}, {os.cpu_count()} CPUs "
        f"(load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after), Python "
        f"{platform.python_version()}; "
        + "; ".join(f"{name}: {version}" for name, version in versions.items())
    )
    print(_table(runs, args, baseline_rss, header))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"noop-scale-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(
        json.dumps({"args": vars(args), "baseline_rss": baseline_rss, "runs": [asdict(r) for r in runs]})
    )
    print(f"\nJSON: {path.relative_to(BENCH_DIR.parent)}")
    return 0 if runs and all(run.ok for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
