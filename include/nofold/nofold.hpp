// nofold — umbrella header. Including it gives the whole library; each area can also be included
// on its own (every public header compiles alone).
#pragma once

#include "config.hpp"
#include "simd/simd.hpp"
