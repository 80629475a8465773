"""Lua callback scripts through the installed `s3sync`, in every direction the reference allows them.

Scripts report what they saw with print(), which safe mode keeps; the lines are read back from stdout.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import RunS3Sync, bucket_objects, put_objects, read_tree, write_tree

PIPELINE_START, PIPELINE_END, SYNC_START, SYNC_COMPLETE = 1 << 1, 1 << 2, 1 << 3, 1 << 4
SYNC_DELETE, SYNC_ETAG_VERIFIED, SYNC_CANCEL, SYNC_FILTERED, STATS_REPORT = 1 << 5, 1 << 6, 1 << 12, 1 << 14, 1 << 15
SYNC_WRITE = 1 << 13
MiB = 1024 * 1024


def _script(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / "scripts" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return str(path)


def _printed(stdout: str, tag: str) -> list[list[str]]:
    return [line.split("|")[1:] for line in stdout.splitlines() if line.startswith(tag + "|")]


FILTER_TMP = """
function filter(o)
  print("F|" .. o.key .. "|" .. tostring(o.size) .. "|" .. tostring(o.e_tag) .. "|" .. o.last_modified)
  return not string.find(o.key, "%.tmp$")
end
"""


def test_filter_script_skips_objects_local_to_s3(tmp_path: Path, bucket: str, s3_admin: Any,
                                                 run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path / "src", {"a.txt": b"aa", "b.tmp": b"bbb", "d/c.txt": b"c"})
    script = _script(tmp_path, "filter.lua", FILTER_TMP)

    result = run_s3sync("--filter-callback-lua-script", script, str(tmp_path / "src"), f"s3://{bucket}/")

    assert bucket_objects(s3_admin, bucket) == {"a.txt": b"aa", "d/c.txt": b"c"}
    seen = {row[0]: row for row in _printed(result.stdout, "F")}
    assert set(seen) == {"a.txt", "b.tmp", "d/c.txt"}
    assert seen["b.tmp"][1] == "3"  # the size (an addition to the reference's fields)
    assert seen["b.tmp"][2] == "nil"  # a local file has no ETag outside --check-etag
    assert result.count("skipped") == 1
    assert result.count("transferred") == 2


def test_filter_script_sees_quoted_etags_s3_to_local(tmp_path: Path, bucket: str, s3_admin: Any,
                                                    run_s3sync: RunS3Sync) -> None:
    put_objects(s3_admin, bucket, {"keep.txt": b"k", "drop.tmp": b"d"})
    script = _script(tmp_path, "filter.lua", FILTER_TMP)

    result = run_s3sync("--filter-callback-lua-script", script, f"s3://{bucket}/", str(tmp_path / "dst"))

    assert read_tree(tmp_path / "dst") == {"keep.txt": b"k"}
    etag = {row[0]: row[2] for row in _printed(result.stdout, "F")}["keep.txt"]
    assert etag.startswith('"') and etag.endswith('"')


def test_filter_script_s3_to_s3(tmp_path: Path, bucket: str, target_bucket: str, s3_admin: Any,
                                run_s3sync: RunS3Sync) -> None:
    put_objects(s3_admin, bucket, {"keep.txt": b"k", "drop.tmp": b"d"})
    script = _script(tmp_path, "filter.lua", FILTER_TMP)

    run_s3sync("--filter-callback-lua-script", script, f"s3://{bucket}/", f"s3://{target_bucket}/")

    assert bucket_objects(s3_admin, target_bucket) == {"keep.txt": b"k"}


EVENTS = """
function on_event(e)
  print("E|" .. e.event_type .. "|" .. tostring(e.key) .. "|" .. tostring(e.source_size) .. "|"
        .. tostring(e.dry_run) .. "|" .. tostring(e.stats_transferred_object) .. "|" .. tostring(e.message) .. "|"
        .. tostring(e.byte_written) .. "|" .. tostring(e.part_number) .. "|" .. tostring(e.upload_id))
end
"""


def test_event_script_receives_every_event_in_order(tmp_path: Path, bucket: str, run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path / "src", {"a.txt": b"aa", "b.txt": b"bbb"})
    script = _script(tmp_path, "events.lua", EVENTS)

    result = run_s3sync("--worker-size", "1", "--event-callback-lua-script", script, str(tmp_path / "src"),
                        f"s3://{bucket}/")

    events = _printed(result.stdout, "E")
    types = [int(row[0]) for row in events]
    assert types[0] == PIPELINE_START
    assert types[-2:] == [PIPELINE_END, STATS_REPORT]
    per_key = {key: [int(t) for t, k, *_ in events if k == key] for key in ("a.txt", "b.txt")}
    for key, sequence in per_key.items():
        assert sequence == [SYNC_START, SYNC_WRITE, SYNC_ETAG_VERIFIED, SYNC_COMPLETE], key
    complete = [row for row in events if int(row[0]) == SYNC_COMPLETE]
    assert sorted(row[2] for row in complete) == ["2", "3"]
    assert events[-1][4] == "2"  # STATS_REPORT: stats_transferred_object
    assert all(row[3] == "false" for row in events)


def test_event_script_sees_each_part_written(tmp_path: Path, bucket: str, run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path / "src", {"big": b"x" * (9 * MiB)})
    script = _script(tmp_path, "events.lua", EVENTS)

    result = run_s3sync("--event-callback-lua-script", script, str(tmp_path / "src"), f"s3://{bucket}/")

    writes = sorted((row[7], row[6], row[8]) for row in _printed(result.stdout, "E") if int(row[0]) == SYNC_WRITE)
    assert [(part, size) for part, size, _ in writes] == [("1", str(8 * MiB)), ("2", str(MiB))]
    assert len({upload_id for *_, upload_id in writes}) == 1 and writes[0][2] != "nil"


def test_event_script_sees_filtered_deleted_and_dry_run(tmp_path: Path, bucket: str, s3_admin: Any,
                                                       run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path / "src", {"a.txt": b"aa"})
    put_objects(s3_admin, bucket, {"a.txt": b"aa", "gone.txt": b"g"})
    run_s3sync(str(tmp_path / "src"), f"s3://{bucket}/")
    script = _script(tmp_path, "events.lua", EVENTS)

    result = run_s3sync("--delete", "--event-callback-lua-script", script, str(tmp_path / "src"),
                        f"s3://{bucket}/")
    events = _printed(result.stdout, "E")
    assert [row[1] for row in events if int(row[0]) == SYNC_FILTERED] == ["a.txt"]
    assert [row[1] for row in events if int(row[0]) == SYNC_DELETE] == ["gone.txt"]

    write_tree(tmp_path / "src", {"new.txt": b"n"})
    dry = run_s3sync("--dry-run", "--event-callback-lua-script", script, str(tmp_path / "src"), f"s3://{bucket}/")
    dry_events = _printed(dry.stdout, "E")
    assert [row[1] for row in dry_events if int(row[0]) == SYNC_COMPLETE] == ["new.txt"]
    assert all(row[3] == "true" for row in dry_events)


def test_event_script_errors_change_nothing(tmp_path: Path, bucket: str, run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path / "src", {"a.txt": b"aa"})
    scripts = {
        "events": "function on_event(e) error('no thanks') end",
        "none": "x = 1",
        "slow": "function on_event(e) while true do end end",
        "greedy": "function on_event(e) local t = {} for i = 1, 1e9 do t[i] = i end end",
    }
    limits = ["--lua-callback-timeout-milliseconds", "100", "--lua-vm-memory-limit", "4MiB"]

    for name, text in scripts.items():
        script = _script(tmp_path, f"{name}.lua", text)
        result = run_s3sync(*limits, "--event-callback-lua-script", script, str(tmp_path / "src"),
                            f"s3://{bucket}/{name}/")
        assert result.count("transferred") == 1, name
        assert result.count("warning") == 0, name


PREPROCESS = """
function preprocess_callback(source, upload)
  print("P|" .. source.key .. "|" .. tostring(source.content_length) .. "|" .. tostring(upload.content_type))
  if string.find(source.key, "skip") then return false, upload end
  upload.metadata = { origin = "lua", size = tostring(source.content_length) }
  upload.content_type = "text/x-lua"
  upload.cache_control = nil
  upload.tagging = "by=lua"
  upload.storage_class = "STANDARD_IA"
  upload.acl = "private"
  return true, upload
end
"""


def test_preprocess_script_edits_and_cancels_uploads(tmp_path: Path, bucket: str, s3_admin: Any,
                                                     run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path / "src", {"a.txt": b"aa", "skip.txt": b"s", "big.bin": b"b" * (9 * MiB)})
    script = _script(tmp_path, "pre.lua", PREPROCESS)
    events = _script(tmp_path, "events.lua", EVENTS)

    result = run_s3sync("--preprocess-callback-lua-script", script, "--event-callback-lua-script", events,
                        str(tmp_path / "src"), f"s3://{bucket}/prefix/")

    assert set(bucket_objects(s3_admin, bucket)) == {"prefix/a.txt", "prefix/big.bin"}
    seen = {row[0]: row for row in _printed(result.stdout, "P")}
    assert set(seen) == {"prefix/a.txt", "prefix/skip.txt", "prefix/big.bin"}  # the full target key
    assert seen["prefix/a.txt"][2] == "text/plain"  # what the upload would carry (guessed from the name)
    head = s3_admin.head_object(Bucket=bucket, Key="prefix/a.txt")
    assert head["ContentType"] == "text/x-lua"
    assert head["Metadata"] == {"origin": "lua", "size": "2"}
    assert head["StorageClass"] == "STANDARD_IA"
    tags = s3_admin.get_object_tagging(Bucket=bucket, Key="prefix/a.txt")["TagSet"]
    assert tags == [{"Key": "by", "Value": "lua"}]
    big = s3_admin.head_object(Bucket=bucket, Key="prefix/big.bin")  # multipart: set on CreateMultipartUpload
    assert big["Metadata"] == {"origin": "lua", "size": str(9 * MiB)}
    assert big["ContentType"] == "text/x-lua"
    assert [row[1] for row in _printed(result.stdout, "E") if int(row[0]) == SYNC_CANCEL] == ["skip.txt"]
    assert result.count("skipped") == 1
    assert result.count("transferred") == 2


def test_preprocess_script_s3_to_s3_clears_with_nil(tmp_path: Path, bucket: str, target_bucket: str, s3_admin: Any,
                                                   run_s3sync: RunS3Sync) -> None:
    s3_admin.put_object(Bucket=bucket, Key="k", Body=b"body", ContentType="text/x-src", CacheControl="max-age=9",
                        Metadata={"owner": "me"}, Tagging="t=1")
    script = _script(tmp_path, "clear.lua", """
function preprocess_callback(source, upload)
  print("P|" .. source.key .. "|" .. source.metadata.owner .. "|" .. upload.tagging .. "|" .. upload.cache_control)
  upload.metadata = nil
  upload.tagging = nil
  upload.cache_control = nil
  return true, upload
end
""")

    result = run_s3sync("--preprocess-callback-lua-script", script, f"s3://{bucket}/", f"s3://{target_bucket}/")

    assert _printed(result.stdout, "P") == [["k", "me", "t=1", "max-age=9"]]
    head = s3_admin.head_object(Bucket=target_bucket, Key="k")
    assert head["Metadata"] == {}
    assert "CacheControl" not in head
    assert head["ContentType"] == "text/x-src"
    assert s3_admin.get_object_tagging(Bucket=target_bucket, Key="k")["TagSet"] == []


def test_preprocess_script_never_runs_for_local_targets_or_dry_run(tmp_path: Path, bucket: str,
                                                                  run_s3sync: RunS3Sync) -> None:
    failing = _script(tmp_path, "pre.lua", "function preprocess_callback(s, u) error('must not run') end")
    write_tree(tmp_path / "src", {"a.txt": b"aa"})

    dry = run_s3sync("--dry-run", "--preprocess-callback-lua-script", failing, str(tmp_path / "src"),
                     f"s3://{bucket}/")
    assert dry.count("transferred") == 1
    run_s3sync(str(tmp_path / "src"), f"s3://{bucket}/")
    download = run_s3sync("--preprocess-callback-lua-script", failing, f"s3://{bucket}/", str(tmp_path / "dst"))
    assert download.count("transferred") == 1


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("error('boom')", "boom"),
        ("return true", "two values"),
        ("u.acl = 'everyone-please'; return true, u", "invalid acl"),
        ("u.storage_class = 'COLD'; return true, u", "invalid storage_class"),
        ("u.request_payer = 'me'; return true, u", "invalid request_payer"),
        ("u.expires_string = 'tomorrow'; return true, u", "invalid expires_string"),
    ],
    ids=["runtime error", "one return value", "acl", "storage class", "request payer", "expires"],
)
def test_preprocess_script_errors_fail_the_run(tmp_path: Path, bucket: str, run_s3sync: RunS3Sync, body: str,
                                               expected: str) -> None:
    write_tree(tmp_path / "src", {"a.txt": b"aa"})
    script = _script(tmp_path, "pre.lua", f"function preprocess_callback(s, u) {body} end")

    result = run_s3sync("--preprocess-callback-lua-script", script, str(tmp_path / "src"), f"s3://{bucket}/",
                        expect=1)

    assert expected in result.stdout
    assert result.count("error") == 1
    assert result.count("warning") == 1  # the failed put, as the reference counts it


def test_filter_script_errors_and_limits_fail_the_run(tmp_path: Path, bucket: str, run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path / "src", {"a.txt": b"aa"})
    cases = {
        "error.lua": ("function filter(o) error('bad filter') end", [], "User defined filter error"),
        "os.lua": ("function filter(o) return os.date() end", [], "global 'os'"),
        "io.lua": ("function filter(o) return io.popen('id') end", [], "global 'io'"),
        "python.lua": ("function filter(o) return python.eval('1') end", [], "global 'python'"),
        "none.lua": ("x = 1", [], "no global function 'filter'"),
        "memory.lua": ("function filter(o) local t = {} for i = 1, 1e9 do t[i] = i end end",
                       ["--lua-vm-memory-limit", "4MiB"], "memory limit"),
        "slow.lua": ("function filter(o) while true do end end",
                     ["--lua-callback-timeout-milliseconds", "300"], "timed out after 300ms"),
        # Inside one C call no hook runs: the watchdog gives up on the VM and the process still exits.
        "stuck.lua": ("function filter(o) return string.find(string.rep('a', 5000), string.rep('.-', 12) .. 'b') end",
                      ["--lua-callback-timeout-milliseconds", "200"], "timed out after 200ms"),
    }
    for name, (text, options, expected) in cases.items():
        started = time.monotonic()
        result = run_s3sync(*options, "--filter-callback-lua-script", _script(tmp_path, name, text),
                            str(tmp_path / "src"), f"s3://{bucket}/", expect=1, timeout=60)
        assert expected in result.stdout, name
        assert time.monotonic() - started < 30, name
        assert "Error: s3sync failed." in result.stderr


def test_os_library_flag_opens_os_and_io(tmp_path: Path, bucket: str, run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path / "src", {"a.txt": b"aa"})
    out = tmp_path / "seen.txt"
    script = _script(tmp_path, "os.lua", f"""
function filter(o)
  local f = io.open("{out}", "a") f:write(o.key, " ", os.date("!%Y"), "\\n") f:close()
  return true
end
""")

    run_s3sync("--allow-lua-os-library", "--filter-callback-lua-script", script, str(tmp_path / "src"),
               f"s3://{bucket}/")

    assert out.read_text().startswith("a.txt 20")


def test_unsafe_vm_flag_opens_the_full_library(tmp_path: Path, bucket: str, run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path / "src", {"a.txt": b"aa"})
    script = _script(tmp_path, "unsafe.lua", "local d = require('debug') function filter(o) return d ~= nil end")

    result = run_s3sync("--allow-lua-unsafe-vm", "--filter-callback-lua-script", script, str(tmp_path / "src"),
                        f"s3://{bucket}/")

    assert result.count("transferred") == 1


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        ("function filter(", [], "Failed to load and compile Lua script callback: "),
        ("error('at load')", [], "at load"),
        ("function filter(o) return true end", ["--lua-vm-memory-limit", "1KiB"], "memory limit"),
        ("while true do end", ["--lua-callback-timeout-milliseconds", "200"], "timed out"),
        ("x = 1", ["--allow-lua-os-library", "--allow-lua-unsafe-vm"], "cannot be used with"),
        ("x = 1", ["--lua-vm-memory-limit", "lots"], "--lua-vm-memory-limit"),
    ],
    ids=["syntax error", "error in the main chunk", "tiny memory limit", "endless main chunk", "both allow-flags",
         "bad memory limit"],
)
def test_script_load_problems_are_usage_errors(tmp_path: Path, bucket: str, run_s3sync: RunS3Sync, text: str,
                                               options: list[str], expected: str) -> None:
    write_tree(tmp_path / "src", {"a.txt": b"aa"})
    script = _script(tmp_path, "load.lua", text)

    result = run_s3sync(*options, "--filter-callback-lua-script", script, str(tmp_path / "src"), f"s3://{bucket}/",
                        expect=2)

    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], result.stderr


def test_missing_script_file_is_a_usage_error(tmp_path: Path, bucket: str, run_s3sync: RunS3Sync) -> None:
    write_tree(tmp_path / "src", {"a.txt": b"aa"})
    for option in ("--filter-callback-lua-script", "--event-callback-lua-script",
                   "--preprocess-callback-lua-script"):
        result = run_s3sync(option, str(tmp_path / "nope.lua"), str(tmp_path / "src"), f"s3://{bucket}/", expect=2)
        assert result.stderr.strip() == f"error: invalid value '{tmp_path / 'nope.lua'}' for '{option}': no such file"


@pytest.mark.parametrize(
    ("field", "value", "size"),
    [
        ("metadata", "{ note = 'line1\\r\\nX-Injected: 1' }", 2),
        ("metadata", "{ note = 'line1\\r\\nX-Injected: 1' }", 9 * MiB),
        ("metadata", "{ ['bad\\nname'] = 'v' }", 2),
        ("metadata", "{ ['two words'] = 'v' }", 2),
        ("content_type", "'text/plain\\n'", 2),
        ("cache_control", "'max-age=1\\0'", 2),
        ("content_disposition", "'inline\\r'", 2),
        ("website_redirect_location", "'/x\\n'", 2),
        ("tagging", "'a=b\\nc'", 2),
    ],
    ids=["metadata-value-crlf", "metadata-value-crlf-multipart", "metadata-name-lf", "metadata-name-space",
         "content-type-lf", "cache-control-nul", "content-disposition-cr", "redirect-lf", "tagging-lf"],
)
def test_preprocess_script_header_breaking_values_fail_the_object(field: str, value: str, size: int, tmp_path: Path,
                                                                  bucket: str, s3_admin: Any,
                                                                  run_s3sync: RunS3Sync) -> None:
    """A value an HTTP header cannot carry fails like any invalid value (not as an internal error, exit 101)."""
    write_tree(tmp_path / "src", {"a.bin": b"a" * size})
    script = _script(tmp_path, "pre.lua", f"function preprocess_callback(s, u) u.{field} = {value}; return true, u end")

    result = run_s3sync("--preprocess-callback-lua-script", script, str(tmp_path / "src"), f"s3://{bucket}/",
                        expect=1)

    assert f"preprocess callback error: invalid {field}" in result.stdout
    assert "internal error" not in result.stdout + result.stderr
    assert bucket_objects(s3_admin, bucket) == {}
    assert result.count("error") == 1
    assert result.count("warning") == 1  # the failed put, as the reference counts it
