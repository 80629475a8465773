"""The cross-run cache of botocore's parsed data files: same data, served from the cache, never stale or fatal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import botocore.loaders
import pytest

from s3syncpy.adapters.s3.model_cache import (
    CACHE_DIR_ENV,
    CachingJSONFileLoader,
    create_caching_loader,
    default_cache_dir,
)


def _load_s3_model(loader: Any) -> Any:
    return loader.load_service_model("s3", "service-2")


def test_cached_data_equals_botocore_data(tmp_path: Path) -> None:
    expected = _load_s3_model(botocore.loaders.create_loader())
    first = _load_s3_model(create_caching_loader(tmp_path))
    assert first == expected
    assert list(tmp_path.glob("*.marshal"))
    second = _load_s3_model(create_caching_loader(tmp_path))
    assert second == expected
    assert list(second["operations"]) == list(expected["operations"])  # order kept


def test_second_loader_reads_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    create_caching_loader(tmp_path).load_data("endpoints")

    def parse_again(*_: Any) -> Any:
        raise AssertionError("the file was parsed although a cache entry exists")

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "_load_file", parse_again)
    assert "partitions" in create_caching_loader(tmp_path).load_data("endpoints")


def test_corrupt_entry_falls_back_to_parsing(tmp_path: Path) -> None:
    create_caching_loader(tmp_path).load_data("endpoints")
    for entry in tmp_path.glob("*.marshal"):
        entry.write_bytes(b"not marshal data")
    assert "partitions" in create_caching_loader(tmp_path).load_data("endpoints")
    assert "partitions" in create_caching_loader(tmp_path).load_data("endpoints")


def test_unwritable_cache_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert "partitions" in create_caching_loader(blocker / "cache").load_data("endpoints")


def test_disabled_cache_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() is None
    loader = create_caching_loader()
    assert isinstance(loader.file_loader, CachingJSONFileLoader)
    loader.load_data("endpoints")
    assert not any(tmp_path.rglob("*.marshal"))


def test_default_cache_dir_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "s3syncpy"


def test_service_list_is_cached_and_equal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = botocore.loaders.create_loader().list_available_services("service-2")
    assert create_caching_loader(tmp_path).list_available_services("service-2") == expected

    def scan_again(*_: Any) -> Any:
        raise AssertionError("the service directories were listed although a cache entry exists")

    monkeypatch.setattr(botocore.loaders.Loader, "list_available_services", scan_again)
    assert create_caching_loader(tmp_path).list_available_services("service-2") == expected
