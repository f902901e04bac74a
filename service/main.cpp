#include <cstdio>
int main() { std::puts("banditore"); return 0; }
