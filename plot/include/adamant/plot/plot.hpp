#pragma once
// adamant::plot — PNG figures from C++ with no Python at run time (learning curves, efficient
// frontiers and weight charts, parity plots, vector fields, eigenvalues in the complex plane,
// environment frames).
//
// Three layers, one header each:
//  - canvas.hpp: Canvas, an image cairo draws on (anti-aliased paths, alpha, dashes, clipping,
//    text in DejaVu Sans through fontconfig).
//  - series.hpp: the series objects an Axes draws (line, scatter, band, bar, reference line,
//    quiver, arrow, text); each knows its extent, its drawing, its legend handle.
//  - figure.hpp: Figure / Axes (layout, nice ticks from ticks.hpp, limits, legend).
//
// Example:
//
//   namespace plt = adamant::plot;
//   plt::Figure fig(800, 500);                      // pixels; fig.set_scale(2) for 1600×1000
//   plt::Axes& ax = fig.axes();
//   auto& adam = ax.plot(steps, mean_return, "Adam");
//   ax.fill_between(steps, lo, hi, adam.color);     // a ±1 sd band in the line's colour
//   ax.plot(steps, sgd_return, "SGD").dashed = true;
//   ax.axhline(500.0).label = "solved";
//   ax.set_title("CartPole-v1, PPO");
//   ax.set_xlabel("environment steps");
//   ax.set_ylabel("episode return");
//   fig.save_png("curve.png");                      // atomic (datasets/png.hpp)
//
// Non-finite values are gaps: a line breaks at a NaN, a scatter point at NaN is skipped, and on
// a log axis values ≤ 0 are gaps too. Sizes that do not match throw std::invalid_argument
// naming the series; limits that are not finite and increasing throw std::invalid_argument.

#include "adamant/plot/canvas.hpp"
#include "adamant/plot/color.hpp"
#include "adamant/plot/figure.hpp"
#include "adamant/plot/series.hpp"
#include "adamant/plot/ticks.hpp"
