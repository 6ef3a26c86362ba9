#pragma once
// Colours: sRGB, 8 bits per channel (the pixels of datasets::Image), the tab10 cycle and
// viridis.

#include <string>

#include "adamant/datasets/png.hpp"

namespace adamant::plot {

using Color = datasets::Rgb;

/// "#1f77b4" or "1f77b4" (also "#abc"); throws std::invalid_argument otherwise.
Color hex(const std::string& s);
/// The tab10 cycle (matplotlib's default): blue, orange, green, red, purple, brown, pink, grey,
/// olive, cyan; i wraps around (negative i counts from the end).
Color tab10(int i);
/// Linear interpolation between two colours (t in [0, 1]).
Color mix(Color a, Color b, double t);
/// A perceptually ordered colour map (viridis, sampled from its published control points).
Color viridis(double t);

namespace colors {
inline constexpr Color kBlack{0, 0, 0};
inline constexpr Color kWhite{255, 255, 255};
inline constexpr Color kGray{127, 127, 127};
inline constexpr Color kLightGray{211, 211, 211};
inline constexpr Color kDarkGray{64, 64, 64};
inline constexpr Color kRed{214, 39, 40};
inline constexpr Color kBlue{31, 119, 180};
inline constexpr Color kGreen{44, 160, 44};
inline constexpr Color kOrange{255, 127, 14};
}  // namespace colors

}  // namespace adamant::plot
