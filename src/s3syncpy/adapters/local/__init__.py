"""The local filesystem as an ObjectStorage: LocalObjectStorage (storage.py) and its parts.

walk.py (listing in worker threads), content.py (reads, Content-Type), atomic.py (temp file + rename writes),
hashing.py (listing ETags, digests of written files), paths.py (key -> path, traversal guard, OS error mapping).
"""

from s3syncpy.adapters.local.storage import LocalObjectStorage

__all__ = ["LocalObjectStorage"]
