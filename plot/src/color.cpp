// Colours (color.hpp).

#include "adamant/plot/color.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace adamant::plot {

Color hex(const std::string& s) {
  std::string h = s;
  if (!h.empty() && h[0] == '#') h.erase(0, 1);
  auto digit = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::invalid_argument("hex colour '" + s + "': '" + std::string(1, c) +
                                "' is not a hexadecimal digit");
  };
  if (h.size() == 3) {
    const int r = digit(h[0]), g = digit(h[1]), b = digit(h[2]);
    return {static_cast<std::uint8_t>(r * 17), static_cast<std::uint8_t>(g * 17),
            static_cast<std::uint8_t>(b * 17)};
  }
  if (h.size() != 6) {
    throw std::invalid_argument("hex colour '" + s + "': expected #rrggbb or #rgb");
  }
  auto byte = [&](std::size_t i) {
    return static_cast<std::uint8_t>(digit(h[i]) * 16 + digit(h[i + 1]));
  };
  return {byte(0), byte(2), byte(4)};
}

Color tab10(int i) {
  static const Color kTab10[10] = {
      {31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
      {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
  const int k = ((i % 10) + 10) % 10;
  return kTab10[k];
}

Color mix(Color a, Color b, double t) {
  t = std::clamp(t, 0.0, 1.0);
  auto ch = [&](std::uint8_t x, std::uint8_t y) {
    return static_cast<std::uint8_t>(std::lround(x + (y - x) * t));
  };
  return {ch(a.r, b.r), ch(a.g, b.g), ch(a.b, b.b)};
}

Color viridis(double t) {
  // matplotlib's viridis at t = 0, 0.1, ..., 1.
  static const Color kStops[11] = {{68, 1, 84},    {72, 36, 117},  {65, 68, 135},  {53, 95, 141},
                                   {42, 120, 142}, {33, 145, 140}, {34, 168, 132}, {68, 191, 112},
                                   {122, 209, 81}, {189, 223, 38}, {253, 231, 37}};
  if (std::isnan(t)) t = 0;
  t = std::clamp(t, 0.0, 1.0) * 10.0;
  const int i = std::min(9, static_cast<int>(std::floor(t)));
  return mix(kStops[i], kStops[i + 1], t - i);
}

}  // namespace adamant::plot
