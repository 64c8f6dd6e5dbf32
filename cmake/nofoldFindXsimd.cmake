# Finds xsimd (>= 8.1) for nofold and its consumers.
# Debian 12's xsimd 8.1 package declares a link dependency on `xtl` that xsimd does not need (xtl is
# only used for its optional complex-number support) and that is usually not installed, which turns
# into `-lxtl` and a link failure. When no xtl target can be found, that stale dependency is dropped.
find_package(xsimd 8.1 CONFIG REQUIRED)
if(TARGET xsimd AND NOT TARGET xtl)
  get_target_property(_nofold_xsimd_links xsimd INTERFACE_LINK_LIBRARIES)
  if(_nofold_xsimd_links AND "xtl" IN_LIST _nofold_xsimd_links)
    find_package(xtl CONFIG QUIET)
    if(NOT TARGET xtl)
      list(REMOVE_ITEM _nofold_xsimd_links xtl)
      set_property(TARGET xsimd PROPERTY INTERFACE_LINK_LIBRARIES "${_nofold_xsimd_links}")
    endif()
  endif()
endif()
