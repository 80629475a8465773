# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of `_pure_keymap.KeyMap`: the same packed layout, in C memory, without per-entry objects.

Records (56 bytes, 64 with a key offset) live in fixed chunks, so growing never copies them and never
over-allocates by more than one chunk; an open-addressing index of uint32 entry numbers finds them by the
key's SHA-1. See `_pure_keymap` for the record layout and the ETag packing rules; both twins share them.
"""

from s3syncpy._speedups._types import check_entry

from cpython.mem cimport PyMem_RawCalloc, PyMem_RawFree, PyMem_RawMalloc, PyMem_RawRealloc
from cpython.number cimport PyNumber_Index
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdint cimport int64_t, uint16_t, uint32_t, uint64_t
from libc.string cimport memcmp, memcpy, memset

cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object text)
    void *PyUnicode_DATA(object text)
    Py_ssize_t PyUnicode_GET_LENGTH(object text)

cdef extern from "_sha1.h":
    ctypedef struct s3k_ctx
    s3k_ctx *s3k_new()
    void s3k_free(s3k_ctx *ctx)
    int s3k_sha1_digest(s3k_ctx *ctx, const void *data, size_t length, unsigned char *out)

import hashlib

cdef enum:
    DIGEST = 20
    AT_SIZE = 20
    AT_MTIME = 28
    AT_ETAG = 36
    AT_PARTS = 52
    AT_FLAGS = 54
    AT_KEY = 56
    WIDTH = 56
    WIDTH_WITH_KEY = 64
    CHUNK_SHIFT = 14
    KIND_NONE = 0
    KIND_HEX = 1
    KIND_SIDE = 2
    QUOTED = 4
    SUFFIX = 8
    MAX_PACKED_PARTS = 0xFFFF

include "_keymap_etag.pxi"


cdef class KeyMap:
    """Listing map: key -> (size, mtime seconds, ETag), compact, insertion-ordered.

    Not thread-safe: fill and query it from one thread (the event loop), as the listing does.

    Args:
        store_keys: keep the key names (needed for `keys()` and `missing_from`, i.e. for --delete).
    """

    cdef bint _store_keys
    cdef Py_ssize_t _width
    cdef Py_ssize_t _count
    cdef unsigned char **_chunks
    cdef Py_ssize_t _chunk_slots
    cdef uint32_t *_index
    cdef uint64_t _mask
    cdef unsigned char *_arena
    cdef size_t _arena_used
    cdef size_t _arena_capacity
    cdef dict _side
    cdef s3k_ctx *_sha1

    def __cinit__(self, bint store_keys):
        self._store_keys = store_keys
        self._width = WIDTH_WITH_KEY if store_keys else WIDTH
        self._side = {}
        self._mask = 15
        self._index = <uint32_t *>PyMem_RawCalloc(self._mask + 1, sizeof(uint32_t))
        if self._index == NULL:
            raise MemoryError()
        self._sha1 = s3k_new()

    def __dealloc__(self):
        cdef Py_ssize_t chunk
        if self._chunks != NULL:
            for chunk in range(self._chunk_slots):
                PyMem_RawFree(self._chunks[chunk])
            PyMem_RawFree(self._chunks)
        PyMem_RawFree(self._index)
        PyMem_RawFree(self._arena)
        s3k_free(self._sha1)

    @property
    def store_keys(self):
        """Whether key names are kept."""
        return self._store_keys

    def __len__(self):
        return self._count

    cdef inline unsigned char *_record(self, Py_ssize_t number) noexcept:
        return self._chunks[number >> CHUNK_SHIFT] + (number & ((1 << CHUNK_SHIFT) - 1)) * self._width

    cdef bytes _digest(self, str key, unsigned char *out):
        """Write sha1(key as UTF-8, surrogatepass) to out; return the encoded bytes when not ASCII."""
        cdef bytes encoded = None
        cdef bytes fallback
        cdef const unsigned char *data
        cdef Py_ssize_t length
        if PyUnicode_IS_ASCII(key):
            # Compact ASCII strings are their own UTF-8: no encoding, no allocation.
            data = <const unsigned char *>PyUnicode_DATA(key)
            length = PyUnicode_GET_LENGTH(key)
        else:
            encoded = key.encode("utf-8", "surrogatepass")
            data = <const unsigned char *>encoded
            length = len(encoded)
        if self._sha1 == NULL or not s3k_sha1_digest(self._sha1, data, length, out):
            fallback = hashlib.sha1(data[:length], usedforsecurity=False).digest()
            memcpy(out, <const unsigned char *>fallback, DIGEST)
        return encoded

    cdef Py_ssize_t _find(self, const unsigned char *digest, uint64_t *slot_out) noexcept:
        """Entry number of a digest, or -1 with slot_out set to the free index slot."""
        cdef uint64_t slot
        cdef uint32_t stored
        memcpy(&slot, digest, 8)
        slot &= self._mask
        while True:
            stored = self._index[slot]
            if stored == 0:
                slot_out[0] = slot
                return -1
            if memcmp(self._record(stored - 1), digest, DIGEST) == 0:
                slot_out[0] = slot
                return stored - 1
            slot = (slot + 1) & self._mask

    cdef int _grow_index(self) except -1:
        cdef uint64_t capacity = (self._mask + 1) * 2, mask = capacity - 1, slot
        cdef uint32_t *index = <uint32_t *>PyMem_RawCalloc(capacity, sizeof(uint32_t))
        cdef Py_ssize_t number
        if index == NULL:
            raise MemoryError()
        for number in range(self._count):
            memcpy(&slot, self._record(number), 8)
            slot &= mask
            while index[slot]:
                slot = (slot + 1) & mask
            index[slot] = <uint32_t>(number + 1)
        PyMem_RawFree(self._index)
        self._index = index
        self._mask = mask
        return 0

    cdef unsigned char *_new_record(self) except NULL:
        cdef Py_ssize_t chunk = self._count >> CHUNK_SHIFT
        cdef Py_ssize_t slots
        cdef unsigned char **chunks
        if chunk >= self._chunk_slots:
            slots = max(16, self._chunk_slots * 2)
            chunks = <unsigned char **>PyMem_RawRealloc(self._chunks, slots * sizeof(unsigned char *))
            if chunks == NULL:
                raise MemoryError()
            memset(chunks + self._chunk_slots, 0, (slots - self._chunk_slots) * sizeof(unsigned char *))
            self._chunks = chunks
            self._chunk_slots = slots
        if self._chunks[chunk] == NULL:
            self._chunks[chunk] = <unsigned char *>PyMem_RawMalloc(self._width << CHUNK_SHIFT)
            if self._chunks[chunk] == NULL:
                raise MemoryError()
        return self._record(self._count)

    cdef uint64_t _store_key(self, str key, bytes encoded) except? 0xFFFFFFFFFFFFFFFF:
        """Append varint length + UTF-8 of the key to the arena; return its offset."""
        cdef const unsigned char *data
        cdef size_t length, need, capacity
        cdef uint64_t offset = self._arena_used
        cdef unsigned char *arena
        if encoded is None:
            data = <const unsigned char *>PyUnicode_DATA(key)
            length = PyUnicode_GET_LENGTH(key)
        else:
            data = <const unsigned char *>encoded
            length = len(encoded)
        need = self._arena_used + length + 10
        if need > self._arena_capacity:
            # 1.25x growth: realloc of a large block is an mremap on Linux, so the copy cost stays low.
            capacity = max(need, self._arena_capacity + self._arena_capacity // 4, <size_t>65536)
            arena = <unsigned char *>PyMem_RawRealloc(self._arena, capacity)
            if arena == NULL:
                raise MemoryError()
            self._arena = arena
            self._arena_capacity = capacity
        while length >= 0x80:
            self._arena[self._arena_used] = <unsigned char>((length & 0x7F) | 0x80)
            self._arena_used += 1
            length >>= 7
        self._arena[self._arena_used] = <unsigned char>length
        self._arena_used += 1
        if encoded is None:
            length = PyUnicode_GET_LENGTH(key)
        else:
            length = len(encoded)
        memcpy(self._arena + self._arena_used, data, length)
        self._arena_used += length
        return offset

    cdef str _key_at(self, Py_ssize_t number):
        cdef uint64_t offset
        cdef size_t length = 0
        cdef int shift = 0
        cdef unsigned char byte
        memcpy(&offset, self._record(number) + AT_KEY, 8)
        while True:
            byte = self._arena[offset]
            offset += 1
            length |= (<size_t>(byte & 0x7F)) << shift
            if byte < 0x80:
                break
            shift += 7
        return PyUnicode_DecodeUTF8(<const char *>self._arena + offset, length, "surrogatepass")

    def add(self, str key not None, size, mtime_secs, e_tag):
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
        cdef unsigned char digest[DIGEST]
        cdef unsigned char raw[16]
        cdef uint16_t parts = 0
        cdef uint64_t slot
        cdef int64_t c_size, c_mtime
        cdef int flags = KIND_NONE
        cdef unsigned char *record
        cdef uint64_t key_offset = 0
        if e_tag is not None and not isinstance(e_tag, str):
            raise TypeError(f"e_tag must be str or None, not {type(e_tag).__name__}")
        if type(size) is not int or type(mtime_secs) is not int:
            # Same conversions as the pure twin's operator.index: bools and int-likes pass, floats do not.
            size = PyNumber_Index(size)
            mtime_secs = PyNumber_Index(mtime_secs)
        try:
            c_size = size
            c_mtime = mtime_secs
        except OverflowError:
            check_entry(size.__index__(), mtime_secs.__index__())
            raise
        if c_size < 0:
            check_entry(c_size, c_mtime)
        encoded = self._digest(key, digest)
        if self._find(digest, &slot) >= 0:
            raise ValueError(f"duplicate key in listing: {key!r}")
        if self._count >= 0xFFFFFFFE:
            raise OverflowError("KeyMap is limited to 2**32 - 2 entries")
        if <uint64_t>(self._count + 1) * 3 > (self._mask + 1) * 2:
            self._grow_index()
            self._find(digest, &slot)
        memset(raw, 0, 16)
        if e_tag is not None:
            flags = _pack_etag(e_tag, raw, &parts)
            if flags == KIND_SIDE:
                self._side[self._count] = e_tag
        if self._store_keys:
            key_offset = self._store_key(key, encoded)
        record = self._new_record()
        memcpy(record, digest, DIGEST)
        memcpy(record + AT_SIZE, &c_size, 8)
        memcpy(record + AT_MTIME, &c_mtime, 8)
        memcpy(record + AT_ETAG, raw, 16)
        memcpy(record + AT_PARTS, &parts, 2)
        record[AT_FLAGS] = <unsigned char>flags
        record[AT_FLAGS + 1] = 0
        if self._store_keys:
            memcpy(record + AT_KEY, &key_offset, 8)
        self._count += 1
        self._index[slot] = <uint32_t>self._count

    def get(self, key):
        """(size, mtime seconds, ETag) for a key, or None when absent.

        Raises:
            TypeError: key is not a str.
        """
        cdef unsigned char digest[DIGEST]
        cdef uint64_t slot
        cdef int64_t size, mtime
        cdef const unsigned char *record
        cdef int kind
        if not isinstance(key, str):
            raise TypeError(f"key must be str, not {type(key).__name__}")
        self._digest(key, digest)
        cdef Py_ssize_t number = self._find(digest, &slot)
        if number < 0:
            return None
        record = self._record(number)
        memcpy(&size, record + AT_SIZE, 8)
        memcpy(&mtime, record + AT_MTIME, 8)
        kind = record[AT_FLAGS] & 3
        if kind == KIND_NONE:
            return (size, mtime, None)
        if kind == KIND_SIDE:
            return (size, mtime, self._side[number])
        return (size, mtime, _unpack_etag(record))

    def __contains__(self, key):
        cdef unsigned char digest[DIGEST]
        cdef uint64_t slot
        if not isinstance(key, str):
            return False
        self._digest(key, digest)
        return self._find(digest, &slot) >= 0

    cdef int _require_keys(self) except -1:
        if not self._store_keys:
            raise ValueError("this KeyMap was built without key names (store_keys=False)")
        return 0

    def keys(self):
        """The keys in insertion order.

        Raises:
            ValueError: the map does not store key names.
        """
        self._require_keys()
        return _KeyIterator(self, self._count)

    def missing_from(self, KeyMap other not None):
        """Keys of this map that `other` lacks, in insertion order (the --delete diff).

        Args:
            other: the map to look in (with or without key names).

        Returns:
            The missing keys.

        Raises:
            ValueError: this map does not store key names.
            TypeError: other is not a KeyMap of this implementation.
        """
        cdef Py_ssize_t number
        cdef uint64_t slot
        cdef list missing = []
        self._require_keys()
        for number in range(self._count):
            # The stored digest is probed directly: no rehash, and names are decoded only when missing.
            if other._find(self._record(number), &slot) < 0:
                missing.append(self._key_at(number))
        return missing

    def __sizeof__(self):
        cdef Py_ssize_t chunk, total = sizeof(self)
        for chunk in range(self._chunk_slots):
            if self._chunks[chunk] != NULL:
                total += self._width << CHUNK_SHIFT
        return (
            total
            + self._chunk_slots * sizeof(unsigned char *)
            + (self._mask + 1) * sizeof(uint32_t)
            + self._arena_capacity
            + self._side.__sizeof__()
        )


cdef class _KeyIterator:
    """Iterates the keys that were in the map when `keys()` was called."""

    cdef KeyMap _map
    cdef Py_ssize_t _next
    cdef Py_ssize_t _stop

    def __cinit__(self, KeyMap keymap, Py_ssize_t stop):
        self._map = keymap
        self._stop = stop

    def __iter__(self):
        return self

    def __next__(self):
        if self._next >= self._stop:
            raise StopIteration
        self._next += 1
        return self._map._key_at(self._next - 1)
