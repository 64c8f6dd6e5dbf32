# nofold_add_isa_dispatch(<target> [LEVELS <level>...])
#
# Makes <target> (an executable or a plugin library) one binary for every x86-64 CPU: nofold's model
# factory is compiled once more per level (sse41, avx2, avx512; default avx2 avx512) with that level's
# flags, in its own namespace, and io::load / io::build pick the best level the CPU supports when a model
# is created (include/nofold/isa/dispatch.hpp, docs/isa-dispatch.md). The rest of <target> keeps its own
# flags, which are the baseline (SSE2 for a plain x86-64 build). On other processors (64-bit ARM: NEON is
# the baseline) it does nothing.
#
# Every translation unit that includes nofold in the program must see the same NOFOLD_ISA_* definitions;
# they are added to <target> as PUBLIC compile definitions. Do not build the backends with LTO.
function(nofold_add_isa_dispatch target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "LEVELS")
  if(NOT arg_LEVELS)
    set(arg_LEVELS avx2 avx512)
  endif()
  foreach(level IN LISTS arg_LEVELS)
    if(NOT level MATCHES "^(sse41|avx2|avx512)$")
      message(FATAL_ERROR "nofold_add_isa_dispatch: unknown level '${level}' (sse41, avx2 or avx512)")
    endif()
  endforeach()
  if(NOT CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64|x64)$")
    return()
  endif()
  set(definitions NOFOLD_ISA_DISPATCH)
  foreach(level IN ITEMS sse41 avx2 avx512)
    if(level IN_LIST arg_LEVELS)
      string(TOUPPER ${level} upper)
      list(APPEND definitions NOFOLD_ISA_HAVE_${upper}=1)
    endif()
  endforeach()
  if(MSVC)
    set(flags_sse41 "")
    set(flags_avx2 /arch:AVX2)
    set(flags_avx512 /arch:AVX512)
  else()
    set(flags_sse41 -msse4.1)
    set(flags_avx2 -mavx2 -mfma)
    set(flags_avx512 -mavx512f -mavx512cd -mavx512dq -mavx512bw -mavx2 -mfma)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      # GCC 12 reports -W(maybe-)uninitialized inside its own AVX-512 intrinsic headers when xsimd's
      # shifts and conversions are inlined: a false positive in code neither nofold nor the user owns.
      list(APPEND flags_avx512 -Wno-maybe-uninitialized -Wno-uninitialized)
    endif()
  endif()
  # One static library per level, linked after <target>'s own objects and lowest level first: for a
  # standard-library function that several of them instantiate, the linker keeps the first copy, so the
  # baseline's (or the lowest level's) code is the one everybody calls (docs/isa-dispatch.md).
  set(libraries "")
  foreach(level IN ITEMS sse41 avx2 avx512)
    if(level IN_LIST arg_LEVELS)
      set(library ${target}_nofold_isa_${level})
      add_library(${library} STATIC ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/nofold_isa_backend.cpp)
      target_link_libraries(${library} PRIVATE nofold::nofold)
      target_compile_definitions(${library} PRIVATE NOFOLD_ISA_NAME=${level} ${definitions})
      target_compile_options(${library} PRIVATE ${flags_${level}})
      set_target_properties(${library} PROPERTIES POSITION_INDEPENDENT_CODE ON INTERPROCEDURAL_OPTIMIZATION OFF)
      list(APPEND libraries ${library})
    endif()
  endforeach()
  target_compile_definitions(${target} PUBLIC ${definitions})
  target_link_libraries(${target} PRIVATE ${libraries})
endfunction()
