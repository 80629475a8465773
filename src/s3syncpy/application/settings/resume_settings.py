"""--resume and --max-resume-age: continuing a large transfer a killed or interrupted run left half done.

An addition to the reference (which aborts its multipart uploads and removes its temp files on every stop). Off by
default; while off, nothing here changes a run.

    direction      what survives an interruption           where its journal lives
    local -> S3    the open multipart upload               a per-user state folder (one entry per target key)
    S3 -> local    the temp file of a multipart download   beside the temp file, in the target folder

The next run with --resume checks that the source is still the one the journal names (local file: size and
mtime; S3 object: ETag and size), keeps only what it verifies again (each uploaded part's ETag against the MD5 of
that range of the file; a download's whole file against the source before the rename), and transfers the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from s3syncpy.domain.errors import ConfigError

DEFAULT_MAX_RESUME_AGE_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True, slots=True)
class ResumeSettings:
    """Whether interrupted transfers are continued, and for how long.

    Attributes:
        resume: keep interrupted multipart uploads and multipart downloads, and continue them (--resume).
        max_resume_age_seconds: s3sync's own open uploads (and download journals) older than this are aborted
            (removed) instead of continued (--max-resume-age).
        state_dir: where the upload journal lives; None: S3SYNCPY_STATE_DIR, else the per-user cache folder.
    """

    resume: bool = False
    max_resume_age_seconds: int = DEFAULT_MAX_RESUME_AGE_SECONDS
    state_dir: str | None = None

    def validate(self, local_side: bool) -> None:
        """Raise ConfigError for settings that cannot apply.

        Args:
            local_side: the run has a local source or target (resume applies only to those directions).
        """
        if self.max_resume_age_seconds < 0:
            raise ConfigError("--max-resume-age must not be negative")
        if self.resume and not local_side:
            raise ConfigError("--resume requires a local SOURCE or TARGET")


@dataclass(frozen=True, slots=True)
class ResumableSource:
    """What identifies the source of a resumable transfer; a journal entry that records another one is stale.

    Attributes:
        source: the source as described in logs (a file path, an S3 key).
        size: its size in bytes.
        mtime_ns: its modification time (a local file's; an S3 object's LastModified).
        e_tag: the S3 source's ETag (downloads), None for a local file.
        version_id: the S3 source's version, if one was named.
        max_age_seconds: older open transfers of s3sync's own are aborted rather than continued.
    """

    source: str
    size: int
    mtime_ns: int
    e_tag: str | None = None
    version_id: str | None = None
    max_age_seconds: int = DEFAULT_MAX_RESUME_AGE_SECONDS
