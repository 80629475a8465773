"""SyncConfig: every setting of one sync run, validated and frozen.

The CLI builds it from options; library callers build it directly. Validation of single values (sizes, dates,
regexes) happens where they are parsed; `SyncConfig.validate()` checks the cross-option rules of the reference
(conflicts and requirements), raising ConfigError whose message becomes the CLI's one-line `error:`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.etag import DEFAULT_CHUNKSIZE, DEFAULT_THRESHOLD, validate_part_size
from s3syncpy.domain.filters import FilterSettings
from s3syncpy.domain.paths import LocalLocation, S3Location, StorageLocation


class LogLevel(enum.IntEnum):
    """Verbosity as the reference counts it: default WARN, -v INFO, -vv DEBUG, -vvv TRACE, -q ERROR, -qq OFF."""

    OFF = 0
    ERROR = 1
    WARN = 2
    INFO = 3
    DEBUG = 4
    TRACE = 5


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """How to reach one S3 endpoint (source or target). Secrets never appear in repr()."""

    profile: str | None = None
    access_key: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    region: str | None = None
    endpoint_url: str | None = None
    force_path_style: bool = False
    aws_config_file: str | None = None
    aws_shared_credentials_file: str | None = None
    aws_max_attempts: int = 10
    initial_backoff_milliseconds: int = 100
    connect_timeout_milliseconds: int | None = None
    read_timeout_milliseconds: int | None = None
    operation_timeout_milliseconds: int | None = None
    operation_attempt_timeout_milliseconds: int | None = None


@dataclass(frozen=True, slots=True)
class UpdateCheck:
    """Which update-check rule decides whether an existing target object is replaced (reference §3)."""

    check_size: bool = False
    check_etag: bool = False
    remove_modified_filter: bool = False
    head_each_target: bool = False


@dataclass(frozen=True, slots=True)
class Verification:
    """Integrity-check switches (reference §2.4-2.5)."""

    disable_etag_verify: bool = False
    disable_multipart_verify: bool = False
    disable_content_md5_header: bool = False


@dataclass(frozen=True, slots=True)
class Transfer:
    """Concurrency and multipart layout."""

    worker_size: int = 16
    max_parallel_uploads: int = 16
    max_keys: int = 1000
    multipart_threshold: int = DEFAULT_THRESHOLD
    multipart_chunksize: int = DEFAULT_CHUNKSIZE
    object_listing_queue_size: int = 200_000


@dataclass(frozen=True, slots=True)
class ForceRetry:
    """The reference's per-object retry on top of the SDK's (reference §7.2)."""

    force_retry_count: int = 5
    force_retry_interval_milliseconds: int = 1000


@dataclass(frozen=True, slots=True)
class Deletion:
    """--delete and its guards."""

    delete: bool = False
    max_delete: int | None = None
    delete_excluded: bool = False


@dataclass(frozen=True, slots=True)
class SyncConfig:
    """All settings of one run. Build it, call validate(), then pass it to run_sync()."""

    source: StorageLocation
    target: StorageLocation
    source_client: ClientSettings = field(default_factory=ClientSettings)
    target_client: ClientSettings = field(default_factory=ClientSettings)
    filters: FilterSettings = field(default_factory=FilterSettings)
    update_check: UpdateCheck = field(default_factory=UpdateCheck)
    verification: Verification = field(default_factory=Verification)
    transfer: Transfer = field(default_factory=Transfer)
    deletion: Deletion = field(default_factory=Deletion)
    force_retry: ForceRetry = field(default_factory=ForceRetry)
    dry_run: bool = False
    warn_as_error: bool = False
    ignore_symlinks: bool = False
    no_guess_mime_type: bool = False

    @property
    def source_is_s3(self) -> bool:
        return isinstance(self.source, S3Location)

    @property
    def target_is_s3(self) -> bool:
        return isinstance(self.target, S3Location)

    def validate(self) -> None:
        """Check the cross-option rules of the reference.

        Raises:
            ConfigError: a conflict or a missing requirement, with a one-line message.
        """
        if isinstance(self.source, LocalLocation) and isinstance(self.target, LocalLocation):
            raise ConfigError("either SOURCE or TARGET must be s3://<BUCKET_NAME>[/prefix]; both are local paths")
        validate_part_size("--multipart-threshold", self.transfer.multipart_threshold)
        validate_part_size("--multipart-chunksize", self.transfer.multipart_chunksize)
        if not 1 <= self.transfer.max_keys <= 32767:
            raise ConfigError("--max-keys must be between 1 and 32767")
        if self.transfer.worker_size < 1:
            raise ConfigError("--worker-size must be at least 1")
        if self.transfer.max_parallel_uploads < 1:
            raise ConfigError("--max-parallel-uploads must be at least 1")
        if self.transfer.object_listing_queue_size < 1:
            raise ConfigError("--object-listing-queue-size must be at least 1")
        if self.deletion.delete_excluded and not self.deletion.delete:
            raise ConfigError("--delete-excluded requires --delete")
        if self.deletion.max_delete is not None:
            if not self.deletion.delete:
                raise ConfigError("--max-delete requires --delete")
            if self.deletion.max_delete < 1:
                raise ConfigError("--max-delete must be at least 1")
        if self.deletion.delete and isinstance(self.source, LocalLocation) and self.source.single_file:
            raise ConfigError("--delete requires SOURCE to be a directory, not a single file")
        uc = self.update_check
        if uc.check_size and uc.check_etag:
            raise ConfigError("--check-size cannot be used with --check-etag")
        if uc.remove_modified_filter and uc.check_size and not uc.head_each_target:
            raise ConfigError("--check-size with --remove-modified-filter requires --head-each-target")
        if self.ignore_symlinks and not isinstance(self.source, LocalLocation):
            raise ConfigError("--ignore-symlinks requires a local SOURCE")
        if self.no_guess_mime_type and not isinstance(self.source, LocalLocation):
            raise ConfigError("--no-guess-mime-type requires a local SOURCE")
