"""A cross-run cache of botocore's parsed data files (service model, endpoint rules, endpoints).

Public API:
    CACHE_DIR_ENV = "S3SYNCPY_CACHE_DIR"     the cache folder; an empty value disables the cache
    default_cache_dir() -> Path | None        $S3SYNCPY_CACHE_DIR, else $XDG_CACHE_HOME/s3syncpy, else ~/.cache/s3syncpy
    CachingJSONFileLoader(cache_dir)          botocore's JSONFileLoader, reading parsed files from the cache
    create_caching_loader(cache_dir=...) -> botocore.loaders.Loader

Why: every run parses the same files before its first request: endpoints.json (1.2 MB) and the gzipped S3 model
and endpoint rules, with botocore's OrderedDict hook, ~80-130 ms of CPU per process on this machine (more under
load). The parsed structures, stored with marshal (the format of .pyc files), load in about a sixth of that.

Entries are keyed by the source file's path, size and mtime, botocore's version and the Python version, so an
upgrade or a changed file is never served stale. The folder is created private (0700) and is the user's own,
like __pycache__; any error (read-only home, corrupt entry) falls back to parsing the file as botocore does.
Plain dicts replace OrderedDicts: dicts keep insertion order, which is all botocore relies on.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import botocore  # type: ignore[import-untyped]
import botocore.loaders  # type: ignore[import-untyped]

CACHE_DIR_ENV = "S3SYNCPY_CACHE_DIR"
_FORMAT = "botocore-data-v1"


def default_cache_dir() -> Path | None:
    """The cache folder from the environment, or None when S3SYNCPY_CACHE_DIR is set to an empty value."""
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured is not None:
        return Path(configured) if configured.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "s3syncpy"


def _plain(value: Any) -> Any:
    """The same data with OrderedDicts as dicts (marshal stores only built-in types)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


class CachingJSONFileLoader(botocore.loaders.JSONFileLoader):  # type: ignore[misc]
    """botocore's JSON file loader with a marshal cache of each parsed file (see the module docstring)."""

    def __init__(self, cache_dir: Path | None) -> None:
        """Use `cache_dir` (created on first write); None disables the cache."""
        self._cache_dir = cache_dir

    def _entry(self, full_path: str) -> Path | None:
        if self._cache_dir is None:
            return None
        try:
            stat = os.stat(full_path)
        except OSError:
            return None
        identity = "\0".join(
            (_FORMAT, full_path, str(stat.st_size), str(stat.st_mtime_ns), botocore.__version__, sys.version)
        )
        return self._cache_dir / (hashlib.sha256(identity.encode()).hexdigest()[:40] + ".marshal")

    def _load_file(self, full_path: str, open_method: Callable[..., Any]) -> Any:
        entry = self._entry(full_path)
        if entry is not None:
            try:
                cached = marshal.loads(entry.read_bytes())
            except (OSError, EOFError, ValueError, TypeError):
                cached = None
            if isinstance(cached, dict):
                return cached
        data = super()._load_file(full_path, open_method)
        if data is not None and entry is not None:
            data = _plain(data)
            self._store(entry, data)
        return data

    @staticmethod
    def _store(entry: Path, data: Any) -> None:
        try:
            entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Written aside and renamed, so a concurrent run never reads half an entry.
            fd, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".marshal")
            try:
                with os.fdopen(fd, "wb") as stream:
                    marshal.dump(data, stream)
                os.replace(temporary, entry)
            except BaseException:
                os.unlink(temporary)
                raise
        except (OSError, ValueError):
            pass  # a cache that cannot be written only costs the parse next time


def create_caching_loader(cache_dir: Path | None = None, *, use_default: bool = True) -> Any:
    """A botocore Loader whose data files go through CachingJSONFileLoader.

    Args:
        cache_dir: the cache folder.
        use_default: with cache_dir None, use default_cache_dir() (False: no cache at all).

    Returns:
        A botocore.loaders.Loader (search paths as botocore's create_loader() gives them).
    """
    folder = cache_dir if cache_dir is not None or not use_default else default_cache_dir()
    return botocore.loaders.Loader(file_loader=CachingJSONFileLoader(folder))
