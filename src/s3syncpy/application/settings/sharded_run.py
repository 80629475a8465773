"""What a sharded run may do and what each shard receives (the pure half of s3syncpy.distributed).

Kept apart from the runner so the command line can check its options without importing the adapters.
"""

from __future__ import annotations

import dataclasses

from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.application.settings.sections import ClientSettings
from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.key_range import KeyRange


def check_shardable(config: SyncConfig, shards: int) -> None:
    """Refuse what a sharded run cannot do as one run would.

    Raises:
        ConfigError: shards < 1; a key range already given (the runner cuts its own); --max-delete (each shard
            would apply the limit on its own, deleting up to shards x N); an SSE-C key (it would travel in the
            task payload); explicit access keys or a session token (shard_config drops them: each worker would
            silently use its own credentials instead).
    """
    if shards < 1:
        raise ConfigError("--dask-shards must be at least 1")
    if config.key_range is not None:
        raise ConfigError("--key-range-start/--key-range-end cannot be combined with --dask-scheduler")
    if config.deletion.max_delete is not None:
        raise ConfigError(
            "--max-delete cannot be combined with --dask-scheduler: each shard would apply the limit on its own"
        )
    encryption = config.encryption
    if encryption.source_sse_c is not None or encryption.target_sse_c is not None:
        raise ConfigError(
            "--source-sse-c-key/--target-sse-c-key cannot be combined with --dask-scheduler: the key would travel "
            "to the workers in the task payload"
        )
    for side, settings in (("source", config.source_client), ("target", config.target_client)):
        if _has_credentials(settings):
            raise ConfigError(
                f"--{side}-access-key/--{side}-secret-access-key/--{side}-session-token cannot be combined with "
                "--dask-scheduler: task payloads carry no credentials, each worker uses its own (its AWS_* "
                f"environment, its AWS config and credentials files, its instance role); --{side}-profile names a "
                "profile of the workers' files"
            )


def shard_config(config: SyncConfig, key_range: KeyRange) -> SyncConfig:
    """The config of one shard: the same settings on `key_range`, without credentials (workers bring theirs)."""
    return dataclasses.replace(
        config,
        key_range=None if key_range.is_unbounded else key_range,
        source_client=_without_credentials(config.source_client),
        target_client=_without_credentials(config.target_client),
    )


def _has_credentials(settings: ClientSettings) -> bool:
    return any(value is not None for value in (settings.access_key, settings.secret_access_key,
                                                settings.session_token))


def _without_credentials(settings: ClientSettings) -> ClientSettings:
    return dataclasses.replace(settings, access_key=None, secret_access_key=None, session_token=None)
