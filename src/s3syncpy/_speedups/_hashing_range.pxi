# hash_fd_range of _hashing.pyx (included there): one byte range of an open file, hashed in one read pass.
#
# Why a separate function: a part streamed to S3 from a file is hashed first (its Content-MD5, checksum and
# signed payload hash go in the request headers) and read again while it is sent, so it is never held whole.
# One call reads the range into one aligned buffer and feeds every digest with the GIL released; the caller
# runs it in a worker thread, and parallel parts run in parallel calls.

cdef enum:
    # MD5, the SHA algorithm, the payload SHA-256: at most three digests at once.
    RANGE_DIGESTS = 3


def hash_fd_range(int fd, offset, length, algorithm=None, want_md5=True, want_sha256=False):
    """Hash `length` bytes of an open file at `offset` in one read pass, without moving its position.

    Args:
        fd: a descriptor open for reading.
        offset: where the range starts.
        length: its size in bytes.
        algorithm: None, "SHA1", "SHA256", "CRC32", "CRC32C" or "CRC64NVME".
        want_md5: compute the MD5 (Content-MD5, ETag).
        want_sha256: compute the SHA-256 as well (the signed payload hash).

    Returns:
        The digests (RangeDigest; sha256 equals checksum when algorithm is "SHA256").

    Raises:
        ValueError: bad offset, length or algorithm, or the file ends before offset + length.
        OSError: the read failed.
    """
    check_range(offset, length)
    _check_algorithm(algorithm, False)
    cdef int64_t position = offset
    cdef int64_t remaining = length
    cdef int digest_kind = KIND_SHA1 if algorithm == "SHA1" else (KIND_SHA256 if algorithm == "SHA256" else -1)
    cdef int kinds[RANGE_DIGESTS]
    cdef s3s_ctx *contexts[RANGE_DIGESTS]
    cdef unsigned char out[MAX_DIGEST]
    cdef int count = 0, index
    cdef bint native = _native()
    cdef int failed = 0, read_errno = 0
    cdef Py_ssize_t chunk, got
    cdef Py_ssize_t size = <Py_ssize_t>min(max(remaining, <int64_t>1), <int64_t>BLOCK)
    cdef void *allocation = NULL
    cdef unsigned char *buffer = _aligned_buffer(size, &allocation)
    cdef uint64_t crc = 0
    names = []
    if want_md5:
        kinds[count] = KIND_MD5
        names.append("md5")
        count += 1
    if digest_kind >= 0:
        kinds[count] = digest_kind
        names.append(algorithm.lower())
        count += 1
    if want_sha256 and digest_kind != KIND_SHA256:
        kinds[count] = KIND_SHA256
        names.append("sha256")
        count += 1
    for index in range(count):
        contexts[index] = NULL
    crc_function = _CRC_FUNCTIONS.get(algorithm)
    hashers = []
    view = None
    try:
        if native:
            for index in range(count):
                contexts[index] = s3s_ctx_new()
                if contexts[index] == NULL:
                    raise MemoryError()
                if not s3s_init(contexts[index], kinds[index]):
                    raise RuntimeError("OpenSSL digest init failed")
        else:
            hashers = [hashlib.new(name, usedforsecurity=False) for name in names]
        view = PyMemoryView_FromMemory(<char *>buffer, size, PyBUF_READ)
        while remaining > 0:
            chunk = <Py_ssize_t>min(remaining, <int64_t>size)
            with nogil:
                got = _pread_full(fd, buffer, chunk, position)
                read_errno = errno
                if got == chunk and native:
                    for index in range(count):
                        if not s3s_update(contexts[index], buffer, chunk):
                            failed = 1
            if got < 0:
                raise OSError(read_errno, os.strerror(read_errno))
            if got < chunk:
                raise ValueError(f"file ended {remaining - got} bytes early (changed while being read?)")
            if failed:
                raise RuntimeError("OpenSSL digest update failed")
            if hashers or crc_function is not None:
                block = view[:chunk]
                for hasher in hashers:
                    hasher.update(block)
                if crc_function is not None:
                    crc = crc_function(block, crc)
                block = None
            position += chunk
            remaining -= chunk
        digests = []
        for index in range(count):
            if native:
                if not s3s_final(contexts[index], out):
                    raise RuntimeError("OpenSSL digest final failed")
                digests.append((<char *>out)[:16 if kinds[index] == KIND_MD5 else DIGEST_SIZES[names[index].upper()]])
            else:
                digests.append(hashers[index].digest())
    finally:
        # Nothing may see the buffer once it is freed: the view over it goes first.
        view = None
        for index in range(count):
            if contexts[index] != NULL:
                s3s_ctx_free(contexts[index])
        PyMem_RawFree(allocation)
    # Digests come in the order they were set up: MD5, the SHA algorithm, the payload SHA-256.
    index = 0
    md5 = checksum = sha256 = None
    if want_md5:
        md5 = digests[index]
        index += 1
    if digest_kind >= 0:
        checksum = digests[index]
        index += 1
    if crc_function is not None:
        checksum = (<object>crc).to_bytes(DIGEST_SIZES[algorithm], "big")
    if want_sha256:
        sha256 = checksum if digest_kind == KIND_SHA256 else digests[index]
    return tuple.__new__(RangeDigest, (md5, checksum, sha256))
