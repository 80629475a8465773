"""Pure-Python twin of the compiled `KeyMap`: a packed listing map (the reference's listing map), same layout and behaviour.

The reference keeps one hash-map entry per listed object (about 100 MB per million without key names, 250 MB
with them). Here each entry is a fixed 56-byte record in one bytearray (64 bytes when names are kept), found
through an open-addressing index of 4-byte slots:

    record: sha1(key) 20s | size q | mtime q | etag 16s | parts H | flags B | pad x [| key offset Q]

An ETag of the usual forms ('"<32 lowercase hex>"' or '"<32 hex>-N"', quoted or not) is stored as its 16 raw
bytes plus flags and part count; any other string goes to a small side dict, so `get` returns exactly the
string that was added. Key names, when kept, go to a byte arena as varint length + UTF-8 (surrogatepass, so
any str round-trips). Keys are identified by their SHA-1 digest, as in the reference.
"""

from __future__ import annotations

import hashlib
import operator
import re
import struct
from array import array
from collections.abc import Iterator

from s3syncpy._speedups._types import check_entry

__all__ = ["KeyMap"]

_RECORD = struct.Struct("<20sqq16sHBx")
_RECORD_WITH_KEY = struct.Struct("<20sqq16sHBxQ")
_KEY_OFFSET_AT = _RECORD.size

# flags: bits 0-1 ETag kind, bit 2 quoted, bit 3 "-N" suffix present.
_KIND_NONE = 0
_KIND_HEX = 1
_KIND_SIDE = 2
_QUOTED = 4
_SUFFIX = 8
_ZERO16 = bytes(16)
# Part numbers above 65535 cannot occur in S3 (10,000 parts max); such strings take the side dict.
_MAX_PACKED_PARTS = 0xFFFF
_ETAG = re.compile(r'("?)([0-9a-f]{32})(?:-([1-9][0-9]{0,4}))?\1')

# The index grows past this load so linear probing stays short (SHA-1 bits are uniform).
_MAX_LOAD_NUM, _MAX_LOAD_DEN = 2, 3


def _pack_etag(e_tag: str | None) -> tuple[int, bytes, int]:
    """(flags, 16 raw bytes, part count) for an ETag; kind SIDE when it has no packed form."""
    if e_tag is None:
        return _KIND_NONE, _ZERO16, 0
    if len(e_tag) == 34 and e_tag[0] == '"' and e_tag[33] == '"':
        # Fast path for the commonest listing form; hex() == body rejects uppercase and the spaces fromhex skips.
        body = e_tag[1:33]
        try:
            raw = bytes.fromhex(body)
        except ValueError:
            pass
        else:
            if raw.hex() == body:
                return _KIND_HEX | _QUOTED, raw, 0
    match = _ETAG.fullmatch(e_tag)
    if match is None:
        return _KIND_SIDE, _ZERO16, 0
    flags = _KIND_HEX | (_QUOTED if match[1] else 0)
    parts = 0
    if match[3] is not None:
        parts = int(match[3])
        if parts > _MAX_PACKED_PARTS:
            return _KIND_SIDE, _ZERO16, 0
        flags |= _SUFFIX
    return flags, bytes.fromhex(match[2]), parts


def _unpack_etag(flags: int, raw: bytes, parts: int) -> str:
    """The ETag string of a packed (kind HEX) record."""
    text = raw.hex()
    if flags & _SUFFIX:
        text = f"{text}-{parts}"
    return f'"{text}"' if flags & _QUOTED else text


def _key_digest(key: str) -> bytes:
    return hashlib.sha1(key.encode("utf-8", "surrogatepass"), usedforsecurity=False).digest()


class KeyMap:
    """Listing map: key -> (size, mtime seconds, ETag), compact, insertion-ordered.

    Not thread-safe: fill and query it from one thread (the event loop), as the listing does.

    Args:
        store_keys: keep the key names (needed for `keys()` and `missing_from`, i.e. for --delete).
    """

    def __init__(self, store_keys: bool) -> None:
        self._store_keys = bool(store_keys)
        self._record = _RECORD_WITH_KEY if self._store_keys else _RECORD
        self._width = self._record.size
        self._entries = bytearray()
        self._arena = bytearray()
        self._side: dict[int, str] = {}
        self._count = 0
        self._index = array("I", bytes(4 * 16))
        self._mask = 15

    @property
    def store_keys(self) -> bool:
        """Whether key names are kept."""
        return self._store_keys

    def __len__(self) -> int:
        return self._count

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._lookup(_key_digest(key))[1] >= 0

    def _lookup(self, digest: bytes) -> tuple[int, int]:
        """(index slot, entry number) for a digest; entry number -1 and the free slot when absent."""
        entries, width, index, mask = self._entries, self._width, self._index, self._mask
        slot = int.from_bytes(digest[:8], "little") & mask
        while True:
            stored = index[slot]
            if stored == 0:
                return slot, -1
            start = (stored - 1) * width
            if entries[start : start + 20] == digest:
                return slot, stored - 1
            slot = (slot + 1) & mask

    def _grow(self) -> None:
        capacity = (self._mask + 1) * 2
        self._index = index = array("I", bytes(4 * capacity))
        self._mask = mask = capacity - 1
        entries, width = self._entries, self._width
        for number in range(self._count):
            start = number * width
            slot = int.from_bytes(entries[start : start + 8], "little") & mask
            while index[slot]:
                slot = (slot + 1) & mask
            index[slot] = number + 1

    def add(self, key: str, size: int, mtime_secs: int, e_tag: str | None) -> None:
        """Add an entry.

        Args:
            key: the relative key.
            size: content length in bytes (0 .. 2**63-1).
            mtime_secs: last-modified time in whole seconds (signed 64-bit).
            e_tag: the ETag as listed (quotes included), or None.

        Raises:
            ValueError: the key is already present, or a value is out of range.
            TypeError: an argument has the wrong type.
        """
        if not isinstance(key, str):
            raise TypeError(f"key must be str, not {type(key).__name__}")
        if e_tag is not None and not isinstance(e_tag, str):
            raise TypeError(f"e_tag must be str or None, not {type(e_tag).__name__}")
        size, mtime_secs = operator.index(size), operator.index(mtime_secs)
        check_entry(size, mtime_secs)
        encoded = key.encode("utf-8", "surrogatepass")
        digest = hashlib.sha1(encoded, usedforsecurity=False).digest()
        slot, found = self._lookup(digest)
        if found >= 0:
            raise ValueError(f"duplicate key in listing: {key!r}")
        if (self._count + 1) * _MAX_LOAD_DEN > (self._mask + 1) * _MAX_LOAD_NUM:
            self._grow()
            slot = self._lookup(digest)[0]
        flags, raw, parts = _pack_etag(e_tag)
        if flags == _KIND_SIDE:
            assert e_tag is not None
            self._side[self._count] = e_tag
        if self._store_keys:
            arena = self._arena
            offset = len(arena)
            if len(encoded) < 0x80:
                arena.append(len(encoded))
            else:
                arena += _varint(len(encoded))
            arena += encoded
            self._entries += self._record.pack(digest, size, mtime_secs, raw, parts, flags, offset)
        else:
            self._entries += self._record.pack(digest, size, mtime_secs, raw, parts, flags)
        self._count += 1
        self._index[slot] = self._count

    def get(self, key: str) -> tuple[int, int, str | None] | None:
        """(size, mtime seconds, ETag) for a key, or None when absent.

        Raises:
            TypeError: key is not a str.
        """
        if not isinstance(key, str):
            raise TypeError(f"key must be str, not {type(key).__name__}")
        number = self._lookup(_key_digest(key))[1]
        if number < 0:
            return None
        _, size, mtime, raw, parts, flags = _RECORD.unpack_from(self._entries, number * self._width)
        kind = flags & 3
        if kind == _KIND_NONE:
            return size, mtime, None
        if kind == _KIND_SIDE:
            return size, mtime, self._side[number]
        return size, mtime, _unpack_etag(flags, raw, parts)

    def _key_at(self, number: int) -> str:
        offset = int.from_bytes(
            self._entries[number * self._width + _KEY_OFFSET_AT : (number + 1) * self._width], "little"
        )
        length, start = _read_varint(self._arena, offset)
        return self._arena[start : start + length].decode("utf-8", "surrogatepass")

    def _require_keys(self) -> None:
        if not self._store_keys:
            raise ValueError("this KeyMap was built without key names (store_keys=False)")

    def keys(self) -> Iterator[str]:
        """The keys in insertion order.

        Raises:
            ValueError: the map does not store key names.
        """
        self._require_keys()
        return (self._key_at(number) for number in range(self._count))

    def missing_from(self, other: KeyMap) -> list[str]:
        """Keys of this map that `other` lacks, in insertion order (the --delete diff).

        Args:
            other: the map to look in (with or without key names).

        Returns:
            The missing keys.

        Raises:
            ValueError: this map does not store key names.
            TypeError: other is not a KeyMap of this implementation.
        """
        self._require_keys()
        if not isinstance(other, KeyMap):
            raise TypeError(f"other must be a KeyMap, not {type(other).__name__}")
        entries, width = self._entries, self._width
        return [
            self._key_at(number)
            for number in range(self._count)
            if other._lookup(bytes(entries[number * width : number * width + 20]))[1] < 0
        ]

    def __sizeof__(self) -> int:
        return (
            object.__sizeof__(self)
            + self._entries.__sizeof__()
            + self._arena.__sizeof__()
            + self._index.__sizeof__()
            + self._side.__sizeof__()
        )


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _read_varint(buffer: bytearray, offset: int) -> tuple[int, int]:
    """(value, offset after it)."""
    value = shift = 0
    while True:
        byte = buffer[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, offset
        shift += 7
