"""--server-side-copy, the tagging options and the conditional writes: values, conflicts, env variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from s3syncpy.application.settings.write_settings import ConditionalWrites, TaggingSettings
from s3syncpy.cli.main import run
from s3syncpy.cli.parsing import build_config
from s3syncpy.domain.errors import ConfigError

S3 = "s3://bucket/a/"
S3_2 = "s3://other/b/"
LOCAL = "/tmp/somewhere"

CONFLICTS = [
    pytest.param([LOCAL, S3, "--server-side-copy"], "with --server-side-copy, source and target storage must be s3://",
                 id="ssc-local-source"),
    pytest.param([S3, LOCAL, "--server-side-copy"], "with --server-side-copy, source and target storage must be s3://",
                 id="ssc-local-target"),
    pytest.param([S3, S3_2, "--copy-source-if-match"], "--copy-source-if-match requires --server-side-copy",
                 id="copy-source-if-match-without-ssc"),
    pytest.param([S3, S3_2, "--if-match", "--if-none-match"], "--if-match cannot be used with --if-none-match",
                 id="if-match-and-if-none-match"),
    pytest.param([S3, LOCAL, "--if-match"], "with --if-match, target storage must be s3://", id="if-match-local"),
    pytest.param([S3, LOCAL, "--if-none-match"], "with --if-none-match, target storage must be s3://",
                 id="if-none-match-local"),
    pytest.param([S3, S3_2, "--if-match", "--remove-modified-filter"],
                 "--if-match with --remove-modified-filter requires --head-each-target",
                 id="if-match-without-any-target-etag"),
    pytest.param([S3, S3_2, "--tagging", "a=1", "--disable-tagging"],
                 "--tagging cannot be used with --disable-tagging", id="tagging-and-disable"),
    pytest.param([S3, LOCAL, "--tagging", "a=1"], "with --tagging, target storage must be s3://",
                 id="tagging-local-target"),
    pytest.param([S3, LOCAL, "--disable-tagging"], "with --disable-tagging, target storage must be s3://",
                 id="disable-tagging-local-target"),
    pytest.param([LOCAL, S3, "--sync-latest-tagging"],
                 "with --sync-latest-tagging, source and target storage must be s3://", id="latest-tagging-local"),
    pytest.param([S3, S3_2, "--tagging", "a=1&a=2"], "duplicated", id="tagging-duplicate"),
    pytest.param([S3, S3_2, "--tagging", "a b=1"], "not URL-encoded", id="tagging-not-encoded"),
    pytest.param([S3, S3_2, "--tagging", "=1"], "no key", id="tagging-empty-key"),
    pytest.param([S3, S3_2, "--tagging", "a=%ff"], "UTF-8", id="tagging-not-utf8"),
    pytest.param([S3, S3_2, "--tagging", "a=%zz"], "not URL-encoded", id="tagging-bad-escape"),
]


@pytest.mark.parametrize(("arguments", "message"), CONFLICTS)
def test_conflict_is_one_error_line_and_exit_2(
    arguments: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = [str(tmp_path) if a == LOCAL else a for a in arguments]
    assert run(arguments, execute=_must_not_run) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error: ")
    assert message in err


async def _must_not_run(*_args: object) -> None:
    raise AssertionError("the sync must not start after a bad argument")


@pytest.mark.parametrize(
    ("values", "tagging", "conditions", "server_side_copy"),
    [
        pytest.param({}, TaggingSettings(), ConditionalWrites(), False, id="defaults"),
        pytest.param({"server_side_copy": True, "copy_source_if_match": True}, TaggingSettings(),
                     ConditionalWrites(copy_source_if_match=True), True, id="ssc-with-source-lock"),
        pytest.param({"tagging": "k%20x=v%2Bw&e="}, TaggingSettings(tagging="k%20x=v%2Bw&e="),
                     ConditionalWrites(), False, id="encoded-tagging-kept-as-given"),
        pytest.param({"if_none_match": True}, TaggingSettings(), ConditionalWrites(if_none_match=True), False,
                     id="if-none-match"),
        pytest.param({"if_match": True, "remove_modified_filter": True, "head_each_target": True},
                     TaggingSettings(), ConditionalWrites(if_match=True), False, id="if-match-with-heads"),
    ],
)
def test_values_reach_the_config(
    values: dict[str, object], tagging: TaggingSettings, conditions: ConditionalWrites, server_side_copy: bool
) -> None:
    config = build_config({"source": S3, "target": S3_2, **values})
    assert config.tagging == tagging
    assert config.conditions == conditions
    assert config.server_side_copy is server_side_copy
    assert config.object_settings.tagging == tagging
    assert config.object_settings.conditions == conditions


def test_sync_latest_tagging_enables_its_two_options() -> None:
    config = build_config({"source": S3, "target": S3_2, "sync_latest_tagging": True})
    assert config.update_check.remove_modified_filter and config.update_check.head_each_target


@pytest.mark.parametrize(
    ("variable", "value", "read"),
    [
        pytest.param("S3SYNC_SERVER_SIDE_COPY", "true", lambda c: c.server_side_copy, id="server-side-copy"),
        pytest.param("S3SYNC_TAGGING", "a=1", lambda c: c.tagging.tagging == "a=1", id="tagging"),
        pytest.param("S3SYNC_DISABLE_TAGGING", "true", lambda c: c.tagging.disable_tagging, id="disable-tagging"),
        pytest.param("S3SYNC_IF_NONE_MATCH", "true", lambda c: c.conditions.if_none_match, id="if-none-match"),
    ],
)
def test_environment_variables(
    variable: str, value: str, read: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    seen: list[object] = []

    async def capture(config: object, *_rest: object) -> int:
        seen.append(config)
        return 0

    assert run([S3, S3_2], execute=capture) == 0
    assert read(seen[0])  # type: ignore[operator]


def test_config_error_type() -> None:
    with pytest.raises(ConfigError):
        build_config({"source": S3, "target": S3_2, "tagging": ""})


def test_library_configs_are_validated_too() -> None:
    import dataclasses

    config = build_config({"source": S3, "target": S3_2})
    with pytest.raises(ConfigError, match="duplicated"):
        dataclasses.replace(config, tagging=TaggingSettings(tagging="a=1&a=2")).validate()
