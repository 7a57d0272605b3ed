// A custom checker, testlib's way: checker INPUT OUTPUT ANSWER. The answer is one integer; the
// output must be one integer (else presentation error, exit 2): equal, accepted (0); off by one,
// partial (7, score 0.5 on stdout); else wrong answer (1). An answer or input that is not what it
// should be is the checker's failure (3). The first line of stderr says why; a second line must
// never reach the result. tests/compiled/checker.py is the same in Python.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <regex>
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

static std::string join(const std::vector<std::string> &v) {
        std::string s;
        for (const auto &t : v)
                s += (s.empty() ? "" : " ") + t;
        return s;
}

int main(int argc, char **argv) {
        static const std::regex integer("^[+-]?[0-9]+$");
        std::vector<std::string> args(argv + 1, argv + argc);
        if (args != std::vector<std::string>{ "/run/kw/input", "/run/kw/output", "/run/kw/answer" })
                verdict(3, "unexpected arguments: " + join(args));
        auto given = tokens(argv[1]), output = tokens(argv[2]), answer = tokens(argv[3]);
        if (given.size() < 2 || !std::regex_match(given[0], integer) || !std::regex_match(given[1], integer))
                verdict(3, "bad input file: '" + join(given) + "'");
        if (answer.size() != 1 || !std::regex_match(answer[0], integer))
                verdict(3, "bad answer file: '" + join(answer) + "' is not a number");
        if (output.size() != 1 || !std::regex_match(output[0], integer))
                verdict(2, "presentation error: expected one integer, found '" + join(output) + "'");
        long long expected = std::stoll(answer[0]), found = std::stoll(output[0]);
        if (found == expected)
                verdict(0, "ok: the sum is " + std::to_string(found));
        if (found - expected == 1 || expected - found == 1)
                verdict(7, "partial: off by one (expected " + std::to_string(expected) + ", found " + std::to_string(found) + ")",
                        "0.5");
        verdict(1, "wrong answer: expected " + std::to_string(expected) + ", found " + std::to_string(found));
}
