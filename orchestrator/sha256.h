/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* SHA-256 (FIPS 180-4), for the audit trail's code digest: small enough to carry, so kw needs no
 * crypto library. */
typedef struct Sha256 {
        uint32_t state[8];
        uint64_t length;            /* bytes hashed so far */
        uint8_t block[64];
        size_t used;                /* bytes in block */
} Sha256;

void sha256_init(Sha256 *s);
void sha256_update(Sha256 *s, const void *data, size_t n);
void sha256_final(Sha256 *s, uint8_t ret[static 32]);

/* The digest of @data as 64 lowercase hex digits and a NUL. */
void sha256_hex(const void *data, size_t n, char ret[static 65]);
