"""local_path_policy: S3SYNCPY_PATH_POLICY chooses the local disks' file-name rules, else the platform does."""

from __future__ import annotations

import os
import sys

import pytest

from s3syncpy.bootstrap import local_path_policy
from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.local_names import LocalNamePolicy, policy_for_platform


@pytest.mark.parametrize(
    ("environment", "policy"),
    [
        pytest.param({"S3SYNCPY_PATH_POLICY": "windows"}, LocalNamePolicy.WINDOWS, id="windows"),
        pytest.param({"S3SYNCPY_PATH_POLICY": "MACOS"}, LocalNamePolicy.MACOS, id="macos"),
        pytest.param({"S3SYNCPY_PATH_POLICY": "posix"}, LocalNamePolicy.POSIX, id="posix"),
        pytest.param({}, policy_for_platform(os.name, sys.platform), id="unset-platform"),
        pytest.param({"S3SYNCPY_PATH_POLICY": ""}, policy_for_platform(os.name, sys.platform), id="empty-platform"),
    ],
)
def test_the_variable_or_the_platform_chooses(environment: dict[str, str], policy: LocalNamePolicy) -> None:
    assert local_path_policy(environment) is policy


def test_an_unknown_value_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="S3SYNCPY_PATH_POLICY"):
        local_path_policy({"S3SYNCPY_PATH_POLICY": "hfs"})
