# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of `_pure`'s hashing: per-part MD5 / SHA / CRC of a file or buffer, parts hashed in parallel.

Why it is faster than the pure twin: a file is read once with pread into one reusable block buffer per
thread (no per-block Python bytes), MD5/SHA run on OpenSSL's EVP API with the GIL released, and parts are
spread over threads so a multi-part ETag uses every core. CRCs go through awscrt's functions (which release
the GIL themselves), called once per block on a memoryview of the same buffer; full-object CRCs are combined
from the part CRCs with awscrt's combine functions instead of a second pass.

Built without OpenSSL headers (S3SYNCPY_HAVE_OPENSSL undefined), the same code feeds hashlib objects from
the worker threads instead; hashlib releases the GIL on large updates, so parts still run in parallel.
"""

import errno as errno_module
import hashlib
import os
import threading
from stat import S_ISDIR as stat_isdir

from awscrt import checksums

from s3syncpy._speedups._types import (
    CRC_ALGORITHMS,
    DIGEST_SIZES,
    HashResult,
    check_algorithm,
    check_part_sizes,
    size_mismatch,
)

from cpython.buffer cimport PyBUF_READ
from cpython.mem cimport PyMem_RawFree, PyMem_RawMalloc
from cpython.memoryview cimport PyMemoryView_FromMemory
from libc.errno cimport EINTR, errno
from libc.stdint cimport int64_t, uint64_t
from posix.unistd cimport pread

cdef extern from *:
    """
    #if defined(S3SYNCPY_HAVE_OPENSSL)
    #include <openssl/evp.h>
    #include <openssl/opensslv.h>
    #define S3S_HAVE_NATIVE 1
    typedef EVP_MD_CTX s3s_ctx;
    static const EVP_MD *s3s_mds[3];
    /* Fetch the implementations once: an implicit fetch on every init costs microseconds per file. */
    static int s3s_prepare(void) {
    #if OPENSSL_VERSION_NUMBER >= 0x30000000L
        /* "-fips": MD5 here is an ETag, not a security primitive (hashlib's usedforsecurity=False). */
        if (!s3s_mds[0]) s3s_mds[0] = EVP_MD_fetch(NULL, "MD5", "-fips");
        if (!s3s_mds[1]) s3s_mds[1] = EVP_MD_fetch(NULL, "SHA1", "-fips");
        if (!s3s_mds[2]) s3s_mds[2] = EVP_MD_fetch(NULL, "SHA256", NULL);
    #else
        s3s_mds[0] = EVP_md5(); s3s_mds[1] = EVP_sha1(); s3s_mds[2] = EVP_sha256();
    #endif
        return s3s_mds[0] != NULL && s3s_mds[1] != NULL && s3s_mds[2] != NULL;
    }
    static s3s_ctx *s3s_ctx_new(void) { return EVP_MD_CTX_new(); }
    static void s3s_ctx_free(s3s_ctx *ctx) { EVP_MD_CTX_free(ctx); }
    static int s3s_init(s3s_ctx *ctx, int kind) { return EVP_DigestInit_ex(ctx, s3s_mds[kind], NULL); }
    static int s3s_update(s3s_ctx *ctx, const void *data, size_t len) {
        return EVP_DigestUpdate(ctx, data, len);
    }
    static int s3s_final(s3s_ctx *ctx, unsigned char *out) {
        unsigned int len = 0;
        return EVP_DigestFinal_ex(ctx, out, &len);
    }
    #else
    #define S3S_HAVE_NATIVE 0
    typedef void s3s_ctx;
    static int s3s_prepare(void) { return 0; }
    static s3s_ctx *s3s_ctx_new(void) { return NULL; }
    static void s3s_ctx_free(s3s_ctx *ctx) { (void)ctx; }
    static int s3s_init(s3s_ctx *ctx, int kind) { (void)ctx; (void)kind; return 0; }
    static int s3s_update(s3s_ctx *ctx, const void *data, size_t len) {
        (void)ctx; (void)data; (void)len; return 0;
    }
    static int s3s_final(s3s_ctx *ctx, unsigned char *out) { (void)ctx; (void)out; return 0; }
    #endif
    """
    ctypedef struct s3s_ctx
    int S3S_HAVE_NATIVE
    int s3s_prepare()
    s3s_ctx *s3s_ctx_new() nogil
    void s3s_ctx_free(s3s_ctx *ctx) nogil
    int s3s_init(s3s_ctx *ctx, int kind) nogil
    int s3s_update(s3s_ctx *ctx, const void *data, size_t length) nogil
    int s3s_final(s3s_ctx *ctx, unsigned char *out) nogil

cdef enum:
    # Digest kinds: the index into s3s_mds.
    KIND_MD5 = 0
    KIND_SHA1 = 1
    KIND_SHA256 = 2
    # Widest digest kept per unit (SHA256).
    MAX_DIGEST = 32

# One block is read, MD5-ed and CRC-ed while it sits in the L2 cache; large enough that the per-block Python
# call to awscrt costs nothing measurable.
cdef Py_ssize_t BLOCK = 1 << 20
# CRC-only work is cut into segments of at most this size so a single huge part still uses every core.
cdef int64_t SEGMENT = 8 << 20
# Below this total, threads cost more than they save (and most synced files are small).
cdef int64_t PARALLEL_MIN = 4 << 20

cdef int64_t INT64_MAX_C = 0x7FFFFFFFFFFFFFFF
INT64_MAX_PY = 0x7FFFFFFFFFFFFFFF
cdef int _native_state = -1          # -1 unknown, 0 no, 1 yes; set under the GIL
cdef int _cpu_count = 0

_CRC_FUNCTIONS = {"CRC32": checksums.crc32, "CRC32C": checksums.crc32c, "CRC64NVME": checksums.crc64nvme}
_CRC_COMBINE = {
    "CRC32": checksums.combine_crc32,
    "CRC32C": checksums.combine_crc32c,
    "CRC64NVME": checksums.combine_crc64nvme,
}


cdef bint _native():
    global _native_state
    if _native_state < 0:
        _native_state = 1 if (S3S_HAVE_NATIVE and s3s_prepare()) else 0
    return _native_state == 1


def openssl_linked():
    """Whether MD5/SHA run on OpenSSL directly (else through hashlib from the worker threads)."""
    return _native()


cdef int _threads():
    global _cpu_count
    if _cpu_count == 0:
        try:
            _cpu_count = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            _cpu_count = os.cpu_count() or 1
    return _cpu_count


cdef Py_ssize_t _pread_full(int fd, unsigned char *buf, Py_ssize_t length, int64_t offset) noexcept nogil:
    """Read exactly `length` bytes unless EOF comes first; -1 on error (errno set)."""
    cdef Py_ssize_t done = 0
    cdef Py_ssize_t got
    while done < length:
        got = pread(fd, buf + done, length - done, offset + done)
        if got < 0:
            if errno == EINTR:
                continue
            return -1
        if got == 0:
            break
        done += got
    return done


cdef class _Plan:
    """The work of one call: units (parts, or CRC segments of parts), their results, a shared cursor."""

    cdef int fd                       # file mode; -1 in buffer mode
    cdef const unsigned char *base    # buffer mode
    cdef object view                  # buffer mode: memoryview of the input (keeps it exported)
    cdef Py_ssize_t count
    cdef int64_t *offsets
    cdef int64_t *lengths
    cdef bint want_md5
    cdef int digest_kind              # -1 none, else KIND_SHA1 / KIND_SHA256
    cdef object digest_name
    cdef object crc_function
    cdef bint native
    cdef unsigned char *md5_out
    cdef unsigned char *digest_out
    cdef uint64_t *crc_out
    cdef Py_ssize_t cursor
    cdef object error

    def __cinit__(self, Py_ssize_t count):
        self.count = count
        self.fd = -1
        self.offsets = <int64_t *>PyMem_RawMalloc(max(count, 1) * sizeof(int64_t))
        self.lengths = <int64_t *>PyMem_RawMalloc(max(count, 1) * sizeof(int64_t))
        self.md5_out = <unsigned char *>PyMem_RawMalloc(max(count, 1) * 16)
        self.digest_out = <unsigned char *>PyMem_RawMalloc(max(count, 1) * MAX_DIGEST)
        self.crc_out = <uint64_t *>PyMem_RawMalloc(max(count, 1) * sizeof(uint64_t))
        if not (self.offsets and self.lengths and self.md5_out and self.digest_out and self.crc_out):
            raise MemoryError()

    def __dealloc__(self):
        PyMem_RawFree(self.offsets)
        PyMem_RawFree(self.lengths)
        PyMem_RawFree(self.md5_out)
        PyMem_RawFree(self.digest_out)
        PyMem_RawFree(self.crc_out)


cdef class _Worker:
    """Takes units off the plan until none is left; one per thread, each with its own buffer and contexts."""

    cdef _Plan plan
    cdef unsigned char *buffer
    cdef Py_ssize_t buffer_size
    cdef object buffer_view
    cdef s3s_ctx *md5_ctx
    cdef s3s_ctx *digest_ctx

    def __cinit__(self, _Plan plan, Py_ssize_t buffer_size):
        self.plan = plan
        self.buffer_size = buffer_size
        if plan.fd >= 0:
            self.buffer = <unsigned char *>PyMem_RawMalloc(max(buffer_size, 1))
            if self.buffer == NULL:
                raise MemoryError()
            self.buffer_view = PyMemoryView_FromMemory(<char *>self.buffer, buffer_size, PyBUF_READ)
        if plan.native:
            self.md5_ctx = s3s_ctx_new()
            self.digest_ctx = s3s_ctx_new()
            if self.md5_ctx == NULL or self.digest_ctx == NULL:
                raise MemoryError()

    def __dealloc__(self):
        # The memoryview over the buffer is dropped first; nothing else holds it.
        self.buffer_view = None
        PyMem_RawFree(self.buffer)
        s3s_ctx_free(self.md5_ctx)
        s3s_ctx_free(self.digest_ctx)

    def run(self):
        cdef _Plan plan = self.plan
        cdef Py_ssize_t unit
        try:
            while plan.error is None:
                # Claimed under the GIL: no other thread runs between the read and the increment.
                unit = plan.cursor
                if unit >= plan.count:
                    return
                plan.cursor = unit + 1
                self._process(unit)
        except BaseException as exc:
            if plan.error is None:
                plan.error = exc

    cdef int _process(self, Py_ssize_t unit) except -1:
        cdef _Plan plan = self.plan
        cdef int64_t offset = plan.offsets[unit]
        cdef int64_t remaining = plan.lengths[unit]
        cdef Py_ssize_t length
        cdef Py_ssize_t got
        cdef int failed = 0
        cdef int read_errno = 0
        cdef const unsigned char *data
        cdef bint native_md5 = plan.want_md5 and plan.native
        cdef bint native_digest = plan.digest_kind >= 0 and plan.native
        cdef uint64_t crc = 0
        cdef object crc_function = plan.crc_function
        cdef object py_md5 = None
        cdef object py_digest = None
        cdef object block
        if native_md5 and not s3s_init(self.md5_ctx, KIND_MD5):
            raise RuntimeError("OpenSSL MD5 init failed")
        if native_digest and not s3s_init(self.digest_ctx, plan.digest_kind):
            raise RuntimeError("OpenSSL digest init failed")
        if plan.want_md5 and not plan.native:
            py_md5 = hashlib.md5(usedforsecurity=False)
        if plan.digest_kind >= 0 and not plan.native:
            py_digest = hashlib.new(plan.digest_name)
        while remaining > 0:
            length = <Py_ssize_t>min(remaining, <int64_t>self.buffer_size)
            with nogil:
                if plan.fd >= 0:
                    got = _pread_full(plan.fd, self.buffer, length, offset)
                    read_errno = errno
                    data = self.buffer
                else:
                    got = length
                    data = plan.base + offset
                if got == length:
                    if native_md5 and not s3s_update(self.md5_ctx, data, length):
                        failed = 1
                    if native_digest and not s3s_update(self.digest_ctx, data, length):
                        failed = 1
            if got < 0:
                raise OSError(read_errno, os.strerror(read_errno))
            if got < length:
                raise ValueError(f"file ended {remaining - got} bytes early (changed while being read?)")
            if failed:
                raise RuntimeError("OpenSSL digest update failed")
            if py_md5 is not None or py_digest is not None or crc_function is not None:
                if plan.fd >= 0:
                    block = self.buffer_view[:length]
                else:
                    block = plan.view[offset:offset + length]
                if py_md5 is not None:
                    py_md5.update(block)
                if py_digest is not None:
                    py_digest.update(block)
                if crc_function is not None:
                    crc = crc_function(block, crc)
            offset += length
            remaining -= length
        if native_md5 and not s3s_final(self.md5_ctx, plan.md5_out + 16 * unit):
            raise RuntimeError("OpenSSL MD5 final failed")
        if native_digest and not s3s_final(self.digest_ctx, plan.digest_out + MAX_DIGEST * unit):
            raise RuntimeError("OpenSSL digest final failed")
        if py_md5 is not None:
            _store(py_md5.digest(), plan.md5_out + 16 * unit)
        if py_digest is not None:
            _store(py_digest.digest(), plan.digest_out + MAX_DIGEST * unit)
        plan.crc_out[unit] = crc
        return 0


cdef void _store(bytes digest, unsigned char *out):
    cdef const unsigned char[:] source = digest
    cdef Py_ssize_t i
    for i in range(len(digest)):
        out[i] = source[i]


cdef inline object _result(list md5s, list part_checksums, object full, int64_t total):
    # tuple.__new__ skips the NamedTuple's Python-level __new__, a measurable cost on small files.
    return tuple.__new__(HashResult, (md5s, part_checksums, full, total))


cdef list _checked_sizes(part_sizes, int64_t *total):
    """The part sizes as a list, summed into total; bad input raises through the shared `check_part_sizes`."""
    cdef list sizes = part_sizes if type(part_sizes) is list else list(part_sizes)
    cdef int64_t sum_ = 0, value
    cdef object size
    for size in sizes:
        if type(size) is not int:
            # Rare (bools, numpy ints, wrong types): let the shared checker convert or raise.
            sizes = check_part_sizes(sizes)
            break
    if not sizes:
        check_part_sizes(sizes)
    for size in sizes:
        if size < 0:
            check_part_sizes(sizes)
        # No real input reaches 2**63 bytes; refusing it keeps the sums in int64.
        if size > INT64_MAX_PY or sum_ > INT64_MAX_C - <int64_t>size:
            raise ValueError("part sizes add up to more than 2**63-1 bytes")
        value = size
        sum_ += value
    total[0] = sum_
    return sizes


cdef inline int _check_algorithm(algorithm, full_object) except -1:
    if algorithm is None or (algorithm in _CRC_FUNCTIONS) or (not full_object and algorithm in DIGEST_SIZES):
        return 0
    check_algorithm(algorithm, full_object)
    return 0


cdef tuple _make_plan(list sizes, algorithm, bint want_md5):
    """Cut the parts into units: whole parts when a sequential digest is needed, else CRC segments.

    Returns:
        (plan, layout) where layout lists (part number, offset, length) per unit, in stream order.
    """
    cdef bint segmented = not want_md5 and algorithm not in ("SHA1", "SHA256")
    cdef list layout = []
    cdef int64_t size, start, piece
    cdef int64_t offset = 0
    cdef Py_ssize_t part, unit
    for part, size in enumerate(sizes):
        if segmented and size > SEGMENT:
            start = 0
            while start < size:
                piece = min(SEGMENT, size - start)
                layout.append((part, offset + start, piece))
                start += piece
        else:
            layout.append((part, offset, size))
        offset += size
    cdef _Plan plan = _Plan(len(layout))
    for unit, (part, start, piece) in enumerate(layout):
        plan.offsets[unit] = start
        plan.lengths[unit] = piece
    plan.want_md5 = want_md5
    plan.native = _native()
    plan.digest_kind = -1
    if algorithm == "SHA1":
        plan.digest_kind = KIND_SHA1
    elif algorithm == "SHA256":
        plan.digest_kind = KIND_SHA256
    plan.digest_name = algorithm.lower() if algorithm is not None else None
    plan.crc_function = _CRC_FUNCTIONS.get(algorithm)
    return plan, layout


cdef _execute(_Plan plan, int64_t total):
    """Run the plan on this thread plus helper threads when the input is large enough to pay for them."""
    cdef Py_ssize_t largest = 0
    cdef Py_ssize_t unit
    for unit in range(plan.count):
        largest = max(largest, <Py_ssize_t>min(plan.lengths[unit], <int64_t>BLOCK))
    cdef Py_ssize_t threads = 1 if total < PARALLEL_MIN else min(_threads(), plan.count)
    workers = [_Worker(plan, largest) for _ in range(threads)]
    helpers = [threading.Thread(target=worker.run, name="s3syncpy-hash", daemon=True) for worker in workers[1:]]
    try:
        for helper in helpers:
            helper.start()
        (<_Worker>workers[0]).run()
        for helper in helpers:
            helper.join()
    except BaseException as exc:
        # Stop the helpers at their next unit and wait for them: they must not outlive the fd or the buffer.
        if plan.error is None:
            plan.error = exc
        for helper in helpers:
            if helper.is_alive():
                helper.join()
        raise
    if plan.error is not None:
        raise plan.error


cdef object _collect(_Plan plan, list layout, list sizes, algorithm, bint full_object, int64_t total):
    cdef Py_ssize_t unit, part, last_part = -1
    cdef int64_t start, piece
    md5s = []
    if plan.want_md5:
        # With MD5 wanted, units are whole parts.
        md5s = [(<char *>plan.md5_out)[16 * unit:16 * unit + 16] for unit in range(plan.count)]
    part_checksums = []
    full = None
    if algorithm is None:
        return _result(md5s, part_checksums, full, total)
    width = DIGEST_SIZES[algorithm]
    if algorithm not in CRC_ALGORITHMS:
        part_checksums = [
            (<char *>plan.digest_out)[MAX_DIGEST * unit:MAX_DIGEST * unit + width] for unit in range(plan.count)
        ]
        return _result(md5s, part_checksums, full, total)
    combine = _CRC_COMBINE[algorithm]
    part_crcs = []
    for unit, (part, start, piece) in enumerate(layout):
        if part != last_part:
            part_crcs.append(plan.crc_out[unit])
            last_part = part
        else:
            part_crcs[part] = combine(part_crcs[part], plan.crc_out[unit], piece)
    part_checksums = [crc.to_bytes(width, "big") for crc in part_crcs]
    if full_object:
        crc = 0
        for part, size in enumerate(sizes):
            crc = combine(crc, part_crcs[part], size)
        full = crc.to_bytes(width, "big")
    return _result(md5s, part_checksums, full, total)


def hash_file_parts(path, part_sizes, algorithm=None, full_object=False, want_md5=True):
    """Hash a file cut into parts: per-part MD5, per-part checksum and optionally the full-object CRC.

    Args:
        path: the file to read.
        part_sizes: byte count of each part; they must add up to the file size ([size] for one part).
        algorithm: None, "SHA1", "SHA256", "CRC32", "CRC32C" or "CRC64NVME".
        full_object: also return the CRC of the whole file (CRC algorithms only).
        want_md5: compute the per-part MD5s (for ETags).

    Returns:
        The digests (HashResult).

    Raises:
        ValueError: bad part sizes or algorithm, or the file size differs from the sum of the parts
            (also when the file shrinks while being read).
        OSError: the file cannot be opened or read.
    """
    cdef int64_t total = 0
    cdef list sizes = _checked_sizes(part_sizes, &total)
    _check_algorithm(algorithm, full_object)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        status = os.fstat(fd)
        if stat_isdir(status.st_mode):
            raise IsADirectoryError(errno_module.EISDIR, os.strerror(errno_module.EISDIR), path)
        if status.st_size != total:
            raise size_mismatch(status.st_size, total)
        if not want_md5 and algorithm is None:
            return _result([], [], None, total)
        plan, layout = _make_plan(sizes, algorithm, bool(want_md5))
        (<_Plan>plan).fd = fd
        _execute(plan, total)
        return _collect(plan, layout, sizes, algorithm, bool(full_object), total)
    finally:
        os.close(fd)


def hash_buffer_parts(buffer, part_sizes, algorithm=None, full_object=False, want_md5=True):
    """Hash an in-memory buffer cut into parts; same contract as `hash_file_parts`.

    Args:
        buffer: the bytes (any C-contiguous buffer; read as bytes).
        part_sizes: byte count of each part; they must add up to the buffer length.
        algorithm: None, "SHA1", "SHA256", "CRC32", "CRC32C" or "CRC64NVME".
        full_object: also return the CRC of the whole buffer (CRC algorithms only).
        want_md5: compute the per-part MD5s.

    Returns:
        The digests (HashResult).

    Raises:
        ValueError: bad part sizes or algorithm, or the buffer length differs from the sum of the parts.
    """
    cdef int64_t total = 0
    cdef list sizes = _checked_sizes(part_sizes, &total)
    _check_algorithm(algorithm, full_object)
    view = memoryview(buffer).cast("B")
    if view.nbytes != total:
        raise size_mismatch(view.nbytes, total)
    if not want_md5 and algorithm is None:
        return _result([], [], None, total)
    cdef const unsigned char[::1] data
    plan, layout = _make_plan(sizes, algorithm, bool(want_md5))
    (<_Plan>plan).view = view
    if total > 0:
        data = view
        (<_Plan>plan).base = &data[0]
    _execute(plan, total)
    return _collect(plan, layout, sizes, algorithm, bool(full_object), total)
