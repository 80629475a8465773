"""The library as the README shows it, against the test server: a profile and an endpoint in ClientSettings,
SyncConfig.from_args, and the progress callback counting what S3 acknowledged."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import s3syncpy
from tests.support.e2e import bucket_objects, write_tree

README = Path(__file__).resolve().parents[2] / "README.md"
MIB = 1024 * 1024
FILES = {"big.bin": bytes(range(256)) * (48 * 1024), "small/a.txt": b"a" * 10, "small/b.txt": b"b" * 2000}


def _library_examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Library use"):text.index("#### Python callbacks")]
    return re.findall(r"```python\n(.*?)```", section, re.DOTALL)


@pytest.fixture
def backup_profile(tmp_path: Path, s3_endpoint: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A profile named "backup" holding the test server's credentials, as the README's example expects."""
    credentials = tmp_path / "credentials"
    credentials.write_text(
        f"[backup]\naws_access_key_id = {s3_endpoint.access_key}\n"
        f"aws_secret_access_key = {s3_endpoint.secret_key}\n"
    )
    config = tmp_path / "config"
    config.write_text(f"[profile backup]\nregion = {s3_endpoint.region}\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))


def _pointed_at_fixtures(code: str, source: Path, bucket: str, endpoint_url: str) -> str:
    return (code.replace('"/data"', repr(str(source)))
            .replace("s3://bucket/data/", f"s3://{bucket}/data/")
            .replace("https://s3.example.com", endpoint_url))


@pytest.mark.usefixtures("backup_profile")
def test_the_readme_library_example_runs_with_a_profile_and_an_endpoint(
    tmp_path: Path, bucket: str, s3_admin: Any, s3_endpoint: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "data"
    write_tree(source, FILES)
    example, from_args = _library_examples()
    namespace: dict[str, Any] = {}

    code = compile(_pointed_at_fixtures(example, source, bucket, s3_endpoint.endpoint_url), str(README), "exec")
    exec(code, namespace)  # noqa: S102 - the README's own example

    report = namespace["report"]
    assert report.exit_code is s3syncpy.ExitCode.SUCCESS
    assert bucket_objects(s3_admin, bucket) == {f"data/{key}": data for key, data in FILES.items()}
    printed = capsys.readouterr().out
    assert "small/a.txt: " in printed and "big.bin: " in printed
    assert printed.splitlines()[-1].startswith("0 SyncStats(transferred_bytes=")

    code = compile(_pointed_at_fixtures(from_args, source, bucket, s3_endpoint.endpoint_url), str(README), "exec")
    exec(code, namespace)  # noqa: S102 - the README's own example
    config = namespace["config"]
    assert config.deletion.delete
    assert config.target_client.profile == "backup"
    assert config.target_client.endpoint_url == s3_endpoint.endpoint_url


@pytest.mark.usefixtures("backup_profile")
def test_from_args_with_the_environment_and_progress_of_acknowledged_parts(
    tmp_path: Path, bucket: str, s3_admin: Any, s3_endpoint: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "data"
    write_tree(source, FILES)
    monkeypatch.setenv("S3SYNC_TARGET_ENDPOINT_URL", s3_endpoint.endpoint_url)
    monkeypatch.setenv("S3SYNC_TARGET_FORCE_PATH_STYLE", "true")
    config = s3syncpy.SyncConfig.from_args(
        ["--target-profile", "backup", "--multipart-threshold", "8MiB", "--multipart-chunksize", "5MiB",
         str(source), f"s3://{bucket}/p/"]
    )
    steps: list[s3syncpy.Progress] = []

    report = s3syncpy.sync_blocking(config, progress=steps.append)

    assert report.exit_code is s3syncpy.ExitCode.SUCCESS
    assert bucket_objects(s3_admin, bucket) == {f"p/{key}": data for key, data in FILES.items()}
    # The 12 MiB file went up in three parts: one step per part, each after S3 acknowledged it.
    big_parts = sorted(step.bytes for step in steps if step.key == "big.bin" and not step.object_completed)
    assert big_parts == [2 * MIB, 5 * MIB, 5 * MIB]
    assert sorted(step.key for step in steps if step.object_completed) == sorted(FILES)
    assert sum(step.bytes for step in steps) == sum(map(len, FILES.values()))
    assert (steps[-1].transferred_bytes, steps[-1].transferred_objects) == (
        report.stats.transferred_bytes, report.stats.transferred_objects
    )
    assert report.stats.transferred_bytes == sum(map(len, FILES.values()))


def test_from_args_refuses_a_bad_endpoint_before_any_request() -> None:
    with pytest.raises(s3syncpy.ConfigError) as caught:
        s3syncpy.SyncConfig.from_args(["--target-endpoint-url", "ftp://127.0.0.1:1", "/tmp", "s3://bucket/"])

    assert str(caught.value) == (
        "invalid value 'ftp://127.0.0.1:1' for '--target-endpoint-url': scheme must be https:// or http:// ."
    )
