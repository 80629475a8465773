"""How one object's bytes travel in this run's direction; the composition root picks one strategy per run.

    direction      strategy                      reads                          writes, then checks
    local -> S3    UploadFromFiles               the file (its size re-read)    PutObject / multipart, ETag and
                                                                                checksum of the bytes sent
    S3 -> local    DownloadToFiles               GET (ranged), source layout    temp file, validated before rename
    S3 -> S3       StreamCopy                    GET (ranged), source layout    PutObject / multipart, ETag and
                                                                                checksum against the source's
    S3 -> S3       ServerSideCopy                HEAD only                      CopyObject / UploadPartCopy inside
                   (--server-side-copy)                                         S3, ETag and checksum as above
"""

from __future__ import annotations

from collections.abc import Callable

from s3syncpy.application.ports.storage import ObjectStorage, StorageFeatures
from s3syncpy.application.run.run_context import RunContext
from s3syncpy.application.settings.config import ObjectSettings
from s3syncpy.application.transfer.strategies.base import TransferStrategy
from s3syncpy.application.transfer.strategies.download import DownloadToFiles
from s3syncpy.application.transfer.strategies.server_side_copy import ServerSideCopy
from s3syncpy.application.transfer.strategies.stream_copy import StreamCopy
from s3syncpy.application.transfer.strategies.to_s3 import UploadFromFiles
from s3syncpy.domain.direction import Direction

StrategyFactory = Callable[[ObjectSettings, ObjectStorage, ObjectStorage, RunContext], TransferStrategy]

STRATEGY_BY_DIRECTION: dict[Direction, StrategyFactory] = {
    Direction.LOCAL_TO_S3: UploadFromFiles,
    Direction.S3_TO_LOCAL: DownloadToFiles,
    Direction.S3_TO_S3: StreamCopy,
}


def choose_strategy(
    direction: Direction, server_side_copy: bool, source: StorageFeatures, target: StorageFeatures
) -> StrategyFactory:
    """The run's strategy: ServerSideCopy when asked for and both storages can do it, else the direction's."""
    if server_side_copy and source.supports_server_side_copy and target.supports_server_side_copy:
        return ServerSideCopy
    return STRATEGY_BY_DIRECTION[direction]
