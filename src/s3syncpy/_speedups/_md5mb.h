/* Multi-buffer MD5: eight independent MD5 streams advanced together in the eight 32-bit lanes of AVX2
 * registers, plus a scalar block function for odd blocks and padding.
 *
 * Why: one MD5 stream is a serial dependency chain (about 0.7 GB/s per core with OpenSSL), but the parts of a
 * multipart ETag are independent streams, so eight of them can share each instruction. Used by _hashing.pyx
 * only when the CPU has AVX2 (checked at run time) and there are enough parts to fill the lanes; every other
 * case uses OpenSSL. Correctness is checked against hashlib by tests/unit/speedups.
 *
 * The algorithm is RFC 1321; words are little-endian, which is the byte order of every CPU with AVX2.
 */
#ifndef S3SYNCPY_MD5MB_H
#define S3SYNCPY_MD5MB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define S3S_MD5_LANES 8

typedef struct {
    uint32_t h[4];
} s3s_md5_state;

static const uint32_t s3s_md5_k[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

static inline void s3s_md5_init(s3s_md5_state *state) {
    state->h[0] = 0x67452301;
    state->h[1] = 0xefcdab89;
    state->h[2] = 0x98badcfe;
    state->h[3] = 0x10325476;
}

static inline uint32_t s3s_load32(const unsigned char *p) {
    uint32_t value;
    memcpy(&value, p, 4);
    return value;
}

#define S3S_ROTL(x, s) (((x) << (s)) | ((x) >> (32 - (s))))
#define S3S_STEP(f, a, b, c, d, m, k, s) \
    do { (a) += f((b), (c), (d)) + (m) + (k); (a) = S3S_ROTL((a), s) + (b); } while (0)
#define S3S_F(b, c, d) ((d) ^ ((b) & ((c) ^ (d))))
#define S3S_G(b, c, d) ((c) ^ ((d) & ((b) ^ (c))))
#define S3S_H(b, c, d) ((b) ^ (c) ^ (d))
#define S3S_I(b, c, d) ((c) ^ ((b) | ~(d)))

/* The 64 steps, written once for both the scalar and the vector version: STEP(f, a,b,c,d, word, round, shift). */
#define S3S_MD5_ROUNDS(STEP, F, G, H, I, W)                                                                  \
    STEP(F, a, b, c, d, W(0), 0, 7);   STEP(F, d, a, b, c, W(1), 1, 12);  STEP(F, c, d, a, b, W(2), 2, 17);   \
    STEP(F, b, c, d, a, W(3), 3, 22);  STEP(F, a, b, c, d, W(4), 4, 7);   STEP(F, d, a, b, c, W(5), 5, 12);   \
    STEP(F, c, d, a, b, W(6), 6, 17);  STEP(F, b, c, d, a, W(7), 7, 22);  STEP(F, a, b, c, d, W(8), 8, 7);    \
    STEP(F, d, a, b, c, W(9), 9, 12);  STEP(F, c, d, a, b, W(10), 10, 17); STEP(F, b, c, d, a, W(11), 11, 22); \
    STEP(F, a, b, c, d, W(12), 12, 7); STEP(F, d, a, b, c, W(13), 13, 12); STEP(F, c, d, a, b, W(14), 14, 17); \
    STEP(F, b, c, d, a, W(15), 15, 22);                                                                     \
    STEP(G, a, b, c, d, W(1), 16, 5);  STEP(G, d, a, b, c, W(6), 17, 9);  STEP(G, c, d, a, b, W(11), 18, 14); \
    STEP(G, b, c, d, a, W(0), 19, 20); STEP(G, a, b, c, d, W(5), 20, 5);  STEP(G, d, a, b, c, W(10), 21, 9);  \
    STEP(G, c, d, a, b, W(15), 22, 14); STEP(G, b, c, d, a, W(4), 23, 20); STEP(G, a, b, c, d, W(9), 24, 5);  \
    STEP(G, d, a, b, c, W(14), 25, 9); STEP(G, c, d, a, b, W(3), 26, 14); STEP(G, b, c, d, a, W(8), 27, 20);  \
    STEP(G, a, b, c, d, W(13), 28, 5); STEP(G, d, a, b, c, W(2), 29, 9);  STEP(G, c, d, a, b, W(7), 30, 14);  \
    STEP(G, b, c, d, a, W(12), 31, 20);                                                                     \
    STEP(H, a, b, c, d, W(5), 32, 4);  STEP(H, d, a, b, c, W(8), 33, 11); STEP(H, c, d, a, b, W(11), 34, 16); \
    STEP(H, b, c, d, a, W(14), 35, 23); STEP(H, a, b, c, d, W(1), 36, 4); STEP(H, d, a, b, c, W(4), 37, 11);  \
    STEP(H, c, d, a, b, W(7), 38, 16); STEP(H, b, c, d, a, W(10), 39, 23); STEP(H, a, b, c, d, W(13), 40, 4); \
    STEP(H, d, a, b, c, W(0), 41, 11); STEP(H, c, d, a, b, W(3), 42, 16); STEP(H, b, c, d, a, W(6), 43, 23);  \
    STEP(H, a, b, c, d, W(9), 44, 4);  STEP(H, d, a, b, c, W(12), 45, 11); STEP(H, c, d, a, b, W(15), 46, 16); \
    STEP(H, b, c, d, a, W(2), 47, 23);                                                                      \
    STEP(I, a, b, c, d, W(0), 48, 6);  STEP(I, d, a, b, c, W(7), 49, 10); STEP(I, c, d, a, b, W(14), 50, 15); \
    STEP(I, b, c, d, a, W(5), 51, 21); STEP(I, a, b, c, d, W(12), 52, 6); STEP(I, d, a, b, c, W(3), 53, 10);  \
    STEP(I, c, d, a, b, W(10), 54, 15); STEP(I, b, c, d, a, W(1), 55, 21); STEP(I, a, b, c, d, W(8), 56, 6);  \
    STEP(I, d, a, b, c, W(15), 57, 10); STEP(I, c, d, a, b, W(6), 58, 15); STEP(I, b, c, d, a, W(13), 59, 21); \
    STEP(I, a, b, c, d, W(4), 60, 6);  STEP(I, d, a, b, c, W(11), 61, 10); STEP(I, c, d, a, b, W(2), 62, 15);  \
    STEP(I, b, c, d, a, W(9), 63, 21);

#define S3S_SCALAR_STEP(f, a, b, c, d, m, i, s) S3S_STEP(f, a, b, c, d, m, s3s_md5_k[i], s)
#define S3S_SCALAR_WORD(n) s3s_load32(block + 4 * (n))

/* Scalar: `count` consecutive 64-byte blocks into one state. */
static void s3s_md5_blocks(s3s_md5_state *state, const unsigned char *data, size_t count) {
    for (size_t n = 0; n < count; n++) {
        const unsigned char *block = data + 64 * n;
        uint32_t a = state->h[0], b = state->h[1], c = state->h[2], d = state->h[3];
        S3S_MD5_ROUNDS(S3S_SCALAR_STEP, S3S_F, S3S_G, S3S_H, S3S_I, S3S_SCALAR_WORD)
        state->h[0] += a;
        state->h[1] += b;
        state->h[2] += c;
        state->h[3] += d;
    }
}

/* Pad the last (< 64-byte) tail of a stream of `total` bytes and write the 16-byte digest. */
static void s3s_md5_finish(s3s_md5_state *state, const unsigned char *tail, size_t tail_len, uint64_t total,
                           unsigned char out[16]) {
    unsigned char last[128];
    size_t padded = tail_len < 56 ? 64 : 128;
    uint64_t bits = total * 8;
    memset(last, 0, sizeof last);
    memcpy(last, tail, tail_len);
    last[tail_len] = 0x80;
    for (int i = 0; i < 8; i++) {
        last[padded - 8 + i] = (unsigned char)(bits >> (8 * i));
    }
    s3s_md5_blocks(state, last, padded / 64);
    for (int i = 0; i < 4; i++) {
        memcpy(out + 4 * i, &state->h[i], 4);
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define S3S_HAVE_MD5MB 1

#define S3S_V_ROTL(x, s) _mm256_or_si256(_mm256_slli_epi32((x), (s)), _mm256_srli_epi32((x), 32 - (s)))
#define S3S_V_F(b, c, d) _mm256_xor_si256((d), _mm256_and_si256((b), _mm256_xor_si256((c), (d))))
#define S3S_V_G(b, c, d) _mm256_xor_si256((c), _mm256_and_si256((d), _mm256_xor_si256((b), (c))))
#define S3S_V_H(b, c, d) _mm256_xor_si256(_mm256_xor_si256((b), (c)), (d))
#define S3S_V_I(b, c, d) _mm256_xor_si256((c), _mm256_or_si256((b), _mm256_xor_si256((d), ones)))
#define S3S_V_STEP(f, a, b, c, d, m, i, s)                                                             \
    do {                                                                                               \
        (a) = _mm256_add_epi32(_mm256_add_epi32((a), f((b), (c), (d))),                                \
                               _mm256_add_epi32((m), _mm256_set1_epi32((int)s3s_md5_k[i])));           \
        (a) = _mm256_add_epi32(S3S_V_ROTL((a), s), (b));                                               \
    } while (0)
#define S3S_V_WORD(n) words[n]

__attribute__((target("avx2"))) static inline void s3s_transpose8(__m256i r[8]) {
    /* 8x8 transpose of 32-bit elements: row j (lane j's 32 bytes) becomes column j. */
    __m256i t0 = _mm256_unpacklo_epi32(r[0], r[1]), t1 = _mm256_unpackhi_epi32(r[0], r[1]);
    __m256i t2 = _mm256_unpacklo_epi32(r[2], r[3]), t3 = _mm256_unpackhi_epi32(r[2], r[3]);
    __m256i t4 = _mm256_unpacklo_epi32(r[4], r[5]), t5 = _mm256_unpackhi_epi32(r[4], r[5]);
    __m256i t6 = _mm256_unpacklo_epi32(r[6], r[7]), t7 = _mm256_unpackhi_epi32(r[6], r[7]);
    __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
    __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
    __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
    __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
    r[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
    r[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
    r[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
    r[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
    r[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
    r[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
    r[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
    r[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
}

/* `count` 64-byte blocks of each of eight streams (data[lane] advances by 64 per block) into eight states. */
__attribute__((target("avx2"))) static void s3s_md5x8_blocks(s3s_md5_state *states[S3S_MD5_LANES],
                                                             const unsigned char *data[S3S_MD5_LANES],
                                                             size_t count) {
    const __m256i ones = _mm256_set1_epi32(-1);
    __m256i a = _mm256_setr_epi32((int)states[0]->h[0], (int)states[1]->h[0], (int)states[2]->h[0],
                                  (int)states[3]->h[0], (int)states[4]->h[0], (int)states[5]->h[0],
                                  (int)states[6]->h[0], (int)states[7]->h[0]);
    __m256i b = _mm256_setr_epi32((int)states[0]->h[1], (int)states[1]->h[1], (int)states[2]->h[1],
                                  (int)states[3]->h[1], (int)states[4]->h[1], (int)states[5]->h[1],
                                  (int)states[6]->h[1], (int)states[7]->h[1]);
    __m256i c = _mm256_setr_epi32((int)states[0]->h[2], (int)states[1]->h[2], (int)states[2]->h[2],
                                  (int)states[3]->h[2], (int)states[4]->h[2], (int)states[5]->h[2],
                                  (int)states[6]->h[2], (int)states[7]->h[2]);
    __m256i d = _mm256_setr_epi32((int)states[0]->h[3], (int)states[1]->h[3], (int)states[2]->h[3],
                                  (int)states[3]->h[3], (int)states[4]->h[3], (int)states[5]->h[3],
                                  (int)states[6]->h[3], (int)states[7]->h[3]);
    for (size_t n = 0; n < count; n++) {
        __m256i words[16];
        for (int half = 0; half < 2; half++) {
            for (int lane = 0; lane < S3S_MD5_LANES; lane++) {
                words[8 * half + lane] =
                    _mm256_loadu_si256((const __m256i *)(data[lane] + 64 * n + 32 * half));
            }
            s3s_transpose8(words + 8 * half);
        }
        __m256i aa = a, bb = b, cc = c, dd = d;
        S3S_MD5_ROUNDS(S3S_V_STEP, S3S_V_F, S3S_V_G, S3S_V_H, S3S_V_I, S3S_V_WORD)
        a = _mm256_add_epi32(a, aa);
        b = _mm256_add_epi32(b, bb);
        c = _mm256_add_epi32(c, cc);
        d = _mm256_add_epi32(d, dd);
    }
    uint32_t out[4][S3S_MD5_LANES];
    _mm256_storeu_si256((__m256i *)out[0], a);
    _mm256_storeu_si256((__m256i *)out[1], b);
    _mm256_storeu_si256((__m256i *)out[2], c);
    _mm256_storeu_si256((__m256i *)out[3], d);
    for (int lane = 0; lane < S3S_MD5_LANES; lane++) {
        for (int i = 0; i < 4; i++) {
            states[lane]->h[i] = out[i][lane];
        }
    }
}

static int s3s_md5mb_available(void) { return __builtin_cpu_supports("avx2"); }

#else
#define S3S_HAVE_MD5MB 0
static void s3s_md5x8_blocks(s3s_md5_state *states[S3S_MD5_LANES], const unsigned char *data[S3S_MD5_LANES],
                             size_t count) {
    for (int lane = 0; lane < S3S_MD5_LANES; lane++) s3s_md5_blocks(states[lane], data[lane], count);
}
static int s3s_md5mb_available(void) { return 0; }
#endif

#endif /* S3SYNCPY_MD5MB_H */
