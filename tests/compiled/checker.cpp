// A custom checker, testlib's way: checker INPUT OUTPUT ANSWER. The answer is one integer; the
// output must be one integer (else presentation error, exit 2): equal, accepted (0); off by one,
// partial (7, score 0.5 on stdout); else wrong answer (1). An answer or input that is not what it
// should be is the checker's failure (3). The first line of stderr says why; a second line must
// never reach the result. tests/compiled/checker.py is the same in Python.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

[[noreturn]] static void verdict(int code, const std::string &message, const char *score = nullptr) {
        if (score)
                std::cout << score << std::endl;
        std::cerr << message << '\n' << "this second line is never reported" << std::endl;
        std::exit(code);
}

static std::vector<std::string> tokens(const char *path) {
        std::ifstream f(path, std::ios::binary);
        std::vector<std::string> v;
        for (std::string t; f >> t;)
                v.push_back(t);
        return v;
}

// An optional sign, then digits only. Not std::regex: <regex> alone took g++ -O2 6 s of CPU, most of
// the compile's limit, and past its wall-clock limit when CI's machine was busy.
static bool is_integer(const std::string &t) {
        size_t i = t[0] == '+' || t[0] == '-';
        return i < t.size() && t.find_first_not_of("0123456789", i) == std::string::npos;
}

static std::string join(const std::vector<std::string> &v) {
        std::string s;
        for (const auto &t : v)
                s += (s.empty() ? "" : " ") + t;
        return s;
}

int main(int argc, char **argv) {
        std::vector<std::string> args(argv + 1, argv + argc);
        if (args != std::vector<std::string>{ "/run/kw/input", "/run/kw/output", "/run/kw/answer" })
                verdict(3, "unexpected arguments: " + join(args));
        auto given = tokens(argv[1]), output = tokens(argv[2]), answer = tokens(argv[3]);
        if (given.size() < 2 || !is_integer(given[0]) || !is_integer(given[1]))
                verdict(3, "bad input file: '" + join(given) + "'");
        if (answer.size() != 1 || !is_integer(answer[0]))
                verdict(3, "bad answer file: '" + join(answer) + "' is not a number");
        if (output.size() != 1 || !is_integer(output[0]))
                verdict(2, "presentation error: expected one integer, found '" + join(output) + "'");
        long long expected = std::stoll(answer[0]), found = std::stoll(output[0]);
        if (found == expected)
                verdict(0, "ok: the sum is " + std::to_string(found));
        if (found - expected == 1 || expected - found == 1)
                verdict(7, "partial: off by one (expected " + std::to_string(expected) + ", found " + std::to_string(found) + ")",
                        "0.5");
        verdict(1, "wrong answer: expected " + std::to_string(expected) + ", found " + std::to_string(found));
}
