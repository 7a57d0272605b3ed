/* The host's /etc/passwd, if the compile's root had it: it must not. */
#include "/etc/passwd"
int main(void) {
        return 0;
}
