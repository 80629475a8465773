"""Run a command on a pseudo-terminal of a given size and keep what its screen showed over time (pyte renders it)."""

from __future__ import annotations

import os
import select
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tests.support.interactive_shell import set_window_size


@dataclass(frozen=True)
class Frame:
    """The screen `at` seconds after the command started, once it had written `written` bytes: its rows, trailing
    blanks removed."""

    at: float
    written: int
    rows: tuple[str, ...]


@dataclass(frozen=True)
class TerminalRun:
    """A finished command: its exit code, the screen after every read, and everything it wrote."""

    returncode: int
    frames: list[Frame]
    output: bytes

    @property
    def raw(self) -> str:
        """Everything the command wrote, decoded."""
        return self.output.decode(errors="replace")

    def rows_containing(self, text: str, *, before: int | None = None) -> list[tuple[float, str]]:
        """Every (time, row) of every frame whose row contains `text`, in order; with `before`, only the frames
        drawn before the command had written that many bytes."""
        return [
            (frame.at, row)
            for frame in self.frames
            if before is None or frame.written <= before
            for row in frame.rows
            if text in row
        ]


def run_on_terminal(
    argv: Sequence[str], env: Mapping[str, str], *, columns: int, rows: int = 40, timeout: float = 120.0
) -> TerminalRun:
    """Run `argv` with stdin, stdout and stderr on a pty of `columns` x `rows`, as a person's terminal would be.

    Every chunk of output is fed to a pyte screen of the same size; a frame is kept after each chunk.
    """
    import pty

    import pyte

    screen = pyte.Screen(columns, rows)
    stream = pyte.ByteStream(screen)
    master, slave = pty.openpty()
    set_window_size(slave, columns, rows)
    started = time.monotonic()
    process = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, env=dict(env), close_fds=True)
    os.close(slave)
    frames: list[Frame] = []
    raw = bytearray()
    deadline = started + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the pty (Linux reports EIO)
                break
            if not chunk:
                break
            raw.extend(chunk)
            stream.feed(chunk)
            frames.append(Frame(time.monotonic() - started, len(raw), tuple(row.rstrip() for row in screen.display)))
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        os.close(master)
    return TerminalRun(process.returncode, frames, bytes(raw))
