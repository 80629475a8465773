"""botocore parameters <-> HTTP headers and query strings, driven by botocore's S3 service model.

Public API:
    RequestShape.of(operation_model)     cached; .serialize(params) -> (headers, query pairs)
    ResponseShape.of(operation_model)    cached; .parse(status, raw_headers) -> botocore-style output dict
    parse_http_date(text) -> datetime | None

Why generic: the storage hands the data path botocore-style parameters (ContentMD5, Metadata, Tagging, SSE-C,
ChecksumSHA256, ...) and reads botocore-style outputs (ETag, ContentRange, ChecksumCRC32, Metadata, ...). Reading
the `location: header` / `locationName` of each member from the same model botocore uses keeps every parameter
another module adds working, with the conversions botocore's rest-xml serializer and parser apply. The tables are
built once per operation and reused for every request.

botocore customisations replicated (handlers.py): SSE-C keys without an MD5 are base64-encoded and get their MD5
(sse_md5), metadata must be ASCII (validate_ascii_metadata), unknown parameters are rejected (parameter
validation), and the raw Expires header is kept as ExpiresString.
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from email.utils import formatdate, parsedate_to_datetime
from functools import cache, lru_cache
from typing import Any

import botocore.exceptions  # type: ignore[import-untyped]
import botocore.utils  # type: ignore[import-untyped]

_Converter = Callable[[Any], str]
# None stands for "already text": plain strings go out unchanged without a call per value.
_OptionalConverter = _Converter | None
_Parser = Callable[[str], Any]
_META_PREFIX = "x-amz-meta-"
_META_PREFIX_BYTES = _META_PREFIX.encode()


def _rfc822(value: Any) -> str:
    moment = botocore.utils.parse_to_aware_datetime(value)
    return formatdate(calendar.timegm(moment.utctimetuple()), usegmt=True)


def _iso8601(value: Any) -> str:
    moment: datetime = botocore.utils.parse_to_aware_datetime(value).astimezone(UTC)
    # botocore's _timestamp_iso8601: fractions only when there are any.
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if moment.microsecond else "%Y-%m-%dT%H:%M:%SZ")


def _unix(value: Any) -> str:
    return str(int(calendar.timegm(botocore.utils.parse_to_aware_datetime(value).utctimetuple())))


_TIMESTAMP_FORMATS: dict[str, _Converter] = {"rfc822": _rfc822, "iso8601": _iso8601, "unixtimestamp": _unix}


def _escape_list_item(value: str) -> str:
    # botocore quotes list items holding a comma or a quote so the joined header stays parseable.
    if '"' in value or "," in value:
        return '"' + value.replace('"', '\\"') + '"'
    return value


def _converter(shape: Any, default_timestamp: str) -> _Converter:
    """The value -> text conversion botocore's rest-xml serializer applies to one member."""
    kind = shape.type_name
    if kind == "timestamp":
        return _TIMESTAMP_FORMATS[shape.serialization.get("timestampFormat", default_timestamp)]
    if kind == "boolean":
        return lambda value: str(value).lower()
    if kind == "list":
        item = _converter(shape.member, default_timestamp)
        if shape.member.type_name == "string":
            return lambda values: ",".join(_escape_list_item(v) for v in values if v is not None)
        return lambda values: ",".join(item(v) for v in values if v is not None)
    if shape.serialization.get("jsonvalue"):
        return lambda value: base64.b64encode(json.dumps(value, separators=(",", ":")).encode()).decode()
    if kind == "blob":
        return lambda value: base64.b64encode(value if isinstance(value, bytes) else value.encode()).decode()
    return str


def _text_converter(shape: Any, default_timestamp: str) -> _OptionalConverter:
    """The member's converter, or None for a string member (its values are sent as they are)."""
    if shape.type_name == "string" and not shape.serialization.get("jsonvalue"):
        return None
    return _converter(shape, default_timestamp)


def _to_text(value: Any, convert: _OptionalConverter) -> str:
    if convert is None:
        return value if type(value) is str else str(value)
    return convert(value)


def _fill_sse_md5(params: dict[str, Any], prefix: str) -> None:
    """botocore's sse_md5: a key given without its MD5 is raw bytes; send it base64-encoded with its MD5."""
    key_member, md5_member = prefix + "Key", prefix + "KeyMD5"
    raw = params.get(key_member)
    if raw is None or md5_member in params:
        return
    raw_bytes = raw.encode("utf-8") if isinstance(raw, str) else raw
    params[key_member] = base64.b64encode(raw_bytes).decode("utf-8")
    params[md5_member] = base64.b64encode(hashlib.md5(raw_bytes, usedforsecurity=False).digest()).decode()


def _check_ascii_metadata(metadata: Mapping[str, str]) -> None:
    for name, value in metadata.items():
        if not (name.isascii() and value.isascii()):
            raise botocore.exceptions.ParamValidationError(
                report=f'Non ascii characters found in S3 metadata for key "{name}". '
                "S3 metadata can only contain ASCII characters."
            )


class RequestShape:
    """How one operation's parameters become headers and query parameters."""

    def __init__(self, operation_model: Any) -> None:
        """Build the tables from a botocore OperationModel (use RequestShape.of to share them)."""
        self.name: str = operation_model.name
        self._headers: dict[str, tuple[str, _OptionalConverter]] = {}
        self._prefixed: dict[str, str] = {}
        self._query: dict[str, tuple[str, _OptionalConverter]] = {}
        self._positional: set[str] = set()
        members = operation_model.input_shape.members if operation_model.input_shape else {}
        for name, shape in members.items():
            location = shape.serialization.get("location")
            wire = shape.serialization.get("name", name)
            if location == "header":
                self._headers[name] = (wire.lower(), _text_converter(shape, "rfc822"))
            elif location == "headers":
                self._prefixed[name] = wire.lower()
            elif location == "querystring":
                self._query[name] = (wire, _text_converter(shape, "iso8601"))
            else:
                # uri members (Bucket, Key) and the body are arguments of the data path's methods.
                self._positional.add(name)

    @staticmethod
    @cache
    def of(operation_model: Any) -> RequestShape:
        """The shared RequestShape of an operation."""
        return RequestShape(operation_model)

    def serialize(self, params: Mapping[str, Any]) -> tuple[dict[str, str], list[tuple[str, str]]]:
        """Headers (lowercase names) and query pairs for botocore-style `params`.

        Raises:
            botocore.exceptions.ParamValidationError: an unknown or positional parameter, or non-ASCII metadata.
        """
        if "SSECustomerKey" in params and "SSECustomerKeyMD5" not in params:
            params = dict(params)
            _fill_sse_md5(params, "SSECustomer")
        headers: dict[str, str] = {}
        query: list[tuple[str, str]] = []
        for name, value in params.items():
            if value is None:
                continue
            header = self._headers.get(name)
            if header is not None:
                if isinstance(value, list) and not value:
                    continue  # botocore sends no header for an empty list
                convert = header[1]
                headers[header[0]] = _to_text(value, convert)
            elif name in self._prefixed:
                _check_ascii_metadata(value)
                prefix = self._prefixed[name]
                for key, item in value.items():
                    headers[prefix + key.lower()] = item
            elif name in self._query:
                wire, convert = self._query[name]
                query.append((wire, _to_text(value, convert)))
            else:
                raise botocore.exceptions.ParamValidationError(
                    report=f"Unknown parameter in input: {name!r} ({self.name} on the lean data path)"
                )
        return headers, query


# WHY cached: objects written together share their Last-Modified text, and parsing one costs more than a lookup.
@lru_cache(maxsize=1024)
def parse_http_date(text: str) -> datetime | None:
    """A header timestamp (RFC 7231, or any form botocore accepts) as an aware datetime; None if unparsable."""
    try:
        return parsedate_to_datetime(text).astimezone(UTC)
    except (TypeError, ValueError, IndexError):
        pass
    try:
        parsed: datetime = botocore.utils.parse_timestamp(text)
    except (TypeError, ValueError, RuntimeError, OverflowError):
        return None
    return parsed


def _parser(shape: Any) -> _Parser:
    kind = shape.type_name
    if kind in ("integer", "long"):
        return int
    if kind == "boolean":
        return lambda text: text.lower() == "true"
    if kind == "timestamp":
        return parse_http_date
    if kind in ("float", "double"):
        return float
    if shape.serialization.get("jsonvalue"):
        return lambda text: json.loads(base64.b64decode(text))
    return str


class ResponseShape:
    """How one operation's response headers become botocore's output dictionary."""

    def __init__(self, operation_model: Any) -> None:
        """Build the table from a botocore OperationModel (use ResponseShape.of to share it)."""
        # Lowercase header name (bytes, as aiohttp's raw headers come) -> (member, parser; None for text).
        self._headers: dict[bytes, tuple[str, _Parser | None]] = {}
        self._metadata_member: str | None = None
        members = operation_model.output_shape.members if operation_model.output_shape else {}
        for name, shape in members.items():
            location = shape.serialization.get("location")
            wire = shape.serialization.get("name", name).lower()
            if location == "header":
                parser = _parser(shape)
                self._headers[wire.encode("latin-1")] = (name, None if parser is str else parser)
            elif location == "headers" and wire == _META_PREFIX:
                self._metadata_member = name

    @staticmethod
    @cache
    def of(operation_model: Any) -> ResponseShape:
        """The shared ResponseShape of an operation."""
        return ResponseShape(operation_model)

    def parse(self, raw_headers: Iterable[tuple[bytes, bytes]]) -> dict[str, Any]:
        """The output members carried by the response headers (botocore's names and types).

        Unparsable values are left out, as botocore leaves out an unparsable Expires (keeping ExpiresString).
        """
        output: dict[str, Any] = {}
        metadata: dict[str, str] = {}
        table = self._headers
        for raw_name, raw_value in raw_headers:
            # Matched as bytes: only the values of wanted headers are decoded.
            name = raw_name.lower()
            entry = table.get(name)
            if entry is not None:
                member, parse = entry
                value = raw_value.decode("utf-8", "surrogateescape")
                if parse is None:
                    output[member] = value
                    continue
                if name == b"expires":
                    output["ExpiresString"] = value
                try:
                    parsed = parse(value)
                except (TypeError, ValueError):
                    continue
                if parsed is not None:
                    output[member] = parsed
            elif self._metadata_member is not None and name.startswith(_META_PREFIX_BYTES):
                metadata[name[len(_META_PREFIX_BYTES) :].decode("latin-1")] = raw_value.decode(
                    "utf-8", "surrogateescape"
                )
        if self._metadata_member is not None:
            output[self._metadata_member] = metadata
        return output
