# Worker classes of _hashing.pyx (included there): the plan, the per-part worker and the lane worker.

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


cdef unsigned char *_aligned_buffer(Py_ssize_t size, void **allocation) except NULL:
    """A page-aligned buffer of `size` bytes; free `allocation[0]` with PyMem_RawFree.

    Why: the kernel copies page-cache data into a read buffer about 3x slower when the destination is not
    64-byte aligned (measured on this AMD EPYC: 0.52 s/GiB at offset 16, 0.15-0.17 s/GiB aligned), and malloc
    hands out large blocks at offset 16.
    """
    allocation[0] = PyMem_RawMalloc(max(size, 1) + 4096)
    if allocation[0] == NULL:
        raise MemoryError()
    return <unsigned char *>((<size_t>allocation[0] + 4095) & ~(<size_t>4095))


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
    cdef void *allocation
    cdef unsigned char *buffer
    cdef Py_ssize_t buffer_size
    cdef object buffer_view
    cdef s3s_ctx *md5_ctx
    cdef s3s_ctx *digest_ctx

    def __cinit__(self, _Plan plan, Py_ssize_t buffer_size):
        self.plan = plan
        self.buffer_size = buffer_size
        if plan.fd >= 0:
            self.buffer = _aligned_buffer(buffer_size, &self.allocation)
            self.buffer_view = PyMemoryView_FromMemory(<char *>self.buffer, buffer_size, PyBUF_READ)
        if plan.native:
            self.md5_ctx = s3s_ctx_new()
            self.digest_ctx = s3s_ctx_new()
            if self.md5_ctx == NULL or self.digest_ctx == NULL:
                raise MemoryError()

    def __dealloc__(self):
        # The memoryview over the buffer is dropped first; nothing else holds it.
        self.buffer_view = None
        PyMem_RawFree(self.allocation)
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


cdef class _LaneWorker:
    """Hashes up to LANES parts at once with the multi-buffer MD5; a finished lane takes the next part.

    Each round reads up to `chunk` bytes of every active lane, advances all their MD5 states together by the
    common number of whole 64-byte blocks (the few extra blocks of longer lanes go through the scalar function),
    feeds SHA/CRC per lane, and finishes the lanes whose part ended.
    """

    cdef _Plan plan
    cdef Py_ssize_t max_lanes
    cdef Py_ssize_t chunk                     # bytes per lane per round, a multiple of 64
    cdef void *allocation
    cdef unsigned char *buffer                # file mode: LANES * chunk bytes
    cdef object buffer_view
    cdef Py_ssize_t unit[LANES]               # -1 when the lane is free
    cdef int64_t offset[LANES]
    cdef int64_t remaining[LANES]
    cdef uint64_t crc[LANES]
    cdef s3s_md5_state state[LANES]
    cdef s3s_ctx *digest_ctx[LANES]
    cdef list py_digests
    cdef s3s_md5_state scratch                # state of idle lanes, discarded

    def __cinit__(self, _Plan plan, Py_ssize_t max_lanes):
        cdef Py_ssize_t lane
        self.plan = plan
        self.max_lanes = max_lanes
        # Per-lane Python calls (awscrt CRC, hashlib) take the GIL once per lane per round; with two threads
        # that is a handoff each time, so those rounds are made 8x longer (the buffer then lives in L3).
        self.chunk = LANE_CHUNK * 8 if (plan.crc_function is not None or not plan.native) else LANE_CHUNK
        self.py_digests = [None] * LANES
        for lane in range(LANES):
            self.unit[lane] = -1
        if plan.fd >= 0:
            self.buffer = _aligned_buffer(LANES * self.chunk, &self.allocation)
            self.buffer_view = PyMemoryView_FromMemory(<char *>self.buffer, LANES * self.chunk, PyBUF_READ)
        if plan.native and plan.digest_kind >= 0:
            for lane in range(LANES):
                self.digest_ctx[lane] = s3s_ctx_new()
                if self.digest_ctx[lane] == NULL:
                    raise MemoryError()

    def __dealloc__(self):
        cdef Py_ssize_t lane
        self.buffer_view = None
        PyMem_RawFree(self.allocation)
        for lane in range(LANES):
            s3s_ctx_free(self.digest_ctx[lane])

    def run(self):
        cdef _Plan plan = self.plan
        try:
            while plan.error is None and self._refill():
                self._round()
        except BaseException as exc:
            if plan.error is None:
                plan.error = exc

    cdef bint _refill(self) except -1:
        """Claim parts into free lanes (under the GIL); False when no lane has work left."""
        cdef _Plan plan = self.plan
        cdef Py_ssize_t lane, unit, active = 0
        for lane in range(LANES):
            if self.unit[lane] >= 0:
                active += 1
        for lane in range(LANES):
            if active >= self.max_lanes:
                break
            while self.unit[lane] < 0 and plan.cursor < plan.count:
                unit = plan.cursor
                plan.cursor = unit + 1
                self._start(lane, unit)
                if plan.lengths[unit] == 0:
                    # Nothing to read: finish at once and keep the lane free.
                    self._finish(lane, <const unsigned char *>&self.scratch, 0)
                else:
                    active += 1
        return active > 0

    cdef int _start(self, Py_ssize_t lane, Py_ssize_t unit) except -1:
        cdef _Plan plan = self.plan
        self.unit[lane] = unit
        self.offset[lane] = plan.offsets[unit]
        self.remaining[lane] = plan.lengths[unit]
        self.crc[lane] = 0
        s3s_md5_init(&self.state[lane])
        if plan.digest_kind >= 0:
            if plan.native:
                if not s3s_init(self.digest_ctx[lane], plan.digest_kind):
                    raise RuntimeError("OpenSSL digest init failed")
            else:
                self.py_digests[lane] = hashlib.new(plan.digest_name)
        return 0

    cdef int _finish(self, Py_ssize_t lane, const unsigned char *tail, Py_ssize_t tail_length) except -1:
        """Pad and store the lane's MD5 (its last < 64 bytes are at tail), store SHA/CRC, free the lane."""
        cdef _Plan plan = self.plan
        cdef Py_ssize_t unit = self.unit[lane]
        s3s_md5_finish(&self.state[lane], tail, tail_length, plan.lengths[unit], plan.md5_out + 16 * unit)
        if plan.digest_kind >= 0:
            if plan.native:
                if not s3s_final(self.digest_ctx[lane], plan.digest_out + MAX_DIGEST * unit):
                    raise RuntimeError("OpenSSL digest final failed")
            else:
                _store(self.py_digests[lane].digest(), plan.digest_out + MAX_DIGEST * unit)
                self.py_digests[lane] = None
        plan.crc_out[unit] = self.crc[lane]
        self.unit[lane] = -1
        return 0

    cdef int _round(self) except -1:
        cdef _Plan plan = self.plan
        cdef Py_ssize_t lengths[LANES]
        cdef const unsigned char *data[LANES]
        cdef s3s_md5_state *states[LANES]
        cdef const unsigned char *lane_data[LANES]
        cdef Py_ssize_t lane, got = 0, failed_lane = -1, common = 0, blocks, joined = 0, first
        cdef int read_errno = 0, failed = 0
        cdef bint native_digest = plan.native and plan.digest_kind >= 0
        cdef object block
        with nogil:
            for lane in range(LANES):
                lengths[lane] = 0
                if self.unit[lane] < 0:
                    continue
                lengths[lane] = <Py_ssize_t>min(self.remaining[lane], <int64_t>self.chunk)
                if plan.fd >= 0:
                    data[lane] = self.buffer + lane * self.chunk
                    got = _pread_full(plan.fd, self.buffer + lane * self.chunk, lengths[lane], self.offset[lane])
                    if got != lengths[lane]:
                        read_errno = errno
                        failed_lane = lane
                        break
                else:
                    data[lane] = plan.base + self.offset[lane]
            if failed_lane < 0:
                # The block count every lane with at least one whole block can advance together.
                for lane in range(LANES):
                    blocks = lengths[lane] // 64
                    if blocks > 0 and (common == 0 or blocks < common):
                        common = blocks
                for lane in range(LANES):
                    if lengths[lane] // 64 > 0:
                        joined += 1
                if joined >= 2:
                    for lane in range(LANES):
                        if lengths[lane] // 64 > 0:
                            states[lane] = &self.state[lane]
                            lane_data[lane] = data[lane]
                    first = _first_joined(lengths)
                    for lane in range(LANES):
                        if lengths[lane] // 64 == 0:
                            # Idle lanes compute on a joined lane's bytes into a scratch state.
                            states[lane] = &self.scratch
                            lane_data[lane] = data[first]
                    s3s_md5x8_blocks(states, lane_data, common)
                else:
                    common = 0
                for lane in range(LANES):
                    blocks = lengths[lane] // 64
                    if blocks > common:
                        s3s_md5_blocks(&self.state[lane], data[lane] + 64 * common, blocks - common)
                    if native_digest and lengths[lane] > 0:
                        if not s3s_update(self.digest_ctx[lane], data[lane], lengths[lane]):
                            failed = 1
        if failed_lane >= 0:
            if got < 0:
                raise OSError(read_errno, os.strerror(read_errno))
            raise ValueError(
                f"file ended {self.remaining[failed_lane] - got} bytes early (changed while being read?)"
            )
        if failed:
            raise RuntimeError("OpenSSL digest update failed")
        for lane in range(LANES):
            if lengths[lane] == 0:
                continue
            if plan.crc_function is not None or self.py_digests[lane] is not None:
                if plan.fd >= 0:
                    block = self.buffer_view[lane * self.chunk:lane * self.chunk + lengths[lane]]
                else:
                    block = plan.view[self.offset[lane]:self.offset[lane] + lengths[lane]]
                if self.py_digests[lane] is not None:
                    self.py_digests[lane].update(block)
                if plan.crc_function is not None:
                    self.crc[lane] = plan.crc_function(block, self.crc[lane])
            if lengths[lane] == self.remaining[lane]:
                blocks = lengths[lane] // 64
                self._finish(lane, data[lane] + 64 * blocks, lengths[lane] - 64 * blocks)
            else:
                # Not the last chunk: chunk is a multiple of 64, so no partial block is left behind.
                self.offset[lane] += lengths[lane]
                self.remaining[lane] -= lengths[lane]
        return 0


cdef inline Py_ssize_t _first_joined(Py_ssize_t *lengths) noexcept nogil:
    cdef Py_ssize_t lane
    for lane in range(LANES):
        if lengths[lane] // 64 > 0:
            return lane
    return 0
