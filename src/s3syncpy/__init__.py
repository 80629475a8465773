"""s3syncpy: reliable, fast synchronization between local directories and S3 (the `s3sync` command).

Library use goes through one entry point, `sync` (`sync_blocking` without an event loop)::

    import asyncio
    import s3syncpy

    config = s3syncpy.SyncConfig(
        source="/data",
        target="s3://bucket/data/",
        target_client=s3syncpy.ClientSettings(profile="backup", endpoint_url="https://s3.example.com"),
        deletion=s3syncpy.Deletion(delete=True),
    )
    report = asyncio.run(s3syncpy.sync(config, progress=lambda step: print(step.transferred_bytes)))

or from a command line: `s3syncpy.SyncConfig.from_args(["--delete", "/data", "s3://bucket/data/"])`.

The names below are loaded on first use, so `import s3syncpy` (and `s3sync --help`) stays cheap; type checkers
read them from the stub next to this file (`__init__.pyi`), which imports each from its module.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Where each name lives; __init__.pyi, which type checkers read instead of this file, imports the same names
# (a test compares them).
_EXPORTS = {
    # The entry points and what they return.
    "sync": "s3syncpy.bootstrap",
    "sync_blocking": "s3syncpy.bootstrap",
    "SyncReport": "s3syncpy.application.run.report",
    "SyncStats": "s3syncpy.domain.stats",
    "ReportSummary": "s3syncpy.domain.sync_report",
    "ExitCode": "s3syncpy.domain.exit_codes",
    # The configuration and every section of it.
    "SyncConfig": "s3syncpy.application.settings.config",
    "ClientSettings": "s3syncpy.application.settings.sections",
    "CustomerKey": "s3syncpy.domain.customer_key",
    "Deletion": "s3syncpy.application.settings.sections",
    "EncryptionSettings": "s3syncpy.application.settings.sections",
    "ForceRetry": "s3syncpy.application.settings.sections",
    "ListingParallelism": "s3syncpy.application.settings.sections",
    "ReportSettings": "s3syncpy.application.settings.config",
    "Transfer": "s3syncpy.application.settings.sections",
    "UpdateCheck": "s3syncpy.application.settings.sections",
    "Verification": "s3syncpy.application.settings.sections",
    "Versioning": "s3syncpy.application.settings.sections",
    "RateLimitSettings": "s3syncpy.application.settings.request_settings",
    "S3RequestSettings": "s3syncpy.application.settings.request_settings",
    "LuaSettings": "s3syncpy.application.settings.scripting",
    "ConditionalWrites": "s3syncpy.application.settings.write_settings",
    "TaggingSettings": "s3syncpy.application.settings.write_settings",
    "ResumeSettings": "s3syncpy.application.settings.resume_settings",
    "ContentFilterSettings": "s3syncpy.domain.content_filters",
    "FilterSettings": "s3syncpy.domain.filters",
    "KeyRange": "s3syncpy.domain.key_range",
    "ChecksumAlgorithm": "s3syncpy.domain.model",
    "SystemMetadata": "s3syncpy.domain.model",
    "HeaderOptions": "s3syncpy.domain.write_headers",
    # Locations.
    "parse_location": "s3syncpy.domain.paths",
    "StorageLocation": "s3syncpy.domain.paths",
    "S3Location": "s3syncpy.domain.paths",
    "LocalLocation": "s3syncpy.domain.paths",
    # Callbacks and progress.
    "SyncCallbacks": "s3syncpy.application.ports.callbacks",
    "SyncEvent": "s3syncpy.application.ports.callbacks",
    "EventType": "s3syncpy.application.ports.callbacks",
    "FilterObject": "s3syncpy.application.ports.callbacks",
    "UploadMetadata": "s3syncpy.application.ports.callbacks",
    "FunctionCallbacks": "s3syncpy.application.run.function_callbacks",
    "Progress": "s3syncpy.application.run.progress",
    "ProgressFunction": "s3syncpy.application.run.progress",
    # Errors.
    "S3SyncError": "s3syncpy.domain.errors",
    "ConfigError": "s3syncpy.domain.errors",
    "InvalidLocationError": "s3syncpy.domain.paths",
    "StorageError": "s3syncpy.domain.errors",
    "ObjectNotFoundError": "s3syncpy.domain.errors",
    "AccessDeniedError": "s3syncpy.domain.errors",
    "PreconditionFailedError": "s3syncpy.domain.errors",
    "InvalidObjectStateError": "s3syncpy.domain.errors",
    "TransientStorageError": "s3syncpy.domain.errors",
    "DirectoryTraversalError": "s3syncpy.domain.errors",
    "UnsupportedLocalNameError": "s3syncpy.domain.errors",
    "UserCallbackError": "s3syncpy.domain.errors",
}

__all__ = [
    "AccessDeniedError",
    "ChecksumAlgorithm",
    "ClientSettings",
    "ConditionalWrites",
    "ConfigError",
    "ContentFilterSettings",
    "CustomerKey",
    "Deletion",
    "DirectoryTraversalError",
    "EncryptionSettings",
    "EventType",
    "ExitCode",
    "FilterObject",
    "FilterSettings",
    "ForceRetry",
    "FunctionCallbacks",
    "HeaderOptions",
    "InvalidLocationError",
    "InvalidObjectStateError",
    "KeyRange",
    "ListingParallelism",
    "LocalLocation",
    "LuaSettings",
    "ObjectNotFoundError",
    "PreconditionFailedError",
    "Progress",
    "ProgressFunction",
    "RateLimitSettings",
    "ReportSettings",
    "ReportSummary",
    "ResumeSettings",
    "S3Location",
    "S3RequestSettings",
    "S3SyncError",
    "StorageError",
    "StorageLocation",
    "SyncCallbacks",
    "SyncConfig",
    "SyncEvent",
    "SyncReport",
    "SyncStats",
    "SystemMetadata",
    "TaggingSettings",
    "Transfer",
    "TransientStorageError",
    "UnsupportedLocalNameError",
    "UpdateCheck",
    "UploadMetadata",
    "UserCallbackError",
    "Verification",
    "Versioning",
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


def __dir__() -> list[str]:
    return sorted(__all__)
