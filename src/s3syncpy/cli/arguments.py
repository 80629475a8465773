"""A command line to a validated SyncConfig: the one path the `s3sync` command and `SyncConfig.from_args` share.

Both parse with the same click command (so S3SYNC_* environment variables count too), convert with the same
`build_config` and check a local SOURCE the same way; a bad argument is a ConfigError whose message is the
CLI's one `error:` line without its prefix, secrets redacted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import click

from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sharded_run import DEFAULT_SHARDS, ShardRunner, check_shardable
from s3syncpy.cli.command import build_command
from s3syncpy.cli.logging_setup import SecretRedactor
from s3syncpy.cli.parsing import UiSettings, build_config, build_ui_settings, resolve_source
from s3syncpy.domain.errors import ConfigError

# Parameters that make the command print something and exit instead of describing a sync.
_ACTIONS = {"help": "--help", "version": "--version", "auto_complete_shell": "--auto-complete-shell"}


def one_line(message: str) -> str:
    """`message` on one line (click's usage errors span several)."""
    return " ".join(part.strip() for part in message.splitlines() if part.strip())


def config_from_context(ctx: click.Context, ui: UiSettings) -> SyncConfig:
    """The validated config of a parsed command line.

    Args:
        ctx: the click context after parsing.
        ui: the display settings of the same command line (for the sharding options).

    Raises:
        ConfigError: a bad value, a forbidden combination, a missing local SOURCE, or options a sharded run
            (--dask-scheduler, or --dask-shards alone: local worker processes) cannot honour.
    """
    config = resolve_source(build_config(dict(ctx.params)))
    if ui.dask_scheduler is not None:
        check_shardable(config, ui.dask_shards or DEFAULT_SHARDS, ShardRunner.DASK)
    elif ui.dask_shards is not None:
        check_shardable(config, ui.dask_shards, ShardRunner.LOCAL)
    return config


def config_from_args(arguments: Sequence[str], environ: Mapping[str, str] | None = None) -> SyncConfig:
    """The SyncConfig that `s3sync ARGUMENTS` would run, without running it (SyncConfig.from_args).

    Options that change only how the command reports or where it runs (-v, --json-tracing, --show-no-progress,
    --dask-scheduler, ...) are accepted and have no effect on the config.

    Args:
        arguments: the arguments without the program name, e.g. ["--delete", "/data", "s3://bucket/data/"].
        environ: the environment whose AWS secret variables are redacted from messages (default os.environ);
            option values from S3SYNC_* variables are read from os.environ, as the command reads them.

    Returns:
        The validated config.

    Raises:
        ConfigError: an invalid argument, with the command's one-line message; also for --help, --version and
            --auto-complete-shell, which describe no sync.
    """
    command = build_command(lambda: "")
    _refuse_actions(command, arguments)
    try:
        ctx = command.make_context("s3sync", list(arguments))
    except click.ClickException as exc:
        raise ConfigError(one_line(exc.format_message())) from None
    ui = build_ui_settings(dict(ctx.params), os.environ if environ is None else environ)
    try:
        return config_from_context(ctx, ui)
    except ConfigError as exc:
        raise ConfigError(SecretRedactor(ui.secrets).redact(one_line(str(exc)))) from None


def _refuse_actions(command: click.Command, arguments: Sequence[str]) -> None:
    """Refuse --help, --version and --auto-complete-shell before click runs them (they would print and exit).

    The arguments are tokenised by click's own parser, so an option value that looks like one is not taken
    for it.
    """
    ctx = click.Context(command, info_name="s3sync")
    try:
        opts: dict[str, Any] = command.make_parser(ctx).parse_args(list(arguments))[0]
    except click.ClickException as exc:
        raise ConfigError(one_line(exc.format_message())) from None
    for name, flag in _ACTIONS.items():
        if opts.get(name) not in (None, False):
            raise ConfigError(f"{flag} is an action of the s3sync command and describes no sync")
