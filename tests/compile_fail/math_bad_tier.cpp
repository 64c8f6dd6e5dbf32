// expect: Tier must be math::Exact, math::Fast or math::NamCompat
// A tier that is not one of the three tags is rejected with a sentence, not a template backtrace.
#include <nofold/math/tanh.hpp>

int main() {
    nofold::math::Tanh<int> t;
    return static_cast<int>(t(0.5f));
}
