// expect: nofold needs C\+\+17
// std: -std=c++14
// Compiling any nofold header as C++14 stops with one clear message instead of a cascade of errors.
#include <nofold/config.hpp>
int main() { return 0; }
