"""Values the update-check tables share: listing entries, HEAD details, modes per direction."""

from __future__ import annotations

from s3syncpy.domain.decisions.head import (
    HeadReason,
)
from s3syncpy.domain.decisions.listing import TargetEntry
from s3syncpy.domain.decisions.mode import UpdateMode, UpdateRule
from s3syncpy.domain.model import Encryption, ObjectDetails, ObjectInfo

SEC = 1_000_000_000
E1, E2 = '"aaaa"', '"bbbb"'
KMS = Encryption(algorithm="aws:kms")
AES = Encryption(algorithm="AES256")

MTIME, SIZE, ETAG = UpdateRule.MTIME, UpdateRule.SIZE, UpdateRule.ETAG


def src(size: int = 10, secs: float = 100, e_tag: str | None = E1) -> ObjectInfo:
    return ObjectInfo(key="k", size=size, mtime_ns=int(secs * SEC), e_tag=e_tag)


def entry(size: int = 10, secs: int = 100, e_tag: str | None = E1) -> TargetEntry:
    return TargetEntry(size, secs, e_tag)


def head(
    size: int = 10, secs: float = 100, e_tag: str | None = E1, encryption: Encryption | None = None
) -> ObjectDetails:
    info = ObjectInfo(key="k", size=size, mtime_ns=int(secs * SEC), e_tag=e_tag)
    return ObjectDetails(info=info, encryption=encryption or Encryption())



# ---------------------------------------------------------------- layer B: decisions

S3_TO_S3 = {"source_is_local": False, "target_is_local": False}
LOCAL_TO_S3 = {"source_is_local": True, "target_is_local": False}
S3_TO_LOCAL = {"source_is_local": False, "target_is_local": True}


def mode_of(rule: UpdateRule, sides: dict[str, bool], head_each_target: bool = True) -> UpdateMode:
    return UpdateMode(rule, head_each_target=head_each_target, **sides)


T, F = True, False
R = HeadReason



# ---------------------------------------------------------------- the ETag-with-HEAD and checksum rules

MT_ETAG, CHECKSUM, MT_CHECKSUM = UpdateRule.MTIME_AND_ETAG, UpdateRule.CHECKSUM, UpdateRule.MTIME_AND_CHECKSUM
