#pragma once
// The bitmap font of plot.hpp (internal). Glyphs are 13 rows tall: row 0 is above the
// capitals, rows 1..9 hold a capital (cap height 9), rows 4..9 a lower-case letter (x-height 6)
// and rows 10..12 the descenders; the baseline is the bottom edge of row 9. Widths vary
// (1..7 columns) and one blank column separates letters.

#include <cstdint>
#include <string>

namespace adamant::datasets::plot::detail {

inline constexpr int kGlyphRows = 13;
inline constexpr int kBaseline = 10;  // rows above the baseline
inline constexpr int kCapTop = 1;     // first row of a capital
inline constexpr int kLetterGap = 1;  // blank columns between letters

struct Glyph {
  int width = 0;
  std::uint8_t rows[kGlyphRows] = {};  // bit c set: column c is ink (c = 0 the leftmost)
  bool ink(int col, int row) const { return ((rows[row] >> col) & 1u) != 0; }
};

/// The glyph of a code point; a box for code points the font lacks.
const Glyph& glyph(char32_t cp);
bool has_glyph(char32_t cp);
/// UTF-8 to code points; malformed bytes become U+FFFD (drawn as the box).
std::u32string decode_utf8(const std::string& s);

}  // namespace adamant::datasets::plot::detail
