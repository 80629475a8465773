"""LuaCallbacks: the callbacks port served by real Lua scripts (fields in, return contract out, one VM each)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from s3syncpy.adapters.lua import LuaCallbacks, load_lua_callbacks
from s3syncpy.adapters.lua.vm import LuaCallbackError
from s3syncpy.application.pipeline.sync_service import run_sync
from s3syncpy.application.ports.callbacks import EventType, FilterObject, SyncEvent, UploadMetadata
from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.scripting import LuaSettings
from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.exit_codes import ExitCode
from s3syncpy.domain.paths import LocalLocation, S3Location
from tests.fakes.clock import FakeClock
from tests.fakes.features import FILE_TREE
from tests.fakes.storage import InMemoryObjectStorage


def _load(tmp_path: Path, **scripts: str) -> LuaCallbacks:
    paths = {}
    for kind, text in scripts.items():
        path = tmp_path / f"{kind}.lua"
        path.write_text(text)
        paths[f"{kind}_script"] = str(path)
    callbacks = load_lua_callbacks(LuaSettings(**paths))  # type: ignore[arg-type]
    assert callbacks is not None
    return callbacks


OBJ = FilterObject(key="dir/a.txt", last_modified="2025-01-01T00:00:00+00:00", e_tag='"abc"', size=5)


@pytest.mark.parametrize(
    ("body", "keep"),
    [
        ("return string.find(o.key, 'a.txt')", True),  # an index is truthy
        ("return string.find(o.key, 'zzz')", False),  # nil
        ("return 0", True),  # Lua truthiness: 0 keeps
        ("return ''", True),
        ("return false", False),
        ("", False),  # no value
        ("return o.size == 5 and o.e_tag == '\"abc\"' and o.version_id == nil and not o.is_delete_marker", True),
    ],
)
async def test_filter_follows_lua_truthiness_and_sees_the_fields(tmp_path: Path, body: str, keep: bool) -> None:
    callbacks = _load(tmp_path, filter=f"function filter(o) {body} end")
    try:
        assert await callbacks.filter(OBJ) is keep
    finally:
        await callbacks.aclose()


async def test_each_callback_has_its_own_vm(tmp_path: Path) -> None:
    callbacks = _load(
        tmp_path,
        filter="shared = 'filter' function filter(o) return shared == 'filter' end",
        event="function on_event(e) assert(shared == nil) seen = (seen or 0) + 1 end",
    )
    try:
        assert await callbacks.filter(OBJ)
        await callbacks.on_event(SyncEvent(EventType.PIPELINE_START))
    finally:
        await callbacks.aclose()


async def test_calls_are_serialised(tmp_path: Path) -> None:
    callbacks = _load(tmp_path, preprocess="""
active, calls = 0, 0
function preprocess_callback(s, u)
  active = active + 1
  assert(active == 1, "overlapping calls")
  for i = 1, 20000 do end
  calls = calls + 1
  u.metadata = { n = tostring(calls) }
  active = active - 1
  return true, u
end
""")
    try:
        results = await asyncio.gather(*(callbacks.preprocess(f"k{i}", {}, UploadMetadata()) for i in range(40)))
    finally:
        await callbacks.aclose()
    assert sorted(int(upload.metadata["n"]) for _, upload in results if upload.metadata) == list(range(1, 41))


async def test_preprocess_return_contract(tmp_path: Path) -> None:
    callbacks = _load(tmp_path, preprocess="""
function preprocess_callback(s, u)
  assert(s.key == "pre/k" and s.metadata.owner == "me" and s.content_length == 4)
  assert(u.content_type == "text/plain" and u.metadata.a == "1" and u.tagging == "t=1")
  if s.tag_count == 9 then return false, u end
  u.content_type = nil
  u.cache_control = 60
  u.metadata = { b = 2 }
  return "yes", u
end
""")
    upload = UploadMetadata(content_type="text/plain", metadata={"a": "1"}, tagging="t=1")
    source = {"key": "ignored", "metadata": {"owner": "me"}, "content_length": 4}
    try:
        proceed, edited = await callbacks.preprocess("pre/k", source, upload)
        assert proceed is True
        assert edited == UploadMetadata(cache_control="60", metadata={"b": "2"}, tagging="t=1")
        assert (await callbacks.preprocess("pre/k", {**source, "tag_count": 9}, upload))[0] is False
    finally:
        await callbacks.aclose()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("return true", "two values"),
        ("return true, nil", "two values"),
        ("return true, 'x'", "two values"),
        ("u.content_type = true return true, u", "must be a string"),
        ("u.metadata = 'x' return true, u", "must be a table"),
        ("error('mine')", "mine"),
    ],
)
async def test_preprocess_contract_violations_raise(tmp_path: Path, body: str, message: str) -> None:
    callbacks = _load(tmp_path, preprocess=f"function preprocess_callback(s, u) {body} end")
    try:
        with pytest.raises(LuaCallbackError, match=message):
            await callbacks.preprocess("k", {}, UploadMetadata())
    finally:
        await callbacks.aclose()


async def test_events_in_order_with_their_fields_through_a_run(tmp_path: Path) -> None:
    log = tmp_path / "events.txt"
    script = tmp_path / "event.lua"
    script.write_text(f"""
function on_event(e)
  local f = io.open("{log}", "a")
  f:write(e.event_type, " ", tostring(e.key), " ", tostring(e.source_size), " ",
          tostring(e.stats_transferred_byte), " ", tostring(e.dry_run), "\\n")
  f:close()
end
""")
    os_callbacks = load_lua_callbacks(LuaSettings(event_script=str(script), allow_os_library=True))
    assert os_callbacks is not None
    source = InMemoryObjectStorage(features=FILE_TREE)
    source.seed("a", b"12345")
    config = SyncConfig(source=LocalLocation("/src"), target=S3Location("bucket", ""))
    try:
        report = await run_sync(config, source, InMemoryObjectStorage(), FakeClock(0.0), asyncio.Event(),
                                callbacks=os_callbacks)
    finally:
        await os_callbacks.aclose()

    assert report.exit_code is ExitCode.SUCCESS
    rows = [line.split() for line in log.read_text().splitlines()]
    assert [int(row[0]) for row in rows] == [
        EventType.PIPELINE_START, EventType.SYNC_START, EventType.SYNC_ETAG_VERIFIED, EventType.SYNC_COMPLETE,
        EventType.PIPELINE_END, EventType.STATS_REPORT,
    ]
    assert rows[3][1:3] == ["a", "5"]
    assert rows[-1][1:] == ["nil", "nil", "5", "false"]


def test_loading_errors_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_lua_callbacks(LuaSettings(filter_script=str(tmp_path / "missing.lua")))
    bad = tmp_path / "bad.lua"
    bad.write_text("function filter(")
    with pytest.raises(ConfigError, match="^Failed to load and compile Lua script callback: .*bad.lua:1:"):
        load_lua_callbacks(LuaSettings(filter_script=str(bad)))
    assert load_lua_callbacks(LuaSettings()) is None


async def test_a_delete_marker_reaches_the_filter_with_nil_for_what_it_lacks(tmp_path: Path) -> None:
    callbacks = _load(tmp_path, filter="""
function filter(o)
  return o.is_delete_marker == true and o.is_latest == false and o.e_tag == nil and o.size == nil
     and o.checksum_algorithm == nil and o.version_id == "v1"
end
""")
    marker = FilterObject(key="k", last_modified="2025-01-01T00:00:00+00:00", version_id="v1", is_latest=False,
                          is_delete_marker=True)
    try:
        assert await callbacks.filter(marker) is True
    finally:
        await callbacks.aclose()


async def test_a_callback_stuck_in_a_c_function_is_abandoned(tmp_path: Path) -> None:
    path = tmp_path / "stuck.lua"
    path.write_text("function filter(o) return string.find(string.rep('a', 5000), string.rep('.-', 12) .. 'b') end")
    callbacks = load_lua_callbacks(LuaSettings(filter_script=str(path), callback_timeout_milliseconds=100))
    assert callbacks is not None
    try:
        with pytest.raises(LuaCallbackError, match="timed out after 100ms"):
            await asyncio.wait_for(callbacks.filter(OBJ), 10)
        with pytest.raises(LuaCallbackError, match="still running"):
            await callbacks.filter(OBJ)
    finally:
        await callbacks.aclose()
