"""Drive a real interactive shell through a pseudo-terminal (for completion tests): type lines, read the screen."""

from __future__ import annotations

import os
import select
import subprocess
import time
from collections.abc import Mapping, Sequence


def _take_terminal() -> None:
    """In the child, after setsid: make the pty its controlling terminal (job-control shells such as fish need
    one)."""
    import fcntl
    import termios

    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def set_window_size(fd: int, columns: int, rows: int) -> None:
    """Give a pty a window size (a new pty has 0x0, which makes line editors scroll long lines sideways)."""
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def type_into_shell(
    argv: Sequence[str],
    keystrokes: Sequence[str],
    until: str,
    env: Mapping[str, str],
    timeout: float = 20.0,
    columns: int = 250,
) -> str:
    """Start `argv` on a pty, send each keystroke string after the shell settles, and return what it printed.

    Reading stops once `until` appeared (or after `timeout` seconds); the shell is then killed. The terminal is
    `columns` wide, so a command line with a long temporary path is echoed whole.
    """
    import pty

    master, slave = pty.openpty()
    set_window_size(slave, columns, 50)
    process = subprocess.Popen(
        list(argv), stdin=slave, stdout=slave, stderr=slave, env=dict(env), close_fds=True, start_new_session=True,
        preexec_fn=_take_terminal,  # noqa: PLW1509 - a test helper, single-threaded at this point
    )
    os.close(slave)
    screen = bytearray()

    def read_for(seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    screen.extend(os.read(master, 65536))
                except OSError:
                    return

    try:
        read_for(1.0)
        for keys in keystrokes:
            os.write(master, keys.encode())
            read_for(1.5)
        deadline = time.monotonic() + timeout
        while until.encode() not in screen and time.monotonic() < deadline:
            read_for(0.5)
    finally:
        process.kill()
        process.wait()
        os.close(master)
    return screen.decode(errors="replace")
