"""A cross-run cache of botocore's parsed data files (service model, endpoint rules, endpoints).

Public API:
    CACHE_DIR_ENV = "S3SYNCPY_CACHE_DIR"     the cache folder; an empty value disables the cache
    default_cache_dir() -> Path | None        $S3SYNCPY_CACHE_DIR, else $XDG_CACHE_HOME/s3syncpy, else ~/.cache/s3syncpy
    CachingJSONFileLoader(cache_dir)          botocore's JSONFileLoader, reading parsed files from the cache
    CachingLoader(file_loader=...)            botocore's Loader, with its list of available services cached too
    create_caching_loader(cache_dir=...) -> CachingLoader

Why: every run parses the same files before its first request, endpoints.json (1.2 MB) and the gzipped S3 model
and endpoint rules, with botocore's OrderedDict hook: ~80-130 ms of CPU per process on this machine (more under
load). The parsed structures, stored with marshal (the format of .pyc files), load in about a sixth of that.
botocore also lists every service directory to check that S3 exists (~2,600 stat/listdir calls, costly where
system calls are slow); that list is cached as well.

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


class _MarshalStore:
    """Cache entries named by a hash of everything their content depends on."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.cache_dir = cache_dir

    def entry(self, *identity: str) -> Path | None:
        """The entry for `identity` (with the format, botocore and Python versions added), None when disabled."""
        if self.cache_dir is None:
            return None
        text = "\0".join((_FORMAT, botocore.__version__, sys.version, *identity))
        return self.cache_dir / (hashlib.sha256(text.encode()).hexdigest()[:40] + ".marshal")

    @staticmethod
    def read(entry: Path, kind: type) -> Any:
        """The entry's data if it is readable and of `kind`, else None."""
        try:
            data = marshal.loads(entry.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return None
        return data if isinstance(data, kind) else None

    @staticmethod
    def write(entry: Path, data: Any) -> None:
        """Store `data` (built-in types only); errors are ignored."""
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


class CachingJSONFileLoader(botocore.loaders.JSONFileLoader):  # type: ignore[misc]
    """botocore's JSON file loader with a marshal cache of each parsed file (see the module docstring)."""

    def __init__(self, cache_dir: Path | None) -> None:
        """Use `cache_dir` (created on first write); None disables the cache."""
        self.store = _MarshalStore(cache_dir)

    def _load_file(self, full_path: str, open_method: Callable[..., Any]) -> Any:
        entry = None
        if self.store.cache_dir is not None:
            try:
                stat = os.stat(full_path)
            except OSError:
                return None  # botocore's _load_file also answers None for a missing file
            entry = self.store.entry("file", full_path, str(stat.st_size), str(stat.st_mtime_ns))
        if entry is not None:
            cached = self.store.read(entry, dict)
            if cached is not None:
                return cached
        data = super()._load_file(full_path, open_method)
        if data is not None and entry is not None:
            data = _plain(data)
            self.store.write(entry, data)
        return data


class CachingLoader(botocore.loaders.Loader):  # type: ignore[misc]
    """botocore's Loader whose list of available services is cached across runs too.

    Why: botocore lists every service directory (~430 of them, ~2,600 stat/listdir calls) each time it loads a
    model, only to check that the service exists; system calls are expensive in sandboxes. The entry is keyed by
    the search paths' mtimes, which change when a service directory is added or removed.
    """

    @botocore.loaders.instance_cache  # type: ignore[untyped-decorator]
    def list_available_services(self, type_name: str) -> list[str]:
        """botocore's list of services having a `type_name` file, from the cache when it is fresh."""
        store = self.file_loader.store if isinstance(self.file_loader, CachingJSONFileLoader) else None
        entry = None
        if store is not None:
            try:
                stamps = [f"{path}={os.stat(path).st_mtime_ns}" for path in self._potential_locations()]
            except OSError:
                stamps = None
            if stamps is not None:
                entry = store.entry("services", type_name, *stamps)
        if entry is not None:
            cached: list[str] | None = _MarshalStore.read(entry, list)
            if cached is not None:
                return cached
        services: list[str] = super().list_available_services(type_name)
        if entry is not None:
            _MarshalStore.write(entry, list(services))
        return services


def create_caching_loader(cache_dir: Path | None = None, *, use_default: bool = True) -> Any:
    """A botocore Loader whose data files go through CachingJSONFileLoader.

    Args:
        cache_dir: the cache folder.
        use_default: with cache_dir None, use default_cache_dir() (False: no cache at all).

    Returns:
        A botocore.loaders.Loader (search paths as botocore's create_loader() gives them).
    """
    folder = cache_dir if cache_dir is not None or not use_default else default_cache_dir()
    return CachingLoader(file_loader=CachingJSONFileLoader(folder))
