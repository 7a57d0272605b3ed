// A compiler CPU bomb: g++ stops one constant evaluation at -fconstexpr-ops-limit (2^25 operations
// in g++ 12, ~9 s of CPU here: a race with the compile's 10 s limit that a faster machine lost), so
// each of 256 variables is its own evaluation, 2^20 iterations each (g++'s loop limit is 262144 per
// loop), and all of them together take minutes: g++ evaluates them until it is stopped.
#include <utility>

constexpr unsigned long long spin(unsigned long long seed) {
        unsigned long long s = seed;
        for (unsigned i = 0; i < 1024; ++i)
                for (unsigned j = 0; j < 1024; ++j)
                        s += i ^ j ^ (s >> 3);
        return s;
}

template <unsigned long long K> constexpr unsigned long long value = spin(K);

template <unsigned long long... K> constexpr unsigned long long sum(std::integer_sequence<unsigned long long, K...>) {
        return (value<K> + ...);
}

int main() {
        return (int) (sum(std::make_integer_sequence<unsigned long long, 256>()) & 1);
}
