// expect: IIRUpsampler2x needs at least one coefficient
// An IIR half-band stage without coefficients is rejected.
#include <nofold/dsp/halfband_iir.hpp>

int main() {
    nofold::dsp::IIRUpsampler2x<0> up(std::array<double, 0>{});
    return 0;
}
