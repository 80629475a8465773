"""A local stand-in for AWS STS: answers every AssumeRole with fixed temporary credentials, for tests of profiles
that assume a role (`role_arn` + `source_profile`).

Public API:
    FAKE_CREDENTIALS                          the AccessKeyId / SecretAccessKey / SessionToken it hands out
    StsStandIn()                              a context manager: `url` while running, `actions` it was asked for

It neither checks the request's signature nor the role: the tests only need the SDK to fetch (and log) the
temporary credentials. The server runs on a thread in the test process; the `s3sync` under test reaches it through
`AWS_ENDPOINT_URL_STS` or a profile's `services` section.
"""

from __future__ import annotations

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self

FAKE_CREDENTIALS = {
    "AccessKeyId": "ASIAS3SYNCPYSTANDIN01",
    "SecretAccessKey": "stsStandInSecret/Key+0123456789abcdefEXAMPLE",
    "SessionToken": "FwoGZXIvYXdzStsStandInSessionToken//////////+0123456789abcdef==",
}

_ASSUME_ROLE_RESPONSE = """<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <AssumedRoleId>AROAS3SYNCPYSTANDIN:s3sync</AssumedRoleId>
      <Arn>arn:aws:sts::123456789012:assumed-role/s3sync-test/s3sync</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>{AccessKeyId}</AccessKeyId>
      <SecretAccessKey>{SecretAccessKey}</SecretAccessKey>
      <SessionToken>{SessionToken}</SessionToken>
      <Expiration>2099-01-01T00:00:00Z</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>00000000-0000-0000-0000-000000000000</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
""".format(**FAKE_CREDENTIALS)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        action = form.get("Action", [""])[0]
        self.server.actions.append(action)
        if action == "AssumeRole":
            self._answer(200, _ASSUME_ROLE_RESPONSE)
        else:
            self._answer(400, "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>")

    def _answer(self, status: int, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the test reads `actions`, not a log on stderr."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.actions: list[str] = []


class StsStandIn:
    """The STS stand-in on a free loopback port for the duration of a `with` block."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, name="sts-stand-in", daemon=True)

    @property
    def url(self) -> str:
        """The endpoint URL to give the SDK."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def actions(self) -> list[str]:
        """The STS actions asked for so far, in order."""
        return list(self._server.actions)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
