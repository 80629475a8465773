"""--auto-complete-shell bash|zsh|fish|powershell|elvish: a completion script for the shell, and its answers.

The scripts call `s3sync` back with `_S3SYNC_COMPLETE=<shell>_complete` and the words typed so far in the
environment; `s3sync` then prints the candidates (option names, choices, paths) instead of running. Bash, zsh and
fish use click's own scripts and protocol. Click has none for PowerShell and elvish, so this module adds both: their
scripts pass the command line up to the cursor (COMP_WORDS) and the word being completed (COMP_CWORD), the protocol
fish uses, and read back one `type,value` line per candidate (`plain` values are offered as they are; for `file`
and `dir` the shell's own path completion takes over).

    source <(s3sync --auto-complete-shell bash)                       # ~/.bashrc
    s3sync --auto-complete-shell powershell | Out-String | Invoke-Expression   # $PROFILE
    eval (s3sync --auto-complete-shell elvish | slurp)                # rc.elv
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping

import click
from click.shell_completion import (
    BashComplete,
    CompletionItem,
    FishComplete,
    ShellComplete,
    ZshComplete,
    split_arg_string,
)

PROG_NAME = "s3sync"
COMPLETE_VAR = "_S3SYNC_COMPLETE"
SHELLS: tuple[str, ...] = ("bash", "fish", "zsh", "powershell", "elvish")

# Click's bash script sends bash's COMP_WORDS, which bash splits at every COMP_WORDBREAKS character: after
# `s3sync s3://bucket/ ./da` the words are `s3 : //bucket/ ./da`, so the TARGET is taken for a third argument and
# nothing completes, and `--sse aws:k` completes `k`. This one sends the line up to the cursor instead (split by
# shell rules in Python) and, as bash-completion does for colons, removes from each candidate the part of the
# typed word that bash itself does not replace (up to its last colon).
_SOURCE_BASH = """\
%(complete_func)s() {
    local IFS=$'\\n'
    local response line="${COMP_LINE:0:COMP_POINT}"
    local typed="${line##*[[:space:]]}" kept=""
    if [[ $COMP_WORDBREAKS == *:* && $typed == *:* ]]; then
        kept="${typed%%"${typed##*:}"}"
    fi

    response=$(env COMP_WORDS="$line" %(complete_var)s=bash_complete $1)

    for completion in $response; do
        IFS=',' read type value <<< "$completion"

        if [[ $type == 'dir' ]]; then
            COMPREPLY=()
            compopt -o dirnames
        elif [[ $type == 'file' ]]; then
            COMPREPLY=()
            compopt -o default
        elif [[ $type == 'plain' ]]; then
            COMPREPLY+=("${value#"$kept"}")
        fi
    done

    return 0
}

%(complete_func)s_setup() {
    complete -o nosort -F %(complete_func)s %(prog_name)s
}

%(complete_func)s_setup;
"""

_SOURCE_POWERSHELL = """\
Register-ArgumentCompleter -Native -CommandName %(prog_name)s -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $line = $commandAst.ToString()
    $upToCursor = $line.Substring(0, [Math]::Min($line.Length, $cursorPosition - $commandAst.Extent.StartOffset))
    $previous = @{}
    foreach ($name in @('%(complete_var)s', 'COMP_WORDS', 'COMP_CWORD')) {
        $previous[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    try {
        $env:%(complete_var)s = 'powershell_complete'
        $env:COMP_WORDS = $upToCursor
        $env:COMP_CWORD = $wordToComplete
        $response = & %(prog_name)s
    } finally {
        foreach ($name in $previous.Keys) {
            [Environment]::SetEnvironmentVariable($name, $previous[$name])
        }
    }
    foreach ($completion in $response) {
        $type, $rest = $completion -split ',', 2
        if ($type -ne 'plain') { continue }
        $value, $help = $rest -split "`t", 2
        if (-not $help) { $help = $value }
        [System.Management.Automation.CompletionResult]::new($value, $value, 'ParameterValue', $help)
    }
}
"""

_SOURCE_ELVISH = """\
use str
set edit:completion:arg-completer[%(prog_name)s] = {|@words|
    tmp E:%(complete_var)s = elvish_complete
    tmp E:COMP_WORDS = (str:join ' ' $words)
    tmp E:COMP_CWORD = $words[-1]
    e:%(prog_name)s | each {|completion|
        var parts = [(str:split &max=2 ',' $completion)]
        if (eq $parts[0] plain) {
            edit:complex-candidate $parts[1]
        } elif (or (eq $parts[0] file) (eq $parts[0] dir)) {
            edit:complete-filename $parts[1]
        }
    }
}
"""


class LineBashComplete(BashComplete):
    """Completion for bash, from the command line up to the cursor rather than bash's word split."""

    source_template = _SOURCE_BASH

    def get_completion_args(self) -> tuple[list[str], str]:
        """The words before the one being completed, and that word (empty after a space)."""
        line = os.environ["COMP_WORDS"]
        words = split_arg_string(line)
        if not line or line[-1].isspace() or len(words) <= 1:
            return words[1:], ""
        return words[1:-1], words[-1]


class _CommandLineComplete(FishComplete):
    """The protocol of fish, shared by the PowerShell and elvish scripts: COMP_WORDS holds the command line up to
    the cursor, COMP_CWORD the word being completed."""

    def format_completion(self, item: CompletionItem[str]) -> str:
        """`type,value`, then a tab and the one-line help when there is one."""
        if item.help:
            return f"{item.type},{item.value}\t{' '.join(item.help.split())}"
        return f"{item.type},{item.value}"


class PowerShellComplete(_CommandLineComplete):
    """Completion for PowerShell (Register-ArgumentCompleter -Native)."""

    name = "powershell"
    source_template = _SOURCE_POWERSHELL


class ElvishComplete(_CommandLineComplete):
    """Completion for elvish (edit:completion:arg-completer)."""

    name = "elvish"
    source_template = _SOURCE_ELVISH


_COMPLETERS: Mapping[str, type[ShellComplete]] = {
    "bash": LineBashComplete,
    "zsh": ZshComplete,
    "fish": FishComplete,
    "powershell": PowerShellComplete,
    "elvish": ElvishComplete,
}


Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem[str]]]


def value_completer(values: Iterable[str]) -> Completer:
    """A `shell_complete` callback offering the values an option accepts (--storage-class, --sse, ...).

    A plain completion list rather than click.Choice: the values are still checked where the configuration is
    built, so a wrong one gets the reference's message and exit code, not click's.
    """
    offered = tuple(values)

    def complete(_ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem[str]]:
        # Case-insensitive: `glacier_<TAB>` becomes GLACIER_IR, the spelling S3 accepts.
        typed = incomplete.casefold()
        return [CompletionItem(value) for value in offered if value.casefold().startswith(typed)]

    return complete


def complete_path(_ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem[str]]:
    """A `shell_complete` callback handing the word to the shell's own file-name completion (a Lua script, an
    AWS config file)."""
    return [CompletionItem(incomplete, type="file")]


def complete_location(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem[str]]:
    """SOURCE and TARGET: a local path is completed by the shell; an S3 URL is left alone (no bucket listing
    at a TAB press: that would need credentials and a network round trip)."""
    if incomplete[:5].casefold() == "s3://":
        return []
    return complete_path(ctx, param, incomplete)


def _completer(command: click.Command, shell: str) -> ShellComplete:
    return _COMPLETERS[shell](command, {}, PROG_NAME, COMPLETE_VAR)


def completion_script(command: click.Command, shell: str) -> str:
    """The script that makes `shell` complete `s3sync` (one of SHELLS)."""
    return _completer(command, shell).source()


def print_completion_script(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """The eager --auto-complete-shell callback: print the script and exit 0, as the reference does."""
    if value is None or ctx.resilient_parsing:
        return
    click.echo(completion_script(ctx.command, value), nl=False)
    ctx.exit(0)


def completion_request(environ: Mapping[str, str]) -> str | None:
    """The shell's completion request (`bash_complete`, `powershell_complete`, ...) when a script called us."""
    return environ.get(COMPLETE_VAR)


def answer_completion(command: click.Command, instruction: str) -> int:
    """Print the candidates a completion script asked for (COMP_WORDS / COMP_CWORD are in os.environ).

    Returns:
        0, or 1 for an instruction this version does not know.
    """
    shell, _, action = instruction.partition("_")
    if shell not in _COMPLETERS or action not in ("complete", "source"):
        return 1
    completer = _completer(command, shell)
    click.echo(completer.complete() if action == "complete" else completer.source())
    return 0

