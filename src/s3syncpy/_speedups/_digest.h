/* OpenSSL EVP digests for _hashing.pyx (MD5, SHA1, SHA256), or stubs when built without OpenSSL.
 *
 * setup.py defines S3SYNCPY_HAVE_OPENSSL and links libcrypto when it can; otherwise s3s_prepare() returns 0
 * and _hashing.pyx feeds hashlib objects instead. The functions never touch Python objects, so they run with
 * the GIL released.
 */
#ifndef S3SYNCPY_DIGEST_H
#define S3SYNCPY_DIGEST_H

#include <stddef.h>

#if defined(S3SYNCPY_HAVE_OPENSSL)
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#define S3S_HAVE_NATIVE 1
typedef EVP_MD_CTX s3s_ctx;
static const EVP_MD *s3s_mds[3];

/* Fetch the implementations once (called with the GIL held): an implicit fetch per init costs microseconds. */
static int s3s_prepare(void) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    /* "-fips": MD5 and SHA1 here name content, they do not protect it (hashlib's usedforsecurity=False). */
    if (!s3s_mds[0]) s3s_mds[0] = EVP_MD_fetch(NULL, "MD5", "-fips");
    if (!s3s_mds[1]) s3s_mds[1] = EVP_MD_fetch(NULL, "SHA1", "-fips");
    if (!s3s_mds[2]) s3s_mds[2] = EVP_MD_fetch(NULL, "SHA256", NULL);
#else
    s3s_mds[0] = EVP_md5();
    s3s_mds[1] = EVP_sha1();
    s3s_mds[2] = EVP_sha256();
#endif
    return s3s_mds[0] != NULL && s3s_mds[1] != NULL && s3s_mds[2] != NULL;
}
static s3s_ctx *s3s_ctx_new(void) { return EVP_MD_CTX_new(); }
static void s3s_ctx_free(s3s_ctx *ctx) { EVP_MD_CTX_free(ctx); }
static int s3s_init(s3s_ctx *ctx, int kind) { return EVP_DigestInit_ex(ctx, s3s_mds[kind], NULL); }
static int s3s_update(s3s_ctx *ctx, const void *data, size_t len) { return EVP_DigestUpdate(ctx, data, len); }
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
static int s3s_init(s3s_ctx *ctx, int kind) {
    (void)ctx;
    (void)kind;
    return 0;
}
static int s3s_update(s3s_ctx *ctx, const void *data, size_t len) {
    (void)ctx;
    (void)data;
    (void)len;
    return 0;
}
static int s3s_final(s3s_ctx *ctx, unsigned char *out) {
    (void)ctx;
    (void)out;
    return 0;
}
#endif

#endif /* S3SYNCPY_DIGEST_H */
