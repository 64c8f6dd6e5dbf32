// nofold::math — umbrella for the activation catalogue: tiers, elementary kernels, every activation
// policy, gating, block application, the run-time Activation and the ADAA waveshapers.
#pragma once

#include "activation.hpp"
#include "adaa.hpp"
#include "block.hpp"
#include "exp_log.hpp"
#include "exponential.hpp"
#include "gating.hpp"
#include "piecewise.hpp"
#include "sigmoid.hpp"
#include "smooth_hardtanh.hpp"
#include "snake.hpp"
#include "tanh.hpp"
#include "tier.hpp"
