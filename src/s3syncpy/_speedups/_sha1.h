/* OpenSSL SHA-1 for _keymap.pyx (the key digest, as the reference uses), or stubs without OpenSSL.
 *
 * One EVP context per map is reused for every key; without OpenSSL, s3k_new() returns NULL and _keymap.pyx
 * falls back to hashlib.
 */
#ifndef S3SYNCPY_SHA1_H
#define S3SYNCPY_SHA1_H

#include <stddef.h>

#if defined(S3SYNCPY_HAVE_OPENSSL)
#include <openssl/evp.h>
#include <openssl/opensslv.h>
typedef EVP_MD_CTX s3k_ctx;
static const EVP_MD *s3k_sha1;
static s3k_ctx *s3k_new(void) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    if (!s3k_sha1) s3k_sha1 = EVP_MD_fetch(NULL, "SHA1", "-fips");
#else
    s3k_sha1 = EVP_sha1();
#endif
    return s3k_sha1 ? EVP_MD_CTX_new() : NULL;
}
static void s3k_free(s3k_ctx *ctx) { EVP_MD_CTX_free(ctx); }
static int s3k_sha1_digest(s3k_ctx *ctx, const void *data, size_t len, unsigned char *out) {
    return EVP_DigestInit_ex(ctx, s3k_sha1, NULL) && EVP_DigestUpdate(ctx, data, len)
        && EVP_DigestFinal_ex(ctx, out, NULL);
}
#else
typedef void s3k_ctx;
static s3k_ctx *s3k_new(void) { return NULL; }
static void s3k_free(s3k_ctx *ctx) { (void)ctx; }
static int s3k_sha1_digest(s3k_ctx *ctx, const void *data, size_t len, unsigned char *out) {
    (void)ctx; (void)data; (void)len; (void)out; return 0;
}
#endif

#endif /* S3SYNCPY_SHA1_H */
