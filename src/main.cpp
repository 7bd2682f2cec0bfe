#include <cstdio>
int main() { std::puts("berth"); return 0; }
