/* A compile error: an undeclared identifier. */
int main(void) {
        return undeclared_variable;
}
