"""Helpers for end-to-end tests: run the installed `s3sync`, read its summary line, build and read trees."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SUMMARY_PATTERN = re.compile(
    r"(?P<bytes>\S+ \S+) \| (?P<byte_rate>\S+ \S+)/sec,  transferred +(?P<transferred>\d+) objects \| "
    r"+(?P<object_rate>[\d,]+) objects/sec,  etag verified (?P<etag_verified>\d+) objects,  "
    r"checksum verified (?P<checksum_verified>\d+) objects,  deleted (?P<deleted>\d+) objects,  "
    r"skipped (?P<skipped>\d+) objects,  error (?P<error>\d+) objects, warning (?P<warning>\d+) objects,  "
    r"duration (?P<duration>\d+ \w+)$"
)


def s3sync_command() -> list[str]:
    """The installed console script beside this interpreter (the venv's bin), else on PATH."""
    beside = Path(sys.executable).parent / ("s3sync.exe" if os.name == "nt" else "s3sync")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("s3sync")
    if found is None:
        pytest.fail("the s3sync command is not installed (pip install -e .)")
    return [found]


@dataclass
class Result:
    """A finished s3sync process."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def summary(self) -> dict[str, str]:
        """The counters of the final summary line (the last line of stdout that matches)."""
        for line in reversed(self.stdout.splitlines()):
            match = SUMMARY_PATTERN.search(line.strip())
            if match:
                return match.groupdict()
        raise AssertionError(f"no summary line in stdout:\n{self.stdout}\nstderr:\n{self.stderr}")

    def count(self, name: str) -> int:
        return int(self.summary[name])


RunS3Sync = Callable[..., Result]


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    """Create files (relative "/" paths) under root."""
    for name, data in files.items():
        path = root.joinpath(*name.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file under root by relative "/" path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()
    }


def bucket_objects(client: Any, bucket: str, prefix: str = "") -> dict[str, bytes]:
    """Every object in the bucket under prefix, by full key."""
    objects: dict[str, bytes] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for entry in page.get("Contents", []):
            body = client.get_object(Bucket=bucket, Key=entry["Key"])["Body"]
            with body:
                objects[entry["Key"]] = body.read()
    return objects


def put_objects(client: Any, bucket: str, files: dict[str, bytes]) -> None:
    """Upload small objects with plain PutObject."""
    for key, data in files.items():
        client.put_object(Bucket=bucket, Key=key, Body=data)
