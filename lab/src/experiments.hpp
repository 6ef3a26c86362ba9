#pragma once
// Internal: the experiments of adamant::lab (experiments.cpp) and their figures.

#include <string>

#include "adamant/lab/lab.hpp"

namespace adamant::lab {

Result run_ravine();
void plot_ravine(const Result& r, const std::string& png);
Result run_sign_step();
void plot_sign_step(const Result& r, const std::string& png);
Result run_epsilon();
void plot_epsilon(const Result& r, const std::string& png);
Result run_spike();
void plot_spike(const Result& r, const std::string& png);
Result run_rare_gradients();
void plot_rare_gradients(const Result& r, const std::string& png);
Result run_decoupled_decay();
void plot_decoupled_decay(const Result& r, const std::string& png);
Result run_standardisation();
void plot_standardisation(const Result& r, const std::string& png);
Result run_beta2_zero();
void plot_beta2_zero(const Result& r, const std::string& png);
Result run_saddle();
void plot_saddle(const Result& r, const std::string& png);
Result run_washboard_cliff();
void plot_washboard_cliff(const Result& r, const std::string& png);
Result run_low_precision();
void plot_low_precision(const Result& r, const std::string& png);
Result run_risk();
void plot_risk(const Result& r, const std::string& png);

}  // namespace adamant::lab
