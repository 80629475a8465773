"""Start-up benchmark: time from exec to the first S3 request, and where s3syncpy's import time goes.

A stub S3 endpoint on loopback (a thread of this process) answers every request with an empty listing, so an
empty sync of each tool completes against it; the time from starting the command to the first request line
arriving is that tool's start-up, what every small sync pays before any transfer. Measured --repeat times per
tool, rotated, after one warm-up run each; the median and the minimum are reported, with the interpreter floor
(`python -c pass`) beside ours. Then one run of ours under `python -X importtime` is broken down: modules
imported, the import time of each top-level package and its share, and our own modules' share.

This measures wall time: run it on an idle machine (the header shows the load average).

Run: PYTHONPATH=src .venv/bin/python bench/bench_startup.py [--repeat 10] [--tools s3syncpy,rclone,s5cmd]
"""

from __future__ import annotations

import argparse
import collections
import http.server
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import peers
from sync_tools import OURS, SyncTool, build_tool

EMPTY_LISTING = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bench</Name><Prefix></Prefix>'
    b"<KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>"
)
PEER_NAMES = ("rclone", "s5cmd")
_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


class _FirstRequest:
    """The perf_counter time at which the stub saw its first request line since the last reset."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: float | None = None

    def reset(self) -> None:
        with self.lock:
            self.seen = None

    def mark(self) -> None:
        with self.lock:
            if self.seen is None:
                self.seen = time.perf_counter()


def _stub_server(first: _FirstRequest) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, body: bytes) -> None:
            first.mark()
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self) -> None:
            self._answer(EMPTY_LISTING)

        def do_HEAD(self) -> None:
            self._answer(b"")

        def do_PUT(self) -> None:
            self._answer(b"")

        def log_message(self, format: str, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _first_request_seconds(argv: list[str], env: dict[str, str], first: _FirstRequest) -> float | None:
    first.reset()
    started = time.perf_counter()
    subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120, check=False)
    seen = first.seen
    return None if seen is None else seen - started


def import_breakdown(argv: list[str], env: dict[str, str]) -> str:
    """Run ours once under -X importtime and summarise: modules, total, top packages, our own share."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "s3syncpy", *argv], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, timeout=120, check=False)
    selves: collections.Counter[str] = collections.Counter()
    count = 0
    for line in result.stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            count += 1
            selves[match.group(4).split(".")[0]] += int(match.group(1))
    total = sum(selves.values()) or 1
    lines = [
        (f"### Imports of one empty run of ours: {count} modules, {total / 1000:.0f} ms (self times, under "
        "-X importtime, which adds its own overhead)"),
        "",
        "| package | ms | share |",
        "|---|--:|--:|",
    ]
    for name, micros in selves.most_common(15):
        lines.append(f"| {name} | {micros / 1000:.1f} | {100 * micros / total:.1f}% |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure and print the tables; 1 when a tool never reached the stub."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="runs per tool (default 10)")
    parser.add_argument("--tools", default=",".join((OURS, *PEER_NAMES)), help="comma list; ours always runs")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    first = _FirstRequest()
    server = _stub_server(first)
    url = f"http://127.0.0.1:{server.server_address[1]}"

    class Endpoint:
        endpoint_url = url
        access_key = "bench-access-key"
        secret_key = "bench-secret-key"
        region = "us-east-1"

    peers_dir = peers.ensure_peers_dir()
    tools: list[SyncTool] = [build_tool(OURS, Endpoint(), peers_dir)]
    notes: list[str] = []
    for name in (n.strip() for n in args.tools.split(",")):
        if name in PEER_NAMES:
            binary = peers.find_installed(name)
            if binary is None:
                notes.append(f"- {name}: not installed (on PATH or in bench/.peers/), left out")
            else:
                tools.append(build_tool(name, Endpoint(), peers_dir, str(binary)))
    empty = Path(tempfile.mkdtemp(prefix="s3syncpy-bench-startup-"))
    floor_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3SYNC_"))}
    commands: dict[str, tuple[list[str], dict[str, str]]] = {
        tool.name: (tool.upload(empty, "bench", "data"), tool.env) for tool in tools
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    floor: list[float] = []
    try:
        for name, (command, env) in commands.items():
            _first_request_seconds(command, env, first)  # warm-up: page cache, bytecode, peers' first run
        for repeat in range(args.repeat):
            names = list(commands)
            shift = repeat % len(names)
            for name in names[shift:] + names[:shift]:
                command, env = commands[name]
                seconds = _first_request_seconds(command, env, first)
                if seconds is not None:
                    times[name].append(seconds)
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], env=floor_env, check=False)
            floor.append(time.perf_counter() - started)
        ours_argv = commands[OURS][0]
        breakdown = import_breakdown(ours_argv[ours_argv.index("--show-no-progress"):], commands[OURS][1])
    finally:
        server.shutdown()
        empty.rmdir()
    print(f"## Start-up to the first request, {args.repeat} runs each, {os.cpu_count()} CPUs (load average "
          f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after)")
    print("\n| tool | median ms | min ms |\n|---|--:|--:|")
    for name, values in times.items():
        cells = f"{statistics.median(values) * 1000:.0f} | {min(values) * 1000:.0f}" if values else "never | "
        print(f"| {name} | {cells} |")
    print(f"| (python -c pass) | {statistics.median(floor) * 1000:.0f} | {min(floor) * 1000:.0f} |")
    print("\nGoal (issue 12): s3syncpy <= 150 ms.\n")
    print(breakdown)
    if notes:
        print("\n" + "\n".join(notes))
    return 0 if all(times.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
