#pragma once
// Figure / Axes: a matplotlib-like figure of one or more axes (a rows × cols grid). An Axes holds
// series objects (series.hpp) in the order they were added, a title, axis labels, a legend, a
// grid, linear or log axes with nice ticks (ticks.hpp), automatic limits with 5 % margins or
// fixed limits, equal aspect, and a tab10 colour cycle. The layout is computed from the measured
// tick labels, so nothing overlaps or falls off the image.

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "adamant/plot/canvas.hpp"
#include "adamant/plot/series.hpp"

namespace adamant::plot {

enum class Legend { kBest, kUpperRight, kUpperLeft, kLowerLeft, kLowerRight, kOutsideRight, kNone };

class Axes {
 public:
  using Frame = plot::Frame;

  // -- series (the returned references stay valid as long as the Axes; change fields freely)
  LineSeries& plot(const std::vector<double>& x, const std::vector<double>& y,
                   const std::string& label = "");
  /// y against 0, 1, 2, ... (set the label on the returned series).
  LineSeries& plot(const std::vector<double>& y);
  ScatterSeries& scatter(const std::vector<double>& x, const std::vector<double>& y,
                         const std::string& label = "");
  BandSeries& fill_between(const std::vector<double>& x, const std::vector<double>& y_low,
                           const std::vector<double>& y_high,
                           std::optional<Color> color = std::nullopt,
                           const std::string& label = "");
  BarSeries& bar(const std::vector<double>& x, const std::vector<double>& height,
                 const std::string& label = "");
  /// Categorical bars at x = 0..n−1 with the names as x tick labels (rotated when crowded).
  BarSeries& bar(const std::vector<std::string>& names, const std::vector<double>& height,
                 const std::string& label = "");
  /// Horizontal bars centred at y with lengths `width` along x (matplotlib's barh).
  BarSeries& barh(const std::vector<double>& y, const std::vector<double>& width,
                  const std::string& label = "");
  /// Categorical horizontal bars at y = 0..n−1 with the names as y tick labels (the first name
  /// at the bottom).
  BarSeries& barh(const std::vector<std::string>& names, const std::vector<double>& width,
                  const std::string& label = "");
  RefLine& axhline(double y, Color color = colors::kDarkGray);
  RefLine& axvline(double x, Color color = colors::kDarkGray);
  QuiverSeries& quiver(const std::vector<double>& x, const std::vector<double>& y,
                       const std::vector<double>& u, const std::vector<double>& v,
                       const std::string& label = "");
  ArrowAnnotation& arrow(double x0, double y0, double x1, double y1);
  TextAnnotation& text(double x, double y, const std::string& s);
  /// Any series object, drawn after the ones already added.
  template <class S>
  S& add(S series) {
    static_assert(std::is_base_of_v<Series, S>, "Axes::add takes a Series");
    auto p = std::make_unique<S>(std::move(series));
    S& ref = *p;
    series_.push_back(std::move(p));
    return ref;
  }

  // -- decoration and scales
  void set_title(const std::string& s) { title_ = s; }
  void set_xlabel(const std::string& s) { xlabel_ = s; }
  void set_ylabel(const std::string& s) { ylabel_ = s; }
  /// Fixed limits (lo < hi, finite; positive on a log axis).
  void set_xlim(double lo, double hi);
  void set_ylim(double lo, double hi);
  /// Back to automatic limits (data range plus margin × range on each side; default 0.05).
  void autoscale_x() { xlim_.reset(); }
  void autoscale_y() { ylim_.reset(); }
  void set_margins(double x, double y);
  void set_xlog(bool on = true) { xlog_ = on; }
  void set_ylog(bool on = true) { ylog_ = on; }
  /// One data unit spans as many pixels in x as in y (limits are widened to fit the box).
  void set_equal_aspect(bool on = true) { equal_aspect_ = on; }
  void set_grid(bool on = true) { grid_ = on; }
  /// Fixed distances in pixels (at scale 1) from the left / right edge of the axes' cell to the
  /// plot area, instead of the ones computed from the tick labels and an outside legend
  /// (negative: computed, the default). Equal values line up the plot areas of axes stacked in
  /// a column; the caller leaves room for the labels and an outside legend.
  void set_frame_padding(double left, double right) {
    pad_left_ = left;
    pad_right_ = right;
  }
  void set_legend(Legend where) { legend_ = where; }
  /// Fixed tick positions, optionally with labels (same length).
  void set_xticks(const std::vector<double>& at, const std::vector<std::string>& labels = {});
  void set_yticks(const std::vector<double>& at, const std::vector<std::string>& labels = {});
  /// The next colour of this axes' cycle (tab10), as plot() would take it.
  Color next_color();

  /// Where the last render put the plot area.
  const Frame& frame() const { return frame_; }

 private:
  friend class Figure;
  struct Layout;
  void render(Canvas& cv, double x0, double y0, double x1, double y1, int scale) const;
  Layout layout(double x0, double y0, double x1, double y1, double scale) const;
  void draw_axes(Canvas& cv, const Layout& lay, double cx1, double cy1) const;
  void draw_legend(Canvas& cv, const Layout& lay) const;

  std::vector<std::unique_ptr<Series>> series_;
  std::string title_, xlabel_, ylabel_;
  std::optional<std::pair<double, double>> xlim_, ylim_;
  double xmargin_ = 0.05, ymargin_ = 0.05;
  bool xlog_ = false, ylog_ = false, equal_aspect_ = false, grid_ = true;
  double pad_left_ = -1, pad_right_ = -1;
  Legend legend_ = Legend::kBest;
  std::optional<std::vector<double>> xticks_, yticks_;
  std::vector<std::string> xticklabels_, yticklabels_;
  int color_index_ = 0;
  mutable Frame frame_;
};

/// A figure of rows × cols axes on a width × height pixel image (× scale).
class Figure {
 public:
  explicit Figure(int width = 800, int height = 600, int rows = 1, int cols = 1);
  Figure(const Figure&) = delete;
  Figure& operator=(const Figure&) = delete;
  Figure(Figure&&) = default;
  Figure& operator=(Figure&&) = default;

  int rows() const { return rows_; }
  int cols() const { return cols_; }
  /// Axes at (row, col), row-major; throws std::out_of_range.
  Axes& axes(int row = 0, int col = 0);
  /// Axes number i in row-major order.
  Axes& axes_at(int index);
  /// A title above all axes.
  void set_title(const std::string& s) { title_ = s; }
  /// Pixel density: 2 renders a (2·width) × (2·height) image with everything twice as large.
  void set_scale(int scale);
  void set_background(Color c) { background_ = c; }

  Image render() const;
  /// Renders and writes the PNG atomically (write_png).
  void save_png(const std::string& path) const;

 private:
  int width_, height_, rows_, cols_, scale_ = 1;
  Color background_ = colors::kWhite;
  std::string title_;
  std::deque<Axes> axes_;
};

}  // namespace adamant::plot
