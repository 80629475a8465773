"""The project's declared metadata: license, direct dependencies with bounds, classifiers and URLs."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _requirements() -> dict[str, Requirement]:
    parsed = (Requirement(text) for text in PROJECT["dependencies"])
    return {requirement.name: requirement for requirement in parsed}


def test_the_license_file_is_apache_2_and_declared() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert PROJECT["license"] == "Apache-2.0"
    assert PROJECT["license-files"] == ["LICENSE"]


def test_directly_imported_libraries_are_declared() -> None:
    # adapters/s3/lean signs aiohttp requests itself and reads botocore's model and utilities.
    assert {"aiohttp", "botocore", "aiobotocore"} <= set(_requirements())


def test_botocore_internals_are_bounded_to_the_tested_releases() -> None:
    requirements = _requirements()
    for name in ("aiobotocore", "botocore"):
        specifier = requirements[name].specifier
        assert any(spec.operator == "<" for spec in specifier), f"{name} has no upper bound"
        installed = Version(importlib.metadata.version(name))
        assert specifier.contains(installed), f"the tested {name} {installed} is outside {specifier}"


def test_classifiers_and_project_urls() -> None:
    classifiers = set(PROJECT["classifiers"])
    assert "License :: OSI Approved :: Apache Software License" not in classifiers  # the license expression says it
    assert {"Programming Language :: Python :: 3.11", "Programming Language :: Python :: 3.13",
            "Typing :: Typed", "Environment :: Console"} <= classifiers
    urls = PROJECT["urls"]
    assert "Homepage" in urls
    assert urls["Reference tool (s3sync)"] == "https://github.com/nidor1998/s3sync"
    assert all(url.startswith("https://") for url in urls.values())


def test_the_type_information_ships_in_the_wheel() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert {"py.typed", "__init__.pyi"} <= set(data["package-data"]["s3syncpy"])
