/* Endless input for the preprocessor: it reads /dev/zero until a limit stops it. */
#include "/dev/zero"
int main(void) {
        return 0;
}
