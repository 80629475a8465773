"""Run test code in a forked child that has dropped root's privileges.

The tests run as root here, and root reads every file whatever its mode: checking how unreadable files are handled
needs a process that really cannot read them.
"""

from __future__ import annotations

import json
import os
import traceback
from collections.abc import Callable

NOBODY = 65534


def run_unprivileged(body: Callable[[], object]) -> dict[str, object]:
    """Run `body()` (returning a JSON-able dict) in a forked child running as `nobody` when started as root.

    Returns:
        What `body()` returned, sent back through a pipe.

    Raises:
        AssertionError: the child failed (its traceback is on stderr).
    """
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        status = 1
        try:
            os.close(reader)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            os.write(writer, json.dumps(body()).encode())
            status = 0
        except BaseException:  # noqa: BLE001 - the child reports any failure on its stderr
            traceback.print_exc()
        finally:
            os._exit(status)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert status == 0, "the unprivileged child failed"
    result: dict[str, object] = json.loads(data)
    return result
