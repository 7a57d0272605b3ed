// A contestant for the custom checkers: reads "A B [MODE]" and prints A + B, except that MODE
// "words" prints it as a word (a presentation error), "crash" aborts (SIGABRT) and "loop" spins
// until the CPU limit: the last two end abnormally, so their cases get no checker run.
#include <cstdlib>
#include <iostream>
#include <string>

int main() {
        static const char *const words[] = { "zero", "one", "two", "three", "four", "five",
                                             "six", "seven", "eight", "nine", "ten" };
        long long a = 0, b = 0;
        std::string mode;

        std::cin >> a >> b >> mode;
        if (mode == "crash")
                std::abort();
        if (mode == "loop") {
                volatile unsigned long long x = 0;
                for (;;)
                        x = x + 1;
        }
        if (mode == "words" && a + b >= 0 && a + b <= 10)
                std::cout << words[a + b] << '\n';
        else
                std::cout << a + b << '\n';
}
