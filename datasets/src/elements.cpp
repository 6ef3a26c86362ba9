#include "adamant/datasets/elements.hpp"

#include <stdexcept>

namespace adamant::datasets {
namespace {

// IUPAC symbols of elements 1..118 (index 0 unused).
constexpr const char* kSymbols[kNumElements + 1] = {
    "",   "H",  "He", "Li", "Be", "B",  "C",  "N",  "O",  "F",  "Ne", "Na", "Mg", "Al", "Si",
    "P",  "S",  "Cl", "Ar", "K",  "Ca", "Sc", "Ti", "V",  "Cr", "Mn", "Fe", "Co", "Ni", "Cu",
    "Zn", "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y",  "Zr", "Nb", "Mo", "Tc", "Ru",
    "Rh", "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I",  "Xe", "Cs", "Ba", "La", "Ce", "Pr",
    "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W",
    "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac",
    "Th", "Pa", "U",  "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf",
    "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og"};

}  // namespace

int atomic_number(const std::string& symbol) {
  for (int z = 1; z <= kNumElements; ++z)
    if (symbol == kSymbols[z]) return z;
  throw std::invalid_argument("'" + symbol + "' is not an element symbol");
}

const char* element_symbol(int z) {
  if (z < 1 || z > kNumElements)
    throw std::invalid_argument("atomic number " + std::to_string(z) + " is outside 1..118");
  return kSymbols[z];
}

}  // namespace adamant::datasets
