"""The sections of a SyncConfig that stand on their own: client, update check, verification, encryption, transfer,
listing, versioning, force retry and deletion settings (frozen values; SyncConfig in config.py holds them and checks
the rules across them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from s3syncpy.domain.customer_key import CustomerKey
from s3syncpy.domain.decisions.mode import UpdateRule, chosen_rules
from s3syncpy.domain.etag import DEFAULT_CHUNKSIZE, DEFAULT_THRESHOLD
from s3syncpy.domain.model import ChecksumAlgorithm, Encryption

# The values --sse accepts (reference: "Valid choices: AES256 | aws:kms | aws:kms:dsse").
SSE_CHOICES: tuple[str, ...] = ("AES256", "aws:kms", "aws:kms:dsse")
KMS_SSE: frozenset[str] = frozenset({"aws:kms", "aws:kms:dsse"})
# SSE-C accepts AES256 only, with a 256-bit key.


# The AWS SDKs' stalled-stream grace period: a download delivering no byte for this long is aborted.
DEFAULT_STALLED_STREAM_GRACE_MILLISECONDS = 5000


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
    # A GET body that delivers no byte for this long is aborted and retried (None: protection disabled).
    stalled_stream_grace_milliseconds: int | None = DEFAULT_STALLED_STREAM_GRACE_MILLISECONDS
    # The endpoint lists keys in UTF-8 binary order (the sorted merge and key-range listings rely on it). None:
    # decided by the endpoint the client resolves (endpoint_url, AWS_ENDPOINT_URL*, a profile): an AWS S3 host
    # yes, any other no (SeaweedFS, for one, lists in directory-tree order). Library only.
    key_ordered_listing: bool | None = None


@dataclass(frozen=True, slots=True)
class UpdateCheck:
    """Which update-check rule decides whether an existing target object is replaced (the reference's update check).

    At most one of check_size, check_etag, check_mtime_and_etag, check_additional_checksum and
    check_mtime_and_additional_checksum may be set (validate() says so).
    """

    check_size: bool = False
    check_etag: bool = False
    remove_modified_filter: bool = False
    head_each_target: bool = False
    check_mtime_and_etag: bool = False
    check_additional_checksum: ChecksumAlgorithm | None = None
    check_mtime_and_additional_checksum: ChecksumAlgorithm | None = None

    @property
    def checksum_algorithm(self) -> ChecksumAlgorithm | None:
        """The algorithm of --check-additional-checksum / --check-mtime-and-additional-checksum, if any."""
        return self.check_additional_checksum or self.check_mtime_and_additional_checksum

    @property
    def rules(self) -> list[UpdateRule]:
        """The rules these flags select (one at most in a valid config; none means the default MTIME)."""
        return chosen_rules(
            check_size=self.check_size,
            check_etag=self.check_etag,
            check_mtime_and_etag=self.check_mtime_and_etag,
            check_checksum=self.check_additional_checksum is not None,
            check_mtime_and_checksum=self.check_mtime_and_additional_checksum is not None,
        )


@dataclass(frozen=True, slots=True)
class Verification:
    """Integrity-check switches (the reference's integrity checks).

    Attributes:
        additional_checksum_algorithm: --additional-checksum-algorithm, sent on every upload (S3 targets).
        full_object_checksum: --full-object-checksum as given; see `uses_full_object_checksum`.
        enable_additional_checksum: --enable-additional-checksum: read the source's checksums (checksum mode) and
            verify against them (S3 sources).
        disable_additional_checksum_verify: upload with the checksum but do not compare it.
        disable_express_one_zone_additional_checksum: no CRC64NVME by default for directory buckets.
    """

    disable_etag_verify: bool = False
    disable_multipart_verify: bool = False
    disable_content_md5_header: bool = False
    additional_checksum_algorithm: ChecksumAlgorithm | None = None
    full_object_checksum: bool = False
    enable_additional_checksum: bool = False
    disable_additional_checksum_verify: bool = False
    disable_express_one_zone_additional_checksum: bool = False

    @property
    def uses_full_object_checksum(self) -> bool:
        """Multipart uploads get a FULL_OBJECT checksum: CRC64NVME always, CRC32/CRC32C with the flag."""
        algorithm = self.additional_checksum_algorithm
        if algorithm is ChecksumAlgorithm.CRC64NVME:
            return True
        return self.full_object_checksum and algorithm in (ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32C)


@dataclass(frozen=True, slots=True)
class EncryptionSettings:
    """Server-side encryption of written objects (--sse, --sse-kms-key-id) and SSE-C keys per side.

    Attributes:
        sse: "AES256", "aws:kms" or "aws:kms:dsse" for objects written to an S3 target.
        sse_kms_key_id: the KMS key for aws:kms / aws:kms:dsse.
        source_sse_c / target_sse_c: the customer key sent with every read of the source / every request on the
            target.
    """

    sse: str | None = None
    sse_kms_key_id: str | None = None
    source_sse_c: CustomerKey | None = None
    target_sse_c: CustomerKey | None = None

    @property
    def sse_c_used(self) -> bool:
        """An SSE-C key is configured on either side (ETags are then not MD5 digests)."""
        return self.source_sse_c is not None or self.target_sse_c is not None

    @property
    def target_encryption(self) -> Encryption:
        """How objects written to the target are encrypted, as the domain's verification rules see it."""
        return Encryption(
            algorithm=self.sse,
            kms_key_id=self.sse_kms_key_id,
            customer_algorithm=self.target_sse_c.algorithm if self.target_sse_c else None,
        )


@dataclass(frozen=True, slots=True)
class Transfer:
    """Concurrency and multipart layout."""

    worker_size: int = 16
    max_parallel_uploads: int = 16
    max_keys: int = 1000
    multipart_threshold: int = DEFAULT_THRESHOLD
    multipart_chunksize: int = DEFAULT_CHUNKSIZE
    object_listing_queue_size: int = 200_000
    auto_chunksize: bool = False


@dataclass(frozen=True, slots=True)
class ListingParallelism:
    """How listings fan out over sub-prefixes / sub-directories (reference: parallel object listing).

    Attributes:
        max_parallel_listings: listing requests (or directory reads) in flight at once; 1 lists serially.
        max_parallel_listing_max_depth: how many levels below the root are listed one prefix at a time in
            parallel; deeper levels are listed whole by the task that reached them.
        allow_parallel_listings_in_express_one_zone: list directory buckets in parallel too (there a parallel
            listing may include multipart uploads still in progress).
    """

    max_parallel_listings: int = 16
    max_parallel_listing_max_depth: int = 2
    allow_parallel_listings_in_express_one_zone: bool = False


@dataclass(frozen=True, slots=True)
class Versioning:
    """--enable-versioning and --point-in-time (reference: versioning support, point-in-time snapshot).

    Attributes:
        enable_versioning: copy every version of every source object, oldest first (S3 to S3).
        point_in_time_ms: sync the state of a versioned source at this time (epoch milliseconds).
    """

    enable_versioning: bool = False
    point_in_time_ms: int | None = None

    @property
    def lists_versions(self) -> bool:
        """The source is read through its version listing (which is never parallel)."""
        return self.enable_versioning or self.point_in_time_ms is not None


@dataclass(frozen=True, slots=True)
class ForceRetry:
    """The reference's per-object retry on top of the SDK's (the reference's force retry)."""

    force_retry_count: int = 5
    force_retry_interval_milliseconds: int = 1000


@dataclass(frozen=True, slots=True)
class Deletion:
    """--delete and its guards."""

    delete: bool = False
    max_delete: int | None = None
    delete_excluded: bool = False
