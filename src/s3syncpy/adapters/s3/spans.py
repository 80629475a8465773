"""Span events of S3 requests (--span-events-tracing): "new" when a request starts, "close" when it ends.

The reference gets these from the AWS SDK's own spans (tracing's FmtSpan::NEW | CLOSE). Ours wrap every S3 request
the adapter makes, at DEBUG like the SDK's `invoke` spans, with the operation, the object and the time it took.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from s3syncpy.application.run.tracing import SPAN_LOGGER_NAME

span_logger = logging.getLogger(SPAN_LOGGER_NAME)


@contextmanager
def operation_span(operation: str, where: Callable[[str | None], str], key: str | None) -> Iterator[None]:
    """Log the span events of one S3 operation on `key`, when span events are enabled.

    Args:
        operation: the S3 operation name (HeadObject, PutObject, ...).
        where: turns the key into its s3:// URL (only called when the events are logged).
        key: the object's key relative to the storage root (None for the prefix itself: a listing).
    """
    if not span_logger.isEnabledFor(logging.DEBUG):
        yield
        return
    fields = {"span": "invoke", "rpc.service": "s3", "rpc.method": operation, "object": where(key)}
    span_logger.debug("new", extra={"fields": fields})
    started = time.perf_counter()
    try:
        yield
    finally:
        busy_ms = (time.perf_counter() - started) * 1000
        span_logger.debug("close", extra={"fields": {**fields, "time.busy": f"{busy_ms:.2f}ms"}})
