# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of `_pure`'s hashing: per-part MD5 / SHA / CRC of a file or buffer, parts hashed in parallel.

Why it is faster than the pure twin: a file is read once with pread into reusable buffers (no per-block
Python bytes), digests run with the GIL released, and parts are spread over threads so a multi-part ETag uses
every core. With enough parts and an AVX2 CPU, each thread also advances eight parts' MD5s at once
(_md5mb.h: one MD5 stream is a serial chain, eight streams share each vector instruction); otherwise MD5, and
always SHA1/SHA256, run on OpenSSL's EVP API (_digest.h). CRCs go through awscrt's functions (which release
the GIL themselves), called per block on a memoryview of the same buffer; full-object CRCs are combined from
the part CRCs with awscrt's combine functions instead of a second pass.

Built without OpenSSL headers (S3SYNCPY_HAVE_OPENSSL undefined), the workers feed hashlib objects instead;
hashlib releases the GIL on large updates, so parts still run in parallel.

The worker classes live in _hashing_workers.pxi (textually included: Cython cannot split one extension module
otherwise without a second module and a .pxd).
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
    RangeDigest,
    check_algorithm,
    check_part_sizes,
    check_range,
    size_mismatch,
)

from cpython.buffer cimport PyBUF_READ
from cpython.mem cimport PyMem_RawFree, PyMem_RawMalloc
from cpython.memoryview cimport PyMemoryView_FromMemory
from libc.errno cimport EINTR, errno
from libc.stdint cimport int64_t, uint32_t, uint64_t
from posix.unistd cimport pread

cdef extern from "_digest.h":
    ctypedef struct s3s_ctx
    int S3S_HAVE_NATIVE
    int s3s_prepare()
    s3s_ctx *s3s_ctx_new() nogil
    void s3s_ctx_free(s3s_ctx *ctx) nogil
    int s3s_init(s3s_ctx *ctx, int kind) nogil
    int s3s_update(s3s_ctx *ctx, const void *data, size_t length) nogil
    int s3s_final(s3s_ctx *ctx, unsigned char *out) nogil

cdef extern from "_md5mb.h":
    ctypedef struct s3s_md5_state:
        uint32_t h[4]
    int S3S_HAVE_MD5MB
    int s3s_md5mb_available()
    void s3s_md5_init(s3s_md5_state *state) nogil
    void s3s_md5_blocks(s3s_md5_state *state, const unsigned char *data, size_t count) nogil
    void s3s_md5_finish(
        s3s_md5_state *state, const unsigned char *tail, size_t tail_len, uint64_t total, unsigned char *out
    ) nogil
    void s3s_md5x8_blocks(s3s_md5_state **states, const unsigned char **data, size_t count) nogil

cdef enum:
    # Digest kinds: the index into s3s_mds.
    KIND_MD5 = 0
    KIND_SHA1 = 1
    KIND_SHA256 = 2
    # Widest digest kept per unit (SHA256).
    MAX_DIGEST = 32
    # Lanes of the multi-buffer MD5 (S3S_MD5_LANES in _md5mb.h) and the bytes each lane reads per round:
    # 8 x 128 KiB stays in L2, and a round is long enough that its Python-level bookkeeping is noise.
    LANES = 8
    LANE_CHUNK = 128 * 1024
    # Below this many lanes per thread, OpenSSL's one-stream MD5 on separate threads is as fast.
    MIN_LANES = 3

# The per-part path reads, digests and CRCs 1 MiB at a time: few enough per-block Python calls to awscrt (each
# one a GIL handoff when two threads run) to cost nothing measurable, small enough to stay in cache.
cdef Py_ssize_t BLOCK = 1 << 20
# CRC-only work is cut into segments of at most this size so a single huge part still uses every core.
cdef int64_t SEGMENT = 8 << 20
# Below this total, threads cost more than they save (and most synced files are small).
cdef int64_t PARALLEL_MIN = 4 << 20

cdef int64_t INT64_MAX_C = 0x7FFFFFFFFFFFFFFF
INT64_MAX_PY = 0x7FFFFFFFFFFFFFFF
cdef int _native_state = -1          # -1 unknown, 0 no, 1 yes; set under the GIL
cdef int _md5mb_state = -1
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


cdef bint _md5mb():
    global _md5mb_state
    if _md5mb_state < 0:
        _md5mb_state = 1 if (S3S_HAVE_MD5MB and s3s_md5mb_available()) else 0
    return _md5mb_state == 1


def multi_buffer_md5():
    """Whether this CPU runs the 8-lane AVX2 MD5 used for ETags of files with several parts."""
    return _md5mb()


cdef int _threads():
    global _cpu_count
    if _cpu_count == 0:
        try:
            _cpu_count = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            _cpu_count = os.cpu_count() or 1
    return _cpu_count


include "_hashing_workers.pxi"
include "_hashing_range.pxi"


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
    # Spread the parts evenly over the threads' lanes, so no thread idles while another has a full set.
    cdef Py_ssize_t lanes = min(<Py_ssize_t>LANES, (plan.count + threads - 1) // threads)
    if plan.want_md5 and lanes >= MIN_LANES and _md5mb():
        workers = [_LaneWorker(plan, lanes) for _ in range(threads)]
    else:
        workers = [_Worker(plan, largest) for _ in range(threads)]
    helpers = [threading.Thread(target=worker.run, name="s3syncpy-hash", daemon=True) for worker in workers[1:]]
    try:
        for helper in helpers:
            helper.start()
        workers[0].run()
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
