"""s3syncpy: reliable, fast synchronization between local directories and S3 (the `s3sync` command).

Library use goes through one entry point, `sync` (`sync_blocking` without an event loop)::

    import asyncio
    import s3syncpy

    config = s3syncpy.SyncConfig(source=s3syncpy.parse_location("/data"),
                                 target=s3syncpy.parse_location("s3://bucket/data/"))
    report = asyncio.run(s3syncpy.sync(config))

The names below are loaded on first use, so `import s3syncpy` (and `s3sync --help`) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "SyncConfig": "s3syncpy.application.config",
    "SyncReport": "s3syncpy.application.report",
    "sync": "s3syncpy.bootstrap",
    "sync_blocking": "s3syncpy.bootstrap",
    "SyncCallbacks": "s3syncpy.application.ports.callbacks",
    "SyncEvent": "s3syncpy.application.ports.callbacks",
    "EventType": "s3syncpy.application.ports.callbacks",
    "FilterObject": "s3syncpy.application.ports.callbacks",
    "UploadMetadata": "s3syncpy.application.ports.callbacks",
    "parse_location": "s3syncpy.domain.paths",
    "ConfigError": "s3syncpy.domain.errors",
    "S3SyncError": "s3syncpy.domain.errors",
    "StorageError": "s3syncpy.domain.errors",
    "ExitCode": "s3syncpy.domain.exit_codes",
    "KeyRange": "s3syncpy.domain.key_range",
}

__all__ = [
    "ConfigError",
    "EventType",
    "ExitCode",
    "FilterObject",
    "KeyRange",
    "S3SyncError",
    "StorageError",
    "SyncCallbacks",
    "SyncConfig",
    "SyncEvent",
    "SyncReport",
    "UploadMetadata",
    "__version__",
    "parse_location",
    "sync",
    "sync_blocking",
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
