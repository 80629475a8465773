"""Process exit codes (the reference's exit codes, README, Differences 4-5)."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """What the `s3sync` process returns."""

    SUCCESS = 0
    ERROR = 1
    INVALID_ARGUMENTS = 2
    WARNING = 3
    INTERNAL_ERROR = 101  # an unexpected exception: a bug (README, Differences 5)
    CANCELLED = 130  # Ctrl-C / SIGTERM (README, Differences 4), the shell convention 128 + SIGINT


def exit_code_for(*, has_error: bool, has_warning: bool, cancelled: bool) -> ExitCode:
    """Map the outcome of a run to its exit code.

    Errors take precedence over cancellation, cancellation over warnings.

    Args:
        has_error: an error stopped the run.
        has_warning: at least one warning was recorded.
        cancelled: the user interrupted the run.

    Returns:
        The exit code.
    """
    if has_error:
        return ExitCode.ERROR
    if cancelled:
        return ExitCode.CANCELLED
    if has_warning:
        return ExitCode.WARNING
    return ExitCode.SUCCESS
