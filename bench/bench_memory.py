"""Memory benchmark: peak RSS of one large file up and down, s3syncpy beside rclone and s5cmd, and our bound.

One run, one SeaweedFS on loopback (the tests' launcher), a file of --size random bytes (default 1 GiB):
    empty      s3syncpy syncs an empty folder: the footprint of start-up alone (interpreter, libraries, models)
    upload     local file -> s3://bucket/big/                      (every tool)
    download   s3://bucket/big/ -> an empty folder, ETag verified  (every tool; ours verifies by default)
    upload-64MiB-chunks   ours with --multipart-chunksize 64MiB: streamed parts must not grow with the chunk
    s3-to-s3   ours, s3://bucket/big/ -> s3://bucket/copy/: the one direction whose parts must be held
Peak RSS and CPU come from wait4(2) of each tool's process tree (harness.run_measured). Wall seconds are printed
for information only: on a shared machine they say little, and the memory figures do not depend on them.

The bound (README, Performance): peak RSS <= the empty run's peak + 40 MiB of buffers in flight, plus
max-parallel-uploads x chunksize only where parts must be held (S3 to S3); and <= 100 MB for the file up or
down. A scenario of ours over its bound is reported and makes the exit code 1.

Peers are used when already installed (on PATH or in bench/.peers/); --install-peers fetches them as
bench_sync.py does.

Run: PYTHONPATH=src .venv/bin/python bench/bench_memory.py [--size 1GiB] [--tools s3syncpy,rclone,s5cmd]
         [--install-peers] [--timeout 900]
"""

from __future__ import annotations

import argparse
import filecmp
import os
import secrets
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import peers
from bench_sync import new_seaweed_server
from harness import BucketAdmin, RunResult, parse_size, run_measured
from sync_tools import OURS, SyncTool, build_tool

MiB = 1024 * 1024
# The bound's terms (README, Performance).
BUFFER_ALLOWANCE = 40 * MiB
ABSOLUTE_LIMIT = 100 * 1000 * 1000  # "<= 100 MB" for the large file in either direction
DEFAULT_PARALLEL_UPLOADS = 16  # --max-parallel-uploads default
DEFAULT_CHUNKSIZE = 8 * MiB  # --multipart-chunksize default
PEER_NAMES = ("rclone", "s5cmd")


@dataclass(frozen=True)
class Row:
    """One measured scenario of one tool, with the bound it must stay under (None: no bound, a peer)."""

    scenario: str
    tool: str
    run: RunResult
    ok: bool
    note: str
    bound: int | None = None

    @property
    def within(self) -> bool | None:
        """Whether the peak stayed under the bound (None without one)."""
        return None if self.bound is None else self.run.peak_rss_bytes <= self.bound


def _write_file(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as sink:
        left = size
        while left:
            piece = min(left, 16 * MiB)
            sink.write(os.urandom(piece))
            left -= piece


def _with_options(argv: list[str], options: list[str]) -> list[str]:
    # Options go before the two paths, which every tool's command line ends with.
    return [*argv[:-2], *options, *argv[-2:]]


class MemoryBench:
    """The scenarios of one run (see the module docstring)."""

    def __init__(self, args: argparse.Namespace, work: Path, admin: BucketAdmin, url: str) -> None:
        self.args = args
        self.work = work
        self.admin = admin
        self.url = url
        self.source = work / "source"
        self.rows: list[Row] = []
        self.baseline: int | None = None

    def _run(self, argv: list[str], tool: SyncTool) -> RunResult:
        return run_measured(argv, tool.env, self.args.timeout)

    def _object_ok(self, bucket: str, prefix: str) -> str:
        listing = self.admin.snapshot(bucket, prefix)
        sizes = [size for size, _, _ in listing.values()]
        return "" if sizes == [self.args.size] else f"incomplete: {prefix} holds {sizes}"

    def _record(self, scenario: str, tool: str, run: RunResult, problem: str, bound: int | None = None) -> None:
        if run.exit_code != 0:
            problem = f"failed (exit {run.exit_code}): {run.stderr_tail[-300:]}"
        row = Row(scenario, tool, run, not problem, problem, bound)
        self.rows.append(row)
        print(
            f"  {scenario:22} {tool:9} {run.peak_rss_bytes / MiB:7.1f} MiB  {run.cpu_seconds:6.2f} s CPU"
            f"  {problem[:120]}",
            file=sys.stderr,
            flush=True,
        )

    def baseline_run(self, ours: SyncTool, bucket: str) -> None:
        empty = self.work / "empty"
        empty.mkdir(exist_ok=True)
        run = self._run(ours.upload(empty, bucket, "empty"), ours)
        self._record("empty", ours.name, run, "")
        self.baseline = run.peak_rss_bytes

    def _bound(self, held: int) -> int | None:
        if self.baseline is None:
            return None
        return self.baseline + BUFFER_ALLOWANCE + held

    def up_and_down(self, tool: SyncTool, bucket: str) -> None:
        """Upload the file, then download it to an empty folder and compare it byte for byte."""
        prefix = f"big-{tool.name}"
        is_ours = tool.name == OURS
        run = self._run(tool.upload(self.source, bucket, prefix), tool)
        bound = min(self._bound(0) or ABSOLUTE_LIMIT, ABSOLUTE_LIMIT) if is_ours else None
        self._record("upload", tool.name, run, self._object_ok(bucket, f"{prefix}/"), bound)
        target = self.work / f"download-{tool.name}"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir()
        try:
            run = self._run(tool.download(bucket, prefix, target), tool)
            arrived = target / "big.bin"
            same = arrived.is_file() and filecmp.cmp(arrived, self.source / "big.bin", shallow=False)
            self._record("download", tool.name, run, "" if same else "the downloaded file differs", bound)
        finally:
            shutil.rmtree(target, ignore_errors=True)

    def ours_only(self, ours: SyncTool, bucket: str) -> None:
        """Larger chunks (streamed: no growth) and S3 to S3 (held parts: the bound adds them)."""
        argv = _with_options(ours.upload(self.source, bucket, "big-64"), ["--multipart-chunksize", "64MiB"])
        run = self._run(argv, ours)
        self._record("upload-64MiB-chunks", ours.name, run, self._object_ok(bucket, "big-64/"), self._bound(0))
        base = ours.version_argv[:-1]
        argv = [
            *base, "--show-no-progress",
            "--source-endpoint-url", self.url, "--source-force-path-style",
            "--target-endpoint-url", self.url, "--target-force-path-style",
            f"s3://{bucket}/big-{OURS}/", f"s3://{bucket}/copy/",
        ]
        run = self._run(argv, ours)
        held = DEFAULT_PARALLEL_UPLOADS * DEFAULT_CHUNKSIZE
        self._record("s3-to-s3", ours.name, run, self._object_ok(bucket, "copy/"), self._bound(held))


def _table(rows: list[Row], size: int, load: tuple[float, float]) -> str:
    lines = [
        (f"## Memory benchmark: one file of {size / MiB:.0f} MiB, {os.cpu_count()} CPUs "
        f"(load average {load[0]:.2f} before, {load[1]:.2f} after)"),
        "",
        "| scenario | tool | peak RSS MiB | CPU s | wall s | bound MiB | within |",
        "|---|---|--:|--:|--:|--:|---|",
    ]
    for row in rows:
        bound = f"{row.bound / MiB:.0f}" if row.bound is not None else ""
        within = {None: "", True: "yes", False: "**no**"}[row.within]
        status = f"{row.run.peak_rss_bytes / MiB:.1f}" if row.ok else row.note.split(":", 1)[0]
        lines.append(
            f"| {row.scenario} | {row.tool} | {status} | {row.run.cpu_seconds:.2f} | "
            f"{row.run.wall_seconds:.2f} | {bound} | {within} |"
        )
    notes = [f"- {row.tool} {row.scenario}: {row.note}" for row in rows if row.note]
    lines += [
        "",
        ("Peak RSS and CPU (user+sys) of each tool's process tree from wait4. Bound (ours): the empty run's peak "
        "+ 40 MiB, plus max-parallel-uploads x chunksize where parts are held (S3 to S3); the large file up or "
        "down also <= 100 MB. Wall seconds are informative only."),
    ]
    if notes:
        lines += ["", "Notes:", *notes]
    return "\n".join(lines)


def _peers(names: list[str], install: bool, endpoint: object, peers_dir: Path) -> tuple[list[SyncTool], list[str]]:
    tools: list[SyncTool] = []
    missing: list[str] = []
    for name in names:
        binary = peers.find_installed(name)
        if binary is None and not install:
            missing.append(f"{name}: not installed (on PATH or in bench/.peers/); --install-peers fetches it")
            continue
        try:
            tools.append(build_tool(name, endpoint, peers_dir, str(binary) if binary else None))  # type: ignore[arg-type]
        except peers.PeerInstallError as exc:
            missing.append(f"{name}: install failed: {exc}")
    return tools, missing


def main(argv: list[str] | None = None) -> int:
    """Run every scenario; 0 when ours stayed within its bounds and every run passed, else 1."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=parse_size, default=parse_size("1024MiB"), help="file size (1024MiB)")
    parser.add_argument("--tools", default=",".join((OURS, *PEER_NAMES)), help="comma list; ours always runs")
    parser.add_argument("--install-peers", action="store_true", help="install missing peers into bench/.peers/")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before a run is killed")
    args = parser.parse_args(argv)
    wanted = [name.strip() for name in args.tools.split(",") if name.strip() in PEER_NAMES]
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="s3syncpy-bench-memory-"))
    server, _ = new_seaweed_server()
    try:
        print(f"writing {args.size} bytes ...", file=sys.stderr, flush=True)
        _write_file(work / "source" / "big.bin", args.size)
        endpoint = server.start()
        peers_dir = peers.ensure_peers_dir()
        ours = build_tool(OURS, endpoint, peers_dir)
        others, missing = _peers(wanted, args.install_peers, endpoint, peers_dir)
        admin = BucketAdmin(endpoint.endpoint_url, endpoint.access_key, endpoint.secret_key, endpoint.region)
        bucket = f"bench-memory-{secrets.token_hex(3)}"
        admin.create_bucket(bucket)
        bench = MemoryBench(args, work, admin, endpoint.endpoint_url)
        bench.baseline_run(ours, bucket)
        for tool in (ours, *others):
            bench.up_and_down(tool, bucket)
        bench.ours_only(ours, bucket)
        admin.delete_bucket(bucket)
    finally:
        server.stop()
        server.remove_files()
        shutil.rmtree(work, ignore_errors=True)
    print(_table(bench.rows, args.size, (load_before, os.getloadavg()[0])))
    for line in missing:
        print(f"- {line}")
    failed = [row for row in bench.rows if not row.ok or row.within is False]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
