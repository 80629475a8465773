# ETag packing of _keymap.pyx (included there); the rules are those of _pure_keymap._pack_etag.

cdef const char *HEX = b"0123456789abcdef"


cdef inline int _hex_value(unsigned char ch) noexcept:
    if 48 <= ch <= 57:
        return ch - 48
    if 97 <= ch <= 102:
        return ch - 87
    return -1


cdef int _pack_etag(str e_tag, unsigned char *raw, uint16_t *parts) noexcept:
    """Flags for an ETag, writing its 16 raw bytes and part count when it has the packed form."""
    cdef Py_ssize_t length, i
    cdef const unsigned char *text
    cdef int flags = KIND_HEX, high, low
    cdef uint32_t number = 0, digit
    if not PyUnicode_IS_ASCII(e_tag):
        # The packed forms are pure ASCII; anything else is kept verbatim.
        return KIND_SIDE
    text = <const unsigned char *>PyUnicode_DATA(e_tag)
    length = PyUnicode_GET_LENGTH(e_tag)
    if length >= 2 and text[0] == 34 and text[length - 1] == 34:  # '"'
        flags |= QUOTED
        text += 1
        length -= 2
    if length < 32:
        return KIND_SIDE
    for i in range(16):
        high = _hex_value(text[2 * i])
        low = _hex_value(text[2 * i + 1])
        if high < 0 or low < 0:
            return KIND_SIDE
        raw[i] = <unsigned char>(high * 16 + low)
    if length == 32:
        parts[0] = 0
        return flags
    # "-N": N is 1-5 digits without a leading zero and at most 65535.
    if length < 34 or length > 38 or text[32] != 45 or text[33] == 48:  # '-', '0'
        return KIND_SIDE
    for i in range(33, length):
        digit = <uint32_t>text[i] - 48
        if digit > 9:
            return KIND_SIDE
        number = number * 10 + digit
    if number > MAX_PACKED_PARTS:
        return KIND_SIDE
    parts[0] = <uint16_t>number
    return flags | SUFFIX


cdef str _unpack_etag(const unsigned char *record):
    cdef char text[48]
    cdef Py_ssize_t n = 0, i
    cdef int flags = record[AT_FLAGS]
    cdef uint16_t parts
    cdef bytes digits
    if flags & QUOTED:
        text[n] = b'"'
        n += 1
    for i in range(16):
        text[n] = HEX[record[AT_ETAG + i] >> 4]
        text[n + 1] = HEX[record[AT_ETAG + i] & 15]
        n += 2
    if flags & SUFFIX:
        memcpy(&parts, record + AT_PARTS, 2)
        digits = str(parts).encode("ascii")
        text[n] = b'-'
        memcpy(text + n + 1, <const char *>digits, len(digits))
        n += 1 + len(digits)
    if flags & QUOTED:
        text[n] = b'"'
        n += 1
    return text[:n].decode("ascii")
