# A custom checker, testlib's way: checker INPUT OUTPUT ANSWER. The answer is one integer; the
# output must be one integer (else presentation error, exit 2): equal, accepted (0); off by one,
# partial (7, score 0.5 on stdout); else wrong answer (1). An answer or input that is not what it
# should be is the checker's failure (3). The first line of stderr says why; a second line must
# never reach the result. tests/compiled/checker.cpp is the same in C++.
import re
import sys

INT = re.compile(r"^[+-]?[0-9]+$")


def verdict(code, message, score=None):
    if score is not None:
        print(score)
    print(message, file=sys.stderr)
    print("this second line is never reported", file=sys.stderr)
    sys.exit(code)


def main():
    if sys.argv[1:] != ["/run/kw/input", "/run/kw/output", "/run/kw/answer"]:
        verdict(3, "unexpected arguments: %s" % " ".join(sys.argv[1:]))
    with open(sys.argv[1], "rb") as f:
        given = f.read().decode("utf-8", "replace").split()
    with open(sys.argv[2], "rb") as f:
        output = f.read().decode("utf-8", "replace").split()
    with open(sys.argv[3], "rb") as f:
        answer = f.read().decode("utf-8", "replace").split()
    if len(given) < 2 or not INT.match(given[0]) or not INT.match(given[1]):
        verdict(3, "bad input file: '%s'" % " ".join(given))
    if len(answer) != 1 or not INT.match(answer[0]):
        verdict(3, "bad answer file: '%s' is not a number" % " ".join(answer))
    if len(output) != 1 or not INT.match(output[0]):
        verdict(2, "presentation error: expected one integer, found '%s'" % " ".join(output))
    expected, found = int(answer[0]), int(output[0])
    if found == expected:
        verdict(0, "ok: the sum is %d" % found)
    if abs(found - expected) == 1:
        verdict(7, "partial: off by one (expected %d, found %d)" % (expected, found), "0.5")
    verdict(1, "wrong answer: expected %d, found %d" % (expected, found))


main()
