"""The update mode: which rule the flags choose, and its conflicts (domain/decisions/mode.py)."""

from __future__ import annotations

import pytest

from s3syncpy.domain.decisions.mode import UpdateMode, UpdateRule
from s3syncpy.domain.direction import Direction
from tests.unit.domain.decisions.values import (
    CHECKSUM,
    ETAG,
    MT_CHECKSUM,
    MT_ETAG,
    MTIME,
    SIZE,
)

# ---------------------------------------------------------------- mode construction


@pytest.mark.parametrize(
    ("check_size", "check_etag", "rule"),
    [
        pytest.param(False, False, MTIME, id="default"),
        pytest.param(True, False, SIZE, id="check-size"),
        pytest.param(False, True, ETAG, id="check-etag"),
    ],
)
def test_from_options(check_size: bool, check_etag: bool, rule: UpdateRule) -> None:
    mode = UpdateMode.from_options(
        check_size=check_size,
        check_etag=check_etag,
        remove_modified_filter=True,
        head_each_target=True,
        direction=Direction.LOCAL_TO_S3,
    )
    assert mode == UpdateMode(rule, True, True, True, False)


def test_from_options_rejects_size_and_etag() -> None:
    with pytest.raises(ValueError, match="size and etag cannot be combined"):
        UpdateMode.from_options(
            check_size=True,
            check_etag=True,
            remove_modified_filter=False,
            head_each_target=False,
            direction=Direction.S3_TO_S3,
        )




@pytest.mark.parametrize(
    ("flags", "rule", "auto"),
    [
        pytest.param({"check_mtime_and_etag": True}, MT_ETAG, False, id="mtime-and-etag"),
        pytest.param({"check_checksum": True}, CHECKSUM, False, id="checksum"),
        pytest.param({"check_mtime_and_checksum": True}, MT_CHECKSUM, False, id="mtime-and-checksum"),
        pytest.param({"check_etag": True, "auto_chunksize": True}, ETAG, True, id="etag-auto-chunksize"),
    ],
)
def test_from_options_new_rules(flags: dict[str, bool], rule: UpdateRule, auto: bool) -> None:
    base: dict[str, object] = {"check_size": False, "check_etag": False, "remove_modified_filter": False, "head_each_target": False,
            "direction": Direction.LOCAL_TO_S3}
    mode = UpdateMode.from_options(**{**base, **flags})  # type: ignore[arg-type]
    assert mode.rule is rule and mode.auto_chunksize is auto


def test_from_options_rejects_two_checksum_rules() -> None:
    with pytest.raises(ValueError, match="checksum and mtime-and-checksum"):
        UpdateMode.from_options(check_size=False, check_etag=False, remove_modified_filter=False,
                                head_each_target=False, direction=Direction.S3_TO_S3,
                                check_checksum=True, check_mtime_and_checksum=True)
