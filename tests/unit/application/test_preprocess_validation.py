"""What a preprocess callback may return: every value that becomes a header must be one an HTTP request can carry.

One row per field and per kind of bad value; each must fail the object with a PreprocessError (never reach the
HTTP client, which refuses it with a ValueError the run would report as an internal error).
"""

from __future__ import annotations

from typing import Any

import pytest

from s3syncpy.application.ports.callbacks import UploadMetadata
from s3syncpy.application.run.preprocess import PreprocessError, validate_upload_metadata

HEADER_FIELDS = ("cache_control", "content_disposition", "content_encoding", "content_language", "content_type",
                 "website_redirect_location", "tagging")


@pytest.mark.parametrize("name", HEADER_FIELDS)
@pytest.mark.parametrize("bad", ["a\r\nX-Injected: 1", "a\n", "a\x00", "\x1b[31m"], ids=["crlf", "lf", "nul", "esc"])
def test_a_control_character_in_a_header_field_fails(name: str, bad: str) -> None:
    with pytest.raises(PreprocessError, match=rf"^preprocess callback error: invalid {name}: control character U\+"):
        validate_upload_metadata(UploadMetadata(**{name: bad}))


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        pytest.param({"note": "line1\r\nX-Injected: 1"}, r"invalid metadata 'note': control character U\+000D",
                     id="value-crlf"),
        pytest.param({"bad\nname": "v"}, r"invalid metadata name 'bad\\nname'", id="name-lf"),
        pytest.param({"two words": "v"}, r"invalid metadata name 'two words'", id="name-space"),
        pytest.param({"a:b": "v"}, r"invalid metadata name 'a:b'", id="name-colon"),
    ],
)
def test_a_bad_metadata_entry_fails(metadata: dict[str, str], message: str) -> None:
    with pytest.raises(PreprocessError, match=rf"^preprocess callback error: {message}"):
        validate_upload_metadata(UploadMetadata(metadata=metadata))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"content_type": 5}, "invalid content_type: not a string but int", id="number"),
        pytest.param({"acl": ["private"]}, "invalid acl: not a string but list", id="list-acl"),
        pytest.param({"metadata": {"a": 1}}, "invalid metadata 'a': not a string but int", id="metadata-value"),
        pytest.param({"metadata": {1: "a"}}, "invalid metadata name 1: not a string but int", id="metadata-name"),
        pytest.param({"metadata": "a=b"}, "invalid metadata: not a mapping but str", id="metadata-not-a-mapping"),
    ],
)
def test_a_value_of_the_wrong_type_fails(fields: dict[str, Any], message: str) -> None:
    """Python callbacks are not type-checked at run time: a wrong type fails the object, not the run."""
    with pytest.raises(PreprocessError, match=f"^preprocess callback error: {message}$"):
        validate_upload_metadata(UploadMetadata(**fields))


def test_tabs_and_non_ascii_values_pass() -> None:
    validate_upload_metadata(UploadMetadata(
        content_type="text/plain;\tcharset=utf-8", content_disposition="attachment; filename=\u65e5.txt",
        metadata={"origin": "caf\u00e9", "s3sync_origin_last_modified": "2025-01-01T00:00:00+00:00", "": "x"},
        tagging="a=b&c=d", acl="private", storage_class="STANDARD",
    ))
