"""LuaVM: one Lua 5.4 state (lupa) running one callback script, on a thread of its own.

A Lua state is not thread-safe, and the reference serialises each callback's calls behind a lock: here every
call of a VM runs on that VM's own thread, one after the other, which also keeps the event loop free while a
script runs (lupa releases the GIL inside Lua).

Limits: lupa's `max_memory` makes an allocation beyond the limit a Lua memory error. The time limit is the
instruction hook of the sandbox (see sandbox.py); a script stuck inside one C function (a pathological
string.find) never reaches the hook, so the caller also stops waiting shortly after the deadline and the VM is
then out of service. Its thread is a daemon, so a stuck script never keeps the process from exiting.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from lupa import lua54

from s3syncpy.adapters.lua.sandbox import SANDBOX_SETUP
from s3syncpy.application.settings.scripting import LuaMode

T = TypeVar("T")

# How long past the deadline the caller still waits for the hook to stop the script.
_WATCHDOG_GRACE_SECONDS = 2.0

_Job = tuple[Callable[[], Any], concurrent.futures.Future[Any]]


class LuaCallbackError(Exception):
    """A Lua callback failed: a runtime error, the memory limit, the time limit, a missing entry point."""


class LuaVM:
    """One sandboxed Lua state and the thread that runs it."""

    def __init__(self, name: str, mode: LuaMode, *, memory_limit: int, timeout_milliseconds: int) -> None:
        """Args:
            name: what the thread and messages call this VM (the script's option).
            mode: the sandbox mode.
            memory_limit: bytes the state may allocate (0: no limit).
            timeout_milliseconds: how long one invocation may run (0: no limit).
        """
        self.name = name
        self._timeout = timeout_milliseconds / 1000
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._stuck = False
        self._thread = threading.Thread(target=self._serve, name=f"lua {name}", daemon=True)
        self._thread.start()
        self._runtime: lua54.LuaRuntime | None = None
        self._api: Any = None
        self._timeout_message = f"Lua callback timed out after {timeout_milliseconds}ms"
        try:
            self.run_blocking(lambda: self._create(mode, memory_limit))
        except LuaCallbackError:
            self.close()
            raise

    @property
    def runtime(self) -> lua54.LuaRuntime:
        """The lupa runtime (use only inside a job run by this VM)."""
        assert self._runtime is not None
        return self._runtime

    @property
    def api(self) -> Any:
        """The sandbox's entry points (load, filter, on_event, preprocess), for jobs run by this VM."""
        return self._api

    def _create(self, mode: LuaMode, memory_limit: int) -> None:
        runtime = lua54.LuaRuntime(
            register_eval=False,
            register_builtins=False,
            unpack_returned_tuples=False,
            # No Python object is ever handed to the script; should one leak, none of its attributes is readable.
            attribute_handlers=(_refuse_get, _refuse_set),
            max_memory=memory_limit or None,
        )
        self._runtime = runtime
        self._api = runtime.execute(
            SANDBOX_SETUP, mode.value, time.monotonic, self._timeout, self._timeout_message, name="=sandbox"
        )

    def load(self, source: bytes, chunk_name: str) -> None:
        """Compile and run the script's main chunk (defining its functions).

        Raises:
            LuaCallbackError: a syntax error, an error while running, a limit reached.
        """
        self.run_blocking(lambda: self._api.load(source, chunk_name))

    def run_blocking(self, job: Callable[[], T]) -> T:
        """Run `job` on the VM's thread and wait for it (bounded by the time limit).

        Raises:
            LuaCallbackError: the job raised a Lua error, or it ran past the time limit.
        """
        return self._submit(job).result() if not self._timeout else self._wait_sync(self._submit(job))

    async def run(self, job: Callable[[], T]) -> T:
        """Run `job` on the VM's thread, serialised with every other call of this VM.

        Raises:
            LuaCallbackError: the job raised a Lua error, or it ran past the time limit.
        """
        future = asyncio.wrap_future(self._submit(job))
        if not self._timeout:
            return await future
        abandoned = False

        def abandon() -> None:
            nonlocal abandoned
            abandoned = self._stuck = True
            future.cancel()

        watchdog = asyncio.get_running_loop().call_later(self._timeout + _WATCHDOG_GRACE_SECONDS, abandon)
        try:
            return await future
        except asyncio.CancelledError:
            if abandoned:
                raise LuaCallbackError(self._timeout_message) from None
            raise
        finally:
            watchdog.cancel()

    def _wait_sync(self, future: concurrent.futures.Future[T]) -> T:
        try:
            return future.result(timeout=self._timeout + _WATCHDOG_GRACE_SECONDS)
        except concurrent.futures.TimeoutError:
            self._stuck = True
            raise LuaCallbackError(self._timeout_message) from None

    def _submit(self, job: Callable[[], T]) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        if self._stuck:
            future.set_exception(LuaCallbackError(f"{self._timeout_message}; the Lua VM is still running it"))
        else:
            self._jobs.put((job, future))
        return future

    def _serve(self) -> None:
        while (item := self._jobs.get()) is not None:
            job, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except lua54.LuaError as exc:
                future.set_exception(LuaCallbackError(_message(exc)))
            except Exception as exc:  # noqa: BLE001 - a conversion error in a job is that callback's failure
                future.set_exception(LuaCallbackError(f"{type(exc).__name__}: {exc}"))

    def close(self) -> None:
        """Stop the thread once its queued calls are done (a stuck one is left to the process exit)."""
        self._jobs.put(None)


def _message(exc: BaseException) -> str:
    """One line: lupa appends Lua's stack traceback, which names only our sandbox's frames."""
    if isinstance(exc, lua54.LuaMemoryError):
        return "Lua memory limit exceeded (not enough memory)"
    text = str(exc).split("stack traceback:", 1)[0]
    return " ".join(text.split()) or type(exc).__name__


def _refuse_get(obj: object, name: object) -> object:
    raise AttributeError("access to Python objects is not allowed from Lua")


def _refuse_set(obj: object, name: object, value: object) -> None:
    raise AttributeError("access to Python objects is not allowed from Lua")
