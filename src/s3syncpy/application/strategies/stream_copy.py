"""S3 to S3 by streaming: the source's bytes pass through us into the target's PutObject / multipart upload."""

from __future__ import annotations

from s3syncpy.application.strategies.base import FromS3Source
from s3syncpy.application.strategies.to_s3 import ToS3Target


class StreamCopy(ToS3Target, FromS3Source):
    """Reads the source's layout and stored checksum (FromS3Source), writes and verifies like an upload."""
