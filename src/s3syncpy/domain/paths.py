"""Storage locations given on the command line: `s3://bucket[/prefix]` or a local path.

The S3 prefix is used verbatim: no "/" is added, so `s3://b/prefix` + key `foo` is `prefixfoo` (the reference's path and key rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from s3syncpy.domain.errors import ConfigError

S3_SCHEME = "s3://"


@dataclass(frozen=True, slots=True)
class S3Location:
    """A bucket and a (possibly empty) key prefix."""

    bucket: str
    prefix: str

    def __str__(self) -> str:
        return f"{S3_SCHEME}{self.bucket}/{self.prefix}"

    def full_key(self, relative_key: str) -> str:
        """Join the prefix and a relative key textually (no implicit "/")."""
        return self.prefix + relative_key

    def relative_key(self, full_key: str) -> str:
        """Strip the prefix from a listed key (the first occurrence, as the reference does)."""
        return full_key.replace(self.prefix, "", 1) if self.prefix else full_key


@dataclass(frozen=True, slots=True)
class LocalLocation:
    """A local directory, or a single file when `single_file` is set (its key is the bare file name)."""

    path: str
    single_file: str | None = None

    def __str__(self) -> str:
        return self.path


StorageLocation = S3Location | LocalLocation


def is_single_file(location: StorageLocation) -> bool:
    """Whether the location names one local file rather than a directory or a prefix."""
    return isinstance(location, LocalLocation) and location.single_file is not None


class InvalidLocationError(ConfigError, ValueError):
    """The text is not a valid storage location (a ConfigError: the CLI's exit 2; still a ValueError for callers
    that caught it as one)."""


def parse_location(text: str) -> StorageLocation:
    """Parse `s3://bucket[/prefix]` (prefix percent-decoded) or return a local location.

    Args:
        text: the SOURCE or TARGET argument.

    Returns:
        An S3Location or a LocalLocation (local paths are not checked here).

    Raises:
        InvalidLocationError: an s3:// URL without a bucket name, or an empty path.
    """
    if not text:
        raise InvalidLocationError("path must not be empty")
    if text.startswith(S3_SCHEME):
        rest = text[len(S3_SCHEME):]
        if rest.startswith("arn:"):
            return _parse_arn(rest)
        bucket, _, prefix = rest.partition("/")
        if not bucket:
            raise InvalidLocationError(f"no bucket name in '{text}'")
        return S3Location(bucket=bucket, prefix=unquote(prefix))
    return LocalLocation(path=text)


def _parse_arn(rest: str) -> S3Location:
    """Access point ARNs contain "/" inside the bucket part: `arn:aws:s3:...:accesspoint/NAME[/prefix]`."""
    head, sep, tail = rest.partition(":accesspoint/")
    if not sep or not tail:
        raise InvalidLocationError(f"invalid access point ARN 's3://{rest}'")
    name, _, prefix = tail.partition("/")
    return S3Location(bucket=f"{head}:accesspoint/{name}", prefix=unquote(prefix))


def is_directory_bucket(bucket: str) -> bool:
    """Whether `bucket` is an S3 Express One Zone directory bucket (its name ends in "--x-s3").

    Directory buckets list keys in no particular order, unlike general purpose buckets' UTF-8 binary order.
    """
    return bucket.endswith("--x-s3")
