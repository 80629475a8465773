"""The direction of a run, chosen once from the two locations."""

from __future__ import annotations

import pytest

from s3syncpy.domain.direction import Direction
from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.paths import parse_location


@pytest.mark.parametrize(
    ("source", "target", "direction"),
    [
        pytest.param("/data", "s3://b/p/", Direction.LOCAL_TO_S3, id="upload"),
        pytest.param("s3://b/p/", "/data", Direction.S3_TO_LOCAL, id="download"),
        pytest.param("s3://a/", "s3://b/", Direction.S3_TO_S3, id="copy"),
    ],
)
def test_direction_between(source: str, target: str, direction: Direction) -> None:
    chosen = Direction.between(parse_location(source), parse_location(target))
    assert chosen is direction
    assert chosen.from_local is (direction is Direction.LOCAL_TO_S3)
    assert chosen.to_local is (direction is Direction.S3_TO_LOCAL)


def test_two_local_paths_are_refused() -> None:
    with pytest.raises(ConfigError, match="either SOURCE or TARGET must be s3://"):
        Direction.between(parse_location("/a"), parse_location("/b"))
