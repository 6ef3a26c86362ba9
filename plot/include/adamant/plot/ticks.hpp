#pragma once
// Axis ticks: "nice" steps of 1, 2 or 5 × 10^k (Heckbert, "Nice numbers for graph labels",
// Graphics Gems, 1990) and their labels. Exposed for tests and custom layouts.

#include <string>
#include <vector>

namespace adamant::plot {

/// About `target` tick values (at least two where possible) of step 1, 2 or 5 × 10^k inside
/// [lo, hi], covering it to within one step at each end.
std::vector<double> nice_ticks(double lo, double hi, int target);
/// The step nice_ticks would use.
double nice_step(double lo, double hi, int target);
/// Labels for linear ticks with a common step: the fewest decimals that tell them apart,
/// "−" (U+2212) for negatives; when |values| ≥ 10^5 or < 10^−3 they are scaled by a common
/// power of ten returned in `exponent` (0 otherwise; draw "×10^exponent" beside the axis).
std::vector<std::string> format_ticks(const std::vector<double>& ticks, int* exponent = nullptr);
/// "⁻¹²" for −12: the exponent in Unicode superscript digits.
std::string superscript(int exponent);

}  // namespace adamant::plot
