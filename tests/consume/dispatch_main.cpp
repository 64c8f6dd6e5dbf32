// Consumer of the installed package's nofold_add_isa_dispatch (x86-64): the AVX2 backend must be linked in
// and report its own instruction set, whatever this CPU is.
#include <cstdio>
#include <cstring>

#include <nofold/isa/active.hpp>

int main() {
    const nofold::isa::Backend* avx2 = nofold::isa::compiled(nofold::isa::Level::avx2);
    if (!avx2 || std::strstr(avx2->simd_arch, "avx2") == nullptr || avx2->float_lanes != 8) {
        std::puts("consumer: the AVX2 backend is missing or not AVX2");
        return 1;
    }
    const nofold::isa::Path path = nofold::isa::active_path();
    std::printf("consumer: ISA dispatch linked; models here run %s (%s)\n", nofold::isa::level_name(path.level), path.simd_arch);
    return 0;
}
