"""SyncConfig: every setting of one sync run, validated and frozen.

The CLI builds it from options; library callers build it directly. Validation of single values (sizes, dates,
regexes) happens where they are parsed; `SyncConfig.validate()` checks the cross-option rules of the reference
(conflicts and requirements), raising ConfigError whose message becomes the CLI's one-line `error:`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from s3syncpy.application.settings.request_settings import (
    RateLimitSettings,
    S3RequestSettings,
    validate_request_options,
)
from s3syncpy.application.settings.resume_settings import ResumeSettings
from s3syncpy.application.settings.scripting import LuaSettings
from s3syncpy.application.settings.sections import (
    KMS_SSE,
    SSE_CHOICES,
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
from s3syncpy.application.settings.versioning_rules import validate_listing, validate_versioning
from s3syncpy.application.settings.write_settings import (
    ConditionalWrites,
    TaggingSettings,
    validate_s3_write_options,
)
from s3syncpy.domain.content_filters import ContentFilterSettings
from s3syncpy.domain.direction import Direction
from s3syncpy.domain.endpoint_url import check_endpoint_url
from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.etag import validate_part_size
from s3syncpy.domain.filters import FilterSettings
from s3syncpy.domain.key_range import KeyRange
from s3syncpy.domain.model import ChecksumAlgorithm
from s3syncpy.domain.paths import InvalidLocationError, StorageLocation, is_single_file, parse_location
from s3syncpy.domain.write_headers import HeaderOptions


@dataclass(frozen=True, slots=True)
class ReportSettings:
    """Report mode (--report-sync-status): compare source and target, transfer nothing.

    Attributes:
        sync_status: --report-sync-status: one SYNC_STATUS record per object and a REPORT_SUMMARY.
        metadata: --report-metadata-sync-status: also compare the system and user metadata (both sides S3).
        tagging: --report-tagging-sync-status: also compare the tags (both sides S3).
    """

    sync_status: bool = False
    metadata: bool = False
    tagging: bool = False

    def validate(self, config: SyncConfig) -> None:
        """The reference's conflicts and requirements of the three options.

        Raises:
            ConfigError: a conflicting option, a missing --report-sync-status, or a local side with the metadata /
                tagging report.
        """
        for enabled, option in ((self.metadata, "metadata"), (self.tagging, "tagging")):
            if not enabled:
                continue
            if not self.sync_status:
                raise ConfigError(f"--report-{option}-sync-status requires --report-sync-status")
            if config.direction.from_local:
                raise ConfigError(f"with --report-{option}-sync-status, source storage must be s3://")
            if config.direction.to_local:
                raise ConfigError(f"with --report-{option}-sync-status, target storage must be s3://")
        if not self.sync_status:
            return
        for given, option in (
            (config.dry_run, "--dry-run"),
            (config.deletion.delete, "--delete"),
            (config.versioning.enable_versioning, "--enable-versioning"),
            (config.update_check.head_each_target, "--head-each-target"),
        ):
            if given:
                raise ConfigError(f"--report-sync-status cannot be used with {option}")


@dataclass(frozen=True, slots=True)
class ObjectSettings:
    """The part of the configuration the per-object path reads (update check, transfer, verification)."""

    transfer: Transfer
    verification: Verification
    encryption: EncryptionSettings
    update_check: UpdateCheck
    force_retry: ForceRetry
    dry_run: bool = False
    headers: HeaderOptions = field(default_factory=HeaderOptions)
    content_filters: ContentFilterSettings = field(default_factory=ContentFilterSettings)
    tagging: TaggingSettings = field(default_factory=TaggingSettings)
    conditions: ConditionalWrites = field(default_factory=ConditionalWrites)
    server_side_copy: bool = False
    # --enable-versioning: every copy carries the s3sync_origin_* metadata of its source version.
    origin_metadata: bool = False
    # An addition: --resume / --max-resume-age.
    resume: ResumeSettings = field(default_factory=ResumeSettings)


@dataclass(frozen=True, slots=True)
class SyncConfig:
    """All settings of one run. `validate()` checks the cross-option rules; the CLI's builder and the library's
    `sync()` call it before anything runs, so no run starts from an invalid config."""

    # A location, or its text as SOURCE / TARGET take it ("/data", "s3://bucket/prefix/"): text is parsed when the
    # config is built, so the attribute is always a location afterwards (read it as `source_location`).
    source: StorageLocation | str
    target: StorageLocation | str
    source_client: ClientSettings = field(default_factory=ClientSettings)
    target_client: ClientSettings = field(default_factory=ClientSettings)
    filters: FilterSettings = field(default_factory=FilterSettings)
    update_check: UpdateCheck = field(default_factory=UpdateCheck)
    verification: Verification = field(default_factory=Verification)
    transfer: Transfer = field(default_factory=Transfer)
    deletion: Deletion = field(default_factory=Deletion)
    force_retry: ForceRetry = field(default_factory=ForceRetry)
    encryption: EncryptionSettings = field(default_factory=EncryptionSettings)
    versioning: Versioning = field(default_factory=Versioning)
    listing: ListingParallelism = field(default_factory=ListingParallelism)
    report: ReportSettings = field(default_factory=ReportSettings)
    dry_run: bool = False
    warn_as_error: bool = False
    ignore_symlinks: bool = False
    no_guess_mime_type: bool = False
    lua: LuaSettings = field(default_factory=LuaSettings)
    headers: HeaderOptions = field(default_factory=HeaderOptions)
    requests: S3RequestSettings = field(default_factory=S3RequestSettings)
    rate_limits: RateLimitSettings = field(default_factory=RateLimitSettings)
    content_filters: ContentFilterSettings = field(default_factory=ContentFilterSettings)
    ignore_glacier_warnings: bool = False
    # An addition to the reference: one shard of a sharded sync covers only the relative keys in this range.
    key_range: KeyRange | None = None
    server_side_copy: bool = False
    tagging: TaggingSettings = field(default_factory=TaggingSettings)
    conditions: ConditionalWrites = field(default_factory=ConditionalWrites)
    # An addition to the reference: --resume / --max-resume-age (application/resume_settings.py).
    resume: ResumeSettings = field(default_factory=ResumeSettings)

    @classmethod
    def from_args(cls, arguments: Sequence[str]) -> SyncConfig:
        """The config `s3sync ARGUMENTS` would run: the command's own parsing, as a library call.

        The command line is read exactly as the `s3sync` command reads it (the same options, defaults and
        S3SYNC_* environment variables, a local SOURCE checked on disk); options that change only its output
        (-v, --json-tracing, ...) have no effect here. The result is validated.

        Args:
            arguments: the arguments without the program name, e.g. ["--delete", "/data", "s3://bucket/data/"].

        Returns:
            The validated config.

        Raises:
            ConfigError: an invalid argument, with the one-line message the command prints after "error: ".
        """
        # The command line belongs to the CLI layer; this is the one import from here into it (pyproject's
        # import-linter contracts name it), made when called so that importing the config never loads click.
        from s3syncpy.cli.arguments import config_from_args

        return config_from_args(arguments)

    def __post_init__(self) -> None:
        for name, argument in (("source", "SOURCE"), ("target", "TARGET")):
            given = getattr(self, name)
            if isinstance(given, str):
                object.__setattr__(self, name, _parsed_location(given, argument))
        # --sync-latest-tagging "automatically enables" --remove-modified-filter and --head-each-target (reference
        # help): set here once, so every reader of update_check (CLI or library) sees the same run.
        if self.tagging.sync_latest_tagging:
            implied = replace(self.update_check, remove_modified_filter=True, head_each_target=True)
            object.__setattr__(self, "update_check", implied)

    @property
    def source_location(self) -> StorageLocation:
        """SOURCE as a location (text given to the constructor was parsed there)."""
        return _as_location(self.source, "SOURCE")

    @property
    def target_location(self) -> StorageLocation:
        """TARGET as a location (text given to the constructor was parsed there)."""
        return _as_location(self.target, "TARGET")

    @property
    def object_settings(self) -> ObjectSettings:
        """What the per-object services read."""
        return ObjectSettings(
            transfer=self.transfer,
            verification=self.verification,
            encryption=self.encryption,
            update_check=self.update_check,
            force_retry=self.force_retry,
            dry_run=self.dry_run,
            headers=self.headers,
            content_filters=self.content_filters,
            tagging=self.tagging,
            conditions=self.conditions,
            server_side_copy=self.server_side_copy,
            origin_metadata=self.versioning.enable_versioning,
            resume=self.resume,
        )

    @property
    def direction(self) -> Direction:
        """Local to S3, S3 to local, or S3 to S3."""
        return Direction.between(self.source_location, self.target_location)

    @property
    def source_checksum_mode(self) -> bool:
        """Whether reads of an S3 source ask for stored checksums (x-amz-checksum-mode: ENABLED).

        --enable-additional-checksum for verification, and the checksum update checks, which HEAD the source.
        """
        return self.verification.enable_additional_checksum or self.update_check.checksum_algorithm is not None

    @property
    def target_checksum_mode(self) -> bool:
        """Whether HEADs of an S3 target ask for stored checksums (the checksum update checks)."""
        return self.update_check.checksum_algorithm is not None

    def validate(self) -> None:
        """Check the cross-option rules of the reference.

        Raises:
            ConfigError: a conflict or a missing requirement, with a one-line message.
        """
        # The reference checks URL values while it parses, before any rule between options.
        for side, client in (("source", self.source_client), ("target", self.target_client)):
            problem = None if client.endpoint_url is None else check_endpoint_url(
                client.endpoint_url, f"--{side}-endpoint-url"
            )
            if problem is not None:
                raise ConfigError(problem)
        direction = self.direction  # refuses two local paths
        validate_part_size("--multipart-threshold", self.transfer.multipart_threshold)
        self.lua.validate()
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
        if self.deletion.delete and is_single_file(self.source_location):
            raise ConfigError("--delete requires SOURCE to be a directory, not a single file")
        self.report.validate(self)
        self._validate_update_check()
        validate_versioning(
            self.versioning, update_check=self.update_check, conditions=self.conditions, deletion=self.deletion,
            tagging=self.tagging, direction=self.direction, source=self.source_location, target=self.target_location,
        )
        validate_listing(self.listing)
        self._validate_checksums()
        self._validate_encryption()
        validate_s3_write_options(
            direction,
            self.server_side_copy,
            self.tagging,
            self.conditions,
            remove_modified_filter=self.update_check.remove_modified_filter,
            head_each_target=self.update_check.head_each_target,
        )
        if self.transfer.auto_chunksize and direction.from_local:
            uc = self.update_check
            if not (uc.check_etag or uc.check_mtime_and_etag):
                raise ConfigError("with --auto-chunksize, source storage must be s3://")
        if self.ignore_symlinks and not direction.from_local:
            raise ConfigError("--ignore-symlinks requires a local SOURCE")
        if self.no_guess_mime_type and not direction.from_local:
            raise ConfigError("--no-guess-mime-type requires a local SOURCE")
        validate_request_options(direction, self.headers, self.requests, self.rate_limits, self.content_filters)
        self.resume.validate(local_side=direction.from_local or direction.to_local)

    def _validate_update_check(self) -> None:
        uc = self.update_check
        chosen = uc.rules
        if len(chosen) > 1:
            raise ConfigError(f"{chosen[0].option} cannot be used with {chosen[1].option}")
        if uc.remove_modified_filter and uc.check_size and not uc.head_each_target:
            raise ConfigError("--check-size with --remove-modified-filter requires --head-each-target")
        if uc.remove_modified_filter and uc.check_etag and not uc.head_each_target:
            raise ConfigError("--head-each-target is required for --check-etag, or remove --remove-modified-filter")
        if uc.remove_modified_filter and uc.check_mtime_and_etag:
            raise ConfigError("--check-mtime-and-etag cannot be used with --remove-modified-filter")
        if uc.remove_modified_filter and uc.check_mtime_and_additional_checksum is not None:
            raise ConfigError("--check-mtime-and-additional-checksum cannot be used with --remove-modified-filter")
        etag_option = "--check-etag" if uc.check_etag else "--check-mtime-and-etag" if uc.check_mtime_and_etag else None
        if etag_option is None:
            return
        enc = self.encryption
        # KMS, DSSE and SSE-C ETags are not MD5 digests: an ETag comparison could never say "same".
        if enc.sse in KMS_SSE:
            raise ConfigError(f"{etag_option} is not supported with --sse aws:kms | aws:kms:dsse")
        if enc.source_sse_c is not None:
            raise ConfigError(f"{etag_option} cannot be used with --source-sse-c-key")
        if enc.target_sse_c is not None:
            raise ConfigError(f"{etag_option} cannot be used with --target-sse-c-key")

    def _validate_checksums(self) -> None:
        v = self.verification
        local_source = self.direction.from_local
        local_target = self.direction.to_local
        if v.additional_checksum_algorithm is not None and local_target:
            raise ConfigError("with --additional-checksum-algorithm, target storage must be s3://")
        if v.enable_additional_checksum and local_source:
            raise ConfigError("with --enable-additional-checksum, source storage must be s3://")
        if v.full_object_checksum:
            if local_target:
                raise ConfigError("with --full-object-checksum, target storage must be s3://")
            if v.additional_checksum_algorithm in (ChecksumAlgorithm.SHA1, ChecksumAlgorithm.SHA256):
                raise ConfigError("Only CRC32/CRC32C/CRC64NVME supports full object checksum")
        if v.disable_additional_checksum_verify and v.additional_checksum_algorithm is None:
            raise ConfigError("--disable-additional-checksum-verify requires --additional-checksum-algorithm")

    def _validate_encryption(self) -> None:
        enc = self.encryption
        if enc.sse is not None and enc.sse not in SSE_CHOICES:
            raise ConfigError(f"invalid value '{enc.sse}' for '--sse': valid choices: AES256 | aws:kms | aws:kms:dsse")
        if (enc.sse is not None or enc.sse_kms_key_id is not None) and self.direction.to_local:
            raise ConfigError("with --sse/--sse-kms-key-id, target storage must be s3://")
        if enc.sse_kms_key_id is not None and enc.sse not in KMS_SSE:
            raise ConfigError("--sse-kms-key-id must be used with --sse aws:kms | aws:kms:dsse")
        for side, key, local in (
            ("source", enc.source_sse_c, self.direction.from_local),
            ("target", enc.target_sse_c, self.direction.to_local),
        ):
            if key is None:
                continue
            if local:
                raise ConfigError("with --source-sse-c/--target-sse-c, remote storage must be s3://")
            if enc.sse is not None:
                raise ConfigError(f"--{side}-sse-c cannot be used with --sse")
            if enc.sse_kms_key_id is not None:
                raise ConfigError(f"--{side}-sse-c cannot be used with --sse-kms-key-id")
            key.checked(side)


def _parsed_location(text: str, argument: str) -> StorageLocation:
    """`text` as SOURCE / TARGET parse it, with the CLI's message for a bad one."""
    try:
        return parse_location(text)
    except InvalidLocationError as exc:
        raise InvalidLocationError(f"invalid value '{text}' for {argument}: {exc}") from None


def _as_location(value: StorageLocation | str, argument: str) -> StorageLocation:
    # Only a config changed behind __post_init__'s back (object.__setattr__) still holds text.
    return _parsed_location(value, argument) if isinstance(value, str) else value
