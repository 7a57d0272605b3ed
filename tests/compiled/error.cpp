// A compile error: std::cout without <iostream>, and a type mismatch.
int main() {
        std::string s = 42;
        std::cout << s;
}
