"""Amazon S3 Express One Zone: directory buckets, told apart by their name alone.

The reference detects a directory bucket purely by the `--x-s3` suffix of its name, and then changes several rules
for it: no Content-MD5 header (the storage class does not support it), no ETag verification (its ETags are not
MD5 digests), CRC64NVME as the default additional checksum (unless disabled), and no parallel listing by default
(a parallel listing there may return multipart uploads still in progress).
"""

from __future__ import annotations

from s3syncpy.domain.paths import S3Location, StorageLocation, is_directory_bucket


def is_express_one_zone(location: StorageLocation) -> bool:
    """Whether the location is an S3 directory bucket (name ending in `--x-s3`)."""
    return isinstance(location, S3Location) and is_directory_bucket(location.bucket)
