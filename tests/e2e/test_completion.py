"""--auto-complete-shell: the scripts work when sourced in the real shells (typed into them on a pseudo-terminal),
and the installed `s3sync` answers their requests."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.e2e import s3sync_command
from tests.support.interactive_shell import type_into_shell

pytestmark = pytest.mark.skipif(os.name == "nt", reason="pseudo-terminals are POSIX")


def _shell_env(tmp_path: Path) -> dict[str, str]:
    bin_dir = str(Path(s3sync_command()[0]).parent)
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path),
        "PS1": "$ ",
        "TERM": "dumb",
        "LANG": "C.UTF-8",
    }


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*s3sync_command(), *args], capture_output=True, text=True, env={**os.environ, **(env or {})},
                          timeout=60, check=False)


def _require(shell: str) -> str:
    path = shutil.which(shell)
    if path is None:
        pytest.skip(f"{shell} is not installed")
    return path


def test_bash_completes_dry_run_after_sourcing(tmp_path: Path) -> None:
    bash = _require("bash")
    env = _shell_env(tmp_path)

    screen = type_into_shell([bash, "--norc", "--noprofile", "-i"],
                             ["source <(s3sync --auto-complete-shell bash)\n", "s3sync --dry\t"], "--dry-run", env)

    assert "s3sync --dry-run " in screen


def test_bash_without_the_script_does_not_complete_options(tmp_path: Path) -> None:
    bash = _require("bash")

    screen = type_into_shell([bash, "--norc", "--noprofile", "-i"], ["s3sync --dry\t"], "--dry-run",
                             _shell_env(tmp_path), timeout=3)

    assert "--dry-run" not in screen


def test_bash_completes_option_values(tmp_path: Path) -> None:
    bash = _require("bash")

    screen = type_into_shell(
        [bash, "--norc", "--noprofile", "-i"],
        ["source <(s3sync --auto-complete-shell bash)\n", "s3sync --auto-complete-shell pow\t"],
        "powershell", _shell_env(tmp_path),
    )

    assert "s3sync --auto-complete-shell powershell " in screen


def test_zsh_completes_dry_run_after_sourcing(tmp_path: Path) -> None:
    zsh = _require("zsh")

    screen = type_into_shell(
        [zsh, "-f", "-i"],
        ["autoload -Uz compinit && compinit -u\n", "source <(s3sync --auto-complete-shell zsh)\n", "s3sync --dry\t"],
        "--dry-run", _shell_env(tmp_path),
    )

    assert "s3sync --dry-run " in screen


def test_fish_completes_dry_run(tmp_path: Path) -> None:
    fish = _require("fish")

    screen = type_into_shell(
        [fish, "--no-config", "-i"],
        ["s3sync --auto-complete-shell fish | source\n", "s3sync --dry\t"], "--dry-run", _shell_env(tmp_path),
    )

    assert "--dry-run" in screen


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell", "elvish"])
def test_every_shell_gets_a_script_and_exit_0(shell: str) -> None:
    result = _run("--auto-complete-shell", shell)
    from_env = _run(env={"S3SYNC_AUTO_COMPLETE_SHELL": shell})

    assert result.returncode == 0, result.stderr
    assert "_S3SYNC_COMPLETE" in result.stdout
    assert result.stderr == ""
    assert from_env.stdout == result.stdout


def test_an_unknown_shell_is_a_usage_error() -> None:
    result = _run("--auto-complete-shell", "tcsh")

    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("shell", "script_marker"),
    [
        ("powershell", "Register-ArgumentCompleter -Native -CommandName s3sync"),
        ("elvish", "set edit:completion:arg-completer[s3sync]"),
    ],
)
def test_powershell_and_elvish_requests_are_answered(shell: str, script_marker: str) -> None:
    script = _run("--auto-complete-shell", shell)
    answer = _run(env={"_S3SYNC_COMPLETE": f"{shell}_complete", "COMP_WORDS": "s3sync --dry", "COMP_CWORD": "--dry"})
    choices = _run(env={"_S3SYNC_COMPLETE": f"{shell}_complete", "COMP_WORDS": "s3sync --auto-complete-shell ",
                        "COMP_CWORD": ""})

    assert script_marker in script.stdout
    assert answer.returncode == 0
    assert answer.stdout.splitlines() == ["plain,--dry-run\tA simulation mode. No actions will be performed"]
    assert sorted(line.split(",")[1] for line in choices.stdout.splitlines()) == [
        "bash", "elvish", "fish", "powershell", "zsh"]


def test_powershell_completes_dry_run(tmp_path: Path) -> None:
    pwsh = _require("pwsh")
    script = tmp_path / "complete.ps1"
    script.write_text(
        "s3sync --auto-complete-shell powershell | Out-String | Invoke-Expression\n"
        "(TabExpansion2 -inputScript 's3sync --dry' -cursorColumn 12).CompletionMatches | "
        "ForEach-Object { $_.CompletionText }\n"
    )

    result = subprocess.run([pwsh, "-NoProfile", "-File", str(script)], capture_output=True, text=True,
                            env={**os.environ, **_shell_env(tmp_path)}, timeout=120, check=False)

    assert result.stdout.split() == ["--dry-run"]


def test_elvish_completes_dry_run(tmp_path: Path) -> None:
    elvish = _require("elvish")

    screen = type_into_shell(
        [elvish, "-norc"],
        ["eval (s3sync --auto-complete-shell elvish | slurp)\n", "s3sync --dry\t"], "--dry-run", _shell_env(tmp_path),
    )

    assert "--dry-run" in screen


# Values typed after an option, and what the shell must complete them to (one test per kind of value).
_VALUE_CASES = [
    pytest.param("--storage-class GLACIER_", "--storage-class GLACIER_IR ", id="storage-class"),
    pytest.param("--sse AE", "--sse AES256 ", id="sse"),
    # bash splits words at colons: only the part after the last one is replaced.
    pytest.param("--sse aws:kms:d", "--sse aws:kms:dsse ", id="sse-with-colons"),
    pytest.param("--target-sse-c AE", "--target-sse-c AES256 ", id="sse-c"),
    pytest.param("--additional-checksum-algorithm CRC64", "--additional-checksum-algorithm CRC64NVME ",
                 id="checksum-algorithm"),
    pytest.param("--check-additional-checksum SHA2", "--check-additional-checksum SHA256 ", id="check-checksum"),
    pytest.param("--acl bucket-owner-f", "--acl bucket-owner-full-control ", id="acl"),
    pytest.param("--auto-complete-shell el", "--auto-complete-shell elvish ", id="shell"),
]


def _data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data_to_sync"
    data.mkdir()
    (data / "file.txt").write_text("x")
    return data


@pytest.mark.parametrize(("typed", "completed"), _VALUE_CASES)
def test_bash_completes_the_values_of_options(tmp_path: Path, typed: str, completed: str) -> None:
    bash = _require("bash")

    screen = type_into_shell(
        [bash, "--norc", "--noprofile", "-i"],
        ["source <(s3sync --auto-complete-shell bash)\n", f"s3sync {typed}\t"], completed, _shell_env(tmp_path),
        timeout=5,
    )

    assert f"s3sync {completed}" in screen


def test_bash_lists_every_storage_class(tmp_path: Path) -> None:
    bash = _require("bash")

    screen = type_into_shell(
        [bash, "--norc", "--noprofile", "-i"],
        ["source <(s3sync --auto-complete-shell bash)\n", "s3sync --storage-class \t\t"], "DEEP_ARCHIVE",
        _shell_env(tmp_path), timeout=5,
    )

    for storage_class in ("STANDARD_IA", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "EXPRESS_ONEZONE"):
        assert storage_class in screen


@pytest.mark.parametrize("before", ["", "s3://bucket/prefix/ "], ids=["source", "target"])
def test_bash_completes_local_paths_of_source_and_target(tmp_path: Path, before: str) -> None:
    bash = _require("bash")
    data = _data_dir(tmp_path)
    typed = f"s3sync --dry-run {before}{tmp_path}/data_to"

    screen = type_into_shell(
        [bash, "--norc", "--noprofile", "-i"],
        ["source <(s3sync --auto-complete-shell bash)\n", f"{typed}\t"], f"{data}/", _shell_env(tmp_path),
        timeout=5,
    )

    assert f"s3sync --dry-run {before}{data}/" in screen


def test_bash_completes_files_inside_a_local_source(tmp_path: Path) -> None:
    bash = _require("bash")
    data = _data_dir(tmp_path)

    screen = type_into_shell(
        [bash, "--norc", "--noprofile", "-i"],
        ["source <(s3sync --auto-complete-shell bash)\n", f"s3sync {data}/fi\t"], f"{data}/file.txt",
        _shell_env(tmp_path), timeout=5,
    )

    assert f"s3sync {data}/file.txt" in screen


def test_an_s3_url_is_not_completed_as_a_path(tmp_path: Path) -> None:
    # "s3:" is not a directory here; the shell must not offer local files for an S3 URL.
    answer = _run(env={"_S3SYNC_COMPLETE": "fish_complete", "COMP_WORDS": "s3sync s3://buck",
                       "COMP_CWORD": "s3://buck"})

    assert answer.returncode == 0
    assert answer.stdout.strip() == ""


def test_zsh_completes_a_local_path_and_a_storage_class(tmp_path: Path) -> None:
    zsh = _require("zsh")
    data = _data_dir(tmp_path)
    setup = ["autoload -Uz compinit && compinit -u\n", "source <(s3sync --auto-complete-shell zsh)\n"]

    path_screen = type_into_shell([zsh, "-f", "-i"], [*setup, f"s3sync {tmp_path}/data_to\t"], f"{data}/",
                                  _shell_env(tmp_path), timeout=5)
    value_screen = type_into_shell([zsh, "-f", "-i"], [*setup, "s3sync --storage-class DEEP\t"], "DEEP_ARCHIVE",
                                   _shell_env(tmp_path), timeout=5)

    assert f"s3sync {data}/" in path_screen
    assert "s3sync --storage-class DEEP_ARCHIVE" in value_screen


def test_fish_completes_a_local_path_and_a_checksum_algorithm(tmp_path: Path) -> None:
    fish = _require("fish")
    data = _data_dir(tmp_path)
    setup = ["s3sync --auto-complete-shell fish | source\n"]

    path_screen = type_into_shell([fish, "--no-config", "-i"], [*setup, f"s3sync {tmp_path}/data_to\t"],
                                  f"{data}/", _shell_env(tmp_path), timeout=5)
    value_screen = type_into_shell([fish, "--no-config", "-i"],
                                   [*setup, "s3sync --additional-checksum-algorithm CRC64\t"], "CRC64NVME",
                                   _shell_env(tmp_path), timeout=5)

    assert f"{data}/" in path_screen
    assert "CRC64NVME" in value_screen
