"""The README's Python-callbacks example, run as written against the test server (only its locations and the
endpoint are pointed at the test fixtures), and the Lua settings through the library."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from pathlib import Path
from typing import Any

import s3syncpy
from s3syncpy.application.settings.sections import ClientSettings
from tests.support.e2e import bucket_objects, write_tree

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_example() -> str:
    text = README.read_text()
    section = text[text.index("#### Python callbacks"):]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None
    return match.group(1)


def test_the_readme_python_callbacks_example_runs(tmp_path: Path, bucket: str, s3_admin: Any, s3_endpoint: Any,
                                                  monkeypatch: Any, capsys: Any) -> None:
    write_tree(tmp_path, {"app.log": b"log line", "empty.log": b"", "notes.txt": b"n", "secret.log": b"s"})
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_endpoint.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_endpoint.secret_key)
    monkeypatch.setenv("AWS_REGION", s3_endpoint.region)
    code = _readme_example().replace('"/var/log/app"', repr(str(tmp_path))).replace(
        '"s3://bucket/logs/"))',
        f'"s3://{bucket}/logs/"), target_client=ClientSettings(endpoint_url={s3_endpoint.endpoint_url!r}, '
        "force_path_style=True))",
    )
    namespace: dict[str, Any] = {"ClientSettings": ClientSettings}

    exec(compile(code, str(README), "exec"), namespace)  # noqa: S102 - the README's own example

    report = namespace["report"]
    assert report.exit_code is s3syncpy.ExitCode.SUCCESS
    assert set(bucket_objects(s3_admin, bucket)) == {"logs/app.log"}
    head = s3_admin.head_object(Bucket=bucket, Key="logs/app.log")
    assert head["Metadata"] == {"synced-by": "s3syncpy"}
    assert s3_admin.get_object_tagging(Bucket=bucket, Key="logs/app.log")["TagSet"] == [
        {"Key": "origin", "Value": "s3syncpy"}
    ]
    assert "copied app.log 8" in capsys.readouterr().out
    assert report.stats.skipped == 3  # two filtered, one cancelled by preprocess


def test_lua_settings_through_the_library_and_python_replacing_one_script(
    tmp_path: Path, bucket: str, s3_admin: Any, s3_endpoint: Any, monkeypatch: Any
) -> None:
    write_tree(tmp_path / "src", {"a.txt": b"a", "b.txt": b"b"})
    script = tmp_path / "filter.lua"
    script.write_text("function filter(o) return o.key == 'a.txt' end")
    events = tmp_path / "events.lua"
    events.write_text("function on_event(e) error('replaced, never called') end")
    for name, value in (("AWS_ACCESS_KEY_ID", s3_endpoint.access_key),
                        ("AWS_SECRET_ACCESS_KEY", s3_endpoint.secret_key), ("AWS_REGION", s3_endpoint.region)):
        monkeypatch.setenv(name, value)
    config = s3syncpy.SyncConfig(
        source=s3syncpy.parse_location(str(tmp_path / "src")),
        target=s3syncpy.parse_location(f"s3://{bucket}/"),
        target_client=ClientSettings(endpoint_url=s3_endpoint.endpoint_url, force_path_style=True),
        lua=s3syncpy.LuaSettings(filter_script=str(script), event_script=str(events)),
    )
    seen: list[s3syncpy.SyncEvent] = []

    report = asyncio.run(s3syncpy.sync(config, callbacks=s3syncpy.FunctionCallbacks(on_event=seen.append)))

    assert report.exit_code is s3syncpy.ExitCode.SUCCESS
    assert set(bucket_objects(s3_admin, bucket)) == {"a.txt"}
    assert seen[0].event_type is s3syncpy.EventType.PIPELINE_START
    assert seen[-1].event_type is s3syncpy.EventType.STATS_REPORT


def test_a_python_preprocess_returning_a_header_breaking_value_fails_the_object(
    tmp_path: Path, bucket: str, s3_admin: Any, s3_endpoint: Any, monkeypatch: Any
) -> None:
    """A CR/LF in a metadata value fails the write like any invalid value: exit 1, a warning, no internal error."""
    write_tree(tmp_path / "src", {"a.txt": b"a"})
    for name, value in (("AWS_ACCESS_KEY_ID", s3_endpoint.access_key),
                        ("AWS_SECRET_ACCESS_KEY", s3_endpoint.secret_key), ("AWS_REGION", s3_endpoint.region)):
        monkeypatch.setenv(name, value)
    config = s3syncpy.SyncConfig(
        source=s3syncpy.parse_location(str(tmp_path / "src")),
        target=s3syncpy.parse_location(f"s3://{bucket}/"),
        target_client=ClientSettings(endpoint_url=s3_endpoint.endpoint_url, force_path_style=True),
    )

    def inject(key: str, source: Any, upload: s3syncpy.UploadMetadata) -> tuple[bool, s3syncpy.UploadMetadata]:
        return True, dataclasses.replace(upload, metadata={"note": "line1\r\nX-Injected: 1"})

    report = asyncio.run(s3syncpy.sync(config, callbacks=s3syncpy.FunctionCallbacks(preprocess=inject)))

    assert report.exit_code is s3syncpy.ExitCode.ERROR
    assert report.stats.errors == 1
    assert report.stats.warnings == 1
    assert any(line.startswith("failed to put object.") for line in report.warnings)
    assert bucket_objects(s3_admin, bucket) == {}
