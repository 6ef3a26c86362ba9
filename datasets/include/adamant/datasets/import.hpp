#pragma once
// Imports from text formats into the schemas of schema.hpp.
//
// Prices: CSV with a header row `date,TICKER1,TICKER2,...` and one row per date (YYYY-MM-DD);
// an empty cell (or NaN / NA / null) is a missing price. Rows must be in increasing date order.
// Errors name the file, the line and the column.
//
// Molecules: extended XYZ as ASE writes it: per frame a line with the atom count, a comment line
// of key=value pairs (energy=<eV>, Properties=species:S:1:pos:R:3:forces:R:3 — the column
// layout; quoted values allowed), then one line per atom. Every frame must hold the same atoms
// in the same order. Errors name the file, the frame and the line.

#include <string>

#include "adamant/datasets/elements.hpp"  // atomic_number, element_symbol (kept here for callers)
#include "adamant/datasets/schema.hpp"

namespace adamant::datasets {

PricePanel import_prices_csv(const std::string& path);
MolecularDataset import_extxyz(const std::string& path);
/// Writes a MolecularDataset as extended XYZ (energy and forces included), ASE-readable.
void export_extxyz(const std::string& path, const MolecularDataset& data);

}  // namespace adamant::datasets
