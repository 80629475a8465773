"""The system and user metadata an S3 target object is written with: the source's, changed by the header options.

The reference applies the options in one fixed order, which decides what a combination means:

    1. --no-sync-system-metadata      clears the source's Content-Type, -Encoding, -Disposition, -Language,
                                      Cache-Control, Expires and website redirect
    2. --no-sync-user-defined-metadata clears the source's user metadata
    3. --metadata k=v,...             replaces the user metadata as a whole
    4. --put-last-modified-metadata   adds s3sync_origin_last_modified
    5. versioning                     adds s3sync_origin_version_id and s3sync_origin_last_modified
    then each of --cache-control, --content-type, ... --expires, --website-redirect given replaces its header.

So `--no-sync-user-defined-metadata --metadata a=b` writes {a: b}, and `--metadata a=b --put-last-modified-metadata`
writes both. The storage class is the source's unless --storage-class is given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from email.utils import formatdate

from s3syncpy.domain.model import NANOS_PER_SECOND, SystemMetadata
from s3syncpy.domain.timeparse import format_rfc3339_millis, parse_rfc3339_to_ms

# User-metadata keys the reference writes (interoperable with buckets it synced).
ORIGIN_LAST_MODIFIED_KEY = "s3sync_origin_last_modified"
ORIGIN_VERSION_ID_KEY = "s3sync_origin_version_id"

# --metadata: comma-separated key=value pairs of these characters only (the reference's check, anchored).
_METADATA_PATTERN = re.compile(r"[a-zA-Z0-9_\-.]+=[a-zA-Z0-9_\-.]*(,[a-zA-Z0-9_\-.]+=[a-zA-Z0-9_\-.]*)*")

# The storage classes S3 accepts for a written object (x-amz-storage-class), as the AWS SDKs enumerate them.
STORAGE_CLASSES: tuple[str, ...] = (
    "STANDARD",
    "REDUCED_REDUNDANCY",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER",
    "DEEP_ARCHIVE",
    "OUTPOSTS",
    "GLACIER_IR",
    "SNOW",
    "EXPRESS_ONEZONE",
    "FSX_OPENZFS",
    "FSX_ONTAP",
)

# The canned ACLs (x-amz-acl) --acl accepts.
CANNED_ACLS: tuple[str, ...] = (
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
)


def parse_metadata(text: str) -> dict[str, str]:
    """Parse --metadata "key1=value1,key2=value2" (a later duplicate key wins, as in the reference).

    Raises:
        ValueError: the text is not comma-separated key=value pairs of letters, digits, "_", "-" and ".".
    """
    if not _METADATA_PATTERN.fullmatch(text):
        raise ValueError("invalid metadata.")
    return dict(pair.partition("=")[::2] for pair in text.split(","))


def parse_storage_class(text: str) -> str:
    """Check a --storage-class value.

    Raises:
        ValueError: not one of STORAGE_CLASSES.
    """
    return _one_of(text, STORAGE_CLASSES, f"invalid storage class. valid choices: {' | '.join(STORAGE_CLASSES)}.")


def parse_canned_acl(text: str) -> str:
    """Check an --acl value.

    Raises:
        ValueError: not one of CANNED_ACLS.
    """
    return _one_of(text, CANNED_ACLS, f"invalid acl value. valid choices: {' | '.join(CANNED_ACLS)} .")


def _one_of(text: str, choices: tuple[str, ...], message: str) -> str:
    if text not in choices:
        raise ValueError(message)
    return text


def parse_expires(text: str) -> str:
    """--expires as an RFC 3339 datetime, returned as the HTTP date the Expires header carries.

    Raises:
        ValueError: not an RFC 3339 datetime.
    """
    millis = parse_rfc3339_to_ms(text)
    return formatdate(millis // 1000, usegmt=True)


def origin_last_modified(mtime_ns: int) -> str:
    """The value of s3sync_origin_last_modified: RFC 3339 with whole seconds, e.g. 2025-07-16T06:37:59+00:00."""
    return format_rfc3339_millis(mtime_ns - mtime_ns % NANOS_PER_SECOND)


@dataclass(frozen=True, slots=True)
class HeaderOptions:
    """The header and metadata options of a run (all unset: the target gets the source's metadata).

    Attributes:
        system: the headers given on the command line (--content-type, ..., --expires as an HTTP date,
            --website-redirect); None fields are taken from the source.
        metadata: --metadata, replacing the user metadata (None: not given).
        no_sync_system_metadata / no_sync_user_defined_metadata: drop the source's system / user metadata.
        put_last_modified_metadata: add s3sync_origin_last_modified.
        storage_class: --storage-class (None: the source's class).
    """

    system: SystemMetadata = field(default_factory=SystemMetadata)
    metadata: Mapping[str, str] | None = None
    no_sync_system_metadata: bool = False
    no_sync_user_defined_metadata: bool = False
    put_last_modified_metadata: bool = False
    storage_class: str | None = None

    @property
    def any_given(self) -> bool:
        """Some option changes what a copy of the source would carry (a server-side copy must then REPLACE)."""
        return (
            self.system != SystemMetadata()
            or self.metadata is not None
            or self.no_sync_system_metadata
            or self.no_sync_user_defined_metadata
            or self.put_last_modified_metadata
        )


@dataclass(frozen=True, slots=True)
class TargetMetadata:
    """What the target object is written with."""

    system: SystemMetadata
    user: dict[str, str]
    storage_class: str | None


def target_metadata(
    source_system: SystemMetadata,
    source_user: Mapping[str, str],
    source_mtime_ns: int,
    options: HeaderOptions,
    *,
    source_storage_class: str | None = None,
    origin_version_id: str | None = None,
) -> TargetMetadata:
    """Apply the header options to the source's metadata, in the reference's order (module docstring).

    Args:
        source_system / source_user: the source object's metadata (user keys lower-case, no x-amz-meta-).
        source_mtime_ns: the source's LastModified (for s3sync_origin_last_modified).
        options: the run's header options.
        source_storage_class: the source's storage class, if it reported one.
        origin_version_id: the source version id when versioning metadata is written (None: not versioning).

    Returns:
        The target's system metadata, user metadata and storage class.
    """
    system = SystemMetadata() if options.no_sync_system_metadata else source_system
    user: dict[str, str] = {} if options.no_sync_user_defined_metadata else dict(source_user)
    if options.metadata is not None:
        user = dict(options.metadata)
    if options.put_last_modified_metadata:
        user[ORIGIN_LAST_MODIFIED_KEY] = origin_last_modified(source_mtime_ns)
    if origin_version_id is not None:
        user[ORIGIN_VERSION_ID_KEY] = origin_version_id
        user[ORIGIN_LAST_MODIFIED_KEY] = origin_last_modified(source_mtime_ns)
    given = {name: value for name in _SYSTEM_FIELDS if (value := getattr(options.system, name)) is not None}
    if given:
        system = replace(system, **given)
    return TargetMetadata(
        system=system,
        user=user,
        storage_class=options.storage_class if options.storage_class is not None else source_storage_class,
    )


_SYSTEM_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(SystemMetadata))
