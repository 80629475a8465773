"""The exception tree of s3syncpy.

    S3SyncError
    ├── ConfigError          invalid options or option combinations (CLI exit 2)
    ├── StorageError         a storage operation failed
    │   ├── ObjectNotFoundError
    │   ├── AccessDeniedError
    │   ├── PreconditionFailedError
    │   ├── InvalidObjectStateError
    │   └── TransientStorageError   network-level failure worth a force retry
    ├── DirectoryTraversalError    a key would escape the target directory
    ├── UnsupportedLocalNameError  a key the local disk cannot hold as a file of that name (Windows, macOS rules)
    └── UserCallbackError          a user-defined filter or preprocess callback failed (the run ends, exit 1)

Adapters translate vendor errors into these at their boundary (`raise StorageError(...) from exc`).
"""

from __future__ import annotations


class S3SyncError(Exception):
    """Base of every error s3syncpy raises on purpose."""


class ConfigError(S3SyncError):
    """An invalid option value or combination; the message is one line for the user."""


class StorageError(S3SyncError):
    """A storage operation failed.

    Attributes:
        operation: the API call or file operation ("PutObject", "open", ...).
        key: the key concerned, if any.
    """

    def __init__(self, message: str, *, operation: str = "", key: str | None = None) -> None:
        super().__init__(message)
        self.operation = operation
        self.key = key


class ObjectNotFoundError(StorageError):
    """The object does not exist (NoSuchKey / 404)."""


class AccessDeniedError(StorageError):
    """The credentials may not perform the operation (AccessDenied / 403)."""


class PreconditionFailedError(StorageError):
    """A conditional request failed (412)."""


class InvalidObjectStateError(StorageError):
    """The object is archived (Glacier / Deep Archive) and cannot be read."""


class TransientStorageError(StorageError):
    """A network-level failure (reset, timeout, truncated body) that a force retry may overcome."""


class DirectoryTraversalError(S3SyncError):
    """A key contains "." or ".." segments that would write outside the target directory."""


class UnsupportedLocalNameError(S3SyncError):
    """A key names a file the local disk cannot hold under that name: a name Windows reserves or alters (`CON`,
    `a:b`, `jpg.`), or one a case-insensitive disk already holds in another case (`Readme` beside `README`)."""


class UserCallbackError(S3SyncError):
    """A user-defined callback (Lua or Python) failed where the reference treats that as fatal."""
