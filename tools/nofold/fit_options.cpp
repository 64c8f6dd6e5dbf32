#include "fit_options.hpp"

namespace nofold::cli {

train::FitResult fit_pair(const TrainingPair& pair, const train::FitSettings& settings,
                          const std::function<void(const train::TrainerProgress&)>& progress, const std::atomic<bool>* stop) {
    return train::fit(pair.input, pair.target, settings, progress, stop);
}

}  // namespace nofold::cli
