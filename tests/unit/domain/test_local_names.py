"""File names a Windows or macOS disk cannot hold as an S3 key spells them: one row per rule, per policy."""

from __future__ import annotations

import unicodedata

import pytest

from s3syncpy.domain.errors import ConfigError
from s3syncpy.domain.local_names import (
    LocalNamePolicy,
    fold_name,
    key_name_problem,
    name_problem,
    parse_path_policy,
    policy_for_platform,
)

WINDOWS = LocalNamePolicy.WINDOWS
MACOS = LocalNamePolicy.MACOS
POSIX = LocalNamePolicy.POSIX


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        pytest.param("CON", '"CON" is a device name Windows reserves', id="con"),
        pytest.param("con", '"con" is a device name Windows reserves', id="con-lower"),
        pytest.param("nul.txt", '"nul" is a device name Windows reserves', id="nul-with-extension"),
        pytest.param("Aux.tar.gz", '"Aux" is a device name Windows reserves', id="aux-two-extensions"),
        pytest.param("PRN", '"PRN" is a device name Windows reserves', id="prn"),
        pytest.param("COM1", '"COM1" is a device name Windows reserves', id="com1"),
        pytest.param("com9.log", '"com9" is a device name Windows reserves', id="com9-extension"),
        pytest.param("LPT3", '"LPT3" is a device name Windows reserves', id="lpt3"),
        pytest.param("COM\u00b9", '"COM\u00b9" is a device name Windows reserves', id="com-superscript-one"),
        pytest.param("CONIN$", '"CONIN$" is a device name Windows reserves', id="conin"),
        pytest.param("NUL .txt", '"NUL " is a device name Windows reserves', id="nul-space-before-dot"),
        pytest.param("a:b", '":" is not allowed in a file name (Windows reads it as a drive or a stream)', id="colon"),
        pytest.param(
            "x:y.txt", '":" is not allowed in a file name (Windows reads it as a drive or a stream)', id="stream"
        ),
        pytest.param("a<b", '"<" is not allowed in a file name', id="less-than"),
        pytest.param("a>b", '">" is not allowed in a file name', id="greater-than"),
        pytest.param('say"hi"', '"\\"" is not allowed in a file name', id="double-quote"),
        pytest.param("a|b", '"|" is not allowed in a file name', id="pipe"),
        pytest.param("what?", '"?" is not allowed in a file name', id="question-mark"),
        pytest.param("*.txt", '"*" is not allowed in a file name', id="star"),
        pytest.param("ctl\x01char", "the control character U+0001 is not allowed in a file name", id="control"),
        pytest.param("tab\tkey", "the control character U+0009 is not allowed in a file name", id="tab"),
        pytest.param("jpg.", 'Windows drops a trailing "." from a file name', id="trailing-dot"),
        pytest.param("trail ", "Windows drops a trailing space from a file name", id="trailing-space"),
        pytest.param("CONSOLE", None, id="longer-than-reserved"),
        pytest.param("COM10", None, id="com10-not-reserved"),
        pytest.param("xcon", None, id="reserved-inside"),
        pytest.param("con_", None, id="reserved-prefix"),
        pytest.param(".con", None, id="dot-then-reserved"),
        pytest.param("..jpg", None, id="leading-dots"),
        pytest.param(" leading", None, id="leading-space"),
        pytest.param("del\x7fchar", None, id="del-is-not-control-for-windows"),
        pytest.param("caf\u00e9", None, id="unicode"),
        pytest.param("Readme", None, id="plain"),
    ],
)
def test_windows_name_rules(name: str, problem: str | None) -> None:
    assert name_problem(name, WINDOWS) == problem


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("CON", id="reserved"),
        pytest.param("nul.txt", id="reserved-extension"),
        pytest.param("a:b", id="colon"),
        pytest.param("x:y.txt", id="stream-syntax"),
        pytest.param("jpg.", id="trailing-dot"),
        pytest.param("trail ", id="trailing-space"),
        pytest.param("ctl\x01char", id="control"),
        pytest.param("a<b>c|d?*", id="other-characters"),
    ],
)
@pytest.mark.parametrize("policy", [MACOS, POSIX], ids=["macos", "posix"])
def test_macos_and_posix_names_keep_every_name(name: str, policy: LocalNamePolicy) -> None:
    # macOS's POSIX layer stores all of these as spelled (APFS keeps ":" and trailing dots); only case differs.
    assert name_problem(name, policy) is None


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        pytest.param("dir/CON/file", '"CON" is a device name Windows reserves', id="reserved-directory"),
        pytest.param("a:b/c", '":" is not allowed in a file name (Windows reads it as a drive or a stream)',
                     id="colon-in-directory"),
        pytest.param("docs./x", 'Windows drops a trailing "." from a file name', id="trailing-dot-directory"),
        pytest.param("x\\nul", '"nul" is a device name Windows reserves', id="backslash-is-a-separator"),
        pytest.param("/a//b/", None, id="empty-segments-and-marker"),
        pytest.param("dir/ok.txt", None, id="plain"),
        pytest.param("", None, id="empty"),
    ],
)
def test_windows_rules_apply_to_every_segment(key: str, problem: str | None) -> None:
    assert key_name_problem(key, WINDOWS) == problem


@pytest.mark.parametrize(
    ("first", "second", "policy", "twins"),
    [
        pytest.param("Readme", "README", WINDOWS, True, id="windows-case"),
        pytest.param("Readme", "README", MACOS, True, id="macos-case"),
        pytest.param("Readme", "README", POSIX, False, id="posix-case"),
        pytest.param("\u00c9t\u00e9", "\u00e9t\u00e9", WINDOWS, True, id="windows-accented-case"),
        pytest.param(unicodedata.normalize("NFC", "caf\u00e9"), unicodedata.normalize("NFD", "caf\u00e9"), MACOS,
                     True, id="macos-normalisation"),
        pytest.param(unicodedata.normalize("NFC", "caf\u00e9"), unicodedata.normalize("NFD", "caf\u00e9"), WINDOWS,
                     False, id="windows-keeps-normalisation"),
        pytest.param("stra\u00dfe", "STRASSE", WINDOWS, False, id="windows-sharp-s-is-one-letter"),
        pytest.param("Readme", "Readme2", WINDOWS, False, id="different-names"),
    ],
)
def test_case_twins(first: str, second: str, policy: LocalNamePolicy, twins: bool) -> None:
    assert (fold_name(first, policy) == fold_name(second, policy)) is twins
    assert policy.case_insensitive is (policy is not POSIX)


@pytest.mark.parametrize(
    ("os_name", "platform", "policy"),
    [
        pytest.param("nt", "win32", WINDOWS, id="windows"),
        pytest.param("posix", "darwin", MACOS, id="macos"),
        pytest.param("posix", "linux", POSIX, id="linux"),
        pytest.param("posix", "freebsd14", POSIX, id="bsd"),
        pytest.param("posix", "cygwin", POSIX, id="cygwin"),
    ],
)
def test_policy_for_platform(os_name: str, platform: str, policy: LocalNamePolicy) -> None:
    assert policy_for_platform(os_name, platform) is policy


@pytest.mark.parametrize(
    ("value", "policy"),
    [
        pytest.param("windows", WINDOWS, id="windows"),
        pytest.param("macOS", MACOS, id="macos-any-case"),
        pytest.param(" posix ", POSIX, id="posix-spaces"),
    ],
)
def test_parse_path_policy(value: str, policy: LocalNamePolicy) -> None:
    assert parse_path_policy(value) is policy


def test_parse_path_policy_refuses_other_values() -> None:
    with pytest.raises(ConfigError, match="^invalid S3SYNCPY_PATH_POLICY 'ntfs': expected windows, macos or posix$"):
        parse_path_policy("ntfs")
