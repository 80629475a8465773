"""What a sharded run may do and what each shard receives (the pure half of the sharded runners).

Kept apart from the runners (s3syncpy.distributed on Dask, s3syncpy.local_shards on local processes) so the
command line can check its options without importing the adapters.
"""

from __future__ import annotations

import dataclasses
import enum

from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import ClientSettings
from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.key_range import KeyRange

# How many shards a --dask-scheduler run cuts when --dask-shards is not given.
DEFAULT_SHARDS = 16


class ShardRunner(enum.Enum):
    """Where the shards run; the value is the option that asks for it (named in refusals)."""

    DASK = "--dask-scheduler"
    LOCAL = "--dask-shards"

    @property
    def ships_credentials(self) -> bool:
        """Whether the command line's access keys may travel to the shards.

        Local worker processes are children of this command on this machine, handed their shard through a pipe:
        the keys go nowhere the command itself does not hold them. Dask task payloads travel to other machines
        and may be kept by the scheduler, so they carry none.
        """
        return self is ShardRunner.LOCAL


def check_shardable(config: SyncConfig, shards: int, runner: ShardRunner = ShardRunner.DASK) -> None:
    """Refuse what a sharded run cannot do as one run would.

    Raises:
        ConfigError: shards < 1; a key range already given (the runner cuts its own); --max-delete (each shard
            would apply the limit on its own, deleting up to shards x N); an SSE-C key (it would travel in the
            task payload); on Dask, explicit access keys or a session token (shard_config drops them: each
            worker would silently use its own credentials instead).
    """
    option = runner.value
    if shards < 1:
        raise ConfigError("--dask-shards must be at least 1")
    if config.key_range is not None:
        raise ConfigError(f"--key-range-start/--key-range-end cannot be combined with {option}")
    if config.deletion.max_delete is not None:
        raise ConfigError(
            f"--max-delete cannot be combined with {option}: each shard would apply the limit on its own"
        )
    encryption = config.encryption
    if encryption.source_sse_c is not None or encryption.target_sse_c is not None:
        raise ConfigError(
            f"--source-sse-c-key/--target-sse-c-key cannot be combined with {option}: the key would travel "
            "to the workers in the task payload"
        )
    if runner.ships_credentials:
        return
    for side, settings in (("source", config.source_client), ("target", config.target_client)):
        if _has_credentials(settings):
            raise ConfigError(
                f"--{side}-access-key/--{side}-secret-access-key/--{side}-session-token cannot be combined with "
                "--dask-scheduler: task payloads carry no credentials, each worker uses its own (its AWS_* "
                f"environment, its AWS config and credentials files, its instance role); --{side}-profile names a "
                "profile of the workers' files"
            )


def shard_config(config: SyncConfig, key_range: KeyRange, runner: ShardRunner = ShardRunner.DASK) -> SyncConfig:
    """The config of one shard: the same settings on `key_range`, credentials only where the runner ships them.

    Without them (Dask) each worker brings its own.
    """
    limited = dataclasses.replace(config, key_range=None if key_range.is_unbounded else key_range)
    if runner.ships_credentials:
        return limited
    return dataclasses.replace(
        limited,
        source_client=_without_credentials(config.source_client),
        target_client=_without_credentials(config.target_client),
    )


def _has_credentials(settings: ClientSettings) -> bool:
    return any(value is not None for value in (settings.access_key, settings.secret_access_key,
                                                settings.session_token))


def _without_credentials(settings: ClientSettings) -> ClientSettings:
    return dataclasses.replace(settings, access_key=None, secret_access_key=None, session_token=None)
