"""A SeaweedFS `weed mini` process serving S3 on loopback, for integration and e2e tests.

Public API:
    S3Endpoint(endpoint_url, access_key, secret_key, region)   how tests reach an S3 server
    find_weed() -> str | None                                    the `weed` binary (venv bin first, then PATH)
    SeaweedServer(weed, access_key, secret_key)                  start() -> S3Endpoint, stop(), log_path

The server gets AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in its environment: they become its admin identity and
SigV4 signatures are checked (a wrong secret is rejected). Every listening port is chosen free, together with
port + 10000, because weed serves the gRPC side of master, volume, filer, S3 and admin there.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

# weed derives each component's gRPC port as its HTTP port + 10000.
GRPC_PORT_OFFSET = 10_000
_PORT_RANGE = (20_000, 50_000)
_COMPONENTS = ("s3", "master", "volume", "filer", "admin")
STARTUP_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class S3Endpoint:
    """How tests reach the S3 server."""

    endpoint_url: str
    access_key: str
    secret_key: str = field(repr=False)
    region: str = "us-east-1"


def find_weed() -> str | None:
    """The `weed` binary: next to the running interpreter (a venv's bin), else on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("weed")


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def pick_ports(count: int) -> list[int]:
    """`count` distinct loopback ports, each free together with its gRPC twin (port + 10000)."""
    chosen: list[int] = []
    rng = random.SystemRandom()
    while len(chosen) < count:
        port = rng.randrange(*_PORT_RANGE)
        twin = port + GRPC_PORT_OFFSET
        taken = {p for c in chosen for p in (c, c + GRPC_PORT_OFFSET)}
        if port in taken or twin in taken:
            continue
        if _port_free(port) and _port_free(twin):
            chosen.append(port)
    return chosen


class SeaweedStartError(RuntimeError):
    """The server did not come up; the message carries the log path and its tail."""


class SeaweedServer:
    """One `weed mini` process with its data directory and log file."""

    def __init__(self, weed: str, access_key: str, secret_key: str) -> None:
        self._weed = weed
        self._access_key = access_key
        self._secret_key = secret_key
        self._process: subprocess.Popen[bytes] | None = None
        self._ports: dict[str, int] = {}
        self.directory = Path(tempfile.mkdtemp(prefix="s3syncpy-weed-"))
        self.log_path = self.directory / "weed.log"

    def _command(self, ports: dict[str, int], data_dir: Path) -> list[str]:
        # The flags after -filer.port are the documented ones (ARCHITECTURE.md): without the last three, writes
        # fail after ~70 buckets and plain objects over 4 MiB report internal chunks as parts. The admin, Iceberg
        # and Lance ports are set or disabled so parallel servers on one machine never collide on their defaults.
        return [
            self._weed,
            "mini",
            f"-dir={data_dir}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.port={ports['s3']}",
            f"-master.port={ports['master']}",
            f"-volume.port={ports['volume']}",
            f"-filer.port={ports['filer']}",
            f"-admin.port={ports['admin']}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.localSocket={self.directory / 's3.sock'}",
            "-master.telemetry=false",
            "-s3.autoCreateBucket=false",
            "-s3.allowDeleteBucketNotEmpty=false",
            "-admin.ui=false",
            "-webdav=false",
            "-volume.max=3000",
            "-master.volumeSizeLimitMB=64",
            "-filer.maxMB=64",
        ]

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3SYNC_"))}
        env["AWS_ACCESS_KEY_ID"] = self._access_key
        env["AWS_SECRET_ACCESS_KEY"] = self._secret_key
        return env

    def start(self, attempts: int = 3) -> S3Endpoint:
        """Start the server and wait until its S3 port answers HTTP.

        Args:
            attempts: how many times to retry with fresh ports (another process may grab a chosen port).

        Returns:
            The endpoint to use.

        Raises:
            SeaweedStartError: the server exited or did not answer in time on every attempt.
        """
        last_error = ""
        for attempt in range(attempts):
            ports = dict(zip(_COMPONENTS, pick_ports(len(_COMPONENTS)), strict=True))
            self._ports = ports
            data_dir = self.directory / f"data{attempt}"
            data_dir.mkdir()
            with self.log_path.open("ab") as log:
                self._process = subprocess.Popen(
                    self._command(ports, data_dir),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self.directory,
                    env=self._environment(),
                    start_new_session=True,
                )
            url = f"http://127.0.0.1:{ports['s3']}"
            if self._wait_ready(url):
                return S3Endpoint(url, self._access_key, self._secret_key)
            last_error = f"attempt {attempt + 1}: exit code {self._process.poll()}"
            self.stop()
        raise SeaweedStartError(
            f"weed mini did not start ({last_error}); log: {self.log_path}\n{self.log_tail()}"
        )

    def _wait_ready(self, url: str) -> bool:
        assert self._process is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return True
            except urllib.error.HTTPError:
                return True  # any HTTP status (403 for an anonymous request) means the gateway serves
            except OSError:
                time.sleep(0.1)
        return False

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server log (empty when there is none)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Terminate the server (kill it if it does not exit in time)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._remove_sockets()

    def _remove_sockets(self) -> None:
        # weed puts some gRPC unix sockets in /tmp whatever the flags say; remove the ones named by our ports.
        for component, port in self._ports.items():
            for name in (
                f"seaweedfs-{component}-grpc-{port + GRPC_PORT_OFFSET}.sock",
                f"seaweedfs-{component}-{port}.sock",
            ):
                path = Path("/tmp") / name
                if path.is_socket():
                    path.unlink(missing_ok=True)

    def remove_files(self) -> None:
        """Delete the data directory and the log."""
        shutil.rmtree(self.directory, ignore_errors=True)
