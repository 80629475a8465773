"""Python callables as the run's callbacks, and the choice between them and Lua scripts.

`FunctionCallbacks(filter=..., on_event=..., preprocess=...)` takes plain functions or coroutine functions
with the contract of the callbacks port (application/ports/callbacks.py). A plain function runs on the event
loop, so it should be quick; anything slow belongs in a coroutine function.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from s3syncpy.application.ports.callbacks import (
    FilterObject,
    SourceField,
    SyncCallbacks,
    SyncEvent,
    UploadMetadata,
)

T = TypeVar("T")

FilterFunction = Callable[[FilterObject], bool | Awaitable[bool]]
EventFunction = Callable[[SyncEvent], None | Awaitable[None]]
PreprocessResult = tuple[bool, UploadMetadata]
PreprocessFunction = Callable[
    [str, Mapping[str, SourceField], UploadMetadata], PreprocessResult | Awaitable[PreprocessResult]
]


class FunctionCallbacks(SyncCallbacks):
    """The callbacks port served by Python callables (sync or async); the ones not given are absent.

    Args:
        filter: `filter(obj: FilterObject) -> bool`: False skips the object; an exception fails the run (exit 1).
        on_event: `on_event(event: SyncEvent) -> None`: every event in order; an exception is logged and ignored.
        preprocess: `preprocess(key, source, upload) -> (proceed, UploadMetadata)`: for each write to an S3
            target (not in dry-run); `key` is the full target key, `source` the source object's fields,
            `upload` the metadata the write would carry. (False, ...) skips the object; a None field of the
            returned metadata clears that attribute; an exception fails the object (exit 1).
    """

    def __init__(
        self,
        *,
        filter: FilterFunction | None = None,
        on_event: EventFunction | None = None,
        preprocess: PreprocessFunction | None = None,
    ) -> None:
        self._filter = filter
        self._on_event = on_event
        self._preprocess = preprocess
        self.has_filter = filter is not None
        self.has_event = on_event is not None
        self.has_preprocess = preprocess is not None

    async def filter(self, obj: FilterObject) -> bool:
        """The filter function's answer (True when there is none)."""
        if self._filter is None:
            return True
        return bool(await _settled(self._filter(obj)))

    async def on_event(self, event: SyncEvent) -> None:
        """Hand the event to the event function."""
        if self._on_event is not None:
            await _settled(self._on_event(event))

    async def preprocess(
        self, key: str, source: Mapping[str, SourceField], upload: UploadMetadata
    ) -> tuple[bool, UploadMetadata]:
        """The preprocess function's (proceed, metadata)."""
        if self._preprocess is None:
            return True, upload
        result = await _settled(self._preprocess(key, source, upload))
        if not (isinstance(result, tuple) and len(result) == 2):
            raise TypeError("the preprocess callback must return a tuple (proceed, UploadMetadata)")
        return bool(result[0]), result[1]


async def _settled(value: T | Awaitable[T]) -> T:
    if inspect.isawaitable(value):
        return await value
    return value


class ChosenCallbacks(SyncCallbacks):
    """Per callback, the first of `choices` that has it: the library's Python callbacks before Lua scripts, as
    the reference lets its user-defined callbacks replace the Lua ones."""

    def __init__(self, *choices: SyncCallbacks) -> None:
        self._choices = choices
        self._filter = next((c for c in choices if c.has_filter), None)
        self._event = next((c for c in choices if c.has_event), None)
        self._preprocess = next((c for c in choices if c.has_preprocess), None)
        self.has_filter = self._filter is not None
        self.has_event = self._event is not None
        self.has_preprocess = self._preprocess is not None

    async def filter(self, obj: FilterObject) -> bool:
        """The chosen filter."""
        return True if self._filter is None else await self._filter.filter(obj)

    async def on_event(self, event: SyncEvent) -> None:
        """The chosen event handler."""
        if self._event is not None:
            await self._event.on_event(event)

    async def preprocess(
        self, key: str, source: Mapping[str, SourceField], upload: UploadMetadata
    ) -> tuple[bool, UploadMetadata]:
        """The chosen preprocess callback."""
        if self._preprocess is None:
            return True, upload
        return await self._preprocess.preprocess(key, source, upload)

    async def aclose(self) -> None:
        """Close every choice."""
        for choice in self._choices:
            await choice.aclose()
