"""The command-line options of `s3sync`: one table (OptionSpec rows) in the reference's help order and groups.

cli/command.py turns the table into the click command and renders its help like the reference's clap output.

Every option (and both positional arguments) can also be set through an environment variable named
S3SYNC_<OPTION_NAME> (dashes become underscores): `--worker-size` is S3SYNC_WORKER_SIZE. The reference reads
bare names such as DELETE or SOURCE; an unrelated `DELETE=1` in a shell would silently enable deletion, so we
never read them (README, Differences 1).

Sizes, dates and regexes stay strings here: `parsing.build_config` converts them, so a bad value and a bad
option combination take the same error path (ConfigError -> one `error:` line, exit 2).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import click

from s3syncpy.application.settings.sections import SSE_CHOICES
from s3syncpy.domain.customer_key import SSE_C_CHOICES
from s3syncpy.domain.model import ChecksumAlgorithm
from s3syncpy.domain.write_headers import CANNED_ACLS, STORAGE_CLASSES

ENV_PREFIX = "S3SYNC_"

# Help sections in the reference's order; "Options" holds -v/-q/-h/-V as clap prints them.
GROUPS: tuple[str, ...] = (
    "Options",
    "General",
    "AWS Configuration",
    "Source Options",
    "Target Options",
    "Filtering",
    "Update Checking",
    "Verification",
    "Performance",
    "Multipart Settings",
    "Metadata/Headers",
    "Tagging",
    "Versioning",
    "Encryption",
    "Reporting",
    "Tracing/Logging",
    "Retry Options",
    "Timeout Options",
    "Advanced",
    "Lua scripting support",
    "Dangerous",
    # Additions of s3syncpy (README, "Additions"): none changes a run that does not use it.
    "Sharding",
    "Resume",
)

_SIZE_SUFFIXES = "Allow suffixes: KB, KiB, MB, MiB, GB, GiB, TB, TiB"
_PART_SUFFIXES = "Allow suffixes: MB, MiB, GB, GiB. The larger the size, the larger the memory usage."
# The reference points to its Rust SDK here; ours are enforced by s3syncpy itself around each request.
_SDK_TIMEOUT = "An operation covers every retry of one request, an attempt one try. The default has no timeout."


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One option of the command line.

    Attributes:
        flags: the option strings, short first ("-v", "--verbose").
        group: the help section (one of GROUPS).
        help: the help text, as the reference words it.
        kind: "flag" (boolean), "count" (repeatable, counted) or "value".
        metavar: the value name shown in help (`<WORKER_SIZE>`), for "value" options.
        default: the default value (strings for sizes, as the user would type them).
        type: the click type of a "value" option.
        shown_default: the default the help shows when `default` is None because an explicitly given value
            must be told apart from the default (the --auto-chunksize conflicts).
        values: the values the shell completes for a "value" option (checked later, in parsing).
        path: the value is a local file: the shell completes file names.
    """

    flags: tuple[str, ...]
    group: str
    help: str
    kind: str = "value"
    metavar: str | None = None
    default: Any = None
    type: Any = click.STRING
    shown_default: str | None = None
    values: tuple[str, ...] = ()
    path: bool = False

    @property
    def long(self) -> str:
        """The long option string (`--worker-size`)."""
        return next(flag for flag in self.flags if flag.startswith("--"))

    @property
    def dest(self) -> str:
        """The parameter name click stores the value under (`worker_size`)."""
        return self.long[2:].replace("-", "_")

    @property
    def envvar(self) -> str:
        """The environment variable that may set this option (`S3SYNC_WORKER_SIZE`)."""
        return env_var_for(self.long)


def env_var_for(name: str) -> str:
    """The environment variable name for an option or argument name.

    Args:
        name: `--worker-size`, `worker-size` or `source`.

    Returns:
        `S3SYNC_WORKER_SIZE`, `S3SYNC_SOURCE`, ...
    """
    return ENV_PREFIX + name.lstrip("-").replace("-", "_").upper()


def _flag(long: str, group: str, help: str) -> OptionSpec:
    return OptionSpec(flags=(long,), group=group, help=help, kind="flag", default=False)


def _value(
    long: str,
    group: str,
    help: str,
    metavar: str,
    default: Any = None,
    type: Any = click.STRING,
    shown_default: str | None = None,
    *,
    values: Iterable[str] = (),
    path: bool = False,
) -> OptionSpec:
    return OptionSpec(
        flags=(long,), group=group, help=help, metavar=metavar, default=default, type=type,
        shown_default=shown_default, values=tuple(values), path=path,
    )


_MILLIS = click.IntRange(min=0)
_HEADERS = "Metadata/Headers"
_GUESSED = ("If the source is local storage, Content-Type is guessed by the file extension, Unless "
            "--no-guess-mime-type is specified. It may take an extra API call to get Content-Type of the object.")
_METADATA_REGEX = ("Keys(lowercase) must be sorted in alphabetical order, and comma separated. This filter is "
                   "applied after all other filters(except tag filters). It may take an extra API call to get "
                   "metadata of the object. Example: \"key1=(value1|value2),key2=value2\"")
_TAG_REGEX = ("Keys must be sorted in alphabetical order, and '&' separated. This filter is applied after all "
              "other filters. It takes an extra API call to get tags of the object. "
              "Example: \"key1=(value1|value2)&key2=value2\"")
_AWS = "AWS Configuration"
_ALGORITHMS = tuple(algorithm.value for algorithm in ChecksumAlgorithm)
_LUA = "Lua scripting support"

# fmt: off
# One row per option, in the reference's help order; kept as a table for reading, hence no auto-formatting.
OPTION_SPECS: tuple[OptionSpec, ...] = (
    OptionSpec(("-v", "--verbose"), "Options", "Increase logging verbosity", kind="count", default=0),
    OptionSpec(("-q", "--quiet"), "Options", "Decrease logging verbosity", kind="count", default=0),
    _flag("--dry-run", "General", "A simulation mode. No actions will be performed"),
    _flag("--show-no-progress", "General", "Don't show the progress bar"),
    _flag("--server-side-copy", "General",
          "Use server-side copy. This option is only available both source and target are S3 storage. "
          "It cannot work with between different object storages or regions."),
    _value("--aws-config-file", _AWS,
           "Location of the file that the AWS CLI uses to store configuration profiles", "FILE", path=True),
    _value("--aws-shared-credentials-file", _AWS,
           "Location of the file that the AWS CLI uses to store access keys", "FILE", path=True),
    _value("--source-profile", _AWS, "Source AWS CLI profile", "SOURCE_PROFILE"),
    _value("--source-access-key", _AWS, "Source access key", "SOURCE_ACCESS_KEY"),
    _value("--source-secret-access-key", _AWS, "Source secret access key", "SOURCE_SECRET_ACCESS_KEY"),
    _value("--source-session-token", _AWS, "Source session token", "SOURCE_SESSION_TOKEN"),
    _value("--target-profile", _AWS, "Target AWS CLI profile", "TARGET_PROFILE"),
    _value("--target-access-key", _AWS, "Target access key", "TARGET_ACCESS_KEY"),
    _value("--target-secret-access-key", _AWS, "Target secret access key", "TARGET_SECRET_ACCESS_KEY"),
    _value("--target-session-token", _AWS, "Target session token", "TARGET_SESSION_TOKEN"),
    _value("--source-region", "Source Options", "Source region", "SOURCE_REGION"),
    _value("--source-endpoint-url", "Source Options", "Source endpoint url", "SOURCE_ENDPOINT_URL"),
    _flag("--source-accelerate", "Source Options", "Use Amazon S3 Transfer Acceleration for the source bucket"),
    _flag("--source-request-payer", "Source Options", "Use request payer for the source bucket"),
    _flag("--source-force-path-style", "Source Options", "Force path-style addressing for source endpoint"),
    _value("--target-region", "Target Options", "Target region", "TARGET_REGION"),
    _value("--target-endpoint-url", "Target Options", "Target endpoint url", "TARGET_ENDPOINT_URL"),
    _flag("--target-accelerate", "Target Options", "Use Amazon S3 Transfer Acceleration for the target bucket"),
    _flag("--target-request-payer", "Target Options", "Use request payer for the target bucket"),
    _flag("--target-force-path-style", "Target Options", "Force path-style addressing for target endpoint"),
    _value("--storage-class", "Target Options",
           "Type of storage to use for the target object. Valid choices: STANDARD | REDUCED_REDUNDANCY | "
           "STANDARD_IA | ONE-ZONE_IA | INTELLIGENT_TIERING | GLACIER | DEEP_ARCHIVE | GLACIER_IR | EXPRESS_ONEZONE",
           "STORAGE_CLASS", values=STORAGE_CLASSES),
    _value("--filter-mtime-before", "Filtering", "Sync only objects older than given time "
           "(RFC3339 datetime). Example: 2023-02-19T12:00:00Z", "FILTER_MTIME_BEFORE"),
    _value("--filter-mtime-after", "Filtering", "Sync only objects newer than OR EQUAL TO given time "
           "(RFC3339 datetime). Example: 2023-02-19T12:00:00Z", "FILTER_MTIME_AFTER"),
    _value("--filter-smaller-size", "Filtering",
           f"Sync only objects smaller than given size. {_SIZE_SUFFIXES}", "FILTER_SMALLER_SIZE"),
    _value("--filter-larger-size", "Filtering",
           f"Sync only objects larger than OR EQUAL TO given size. {_SIZE_SUFFIXES}", "FILTER_LARGER_SIZE"),
    _value("--filter-include-regex", "Filtering",
           "Sync only objects that match a given regular expression", "FILTER_INCLUDE_REGEX"),
    _value("--filter-exclude-regex", "Filtering",
           "Do not sync objects that match a given regular expression", "FILTER_EXCLUDE_REGEX"),
    _value("--filter-include-content-type-regex", "Filtering",
           f"Sync only objects that have Content-Type matching a given regular expression. {_GUESSED}",
           "FILTER_INCLUDE_CONTENT_TYPE_REGEX"),
    _value("--filter-exclude-content-type-regex", "Filtering",
           f"Do not sync objects that have Content-Type matching a given regular expression. {_GUESSED}",
           "FILTER_EXCLUDE_CONTENT_TYPE_REGEX"),
    _value("--filter-include-metadata-regex", "Filtering",
           f"Sync only objects that have metadata matching a given regular expression. {_METADATA_REGEX}",
           "FILTER_INCLUDE_METADATA_REGEX"),
    _value("--filter-exclude-metadata-regex", "Filtering",
           f"Do not sync objects that have metadata matching a given regular expression. {_METADATA_REGEX}",
           "FILTER_EXCLUDE_METADATA_REGEX"),
    _value("--filter-include-tag-regex", "Filtering",
           f"Sync only objects that have tag matching a given regular expression. {_TAG_REGEX}",
           "FILTER_INCLUDE_TAG_REGEX"),
    _value("--filter-exclude-tag-regex", "Filtering",
           f"Do not sync objects that have tag matching a given regular expression. {_TAG_REGEX}",
           "FILTER_EXCLUDE_TAG_REGEX"),
    _flag("--remove-modified-filter", "Update Checking",
          "Do not update checking(ListObjectsV2) for modification in the target storage"),
    _flag("--check-size", "Update Checking", "Use object size for update checking"),
    _flag("--check-etag", "Update Checking", "Use ETag for update checking"),
    _flag("--check-mtime-and-etag", "Update Checking",
          "Use the modification time and ETag for update checking. If the source modification date is newer, "
          "check the ETag."),
    _value("--check-additional-checksum", "Update Checking", "Use additional checksum for update checking",
           "CHECK_ADDITIONAL_CHECKSUM", values=_ALGORITHMS),
    _value("--check-mtime-and-additional-checksum", "Update Checking",
           "Use the modification time and additional checksum for update checking. If the source modification "
           "date is newer, check the additional checksum.", "CHECK_MTIME_AND_ADDITIONAL_CHECKSUM",
           values=_ALGORITHMS),
    _value("--additional-checksum-algorithm", "Verification", "Additional checksum algorithm for upload",
           "ADDITIONAL_CHECKSUM_ALGORITHM", values=_ALGORITHMS),
    _flag("--full-object-checksum", "Verification",
          "Use full object checksum for verification. CRC64NVME automatically use full object checksum. "
          "This option cannot be used with SHA1/SHA256 additional checksum."),
    _flag("--enable-additional-checksum", "Verification", "Enable additional checksum for download"),
    _flag("--disable-multipart-verify", "Verification",
          "Disable multipart upload verification with ETag/additional checksum"),
    _flag("--disable-etag-verify", "Verification", "Disable ETag verification"),
    _flag("--disable-additional-checksum-verify", "Verification",
          "Disable additional checksum verification. But use additional checksum for upload (The hash value is "
          "stored in the target object)."),
    _value("--worker-size", "Performance", "Number of workers for synchronization", "WORKER_SIZE",
           16, click.INT),
    _value("--max-parallel-uploads", "Performance", "Maximum number of parallel multipart uploads/downloads",
           "MAX_PARALLEL_UPLOADS", 16, click.INT),
    _value("--max-parallel-listings", "Performance", "Maximum number of parallel listings of objects.",
           "MAX_PARALLEL_LISTINGS", 16, click.INT),
    _value("--max-parallel-listing-max-depth", "Performance",
           "Maximum depth(sub directroy/prefix) of parallel listings.", "MAX_PARALLEL_LISTING_MAX_DEPTH",
           2, click.INT),
    _value("--object-listing-queue-size", "Performance", "Queue size for object listings",
           "OBJECT_LISTING_QUEUE_SIZE", 200_000, click.INT),
    _flag("--allow-parallel-listings-in-express-one-zone", "Performance",
          "Allow parallel listings in express one zone storage class. It may include multipart upload in "
          "progress objects in the listing result."),
    _value("--rate-limit-objects", "Performance", "Rate limit objects per second", "RATE_LIMIT_OBJECTS",
           None, click.INT),
    _value("--rate-limit-bandwidth", "Performance",
           "Rate limit bandwidth(bytes per sec). Allow suffixes: MB, MiB, GB, GiB", "RATE_LIMIT_BANDWIDTH"),
    _value("--multipart-threshold", "Multipart Settings",
           f"Object size threshold that s3sync uses for multipart upload. {_PART_SUFFIXES}",
           "MULTIPART_THRESHOLD", shown_default="8MiB"),
    _value("--multipart-chunksize", "Multipart Settings",
           f"Chunk size that s3sync uses for multipart upload of individual files. {_PART_SUFFIXES}",
           "MULTIPART_CHUNKSIZE", shown_default="8MiB"),
    _flag("--auto-chunksize", "Multipart Settings",
          "Automatically adjusts a chunk size to match the source or target. It takes extra HEAD requests(1 API "
          "call per part)."),
    _value("--cache-control", _HEADERS, "Cache-Control HTTP header to set on the target object", "CACHE_CONTROL"),
    _value("--content-disposition", _HEADERS, "Content-Disposition HTTP header to set on the target object",
           "CONTENT_DISPOSITION"),
    _value("--content-encoding", _HEADERS, "Content-Encoding HTTP header to set on the target object",
           "CONTENT_ENCODING"),
    _value("--content-language", _HEADERS, "Content-Language HTTP header to set on the target object",
           "CONTENT_LANGUAGE"),
    _value("--content-type", _HEADERS, "Content-Type HTTP header to set on the target object", "CONTENT_TYPE"),
    _value("--expires", _HEADERS,
           "Expires HTTP header to set on the target object(RFC3339 datetime) Example: 2023-02-19T12:00:00Z",
           "EXPIRES"),
    _value("--metadata", _HEADERS, "Metadata to set on the target object Example: key1=value1,key2=value2",
           "METADATA"),
    _value("--website-redirect", _HEADERS, "x-amz-website-redirect-location header to set on the target object",
           "WEBSITE_REDIRECT"),
    _flag("--no-sync-system-metadata", _HEADERS,
          "Do not sync system metadata System metadata: content-disposition, content-encoding, content-language, "
          "content-type, cache-control, expires, website-redirect"),
    _flag("--no-sync-user-defined-metadata", _HEADERS, "Do not sync user-defined metadata"),
    _value("--tagging", "Tagging",
           "Tagging to set on the target object. Key/value must be encoded as UTF-8 then URLEncoded URL query "
           "parameters without tag name duplicates. Example: key1=value1&key2=value2", "TAGGING"),
    _flag("--disable-tagging", "Tagging", "Do not copy tagging"),
    _flag("--sync-latest-tagging", "Tagging",
          "Copy the latest tagging from the source if necessary. If this option is enabled, the "
          "--remove-modified-filter and --head-each-target options are automatically enabled."),
    _flag("--enable-versioning", "Versioning",
          "Sync all version objects in the source storage to the target versioning storage."),
    _value("--point-in-time", "Versioning",
           "Sync only objects at a specific point in time (RFC3339 datetime). The source storage must be a "
           "versioning enabled S3 bucket. By default, the target storage's objects will always be overwritten "
           "with the source's objects. Example: 2025-07-16T12:00:00Z", "POINT_IN_TIME"),
    _value("--sse", "Encryption", "Server-side encryption. Valid choices: AES256 | aws:kms | aws:kms:dsse", "SSE",
           values=SSE_CHOICES),
    _value("--sse-kms-key-id", "Encryption", "SSE KMS ID key", "SSE_KMS_KEY_ID"),
    _value("--source-sse-c", "Encryption", "Source SSE-C algorithm. Valid choices: AES256", "SOURCE_SSE_C",
           values=SSE_C_CHOICES),
    _value("--source-sse-c-key", "Encryption",
           "Source SSE-C customer-provided encryption key(256bit key. must be base64 encoded)", "SOURCE_SSE_C_KEY"),
    _value("--source-sse-c-key-md5", "Encryption", "Source base64 encoded MD5 digest of source_sse_c_key",
           "SOURCE_SSE_C_KEY_MD5"),
    _value("--target-sse-c", "Encryption", "Target SSE-C algorithm. Valid choices: AES256", "TARGET_SSE_C",
           values=SSE_C_CHOICES),
    _value("--target-sse-c-key", "Encryption",
           "Target SSE-C customer-provided encryption key(256bit key. must be base64 encoded)", "TARGET_SSE_C_KEY"),
    _value("--target-sse-c-key-md5", "Encryption", "Target base64 encoded MD5 digest of target-sse-c-key",
           "TARGET_SSE_C_KEY_MD5"),
    _flag("--report-sync-status", "Reporting",
          "Report sync status to the target storage. Default verification is for ETag. For additional checksum, "
          "use --check-additional-checksum. For more precise control, use with --auto-chunksize."),
    _flag("--report-metadata-sync-status", "Reporting",
          "Report metadata sync status to the target storage. It must be used with --report-sync-status. "
          "Note: s3sync generated user-defined metadata(s3sync_origin_version_id/s3sync_origin_last_modified) "
          "were ignored. Because they are usually different from the source storage."),
    _flag("--report-tagging-sync-status", "Reporting",
          "Report tagging sync status to the target storage. It must be used with --report-sync-status."),
    _flag("--json-tracing", "Tracing/Logging", "Show trace as json format"),
    _flag("--aws-sdk-tracing", "Tracing/Logging", "Enable aws sdk tracing"),
    _flag("--span-events-tracing", "Tracing/Logging", "Show span event tracing"),
    _flag("--tracing-stderr", "Tracing/Logging", "Write trace (logs) to stderr instead of stdout"),
    _flag("--disable-color-tracing", "Tracing/Logging", "Disable ANSI terminal colors"),
    _value("--aws-max-attempts", "Retry Options", "Maximum retry attempts that s3sync retry handler use",
           "max_attempts", 10, click.IntRange(min=1)),
    _value("--initial-backoff-milliseconds", "Retry Options",
           "A multiplier value used when calculating backoff times as part of an exponential backoff with "
           "jitter strategy.", "initial_backoff", 100, _MILLIS),
    _value("--force-retry-count", "Retry Options", "Maximum force retry attempts that s3sync retry handler use",
           "FORCE_RETRY_COUNT", 5, click.IntRange(min=0)),
    _value("--force-retry-interval-milliseconds", "Retry Options",
           "Sleep interval (milliseconds) between s3sync force retries on error.", "force_retry_interval",
           1000, _MILLIS),
    _value("--operation-timeout-milliseconds", "Timeout Options",
           f"Operation timeout (milliseconds). {_SDK_TIMEOUT}", "operation_timeout", None, _MILLIS),
    _value("--operation-attempt-timeout-milliseconds", "Timeout Options",
           f"Operation attempt timeout (milliseconds). {_SDK_TIMEOUT}", "operation_attempt_timeout",
           None, _MILLIS),
    _value("--connect-timeout-milliseconds", "Timeout Options",
           "Connect timeout (milliseconds). The default is 3100 milliseconds, as the AWS SDKs' default.",
           "connect_timeout", None, _MILLIS),
    _value("--read-timeout-milliseconds", "Timeout Options",
           "Read timeout (milliseconds). The default has no timeout.", "read_timeout", None, _MILLIS),
    _flag("--warn-as-error", "Advanced",
          "Treat warnings as errors(except for the case of ETag/checksum mismatch, etc.)"),
    _flag("--ignore-symlinks", "Advanced", "Ignore symbolic links"),
    _flag("--head-each-target", "Advanced",
          "HeadObject is used to check whether an object has been modified in the target storage. "
          "It reduces the possibility of race condition issue"),
    _value("--acl", "Advanced",
           "ACL for the objects Valid choices: private | public-read | public-read-write | authenticated-read | "
           "aws-exec-read | bucket-owner-read | bucket-owner-full-control", "ACL", values=CANNED_ACLS),
    _flag("--no-guess-mime-type", "Advanced", "Do not try to guess the mime type of local file"),
    _value("--max-keys", "Advanced", "Maximum number of objects returned in a single list object request",
           "MAX_KEYS", 1000, click.INT),
    _flag("--put-last-modified-metadata", "Advanced", "Put last modified of the source to metadata"),
    _value("--auto-complete-shell", "Advanced",
           "Generate a auto completions script. Valid choices: bash, fish, zsh, powershell, elvish.", "SHELL",
           type=click.Choice(("bash", "fish", "zsh", "powershell", "elvish"))),
    _flag("--disable-stalled-stream-protection", "Advanced", "Disable stalled stream protection"),
    _flag("--disable-payload-signing", "Advanced", "Disable payload signing for object uploads"),
    _flag("--disable-content-md5-header", "Advanced",
          "Disable Content-MD5 header for object uploads. It disables the ETag verification for the uploaded "
          "object."),
    _flag("--disable-express-one-zone-additional-checksum", "Advanced",
          "Disable default additional checksum verification in Express One Zone storage class."),
    _flag("--delete-excluded", "Advanced",
          "When used in combination with --delete options, supplied --filter-exclude-regex patterns will not "
          "prevent an object from being deleted."),
    _flag("--if-match", "Advanced",
          "Add an If-Match header for PutObject/CompleteMultipartUpload/DeleteObject requests. "
          "This is for like an optimistic lock."),
    _flag("--copy-source-if-match", "Advanced",
          "Add an x-amz-copy-source-if-match header for CopyObject/UploadPartCopy requests. "
          "This is for like an optimistic lock."),
    _flag("--if-none-match", "Advanced",
          "Uploads the object only if the object key name does not already exist in the specified bucket. "
          "This is for like an optimistic lock."),
    _value("--max-delete", "Advanced", "Don't delete more than a specified number of objects", "MAX_DELETE",
           None, click.INT),
    _flag("--ignore-glacier-warnings", "Advanced",
          "Suppress warnings related to Amazon S3 Glacier storage class objects during GetObject requests"),
    _value("--preprocess-callback-lua-script", _LUA,
           "Path to the Lua script that is executed as preprocess callback", "PREPROCESS_CALLBACK_LUA_SCRIPT",
           path=True),
    _value("--event-callback-lua-script", _LUA, "Path to the Lua script that is executed as event callback",
           "EVENT_CALLBACK_LUA_SCRIPT", path=True),
    _value("--filter-callback-lua-script", _LUA, "Path to the Lua script that is executed as filter callback",
           "FILTER_CALLBACK_LUA_SCRIPT", path=True),
    _flag("--allow-lua-os-library", _LUA, "Allow Lua OS and I/O library functions in the Lua script."),
    _value("--lua-vm-memory-limit", _LUA,
           "Memory limit for the Lua VM. Allow suffixes: KB, KiB, MB, MiB, GB, GiB. Zero means no limit. "
           "If the memory limit is exceeded, the whole process will be terminated.", "LUA_VM_MEMORY_LIMIT",
           "64MiB"),
    _value("--lua-callback-timeout-milliseconds", _LUA,
           "Timeout of one Lua callback invocation (milliseconds). Zero means no timeout.",
           "LUA_CALLBACK_TIMEOUT_MILLISECONDS", 10000, _MILLIS),
    _flag("--allow-lua-unsafe-vm", "Dangerous",
          "Allow unsafe Lua VM functions in the Lua script. It allows the Lua script to load unsafe standard "
          "libraries or C modules."),
    _flag("--delete", "Dangerous",
          "Delete objects that exist in the target but not in the source. Exclude filters other than "
          "--filter-exclude-regex will not prevent an object from being deleted. "
          "[Warning] Since this can cause data loss, test first with the --dry-run option."),
    _value("--key-range-start", "Sharding",
           "Sync only the objects whose relative key sorts at or after this key (UTF-8 byte order, as S3 lists "
           "keys), on both sides and for --delete. An s3syncpy addition", "KEY"),
    _value("--key-range-end", "Sharding",
           "Sync only the objects whose relative key sorts before this key. An s3syncpy addition", "KEY"),
    _value("--dask-scheduler", "Sharding",
           "Run the sync as key-range shards on this Dask distributed scheduler (e.g. tcp://10.0.0.1:8786). "
           "Workers use their own AWS credentials (explicit access keys are refused). Needs s3syncpy[dask]. "
           "An s3syncpy addition", "ADDRESS"),
    _value("--dask-shards", "Sharding",
           "Number of key-range shards of a --dask-scheduler run (default 16). Without --dask-scheduler: run the "
           "sync as this many key-range shards on as many local processes (no Dask needed), to use more than "
           "one core. An s3syncpy addition", "SHARDS", None, click.IntRange(min=1)),
    _flag("--resume", "Resume",
          "Continue multipart uploads and multipart downloads an interrupted run left (parts are verified "
          "again against the file); Ctrl-C then leaves the upload open instead of aborting it. "
          "An s3syncpy addition"),
    _value("--max-resume-age", "Resume",
           "With --resume, abort s3sync's own open uploads (and drop kept downloads) older than this, instead of "
           "continuing them (e.g. 7d, 12h, 3600s). An s3syncpy addition", "MAX_RESUME_AGE", "7d"),
)
# fmt: on

ARGUMENT_HELP = "s3://<BUCKET_NAME>[/prefix] or local path"


def default_values() -> dict[str, Any]:
    """Every parameter's value when nothing is given (SOURCE and TARGET are None).

    Returns:
        A dict keyed like click's `ctx.params`, suitable as the base of `parsing.build_config` input.
    """
    values: dict[str, Any] = {"source": None, "target": None}
    values.update({spec.dest: spec.default for spec in OPTION_SPECS})
    return values
