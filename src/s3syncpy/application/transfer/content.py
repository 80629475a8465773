"""Small ObjectContent implementations the application needs itself."""

from __future__ import annotations

from collections.abc import AsyncIterator

from s3syncpy.application.ports.storage import ObjectContent
from s3syncpy.domain.model import ObjectDetails, ObjectInfo


class EmptyContent(ObjectContent):
    """Zero bytes: the body of a directory marker, which needs no GET of the source."""

    def __init__(self, info: ObjectInfo) -> None:
        self.details = ObjectDetails(info=info)

    async def read_range(self, offset: int, length: int) -> bytes:
        if length:
            raise ValueError("EmptyContent holds no bytes")
        return b""

    async def stream(self, offset: int, length: int) -> AsyncIterator[bytes]:
        if length:
            raise ValueError("EmptyContent holds no bytes")
        return
        yield b""  # pragma: no cover - makes this an async generator

    async def aclose(self) -> None:
        return None
