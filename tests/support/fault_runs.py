"""Helpers for the reliability e2e tests: run `s3sync` against chosen endpoints, and check what a run left behind.

Public API:
    S3SyncRunner(endpoint)                    .run(*args, source_url=None, target_url=None, env=None, expect=...)
                                              .start(...) -> subprocess.Popen (for signal tests)
    FAST_RETRY_ARGS                           small retry pauses, so fault tests stay quick
    temp_files(root) -> list[Path]            leftover download temp files (`.s3sync-tmp-*`) under a dir
    open_uploads(client, bucket) -> list      multipart uploads still open in a bucket
    make_mixed_tree(root, small, big, seed)   small files plus a few 6 MiB (multipart at a 5 MiB threshold) ones
    log_lines(result, level) -> list[str]     the log lines of one level (compact format, stdout)
"""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path
from typing import Any

from s3syncpy.adapters.local.temp_files import TEMP_PREFIX
from tests.support.e2e import Result, s3sync_command
from tests.support.seaweed import S3Endpoint

MIB = 1024 * 1024
BIG_SIZE = 6 * MIB

FAST_RETRY_ARGS: tuple[str, ...] = (
    "--worker-size",
    "32",
    "--aws-max-attempts",
    "3",
    "--initial-backoff-milliseconds",
    "10",
    "--force-retry-interval-milliseconds",
    "50",
    "--multipart-threshold",
    "5MiB",
    "--multipart-chunksize",
    "5MiB",
)


class S3SyncRunner:
    """Runs the installed `s3sync` with the test credentials and explicit endpoint URLs per side."""

    def __init__(self, endpoint: S3Endpoint) -> None:
        self.endpoint = endpoint

    def command(self, args: tuple[str, ...], source_url: str | None, target_url: str | None) -> list[str]:
        extra: list[str] = []
        if source_url is not None:
            extra += ["--source-endpoint-url", source_url, "--source-force-path-style"]
        if target_url is not None:
            extra += ["--target-endpoint-url", target_url, "--target-force-path-style"]
        return [*s3sync_command(), *extra, *args]

    def environment(self, env: dict[str, str] | None) -> dict[str, str]:
        environment = dict(os.environ)
        environment.update(
            AWS_ACCESS_KEY_ID=self.endpoint.access_key,
            AWS_SECRET_ACCESS_KEY=self.endpoint.secret_key,
            AWS_REGION=self.endpoint.region,
        )
        environment.update(env or {})
        return environment

    def run(
        self,
        *args: str,
        source_url: str | None = None,
        target_url: str | None = None,
        env: dict[str, str] | None = None,
        expect: int | None = 0,
        timeout: float = 600,
    ) -> Result:
        """Run to completion; fail the test when the exit code is not `expect` (None: any)."""
        completed = subprocess.run(
            self.command(args, source_url, target_url),
            capture_output=True,
            text=True,
            env=self.environment(env),
            timeout=timeout,
            check=False,
        )
        result = Result(completed.returncode, completed.stdout, completed.stderr)
        if expect is not None and result.returncode != expect:
            raise AssertionError(
                f"s3sync {' '.join(args)} exited {result.returncode}, expected {expect}\n"
                f"stdout (tail):\n{result.stdout[-6000:]}\nstderr (tail):\n{result.stderr[-3000:]}"
            )
        return result

    def start(
        self,
        *args: str,
        source_url: str | None = None,
        target_url: str | None = None,
        env: dict[str, str] | None = None,
    ) -> subprocess.Popen[str]:
        """Start without waiting (stdout and stderr are pipes)."""
        return subprocess.Popen(
            self.command(args, source_url, target_url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.environment(env),
        )


def temp_files(root: Path) -> list[Path]:
    """Download temp files (`.s3sync-tmp-*`) left anywhere under root."""
    return [path for path in root.rglob(TEMP_PREFIX + "*")]


def open_uploads(client: Any, bucket: str) -> list[dict[str, Any]]:
    """Multipart uploads still open in the bucket."""
    uploads: list[dict[str, Any]] = []
    for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
        uploads.extend(page.get("Uploads", []))
    return uploads


def make_mixed_tree(root: Path, *, small: int, big: int, seed: int = 0) -> dict[str, bytes]:
    """Write `small` files of 0-32 KiB in 20 directories and `big` files of 6 MiB; return them by key."""
    rng = random.Random(seed)
    files: dict[str, bytes] = {}
    for index in range(small):
        files[f"dir{index % 20:02d}/small-{index:04d}.bin"] = rng.randbytes(rng.randint(0, 32 * 1024))
    for index in range(big):
        files[f"big/big-{index:02d}.bin"] = rng.randbytes(BIG_SIZE)
    for key, data in files.items():
        path = root.joinpath(*key.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def log_lines(result: Result, level: str) -> list[str]:
    """Log lines of `level` ("WARN", "ERROR", ...) in the compact format on stdout."""
    marker = f" {level:>5} "
    return [line for line in result.stdout.splitlines() if marker in line[:40]]
