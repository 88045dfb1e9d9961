// SM2 (GB/T 32918) and SM3 (GB/T 32905) from the system's OpenSSL 3 libcrypto (Debian:
// libssl-dev), for the `sm2` signature suite. Only glue: key encodings, the signer id and the
// signature's r‖s form. The elliptic-curve arithmetic is OpenSSL's.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <string.h>

/// GM/T 0009-2012's default signer id, the ASCII "1234567812345678".
static const char courtsync_sm2_default_id[] = "1234567812345678";

/// SM3 of `length` bytes into `digest` (32 bytes). 1 on success.
static inline int courtsync_sm3(const EVP_MD *sm3, const void *data, size_t length, unsigned char *digest) {
    unsigned int written = 0;
    return EVP_Digest(data, length, digest, &written, sm3, NULL) == 1 && written == 32;
}

/// A new SM2 key pair, or NULL.
static inline EVP_PKEY *courtsync_sm2_generate(void) {
    EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
    EVP_PKEY *key = NULL;
    if (context != NULL && EVP_PKEY_keygen_init(context) == 1) {
        if (EVP_PKEY_generate(context, &key) != 1) key = NULL;
    }
    EVP_PKEY_CTX_free(context);
    return key;
}

/// Whether `key` is an SM2 key (an EC key on the SM2 curve, as OpenSSL 3 types it).
static inline int courtsync_sm2_is_sm2(const EVP_PKEY *key) { return EVP_PKEY_is_a(key, "SM2"); }

/// The PEM password callback for keys read here: no password, so an encrypted key is refused
/// (even one encrypted with an empty passphrase).
static inline int courtsync_no_password(char *buffer, int size, int writing, void *data) {
    (void)buffer; (void)size; (void)writing; (void)data;
    return -1;
}

/// Reads a private key from PEM (PKCS#8 `PRIVATE KEY`, or SEC 1 `EC PRIVATE KEY`), unencrypted;
/// NULL if the text holds none. The caller checks that it is SM2 (`courtsync_sm2_is_sm2`) and a
/// valid key (`courtsync_sm2_private_check`).
static inline EVP_PKEY *courtsync_private_key_from_pem(const char *pem, size_t length) {
    if (length > 65536) return NULL;
    BIO *bio = BIO_new_mem_buf(pem, (int)length);
    if (bio == NULL) return NULL;
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, courtsync_no_password, NULL);
    BIO_free(bio);
    ERR_clear_error();
    return key;
}

/// Whether a private key read from a file is one that signs: its scalar d in [1, n − 2] (SM2
/// signing divides by 1 + d, so d = n − 1 would never finish signing), and its public point the
/// one d gives. 1 if so.
static inline int courtsync_sm2_private_check(EVP_PKEY *key) {
    EVP_PKEY_CTX *check = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    int valid = check != NULL && EVP_PKEY_check(check) == 1;
    EVP_PKEY_CTX_free(check);
    ERR_clear_error();
    return valid;
}

/// Writes `key` as unencrypted PKCS#8 PEM into `buffer`; the PEM's length, or 0 if it failed or
/// did not fit in `capacity` bytes.
static inline size_t courtsync_private_key_to_pem(EVP_PKEY *key, char *buffer, size_t capacity) {
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL) return 0;
    size_t length = 0;
    if (PEM_write_bio_PKCS8PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) == 1) {
        size_t pending = BIO_ctrl_pending(bio);
        if (pending <= capacity && BIO_read(bio, buffer, (int)pending) == (int)pending) length = pending;
    }
    BIO_free(bio);
    return length;
}

/// The public key's point, uncompressed (`04 ‖ x ‖ y`, 65 bytes), into `point`. 1 on success.
static inline int courtsync_sm2_public_point(const EVP_PKEY *key, unsigned char *point) {
    size_t written = 0;
    return EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, 65, &written) == 1
        && written == 65 && point[0] == 0x04;
}

/// An SM2 public key from an uncompressed point (65 bytes), checked to lie on the curve and not
/// be the point at infinity; NULL otherwise.
static inline EVP_PKEY *courtsync_sm2_public_key(const unsigned char *point, size_t length) {
    if (length != 65 || point[0] != 0x04) return NULL;
    EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
    if (context == NULL) return NULL;
    EVP_PKEY *key = NULL;
    OSSL_PARAM params[3];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"SM2", 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)point, length);
    params[2] = OSSL_PARAM_construct_end();
    if (EVP_PKEY_fromdata_init(context) != 1 || EVP_PKEY_fromdata(context, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        key = NULL;
    }
    EVP_PKEY_CTX_free(context);
    if (key == NULL) return NULL;
    // The quick check (on the curve, not the point at infinity) is the whole check for SM2, whose
    // cofactor is 1; the full one multiplies by n and costs as much as a verification.
    EVP_PKEY_CTX *check = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    int valid = check != NULL && EVP_PKEY_public_check_quick(check) == 1;
    EVP_PKEY_CTX_free(check);
    ERR_clear_error();
    if (!valid) {
        EVP_PKEY_free(key);
        return NULL;
    }
    return key;
}

/// A digest-sign or digest-verify context for `key` with SM3 and the default signer id, or NULL.
static inline EVP_MD_CTX *courtsync_sm2_context(EVP_PKEY *key, const EVP_MD *sm3, int signing) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    EVP_PKEY_CTX *keyContext = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    int ready = context != NULL && keyContext != NULL
        && EVP_PKEY_CTX_set1_id(keyContext, courtsync_sm2_default_id, 16) == 1;
    if (ready) {
        EVP_MD_CTX_set_pkey_ctx(context, keyContext);
        ready = signing ? EVP_DigestSignInit(context, NULL, sm3, NULL, key) == 1
                        : EVP_DigestVerifyInit(context, NULL, sm3, NULL, key) == 1;
    }
    if (!ready) {
        EVP_MD_CTX_free(context);
        EVP_PKEY_CTX_free(keyContext);
        return NULL;
    }
    return context;
}

/// Frees a context made by `courtsync_sm2_context` and its key context (not a copy: a copy owns
/// its key context, and `EVP_MD_CTX_free` frees both).
static inline void courtsync_sm2_context_free(EVP_MD_CTX *context) {
    EVP_PKEY_CTX *keyContext = EVP_MD_CTX_get_pkey_ctx(context);
    EVP_MD_CTX_free(context);
    EVP_PKEY_CTX_free(keyContext);
}

/// A fresh copy of `template` (a context made by `courtsync_sm2_context`, never used itself), or
/// NULL. Copying is much cheaper than making a context: OpenSSL 3.0 takes process-wide locks to
/// fetch the algorithms a new context needs, which serialises threads, while a copy only reads
/// the template (so threads may copy one template at once).
static inline EVP_MD_CTX *courtsync_sm2_copy(const EVP_MD_CTX *template) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context != NULL && EVP_MD_CTX_copy_ex(context, template) != 1) {
        EVP_MD_CTX_free(context);
        return NULL;
    }
    return context;
}

/// Signs `message` (SM3 with the default signer id, GM/T 0009) with a copy of `template`, a
/// signing context of the key, and writes the signature as r ‖ s, 32 bytes each, big-endian,
/// into `signature`. 1 on success.
static inline int courtsync_sm2_sign(
    const EVP_MD_CTX *template, const unsigned char *message, size_t length, unsigned char *signature
) {
    EVP_MD_CTX *context = courtsync_sm2_copy(template);
    if (context == NULL) return 0;
    unsigned char der[80];
    size_t derLength = sizeof der;
    int signed_ = EVP_DigestSign(context, der, &derLength, message, length) == 1;
    EVP_MD_CTX_free(context);
    if (!signed_) return 0;
    const unsigned char *cursor = der;
    ECDSA_SIG *parsed = d2i_ECDSA_SIG(NULL, &cursor, (long)derLength);
    if (parsed == NULL) return 0;
    int written = BN_bn2binpad(ECDSA_SIG_get0_r(parsed), signature, 32) == 32
        && BN_bn2binpad(ECDSA_SIG_get0_s(parsed), signature + 32, 32) == 32;
    ECDSA_SIG_free(parsed);
    return written;
}

/// Whether `signature` (r ‖ s, 64 bytes) is the key's SM2 signature of `message`, checked with a
/// copy of `template`, a verifying context of the key. OpenSSL refuses r or s outside [1, n − 1].
static inline int courtsync_sm2_verify(
    const EVP_MD_CTX *template, const unsigned char *message, size_t length, const unsigned char *signature
) {
    ECDSA_SIG *parsed = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(signature, 32, NULL);
    BIGNUM *s = BN_bin2bn(signature + 32, 32, NULL);
    if (parsed == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(parsed, r, s) != 1) {
        ECDSA_SIG_free(parsed);
        BN_free(r);
        BN_free(s);
        return 0;
    }
    unsigned char der[80];
    unsigned char *cursor = der;
    int derLength = i2d_ECDSA_SIG(parsed, NULL) <= (int)sizeof der ? i2d_ECDSA_SIG(parsed, &cursor) : -1;
    ECDSA_SIG_free(parsed);
    if (derLength <= 0) return 0;
    EVP_MD_CTX *context = courtsync_sm2_copy(template);
    if (context == NULL) return 0;
    int valid = EVP_DigestVerify(context, der, (size_t)derLength, message, length) == 1;
    EVP_MD_CTX_free(context);
    return valid;
}
