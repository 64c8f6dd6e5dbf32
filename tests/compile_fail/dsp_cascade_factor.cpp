// expect: the oversampling factor must be 1, 2, 4, 8 or 16
// A Cascade of a factor that is not a power of two up to 16 is rejected with a message saying which.
#include <nofold/dsp/cascade.hpp>

int main() {
    nofold::dsp::Cascade<3> c;
    return static_cast<int>(c.latency());
}
