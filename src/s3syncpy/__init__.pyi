"""The package root as type checkers see it: every export of `s3syncpy/__init__.py` with its real type.

The module itself loads these names on first use (so `import s3syncpy` stays cheap); this stub names the module
each comes from. tests/unit/test_package_api.py checks that both list the same names.
"""

from s3syncpy.application.ports.callbacks import (
    EventType,
    FilterObject,
    SyncCallbacks,
    SyncEvent,
    UploadMetadata,
)
from s3syncpy.application.run.function_callbacks import FunctionCallbacks
from s3syncpy.application.run.progress import Progress, ProgressFunction
from s3syncpy.application.run.report import SyncReport
from s3syncpy.application.settings.config import ReportSettings, SyncConfig
from s3syncpy.application.settings.request_settings import RateLimitSettings, S3RequestSettings
from s3syncpy.application.settings.resume_settings import ResumeSettings
from s3syncpy.application.settings.scripting import LuaSettings
from s3syncpy.application.settings.sections import (
    ClientSettings,
    Deletion,
    EncryptionSettings,
    ForceRetry,
    ListingParallelism,
    Transfer,
    UpdateCheck,
    Verification,
    Versioning,
)
from s3syncpy.application.settings.write_settings import ConditionalWrites, TaggingSettings
from s3syncpy.bootstrap import sync, sync_blocking
from s3syncpy.domain.content_filters import ContentFilterSettings
from s3syncpy.domain.customer_key import CustomerKey
from s3syncpy.domain.errors import (
    AccessDeniedError,
    ConfigError,
    DirectoryTraversalError,
    InvalidObjectStateError,
    ObjectNotFoundError,
    PreconditionFailedError,
    S3SyncError,
    StorageError,
    TransientStorageError,
    UnsupportedLocalNameError,
    UserCallbackError,
)
from s3syncpy.domain.exit_codes import ExitCode
from s3syncpy.domain.filters import FilterSettings
from s3syncpy.domain.key_range import KeyRange
from s3syncpy.domain.model import ChecksumAlgorithm, SystemMetadata
from s3syncpy.domain.paths import (
    InvalidLocationError,
    LocalLocation,
    S3Location,
    StorageLocation,
    parse_location,
)
from s3syncpy.domain.stats import SyncStats
from s3syncpy.domain.sync_report import ReportSummary
from s3syncpy.domain.write_headers import HeaderOptions

__version__: str

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
