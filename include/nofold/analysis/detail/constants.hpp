// nofold::analysis::detail — numeric constants shared by the analysis headers.
#pragma once

namespace nofold::analysis::detail {

inline constexpr double pi = 3.14159265358979323846264338327950288;
inline constexpr double two_pi = 6.28318530717958647692528676655900577;

}  // namespace nofold::analysis::detail
