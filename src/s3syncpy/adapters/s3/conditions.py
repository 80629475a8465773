"""Conditional-request parameters (--if-match, --if-none-match, --copy-source-if-match) per S3 call.

Which call carries which header follows the reference:

    call                        If-Match      If-None-Match: *     x-amz-copy-source-if-match
    PutObject                   yes           yes                  -
    CompleteMultipartUpload     yes           yes                  -
    DeleteObject                yes           -                    -
    CopyObject                  no            yes                  yes
    UploadPartCopy              -             -                    yes
"""

from __future__ import annotations

from typing import Any

from s3syncpy.application.ports.write_requests import WriteConditions


def write_condition_params(conditions: WriteConditions) -> dict[str, Any]:
    """PutObject / CompleteMultipartUpload parameters."""
    params: dict[str, Any] = {}
    if conditions.if_match is not None:
        params["IfMatch"] = conditions.if_match
    if conditions.if_none_match:
        params["IfNoneMatch"] = "*"
    return params


def copy_condition_params(conditions: WriteConditions) -> dict[str, Any]:
    """CopyObject parameters: the reference sends no If-Match on a copy."""
    params: dict[str, Any] = {}
    if conditions.if_none_match:
        params["IfNoneMatch"] = "*"
    if conditions.copy_source_if_match is not None:
        params["CopySourceIfMatch"] = conditions.copy_source_if_match
    return params


def part_copy_condition_params(conditions: WriteConditions) -> dict[str, Any]:
    """UploadPartCopy parameters."""
    if conditions.copy_source_if_match is None:
        return {}
    return {"CopySourceIfMatch": conditions.copy_source_if_match}
