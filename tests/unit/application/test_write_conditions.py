"""Which preconditions each write and delete carries (table: options x what the listing / HEAD knew)."""

from __future__ import annotations

import pytest

from s3syncpy._speedups import KeyMap
from s3syncpy.application.ports.write_requests import NO_CONDITIONS, WriteConditions
from s3syncpy.application.settings.write_settings import ConditionalWrites
from s3syncpy.application.transfer.write_conditions import ConditionalWritePolicy
from s3syncpy.domain.model import ObjectDetails, ObjectInfo

SOURCE = ObjectInfo(key="k", size=1, mtime_ns=0, e_tag='"source"')
HEADED = ObjectDetails(info=ObjectInfo(key="k", size=1, mtime_ns=0, e_tag='"headed"'))


def listing(*entries: tuple[str, str]) -> KeyMap:
    key_map = KeyMap(store_keys=False)
    for key, e_tag in entries:
        key_map.add(key, 1, 0, e_tag)
    return key_map


@pytest.mark.parametrize(
    ("settings", "target_map", "head", "headed", "expected"),
    [
        pytest.param(ConditionalWrites(), listing(("k", '"listed"')), HEADED, True, NO_CONDITIONS, id="no-options"),
        pytest.param(ConditionalWrites(if_match=True), listing(("k", '"listed"')), None, False,
                     WriteConditions(if_match='"listed"'), id="if-match-from-listing"),
        pytest.param(ConditionalWrites(if_match=True), listing(("k", '"listed"')), HEADED, True,
                     WriteConditions(if_match='"headed"'), id="if-match-head-wins"),
        pytest.param(ConditionalWrites(if_match=True), listing(("k", '"listed"')), None, True,
                     WriteConditions(), id="if-match-head-found-nothing"),
        pytest.param(ConditionalWrites(if_match=True), listing(), None, False, WriteConditions(),
                     id="if-match-new-object"),
        pytest.param(ConditionalWrites(if_match=True), None, None, False, WriteConditions(),
                     id="if-match-target-not-listed"),
        pytest.param(ConditionalWrites(if_none_match=True), None, None, False,
                     WriteConditions(if_none_match=True), id="if-none-match"),
        pytest.param(ConditionalWrites(copy_source_if_match=True), None, None, False,
                     WriteConditions(copy_source_if_match='"source"'), id="copy-source-listed-etag"),
    ],
)
def test_write_conditions(
    settings: ConditionalWrites, target_map: KeyMap | None, head: ObjectDetails | None, headed: bool,
    expected: WriteConditions,
) -> None:
    assert ConditionalWritePolicy(settings, target_map).for_write(SOURCE, head, headed=headed) == expected


@pytest.mark.parametrize(
    ("settings", "key", "expected"),
    [
        pytest.param(ConditionalWrites(if_match=True), "gone", '"g"', id="if-match-listed"),
        pytest.param(ConditionalWrites(if_match=True), "unknown", None, id="if-match-unlisted"),
        pytest.param(ConditionalWrites(if_none_match=True), "gone", None, id="if-none-match-not-on-delete"),
    ],
)
def test_delete_condition(settings: ConditionalWrites, key: str, expected: str | None) -> None:
    assert ConditionalWritePolicy(settings, listing(("gone", '"g"'))).for_delete(key) == expected
