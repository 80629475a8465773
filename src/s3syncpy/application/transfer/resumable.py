"""Which writes may be continued by a later run (--resume): multipart writes only, tagged with their source."""

from __future__ import annotations

import dataclasses

from s3syncpy.application.ports.storage import PutRequest
from s3syncpy.application.settings.resume_settings import ResumableSource, ResumeSettings
from s3syncpy.domain.model import ObjectDetails


def with_resume(request: PutRequest, settings: ResumeSettings, described: str, details: ObjectDetails) -> PutRequest:
    """`request` marked as resumable when --resume is on and it is written in parts.

    A single PutObject or a one-stream download is short enough to start again; a multipart write is what an
    interruption costs most, and parts are what can be checked one by one.

    Args:
        request: the write request as built.
        settings: the run's resume settings.
        described: the source as logs show it (path or full key).
        details: the opened source's details: its size, mtime and (S3) ETag and version identify it.
    """
    if not settings.resume or not request.part_sizes:
        return request
    info = details.info
    source = ResumableSource(
        source=described,
        size=request.size,
        mtime_ns=info.mtime_ns,
        e_tag=info.e_tag,
        version_id=info.version_id,
        max_age_seconds=settings.max_resume_age_seconds,
    )
    return dataclasses.replace(request, resume=source)
