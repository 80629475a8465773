"""s3syncpy: reliable, fast synchronization between local directories and S3 (the `s3sync` command).

Library use goes through the application services::

    import asyncio
    from s3syncpy import SyncConfig, SyncReport, execute, parse_location

    config = SyncConfig(source=parse_location("/data"), target=parse_location("s3://bucket/data/"))
    config.validate()
    report = SyncReport()
    asyncio.run(execute(config, asyncio.Event(), report))

The names below are loaded on first use, so `import s3syncpy` (and `s3sync --help`) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "SyncConfig": "s3syncpy.application.config",
    "SyncReport": "s3syncpy.application.report",
    "run_sync": "s3syncpy.application.sync_service",
    "execute": "s3syncpy.cli.bootstrap",
    "parse_location": "s3syncpy.domain.paths",
    "ConfigError": "s3syncpy.domain.errors",
    "S3SyncError": "s3syncpy.domain.errors",
    "StorageError": "s3syncpy.domain.errors",
    "ExitCode": "s3syncpy.domain.exit_codes",
}

__all__ = [
    "ConfigError",
    "ExitCode",
    "S3SyncError",
    "StorageError",
    "SyncConfig",
    "SyncReport",
    "__version__",
    "execute",
    "parse_location",
    "run_sync",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("s3syncpy")
        except PackageNotFoundError:
            return "unknown"
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 's3syncpy' has no attribute '{name}'")
    return getattr(import_module(module), name)
