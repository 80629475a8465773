"""Endpoint URLs are checked while parsing, as the reference checks its URL options: a bad one is an invalid
argument (one `error:` line, exit 2), never a started run."""

from __future__ import annotations

from pathlib import Path

import pytest

from s3syncpy.cli.main import run

BAD_URLS = [
    pytest.param("not a url", "relative URL without a base", id="no-scheme"),
    pytest.param("ftp://my-bucket", "scheme must be https:// or http:// .", id="ftp"),
    pytest.param("file:///tmp/x", "scheme must be https:// or http:// .", id="file"),
    pytest.param("https://", "empty host", id="empty-host"),
    pytest.param("http://127.0.0.1:99999", "invalid port number", id="port-out-of-range"),
    pytest.param("http://bad host", "invalid domain character", id="space-in-host"),
]


async def _must_not_run(*_args: object) -> None:
    raise AssertionError("the sync must not start after a bad endpoint URL")


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


@pytest.mark.parametrize(("url", "reason"), BAD_URLS)
def test_bad_target_endpoint_url_is_an_invalid_argument(
    url: str, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run([str(tmp_path), "s3://bucket/p/", "--target-endpoint-url", url], execute=_must_not_run)

    assert code == 2
    assert _one_error_line(capsys) == f"error: invalid value '{url}' for '--target-endpoint-url': {reason}"


@pytest.mark.parametrize(("url", "reason"), BAD_URLS)
def test_bad_source_endpoint_url_is_an_invalid_argument(
    url: str, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["s3://bucket/p/", str(tmp_path), "--source-endpoint-url", url], execute=_must_not_run)

    assert code == 2
    assert _one_error_line(capsys) == f"error: invalid value '{url}' for '--source-endpoint-url': {reason}"


def test_bad_endpoint_url_from_the_environment_is_an_invalid_argument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("S3SYNC_TARGET_ENDPOINT_URL", "ftp://my-bucket")

    assert run([str(tmp_path), "s3://bucket/p/"], execute=_must_not_run) == 2
    assert _one_error_line(capsys) == (
        "error: invalid value 'ftp://my-bucket' for '--target-endpoint-url': scheme must be https:// or http:// ."
    )


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8333", "https://s3.example.com", "https://s3.example.com/", "http://[::1]:9000",
     "HTTPS://S3.EXAMPLE.COM", "http://localhost:9000/path"],
)
def test_good_endpoint_urls_reach_the_run(url: str, tmp_path: Path) -> None:
    seen: list[str | None] = []

    async def execute(config: object, *_args: object) -> None:
        seen.append(config.target_client.endpoint_url)  # type: ignore[attr-defined]

    run([str(tmp_path), "s3://bucket/p/", "--target-endpoint-url", url, "--show-no-progress"], execute=execute)

    assert seen == [url]
