"""Filter steps 9-14: the reference's reading of missing values, and the serialisation the regexes see."""

from __future__ import annotations

import pytest
import regex

from s3syncpy.domain.content_filters import ContentFilterSettings, rejecting_header_step, rejecting_tag_step
from s3syncpy.domain.tagging import format_metadata, format_tags

ANY = regex.compile(".*")
NOTHING = regex.compile("^$never")

# (id, settings, content type, metadata, rejecting option or None)
HEADER_CASES = [
    ("no step", ContentFilterSettings(), None, {}, None),
    ("include content type: missing excludes", ContentFilterSettings(include_content_type_regex=ANY), None, {},
     "--filter-include-content-type-regex"),
    ("include content type: match keeps", ContentFilterSettings(include_content_type_regex=regex.compile("^text/")),
     "text/plain", {}, None),
    ("include content type: no match excludes",
     ContentFilterSettings(include_content_type_regex=regex.compile("^text/")), "image/png", {},
     "--filter-include-content-type-regex"),
    ("exclude content type: missing keeps", ContentFilterSettings(exclude_content_type_regex=ANY), None, {}, None),
    ("exclude content type: match excludes", ContentFilterSettings(exclude_content_type_regex=regex.compile("png")),
     "image/png", {}, "--filter-exclude-content-type-regex"),
    ("include metadata: missing excludes", ContentFilterSettings(include_metadata_regex=ANY), "x", {},
     "--filter-include-metadata-regex"),
    ("include metadata: match on the serialised form",
     ContentFilterSettings(include_metadata_regex=regex.compile("^a=1,b=x%20y$")), "x", {"b": "x y", "a": "1"}, None),
    ("exclude metadata: missing keeps", ContentFilterSettings(exclude_metadata_regex=ANY), "x", {}, None),
    ("exclude metadata: match excludes", ContentFilterSettings(exclude_metadata_regex=regex.compile("a=1")), "x",
     {"a": "1"}, "--filter-exclude-metadata-regex"),
    ("content type decides before metadata",
     ContentFilterSettings(include_content_type_regex=NOTHING, include_metadata_regex=NOTHING), "x", {"a": "1"},
     "--filter-include-content-type-regex"),
    ("unanchored search", ContentFilterSettings(include_content_type_regex=regex.compile("plain")), "text/plain",
     {}, None),
]


@pytest.mark.parametrize(("settings", "content_type", "metadata", "rejected"), [c[1:] for c in HEADER_CASES],
                         ids=[c[0] for c in HEADER_CASES])
def test_header_steps(settings: ContentFilterSettings, content_type: str | None, metadata: dict[str, str],
                      rejected: str | None) -> None:
    assert rejecting_header_step(settings, content_type, metadata) == rejected


TAG_CASES = [
    ("include: no tags excludes", ContentFilterSettings(include_tag_regex=ANY), None, "--filter-include-tag-regex"),
    ("include: an empty tag set is matched", ContentFilterSettings(include_tag_regex=regex.compile("^$")), {}, None),
    ("include: lookaround", ContentFilterSettings(include_tag_regex=regex.compile("^(?!.*&test=true).*stage=first")),
     {"test": "x", "stage": "first_stage"}, None),
    ("include: lookaround rejects", ContentFilterSettings(include_tag_regex=regex.compile(
        "^(?!.*&test=true).*stage=first")), {"test": "true", "stage": "first_stage"}, "--filter-include-tag-regex"),
    ("exclude: no tags keeps", ContentFilterSettings(exclude_tag_regex=ANY), None, None),
    ("exclude: match excludes", ContentFilterSettings(exclude_tag_regex=regex.compile("k=v")), {"k": "v"},
     "--filter-exclude-tag-regex"),
]


@pytest.mark.parametrize(("settings", "tags", "rejected"), [c[1:] for c in TAG_CASES], ids=[c[0] for c in TAG_CASES])
def test_tag_steps(settings: ContentFilterSettings, tags: dict[str, str] | None, rejected: str | None) -> None:
    assert rejecting_tag_step(settings, tags) == rejected


SERIALISATION = [
    ("metadata: keys sorted, values encoded, comma-joined", format_metadata,
     {"key2": "value x", "key1": "value1"}, "key1=value1,key2=value%20x"),
    ("metadata: unreserved characters stay", format_metadata, {"k": "a-b_c.d~e"}, "k=a-b_c.d~e"),
    ("metadata: utf-8 and reserved characters", format_metadata, {"k": "é/&=,"}, "k=%C3%A9%2F%26%3D%2C"),
    ("tags: keys sorted, both sides encoded, &-joined", format_tags, {"test": "x", "stage": "first_stage"},
     "stage=first_stage&test=x"),
    ("tags: encoded keys", format_tags, {"a b": "c+d"}, "a%20b=c%2Bd"),
    ("tags: byte order of keys", format_tags, {"b": "1", "B": "2", "a": "3"}, "B=2&a=3&b=1"),
]


@pytest.mark.parametrize(("format_", "values", "text"), [c[1:] for c in SERIALISATION],
                         ids=[c[0] for c in SERIALISATION])
def test_serialisation(format_: object, values: dict[str, str], text: str) -> None:
    assert format_(values) == text  # type: ignore[operator]


def test_only_metadata_and_tag_steps_need_an_s3_source() -> None:
    settings = ContentFilterSettings(include_content_type_regex=ANY, exclude_tag_regex=ANY)
    names = [name for name, pattern in settings.source_s3_only() if pattern is not None]
    assert names == ["--filter-exclude-tag-regex"]
