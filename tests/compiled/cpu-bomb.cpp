// A compiler CPU bomb: nested constexpr loops, each under g++'s -fconstexpr-loop-limit (262144
// iterations), 4e10 iterations together, far below -fconstexpr-ops-limit (2^33 operations)'s
// reach in any CPU time limit: g++ evaluates them at compile time until it is stopped.
constexpr unsigned long long spin() {
        unsigned long long s = 0;
        for (unsigned i = 0; i < 200000; ++i)
                for (unsigned j = 0; j < 200000; ++j)
                        s += i ^ j ^ (s >> 3);
        return s;
}

constexpr unsigned long long value = spin();

int main() {
        return (int) (value & 1);
}
