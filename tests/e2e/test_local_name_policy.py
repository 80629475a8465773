"""Downloads under Windows' and macOS's file-name rules, applied on Linux through S3SYNCPY_PATH_POLICY.

S3 keeps keys a Windows disk cannot hold (`CON`, `nul.txt`, `a:b`, `x:y.txt`, `jpg.`, `trail `) and keys a
case-insensitive disk (NTFS, APFS) takes for one file (`Readme`, `README`). Each such object is skipped with a
warning that says why (exit 3), and nothing churns: a rerun transfers none of them again, and a rerun with
`--delete` deletes nothing because of them (the twin that was written stays). Before the policy existed, `a:b`
got "path outside the target directory" on Windows only, `jpg.` was stored as `jpg` and downloaded on every run,
and the twins overwrote each other on every run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import Result, RunS3Sync, put_objects, read_tree

PLAIN = {"ok.txt": b"plain", "dir/inside": b"nested"}
WINDOWS_ONLY = {
    "CON": (b"console", '"CON" is a device name Windows reserves'),
    "nul.txt": (b"null", '"nul" is a device name Windows reserves'),
    "a:b": (b"colon", '":" is not allowed in a file name (Windows reads it as a drive or a stream)'),
    "x:y.txt": (b"stream", '":" is not allowed in a file name (Windows reads it as a drive or a stream)'),
    "jpg.": (b"dot", 'Windows drops a trailing "." from a file name'),
    "trail ": (b"space", "Windows drops a trailing space from a file name"),
}
TWINS = {"README": b"upper case", "Readme": b"mixed case"}


@pytest.fixture
def objects(s3_admin: Any, bucket: str) -> dict[str, bytes]:
    everything = {**PLAIN, **{key: data for key, (data, _) in WINDOWS_ONLY.items()}, **TWINS}
    put_objects(s3_admin, bucket, everything)
    return everything


def _warning_lines(result: Result) -> list[str]:
    return [line for line in result.stdout.splitlines() if "the key cannot be stored as a" in line]


def _assert_twin_warning(result: Result, label: str, written: str) -> None:
    other = next(key for key in TWINS if key != written)
    expected = (f'the key cannot be stored as a {label} file: "{other}" differs only in case from "{written}", '
                f"which this disk does not tell apart. key={other}")
    twin_lines = [line for line in _warning_lines(result) if "differs only in case" in line]
    assert len(twin_lines) == 1 and expected in twin_lines[0], result.stdout


def _written_twin(target: Path) -> str:
    present = [key for key in TWINS if (target / key).exists()]
    assert len(present) == 1, present
    return present[0]


def _three_runs(run_s3sync: RunS3Sync, bucket: str, target: Path, policy: str) -> list[Result]:
    env = {"S3SYNCPY_PATH_POLICY": policy}
    first = run_s3sync(f"s3://{bucket}/", f"{target}/", expect=3, env=env)
    snapshot = read_tree(target)
    again = run_s3sync(f"s3://{bucket}/", f"{target}/", expect=3, env=env)
    assert read_tree(target) == snapshot
    deleting = run_s3sync("--delete", f"s3://{bucket}/", f"{target}/", expect=3, env=env)
    assert read_tree(target) == snapshot
    return [first, again, deleting]


def test_windows_rules_skip_unstorable_names_and_case_twins_without_churn(
    objects: dict[str, bytes], run_s3sync: RunS3Sync, bucket: str, tmp_path: Path
) -> None:
    target = tmp_path / "target"

    first, again, deleting = _three_runs(run_s3sync, bucket, target, "windows")

    written = _written_twin(target)
    assert read_tree(target) == {**PLAIN, written: TWINS[written]}
    for result in (first, again, deleting):
        lines = _warning_lines(result)
        for key, (_, problem) in WINDOWS_ONLY.items():
            expected = f"the key cannot be stored as a Windows file: {problem}. key={key}"
            assert sum(expected in line for line in lines) == 1, (key, result.stdout)
        _assert_twin_warning(result, "Windows", written)
        assert len(lines) == len(WINDOWS_ONLY) + 1, result.stdout
        assert result.count("warning") == len(WINDOWS_ONLY) + 1
        assert result.count("error") == 0
        assert "outside the target directory" not in result.stdout
    assert first.count("transferred") == len(PLAIN) + 1
    assert again.count("transferred") == 0
    assert deleting.count("transferred") == 0
    assert deleting.count("deleted") == 0


def test_macos_rules_keep_windows_names_and_skip_case_twins_without_churn(
    objects: dict[str, bytes], run_s3sync: RunS3Sync, bucket: str, tmp_path: Path
) -> None:
    target = tmp_path / "target"

    first, again, deleting = _three_runs(run_s3sync, bucket, target, "macos")

    written = _written_twin(target)
    # macOS's POSIX layer stores ":" and trailing dots and spaces as spelled: only the case twin is refused.
    assert read_tree(target) == {
        **PLAIN, **{key: data for key, (data, _) in WINDOWS_ONLY.items()}, written: TWINS[written]
    }
    for result in (first, again, deleting):
        _assert_twin_warning(result, "macOS", written)
        assert len(_warning_lines(result)) == 1, result.stdout
        assert result.count("warning") == 1
    assert first.count("transferred") == len(PLAIN) + len(WINDOWS_ONLY) + 1
    assert again.count("transferred") == 0
    assert deleting.count("transferred") == 0
    assert deleting.count("deleted") == 0


def test_posix_rules_store_every_key_as_spelled(
    objects: dict[str, bytes], run_s3sync: RunS3Sync, bucket: str, tmp_path: Path
) -> None:
    target = tmp_path / "target"

    result = run_s3sync(f"s3://{bucket}/", f"{target}/", env={"S3SYNCPY_PATH_POLICY": "posix"})

    assert read_tree(target) == objects
    assert result.count("warning") == 0


def test_a_case_twin_already_on_disk_is_kept_and_its_twin_refused(
    s3_admin: Any, run_s3sync: RunS3Sync, bucket: str, tmp_path: Path
) -> None:
    # A folder that differs only in case is one folder on the disk too: `docs/b` would land in `Docs/`.
    target = tmp_path / "target"
    (target / "Docs").mkdir(parents=True)
    (target / "Docs" / "a").write_bytes(b"kept")
    put_objects(s3_admin, bucket, {"Docs/a": b"kept", "docs/b": b"refused"})
    env = {"S3SYNCPY_PATH_POLICY": "windows"}

    for _ in range(2):
        result = run_s3sync("--delete", f"s3://{bucket}/", f"{target}/", expect=3, env=env)
        assert read_tree(target) == {"Docs/a": b"kept"}
        assert result.count("deleted") == 0
        assert result.count("warning") == 1
        assert ('the key cannot be stored as a Windows file: "docs" differs only in case from "Docs", which this '
                "disk does not tell apart. key=docs/b") in result.stdout


def test_an_unknown_policy_is_an_invalid_argument(run_s3sync: RunS3Sync, bucket: str, tmp_path: Path) -> None:
    result = run_s3sync(f"s3://{bucket}/", f"{tmp_path}/", expect=2, env={"S3SYNCPY_PATH_POLICY": "ntfs"})

    assert result.stderr.strip().splitlines() == [
        "error: invalid S3SYNCPY_PATH_POLICY 'ntfs': expected windows, macos or posix"
    ]


def test_report_mode_reports_unstorable_keys_missing_with_the_reason(
    s3_admin: Any, run_s3sync: RunS3Sync, bucket: str, tmp_path: Path
) -> None:
    target = tmp_path / "target"
    target.mkdir()
    put_objects(s3_admin, bucket, {"CON": b"1", "a:b": b"2", "ok": b"3"})

    result = run_s3sync("--report-sync-status", f"s3://{bucket}/", f"{target}/", expect=3,
                        env={"S3SYNCPY_PATH_POLICY": "windows"})

    for key in ("CON", "a:b", "ok"):
        assert f'status="NOT_FOUND" key="{key}"' in result.stdout, result.stdout
    assert len(_warning_lines(result)) == 2, result.stdout
    assert "error:" not in result.stderr
