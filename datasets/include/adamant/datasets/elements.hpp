#pragma once
// The periodic table as adamant uses it: IUPAC symbols of the elements 1..118.

#include <string>

namespace adamant::datasets {

inline constexpr int kNumElements = 118;

/// Atomic number of an element symbol ("H" → 1), or throws std::invalid_argument.
int atomic_number(const std::string& symbol);
/// Element symbol of an atomic number (1..118), or throws std::invalid_argument.
const char* element_symbol(int z);

}  // namespace adamant::datasets
