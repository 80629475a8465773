"""The library as a type checker sees it from a user's script: mypy --strict passes a correct script and
fails one with a wrong field."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

GOOD = '''
import asyncio

import s3syncpy


def on_progress(step: s3syncpy.Progress) -> None:
    print(step.key, step.bytes, step.object_completed, step.transferred_bytes, step.transferred_objects)


def on_event(event: s3syncpy.SyncEvent) -> None:
    if event.event_type is s3syncpy.EventType.SYNC_COMPLETE:
        print(event.key)


def build() -> s3syncpy.SyncConfig:
    return s3syncpy.SyncConfig(
        source="/data",
        target="s3://bucket/prefix/",
        target_client=s3syncpy.ClientSettings(profile="backup", endpoint_url="https://s3.example.com",
                                              force_path_style=True, region="us-east-1"),
        transfer=s3syncpy.Transfer(worker_size=8, multipart_chunksize=16 * 1024 * 1024),
        deletion=s3syncpy.Deletion(delete=True, max_delete=100),
        filters=s3syncpy.FilterSettings(larger_size=1024),
        update_check=s3syncpy.UpdateCheck(check_size=True),
        verification=s3syncpy.Verification(additional_checksum_algorithm=s3syncpy.ChecksumAlgorithm.CRC64NVME),
        encryption=s3syncpy.EncryptionSettings(sse="AES256"),
        versioning=s3syncpy.Versioning(),
        listing=s3syncpy.ListingParallelism(max_parallel_listings=4),
        force_retry=s3syncpy.ForceRetry(force_retry_count=3),
        headers=s3syncpy.HeaderOptions(storage_class="STANDARD_IA"),
        requests=s3syncpy.S3RequestSettings(),
        rate_limits=s3syncpy.RateLimitSettings(objects_per_sec=100),
        tagging=s3syncpy.TaggingSettings(tagging="a=b"),
        conditions=s3syncpy.ConditionalWrites(),
        content_filters=s3syncpy.ContentFilterSettings(),
        lua=s3syncpy.LuaSettings(),
        key_range=s3syncpy.KeyRange(start="a", end="m"),
    )


async def main() -> int:
    config = build()
    also: s3syncpy.SyncConfig = s3syncpy.SyncConfig.from_args(["--delete", "/data", "s3://bucket/"])
    location: s3syncpy.StorageLocation = also.target_location
    assert isinstance(location, s3syncpy.S3Location)
    try:
        report: s3syncpy.SyncReport = await s3syncpy.sync(
            config, callbacks=s3syncpy.FunctionCallbacks(on_event=on_event), progress=on_progress
        )
    except s3syncpy.ConfigError as exc:
        print(exc)
        return 2
    stats: s3syncpy.SyncStats = report.stats
    print(stats.transferred_bytes, s3syncpy.__version__)
    code: s3syncpy.ExitCode = report.exit_code
    return int(code)


blocking: s3syncpy.SyncReport = s3syncpy.sync_blocking(build(), progress=on_progress)
asyncio.run(main())
'''

BAD = '''
import s3syncpy

a = s3syncpy.SyncConfig(source="/data", target=42)
b = s3syncpy.SyncConfig(source="/data", target="s3://b/", no_such_field=True)
c = s3syncpy.ClientSettings(endpoint=3)
d: int = s3syncpy.SyncConfig.from_args(["/data", "s3://b/"])
e = s3syncpy.Transfer(worker_size="8")
'''


def _mypy(tmp_path: Path, name: str, text: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / name
    script.write_text(textwrap.dedent(text), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("MYPY")}
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--no-error-summary",
         "--cache-dir", os.devnull, str(script)],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300, check=False,
    )


def test_a_correct_user_script_passes_mypy_strict(tmp_path: Path) -> None:
    result = _mypy(tmp_path, "good.py", GOOD)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_wrong_fields_and_types_fail_mypy_strict(tmp_path: Path) -> None:
    result = _mypy(tmp_path, "bad.py", BAD)

    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    failing_lines = {int(line.split(":")[1]) for line in lines if ": error:" in line}
    assert failing_lines == {4, 5, 6, 7, 8}, result.stdout
    assert any('Unexpected keyword argument "no_such_field"' in line for line in lines)
    assert any('Argument "target" to "SyncConfig" has incompatible type "int"' in line for line in lines)
