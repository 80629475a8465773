"""main.exit_process: the console script's exit keeps the exit code, the output and the exit handlers.

Each case runs in a child interpreter, since the function ends the process it runs in.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def _teardown_witness(marker: Path) -> str:
    """Code that leaves an object whose finaliser, run by the interpreter's teardown only, creates `marker`."""
    return textwrap.dedent(
        f"""
        import os
        class Witness:
            # Bound as defaults: a teardown may already have cleared the module globals and builtins.
            def __del__(self, open_=os.open, close=os.close, flags=os.O_CREAT | os.O_WRONLY):
                close(open_({str(marker)!r}, flags))
        witness = Witness()
        """
    )


def _child(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60, check=False
    )


def test_exit_code_buffered_output_and_exit_handlers_survive() -> None:
    result = _child(
        """
        import atexit, sys
        from s3syncpy.cli.main import exit_process
        atexit.register(lambda: print("handler ran"))
        sys.stdout.write("buffered line\\n")
        sys.stderr.write("to stderr")
        exit_process(3)
        print("not reached")
        """
    )
    assert result.returncode == 3
    assert result.stdout == "buffered line\nhandler ran\n"
    assert result.stderr == "to stderr"


def test_teardown_is_skipped_when_nothing_is_left(tmp_path: Path) -> None:
    # An object's finaliser runs in the interpreter's teardown only: its file proves which exit was taken.
    marker = tmp_path / "teardown"
    result = _child(_teardown_witness(marker) + "from s3syncpy.cli.main import exit_process\nexit_process(0)\n")
    assert result.returncode == 0, result.stderr
    assert not marker.exists()


def test_a_live_thread_is_waited_for(tmp_path: Path) -> None:
    marker = tmp_path / "thread-finished"
    result = _child(
        f"""
        import threading, time
        from s3syncpy.cli.main import exit_process
        def work():
            time.sleep(0.3)
            open({str(marker)!r}, "w").close()
        threading.Thread(target=work).start()
        exit_process(1)
        """
    )
    assert result.returncode == 1, result.stderr
    assert marker.exists()


def test_the_ordinary_exit_is_kept_once_lua_is_loaded(tmp_path: Path) -> None:
    marker = tmp_path / "teardown"
    result = _child(
        _teardown_witness(marker) + "import lupa\nfrom s3syncpy.cli.main import exit_process\nexit_process(0)\n"
    )
    assert result.returncode == 0, result.stderr
    assert marker.exists()
