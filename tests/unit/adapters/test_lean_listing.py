"""The fast ListObjectsV2 parser gives what botocore's parser plus info_from_listing give for the same page."""

from __future__ import annotations

from urllib.parse import quote_plus, unquote_plus

import botocore.parsers
import botocore.session
import pytest
from hypothesis import given
from hypothesis import strategies as st

from s3syncpy.adapters.s3.details import info_from_listing
from s3syncpy.adapters.s3.lean.listing import decode_url_key, iso8601_to_ns, parse_list_page
from s3syncpy.domain.errors import StorageError
from s3syncpy.domain.paths import S3Location

_NS = "http://s3.amazonaws.com/doc/2006-03-01/"


def _entry(key: str, size: int, modified: str, extra: str = "") -> str:
    return (
        f"<Contents><Key>{key}</Key><LastModified>{modified}</LastModified>"
        f"<ETag>&quot;0cc175b9c0f1b6a831c399e269772661&quot;</ETag><Size>{size}</Size>"
        f"<Owner><ID>o</ID></Owner>{extra}</Contents>"
    )


def _page(
    entries: list[str], *, truncated: bool, token: str | None, encoded: bool, namespace: bool = True
) -> bytes:
    xmlns = f' xmlns="{_NS}"' if namespace else ""
    parts = [f"<?xml version='1.0' encoding='UTF-8'?><ListBucketResult{xmlns}><Name>bkt</Name>"]
    parts.append("<Prefix>data%2F</Prefix>" if encoded else "<Prefix>data/</Prefix>")
    parts.append(f"<KeyCount>{len(entries)}</KeyCount><MaxKeys>1000</MaxKeys>")
    parts.append(f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>")
    if token:
        parts.append(f"<NextContinuationToken>{token}</NextContinuationToken>")
    if encoded:
        parts.append("<EncodingType>url</EncodingType>")
    parts.extend(entries)
    parts.append("</ListBucketResult>")
    return "".join(parts).encode()


def _botocore_infos(body: bytes, location: S3Location) -> tuple[list[object], str | None]:
    model = botocore.session.get_session().get_service_model("s3").operation_model("ListObjectsV2")
    parsed = botocore.parsers.RestXMLParser().parse(
        {"status_code": 200, "headers": {}, "body": body}, model.output_shape
    )
    # botocore's decode_list_object_v2 handler, applied as the client applies it when it asked for url encoding.
    from botocore.handlers import decode_list_object_v2

    decode_list_object_v2(parsed, context={"encoding_type_auto_set": True})
    infos = []
    for entry in parsed.get("Contents", ()):
        infos.append(info_from_listing(location.relative_key(entry["Key"]), entry))
    return infos, parsed.get("NextContinuationToken") if parsed.get("IsTruncated") else None


KEYS = [
    "data/",
    "data/a.txt",
    "data/dir/b c+d.bin",
    "data/\u20ac/\u00e9t\u00e9",
    "data/%41 raw",
    "data/x\x01y",
]


@pytest.mark.parametrize("namespace", [True, False], ids=["namespaced", "plain"])
def test_matches_botocore_on_url_encoded_page(namespace: bool) -> None:
    entries = [
        _entry(
            quote_plus(key, safe="/"),
            i * 10,
            f"2026-11-25T18:58:{i:02d}.{i:03d}Z",
            "<StorageClass>STANDARD</StorageClass>",
        )
        for i, key in enumerate(KEYS)
    ]
    entries.append(
        _entry(
            "data/sum",
            5,
            "2026-01-01T00:00:00Z",
            "<ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType>",
        )
    )
    body = _page(entries, truncated=True, token="tok/en==", encoded=True, namespace=namespace)
    location = S3Location("bkt", "data/")
    expected, expected_token = _botocore_infos(body, location)
    page = parse_list_page(body, location)
    assert page.objects == expected
    assert page.next_token == expected_token == "tok/en=="
    # "data/" names the prefix itself: its relative key is empty (the storage decides whether to yield it).
    assert [o.key for o in page.objects] == [k.removeprefix("data/") for k in KEYS] + ["sum"]


def test_plain_keys_are_not_decoded() -> None:
    body = _page(
        [_entry("data/a+b%20c", 1, "2026-11-25T18:58:40Z")], truncated=False, token=None, encoded=False
    )
    page = parse_list_page(body, S3Location("bkt", "data/"))
    assert [o.key for o in page.objects] == ["a+b%20c"]
    assert page.next_token is None


def test_empty_page() -> None:
    body = _page([], truncated=False, token=None, encoded=True)
    page = parse_list_page(body, S3Location("bkt", ""))
    assert page.objects == []
    assert page.next_token is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1970-01-01T00:00:01Z", 1_000_000_000),
        ("1970-01-01T00:00:01.5Z", 1_500_000_000),
        ("1970-01-01T00:00:01.123456789Z", 1_123_456_000),  # microseconds, as botocore keeps them
        ("1970-01-01T01:00:00+01:00", 0),
    ],
)
def test_iso8601_to_ns(text: str, expected: int) -> None:
    assert iso8601_to_ns(text) == expected


def test_truncated_page_without_a_token_says_it_is_truncated() -> None:
    # The pager must not mistake it for the last page: with --delete, every key past it would be deleted.
    body = _page([_entry("data/a", 1, "2026-11-25T18:58:40Z")], truncated=True, token=None, encoded=True)
    page = parse_list_page(body, S3Location("bkt", "data/"))
    assert page.truncated
    assert page.next_token is None


def test_last_page_is_not_truncated() -> None:
    body = _page([_entry("data/a", 1, "2026-11-25T18:58:40Z")], truncated=False, token=None, encoded=True)
    assert not parse_list_page(body, S3Location("bkt", "data/")).truncated


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"<ListBucketResult><Contents><Key>a</Key>", id="cut-short"),
        pytest.param(b"<html>Service Unavailable</html", id="not-xml"),
        pytest.param(_page([_entry("data/a", -1, "2026-11-25T18:58:40Z").replace("-1", "x")], truncated=False,
                           token=None, encoded=True), id="bad-size"),
        pytest.param(_page([_entry("data/a", 1, "yesterday")], truncated=False, token=None, encoded=True),
                     id="bad-time"),
    ],
)
def test_an_unreadable_page_is_a_storage_error(body: bytes) -> None:
    with pytest.raises(StorageError, match=r"^ListObjectsV2 s3://bkt/data/ returned an unreadable page: ") as info:
        parse_list_page(body, S3Location("bkt", "data/"))
    assert info.value.operation == "ListObjectsV2"


# Texts made of the pieces that decide the result: escapes of "/" in both cases, "+", stray or broken escapes.
_ENCODED_PIECES = st.sampled_from(["%2F", "%2f", "%2", "%", "+", "%20", "%C3%A9", "%%2F", "a", "/", "é", "2F"])


@given(st.lists(_ENCODED_PIECES | st.text(max_size=3), max_size=12).map("".join))
def test_the_key_decoder_agrees_with_unquote_plus(text: str) -> None:
    assert decode_url_key(text) == unquote_plus(text)


@given(st.text(max_size=40))
def test_the_key_decoder_undoes_quote_plus(key: str) -> None:
    assert decode_url_key(quote_plus(key, safe="")) == key
