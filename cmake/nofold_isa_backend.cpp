// One instruction-set backend of nofold's run-time dispatch: compiled once per set with that set's flags
// and -DNOFOLD_ISA_NAME=<sse41|avx2|avx512> by nofold_add_isa_dispatch (cmake/nofoldIsaDispatch.cmake)
// or Meson's nofold_isa_dispatch_dep. See include/nofold/isa_backend.hpp.
#include <nofold/isa_backend.hpp>
