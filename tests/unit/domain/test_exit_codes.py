"""Exit-code mapping: error > cancelled > warning > success (reference §7.4, DECISIONS.md #4)."""

from __future__ import annotations

import pytest

from s3syncpy.domain.exit_codes import ExitCode, exit_code_for


@pytest.mark.parametrize(
    ("has_error", "cancelled", "has_warning", "code"),
    [
        pytest.param(False, False, False, ExitCode.SUCCESS, id="clean"),
        pytest.param(False, False, True, ExitCode.WARNING, id="warning"),
        pytest.param(False, True, False, ExitCode.CANCELLED, id="cancelled"),
        pytest.param(False, True, True, ExitCode.CANCELLED, id="cancelled-beats-warning"),
        pytest.param(True, False, False, ExitCode.ERROR, id="error"),
        pytest.param(True, False, True, ExitCode.ERROR, id="error-beats-warning"),
        pytest.param(True, True, False, ExitCode.ERROR, id="error-beats-cancelled"),
        pytest.param(True, True, True, ExitCode.ERROR, id="error-beats-all"),
    ],
)
def test_exit_code_for(has_error: bool, cancelled: bool, has_warning: bool, code: ExitCode) -> None:
    assert exit_code_for(has_error=has_error, has_warning=has_warning, cancelled=cancelled) is code


def test_exit_code_values() -> None:
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 101, 130]
