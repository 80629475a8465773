"""The `s3sync` click command built from the option table (cli/options.py), and its help rendering.

The help mimics the reference's clap output: options listed under the reference's section headings, each with
`[env: S3SYNC_...=]` (never the variable's current value: it may be a secret) and `[default: ...]` tags that
are never split across lines.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from typing import Any

import click

from s3syncpy.cli.completion import complete_location, complete_path, print_completion_script, value_completer
from s3syncpy.cli.options import ARGUMENT_HELP, GROUPS, OPTION_SPECS, OptionSpec, env_var_for
from s3syncpy.cli.version_info import version_text


class GroupedOption(click.Option):
    """A click option that knows its help section and renders its help like clap."""

    def __init__(self, *args: Any, group: str = "Options", show_env: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group = group
        self.show_env = show_env

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        """`--worker-size <WORKER_SIZE>`, `Number of workers ... [env: S3SYNC_WORKER_SIZE=] [default: 16]`."""
        names = ", ".join(self.opts)
        if self.count:
            names += "..."
        elif not self.is_flag and self.metavar:
            names += f" <{self.metavar}>"
        help_text = self.help or ""
        if self.show_env and isinstance(self.envvar, str):
            # Never show the current value: it may be a secret.
            help_text += f" [env: {self.envvar}=]"
        if isinstance(self.show_default, str):
            help_text += f" [default: {self.show_default}]"
        elif self.show_default and self.default is not None:
            help_text += f" [default: {self.default}]"
        return names, help_text


class GroupedArgument(click.Argument):
    """A positional argument with a help text (click arguments have none before 8.x)."""

    def __init__(self, *args: Any, help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help_text = help_text

    def argument_help_record(self) -> tuple[str, str]:
        """`<SOURCE>` and its help with the environment variable."""
        env = f" [env: {self.envvar}=]" if isinstance(self.envvar, str) else ""
        return f"<{self.human_readable_name}>", f"{self.help_text}{env}"


# Where GroupedCommand keeps the arguments it parses, for eager options that look at the rest of the line.
ARGUMENTS_META_KEY = "s3sync.arguments"


class GroupedCommand(click.Command):
    """A click command whose --help lists options under the reference's section headings."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse as click does, keeping the arguments in `ctx.meta` (--version reads -v from them)."""
        ctx.meta[ARGUMENTS_META_KEY] = list(args)
        return super().parse_args(ctx, args)

    def format_arguments(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the "Arguments:" section."""
        records = [p.argument_help_record() for p in self.get_params(ctx) if isinstance(p, GroupedArgument)]
        if records:
            with formatter.section("Arguments"):
                formatter.write_dl(records)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write one section per group, in GROUPS order."""
        sections: dict[str, list[tuple[str, str]]] = {group: [] for group in GROUPS}
        for param in self.get_params(ctx):
            if not isinstance(param, click.Option):
                continue
            record = param.get_help_record(ctx)
            if record is None:
                continue
            sections.setdefault(getattr(param, "group", "Options"), []).append(record)
        for group, records in sections.items():
            if records:
                with formatter.section(group):
                    _write_records(formatter, records)


# "[env: S3SYNC_X=]" and "[default: 8MiB]" must never be split across lines (people grep for them).
_TAG = re.compile(r"\[(?:env|default): [^\]]*\]")
_GLUE = "\x1f"


def _write_records(formatter: click.HelpFormatter, rows: list[tuple[str, str]], col_max: int = 30) -> None:
    """Like click's write_dl (long names put the help on the next line), keeping the bracketed tags whole."""
    first_col = min(max(len(first) for first, _ in rows), col_max) + 2
    indent = " " * formatter.current_indent
    text_width = max(formatter.width - first_col - formatter.current_indent, 20)
    for first, second in rows:
        formatter.write(f"{indent}{first}")
        if not second:
            formatter.write("\n")
            continue
        if len(first) <= first_col - 2:
            formatter.write(" " * (first_col - len(first)))
        else:
            formatter.write("\n" + indent + " " * first_col)
        glued = _TAG.sub(lambda m: m.group(0).replace(" ", _GLUE), second)
        lines = textwrap.wrap(glued, text_width, break_on_hyphens=False, break_long_words=False) or [""]
        continuation = "\n" + indent + " " * first_col
        formatter.write(continuation.join(line.replace(_GLUE, " ") for line in lines) + "\n")


def _print_help(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(ctx.get_help(), color=ctx.color)
        ctx.exit(0)


def build_command(version: Callable[[], str]) -> click.Command:
    """The `s3sync` click command; it only parses (main.py runs the sync with `ctx.params`).

    Args:
        version: returns the text `-V/--version` prints after "s3sync "; called only then, because looking the
            version up in the package metadata costs start-up time every other run would pay for nothing.

    Returns:
        A command whose parameters are SOURCE, TARGET and every option of OPTION_SPECS.
    """

    def print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value and not ctx.resilient_parsing:
            click.echo(version_text(version(), _verbosity(ctx)))
            ctx.exit(0)

    params: list[click.Parameter] = [
        GroupedArgument(["source"], envvar=env_var_for("source"), help_text=ARGUMENT_HELP, metavar="SOURCE",
                        shell_complete=complete_location),
        GroupedArgument(["target"], envvar=env_var_for("target"), help_text=ARGUMENT_HELP, metavar="TARGET",
                        shell_complete=complete_location),
    ]
    params.extend(_option_from_spec(spec) for spec in OPTION_SPECS)
    params.append(_eager_flag(("-h", "--help"), "Print help", _print_help))
    params.append(_eager_flag(("-V", "--version"), "Print version", print_version))
    return GroupedCommand(
        name="s3sync",
        params=params,
        add_help_option=False,
        help="Reliable, flexible, and fast synchronization tool for S3.",
        context_settings={"max_content_width": 120},
    )


def _verbosity(ctx: click.Context) -> int:
    """How many -v the command line holds, for --version, whose callback runs before click counts them (eager
    options are handled first). The arguments are tokenised again by click's own parser, so a value that looks
    like -v (`--filter-include-regex -v`) is not counted."""
    arguments = ctx.meta.get(ARGUMENTS_META_KEY, [])
    try:
        opts, _rest, _order = ctx.command.make_parser(ctx).parse_args(list(arguments))
    except click.ClickException:
        return 0
    count = opts.get("verbose", 0)
    return count if isinstance(count, int) else 0


# Options that act while parsing and end the process, like --help: the value's callback.
_EAGER_ACTIONS: dict[str, Callable[[click.Context, click.Parameter, Any], None]] = {
    "auto_complete_shell": print_completion_script,
}


def _option_from_spec(spec: OptionSpec) -> GroupedOption:
    common: dict[str, Any] = {"group": spec.group, "help": spec.help, "envvar": spec.envvar}
    action = _EAGER_ACTIONS.get(spec.dest)
    if action is not None:
        common.update(is_eager=True, expose_value=False, callback=action)
    if spec.kind == "flag":
        return GroupedOption(list(spec.flags), is_flag=True, default=False, **common)
    if spec.kind == "count":
        return GroupedOption(list(spec.flags), count=True, default=0, **common)
    if spec.values:
        common["shell_complete"] = value_completer(spec.values)
    elif spec.path:
        common["shell_complete"] = complete_path
    return GroupedOption(
        list(spec.flags),
        type=spec.type,
        default=spec.default,
        metavar=spec.metavar,
        show_default=spec.shown_default if spec.shown_default is not None else spec.default is not None,
        **common,
    )


def _eager_flag(
    flags: tuple[str, ...], help: str, callback: Callable[[click.Context, click.Parameter, bool], None]
) -> GroupedOption:
    return GroupedOption(
        list(flags),
        is_flag=True,
        expose_value=False,
        is_eager=True,
        help=help,
        callback=callback,
        show_env=False,
    )
