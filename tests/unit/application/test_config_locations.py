"""SyncConfig takes SOURCE and TARGET as text too, parsed when the config is built."""

from __future__ import annotations

import dataclasses

import pytest

from s3syncpy.application.settings.config import SyncConfig
from s3syncpy.domain.direction import Direction
from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.paths import InvalidLocationError, LocalLocation, S3Location


def test_text_locations_are_parsed_at_construction() -> None:
    config = SyncConfig(source="/data", target="s3://bucket/p%20q/")

    assert config.source == LocalLocation("/data")
    assert config.target == S3Location("bucket", "p q/")
    assert config.source_location == config.source and config.target_location == config.target
    config.validate()
    assert config.direction is Direction.between(LocalLocation("/data"), S3Location("bucket", "p q/"))


def test_locations_and_text_can_be_mixed_and_replaced() -> None:
    config = SyncConfig(source=S3Location("src", ""), target="/restore")

    moved = dataclasses.replace(config, target="s3://other/x/")

    assert config.target == LocalLocation("/restore")
    assert moved.target == S3Location("other", "x/")


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        pytest.param("", "s3://b/", "invalid value '' for SOURCE: path must not be empty", id="empty-source"),
        pytest.param("/data", "s3://", "invalid value 's3://' for TARGET: no bucket name in 's3://'", id="no-bucket"),
    ],
)
def test_bad_text_is_an_invalid_location_which_is_a_config_error(source: str, target: str, message: str) -> None:
    with pytest.raises(InvalidLocationError) as caught:
        SyncConfig(source=source, target=target)

    assert isinstance(caught.value, ConfigError)
    assert str(caught.value) == message


def test_two_local_texts_are_refused_by_validate() -> None:
    with pytest.raises(ConfigError, match="both are local paths"):
        SyncConfig(source="/a", target="/b").validate()
