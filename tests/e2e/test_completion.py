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
