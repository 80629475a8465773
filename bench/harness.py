"""Measuring one child process, making the data set, and checking what arrived (for bench_sync.py).

Public API:
    RunResult                                             exit code, wall time, peak RSS, CPU time, stderr tail
    run_measured(argv, env, timeout) -> RunResult         run a command and measure it with wait4
    parse_size(text) -> int                               "10KiB", "1MiB", "512", "4k" -> bytes
    make_dataset(root, files, size) -> None               `files` files of `size` random bytes, 100 per folder
    local_tree_stats(root) -> tuple[int, int]             (file count, total bytes) under a folder
    BucketAdmin(endpoint)                                 create/list/delete buckets with botocore (not timed)
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_FILES_PER_FOLDER = 100
_STDERR_TAIL_LINES = 12
_SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1000, "kib": 1024, "m": 1024**2, "mb": 1000**2, "mib": 1024**2}


@dataclass(frozen=True, slots=True)
class RunResult:
    """One child run: its exit code (-signal when killed), wall seconds, peak RSS bytes, CPU seconds (user+sys)."""

    exit_code: int
    wall_seconds: float
    peak_rss_bytes: int
    cpu_seconds: float
    stderr_tail: str
    timed_out: bool = False


def run_measured(
    argv: list[str], env: dict[str, str], timeout: float, stdout: Path | None = None
) -> RunResult:
    """Run a command with stdout discarded (or written to `stdout`) and measure it.

    The peak RSS and CPU time come from wait4(2): the kernel's high-water mark for the child and every descendant
    it waited for, so nothing is sampled and no polling thread steals CPU from the tools on a 2-core machine.

    Args:
        argv: the command.
        env: its whole environment.
        timeout: seconds before its process group is killed.
        stdout: a file to receive the command's stdout, for callers that check what it printed.

    Returns:
        The measurement; a run that could not start has exit code 127 and the reason as its stderr tail.
    """
    with tempfile.TemporaryFile() as stderr, open(stdout or os.devnull, "wb") as output:
        started = time.perf_counter()
        try:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=stderr,
                env=env,
                start_new_session=True,  # its own process group, so a timeout kills the tool's children too
            )
        except OSError as exc:
            return RunResult(127, 0.0, 0, 0.0, f"cannot start {argv[0]}: {exc}")
        timed_out = threading.Event()

        def kill_group() -> None:
            timed_out.set()
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill_group)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
        stderr.seek(0)
        tail = "\n".join(stderr.read().decode(errors="replace").strip().splitlines()[-_STDERR_TAIL_LINES:])
    return RunResult(
        exit_code=process.returncode,
        wall_seconds=wall,
        peak_rss_bytes=usage.ru_maxrss * 1024,  # Linux reports KiB
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        stderr_tail=tail,
        timed_out=timed_out.is_set(),
    )


def parse_size(text: str) -> int:
    """A byte count from "10KiB", "10k", "1MiB", "1MB" or a plain number.

    Args:
        text: the size as written on the command line.

    Returns:
        Bytes.

    Raises:
        ValueError: not a size.
    """
    match = re.fullmatch(r"\s*(\d+)\s*([a-zA-Z]*)\s*", text)
    unit = match.group(2).lower() if match else None
    if match is None or unit not in _SIZE_UNITS:
        raise ValueError(f"not a size: {text!r} (examples: 10KiB, 512, 1MiB)")
    return int(match.group(1)) * _SIZE_UNITS[unit]


def make_dataset(root: Path, files: int, size: int) -> None:
    """Write `files` files of `size` random bytes under root, 100 per sub-folder (d000/f00000.bin, ...).

    Random content keeps every ETag distinct; the mtime is set an hour back so that every tool's "source newer
    than target" rule sees the uploaded objects as up to date on the re-sync, whatever the clock resolution.

    Args:
        root: an empty or missing folder.
        files: how many files.
        size: bytes per file.
    """
    past = time.time() - 3600
    for index in range(files):
        path = root / f"d{index // _FILES_PER_FOLDER:03d}" / f"f{index:05d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(size))
        os.utime(path, (past, past))


def local_tree_stats(root: Path) -> tuple[int, int]:
    """Count the regular files under root and add up their sizes.

    Args:
        root: a folder (missing counts as empty).

    Returns:
        (file count, total bytes).
    """
    count = total = 0
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                count += 1
                total += path.stat().st_size
    return count, total


class BucketAdmin:
    """Bucket set-up and checks through botocore: never part of a timed phase."""

    def __init__(self, endpoint_url: str, access_key: str, secret_key: str, region: str) -> None:
        import botocore.session  # the bench runs in the project's venv, where botocore is a dependency
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ClientError

        self.errors: tuple[type[Exception], ...] = (BotoCoreError, ClientError)

        session = botocore.session.Session()
        self._client: Any = session.create_client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=Config(s3={"addressing_style": "path"}),
        )

    def create_bucket(self, bucket: str) -> None:
        """Create an empty bucket, with its storage already allocated.

        SeaweedFS grows the volumes of a bucket on its first write, which takes a noticeable pause; one object
        written and deleted here keeps that pause out of every tool's timed upload alike.
        """
        self._client.create_bucket(Bucket=bucket)
        self._client.put_object(Bucket=bucket, Key="warm-up", Body=b"x")
        self._client.delete_object(Bucket=bucket, Key="warm-up")

    def snapshot(self, bucket: str, prefix: str) -> dict[str, tuple[int, str, str]]:
        """Every object under prefix as key -> (size, ETag, LastModified), to count and to spot rewrites."""
        found: dict[str, tuple[int, str, str]] = {}
        for page in self._client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                found[item["Key"]] = (item["Size"], item["ETag"], item["LastModified"].isoformat())
        return found

    def delete_bucket(self, bucket: str) -> None:
        """Delete every object, then the bucket, so later tools find the server as lean as the first did."""
        keys = list(self.snapshot(bucket, ""))
        for start in range(0, len(keys), 1000):
            batch = [{"Key": key} for key in keys[start : start + 1000]]
            self._client.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
        self._client.delete_bucket(Bucket=bucket)
