/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "sha256.h"

/* FIPS 180-4 / NIST example vectors, and a million 'a's across block boundaries. */
int main(void) {
        static const struct {
                const char *input;
                size_t repeat;
                const char *digest;
        } cases[] = {
                { "", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
                { "abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
                { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
                { "a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
        };
        int failed = 0;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                Sha256 s;
                uint8_t d[32];
                char hex[65];

                sha256_init(&s);
                for (size_t k = 0; k < cases[i].repeat; k++)
                        sha256_update(&s, cases[i].input, strlen(cases[i].input));
                sha256_final(&s, d);
                for (int j = 0; j < 32; j++)
                        sprintf(hex + 2 * j, "%02x", d[j]);
                if (strcmp(hex, cases[i].digest) != 0) {
                        fprintf(stderr, "case %zu: %s != %s\n", i, hex, cases[i].digest);
                        failed++;
                }
        }
        /* The audit's form: 64 lowercase hex digits and a NUL, of the same digest. */
        char hex[66];
        memset(hex, 'x', sizeof(hex));
        sha256_hex("abc", 3, hex);
        if (strcmp(hex, cases[1].digest) != 0 || hex[65] != 'x') {
                fprintf(stderr, "sha256_hex(\"abc\"): %.65s\n", hex);
                failed++;
        }
        size_t n = sizeof(cases) / sizeof(cases[0]) + 1;
        printf("sha256: %zu passed, %d failed\n", n - (size_t) failed, failed);
        return failed != 0;
}
