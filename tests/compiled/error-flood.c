/* An error flood: 256 assignments to a constant from a few lines of source, each an error with its
 * notes on the macro expansions: about 270 KB of messages, more than the compile's message_bytes
 * and less than the run's output_bytes, so the compiler ends by itself and its messages are cut. */
#define E1 1 = 1;
#define E2 E1 E1
#define E4 E2 E2
#define E8 E4 E4
#define E16 E8 E8
#define E32 E16 E16
#define E64 E32 E32
#define E128 E64 E64
#define E256 E128 E128
int main(void) {
        E256
        return 0;
}
