#pragma once
// A small raster plotting library: PNG figures from C++ with no Python at run time (learning
// curves, efficient frontiers and weight charts, parity plots, vector fields, eigenvalues in
// the complex plane, environment frames).
//
// Two layers:
//  - Canvas: an RGB8 image with anti-aliased drawing and alpha blending ("over" compositing,
//    out = (1 − αc)·dst + αc·src per channel, c = pixel coverage). Polygons are rasterized with
//    exact area coverage: each edge adds its signed trapezoid area to an accumulation row, and a
//    running sum over the row gives every pixel's covered fraction (the scanline-accumulation
//    method of libart / font-rs, written here from the geometry). Lines and circles use the
//    distance-based coverage clamp(r + ½ − d, 0, 1), d the distance from the pixel centre to the
//    shape's axis (a one-pixel box filter on the signed distance); a polyline keeps the largest
//    coverage per pixel, so joints are not blended twice. Text uses a built-in bitmap font
//    (ASCII 32..126 plus °±×·−²³⁰..⁹⁻, a few Greek letters, Å, →, ≈, ≤, ≥, √, ∇; 13 rows with
//    a cap height of 9 pixels) at integer scales; scales 2 and 4 smooth diagonals with Scale2x
//    (A. Mazzoleni, 2001) on a doubled grid and downsample it 2×2 for anti-aliased edges.
//  - Figure / Axes: a matplotlib-like figure of one or more axes (a rows × cols grid), each with
//    line, scatter, band (fill_between), bar, quiver, reference-line, arrow and text series,
//    title, axis labels, legend, grid, linear or log axes with "nice" ticks (steps 1, 2, 5 ×
//    10^k: Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990), automatic limits
//    with 5 % margins or fixed limits, equal aspect, and a tab10 colour cycle. The layout is
//    computed from the measured tick labels, so nothing overlaps or falls off the image.
//
// Example:
//
//   namespace plt = adamant::datasets::plot;
//   plt::Figure fig(800, 500);                      // pixels; fig.set_scale(2) for 1600×1000
//   plt::Axes& ax = fig.axes();
//   auto& adam = ax.plot(steps, mean_return, "Adam");
//   ax.fill_between(steps, lo, hi, adam.color);     // a ±1 sd band in the line's colour
//   ax.plot(steps, sgd_return, "SGD").dashed = true;
//   ax.axhline(500.0).label = "solved";
//   ax.set_title("CartPole-v1, PPO");
//   ax.set_xlabel("environment steps");
//   ax.set_ylabel("episode return");
//   fig.save_png("curve.png");                      // atomic (png.hpp)
//
// Non-finite values are gaps: a line breaks at a NaN, a scatter point at NaN is skipped, and on
// a log axis values ≤ 0 are gaps too. Sizes that do not match throw std::invalid_argument
// naming the series; limits that are not finite and increasing throw std::invalid_argument.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "adamant/datasets/png.hpp"

namespace adamant::datasets::plot {

using Color = Rgb;

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

struct Point {
  double x = 0, y = 0;
};

enum class HAlign { kLeft, kCenter, kRight };
/// kTop: the top of the capitals; kCenter: the middle of the capitals; kBaseline; kBottom: the
/// bottom of the descenders.
enum class VAlign { kTop, kCenter, kBaseline, kBottom };

struct TextStyle {
  int scale = 1;      ///< integer magnification, 1..8 (each font pixel becomes scale² pixels)
  bool bold = false;  ///< strokes one pixel (× scale) wider
  HAlign halign = HAlign::kLeft;
  VAlign valign = VAlign::kBaseline;
  /// Rotated 90° counter-clockwise (reads bottom to top). halign then places the text along y
  /// (kLeft: starts at the anchor and goes up), valign across x (kTop: the tops of the letters
  /// at the anchor, the text to its right).
  bool vertical = false;
};

/// Size of a line of text in pixels, unrotated: width, ascent above the baseline (cap height),
/// descent below it.
struct TextExtent {
  int width = 0, ascent = 0, descent = 0;
  int height() const { return ascent + descent; }
};

enum class CapStyle { kRound, kButt };

/// An image to draw on. Coordinates are pixels, x to the right and y down, pixel (i, j) covering
/// [i, i+1) × [j, j+1) (its centre at (i + ½, j + ½)). Every drawing call is clipped to the clip
/// rectangle (the whole image by default); alpha multiplies the coverage.
class Canvas {
 public:
  Canvas(int width, int height, Color background = colors::kWhite);
  explicit Canvas(Image image);

  int width() const { return image_.width; }
  int height() const { return image_.height; }
  const Image& image() const { return image_; }
  Image& image() { return image_; }

  /// Restricts drawing to the pixels of [x0, x1) × [y0, y1) (rounded to whole pixels, then
  /// intersected with the image).
  void set_clip(double x0, double y0, double x1, double y1);
  void reset_clip();
  void clear(Color c);

  /// Blends colour c with weight alpha into pixel (x, y) (no-op outside the clip).
  void blend(int x, int y, Color c, double alpha);

  void line(Point a, Point b, Color c, double width = 1.0, double alpha = 1.0,
            CapStyle cap = CapStyle::kRound);
  /// An open polyline with round joins; dash = {on, off, on, off, ...} in pixels (empty: solid).
  /// A non-finite point breaks the line.
  void polyline(const std::vector<Point>& points, Color c, double width = 1.0, double alpha = 1.0,
                const std::vector<double>& dash = {});
  /// Filled polygon (non-zero winding for simple shapes; edges close automatically).
  void fill_polygon(const std::vector<Point>& points, Color c, double alpha = 1.0);
  void stroke_polygon(const std::vector<Point>& points, Color c, double width = 1.0,
                      double alpha = 1.0);
  void fill_rect(double x0, double y0, double x1, double y1, Color c, double alpha = 1.0);
  void stroke_rect(double x0, double y0, double x1, double y1, Color c, double width = 1.0,
                   double alpha = 1.0);
  void fill_rounded_rect(double x0, double y0, double x1, double y1, double radius, Color c,
                         double alpha = 1.0);
  void stroke_rounded_rect(double x0, double y0, double x1, double y1, double radius, Color c,
                           double width = 1.0, double alpha = 1.0);
  void fill_circle(Point centre, double radius, Color c, double alpha = 1.0);
  void stroke_circle(Point centre, double radius, Color c, double width = 1.0, double alpha = 1.0);
  /// A line from `from` to `to` with a filled triangular head at `to` (head_length along the
  /// line, head_width across it, in pixels), composited as one shape.
  void arrow(Point from, Point to, Color c, double width = 1.5, double head_length = 9.0,
             double head_width = 7.0, double alpha = 1.0);

  /// Draws UTF-8 text anchored at (x, y) (see TextStyle). Characters the font lacks are drawn
  /// as a box.
  void text(double x, double y, const std::string& s, Color c, const TextStyle& style = {},
            double alpha = 1.0);
  static TextExtent measure_text(const std::string& s, int scale = 1, bool bold = false);

  /// write_png(path, image()) — atomic.
  void save_png(const std::string& path) const;

  struct Mask;  // coverage of a region (implementation detail)

 private:
  void composite(const Mask& m, Color c, double alpha);
  Image image_;
  int cx0_ = 0, cy0_ = 0, cx1_ = 0, cy1_ = 0;  // clip rectangle, [cx0, cx1) × [cy0, cy1)
};

// ---------------------------------------------------------------------------------------------
// Figure and axes

enum class Marker { kNone, kCircle, kSquare, kTriangle, kDiamond, kPlus, kCross };
enum class Legend { kBest, kUpperRight, kUpperLeft, kLowerLeft, kLowerRight, kOutsideRight, kNone };

/// Pixel sizes below are at scale 1 (Figure::set_scale multiplies them).
struct LineSeries {
  std::vector<double> x, y;
  std::string label;   ///< shown in the legend when not empty
  Color color;         ///< default: the next colour of the cycle
  double width = 2.0;  ///< pixels
  double alpha = 1.0;
  bool dashed = false;       ///< dash pattern {6w/2, 3w/2}… unless `dash` is given
  std::vector<double> dash;  ///< explicit on/off pattern in pixels
  Marker marker = Marker::kNone;
  double marker_size = 6.0;  ///< marker diameter in pixels
};

struct ScatterSeries {
  std::vector<double> x, y;
  std::string label;
  Color color;
  std::vector<Color> colors;  ///< per-point colours (overrides `color` when not empty)
  Marker marker = Marker::kCircle;
  double size = 7.0;  ///< marker diameter in pixels
  double alpha = 0.85;
  double edge_width = 0.0;  ///< outline in edge_color, 0: none
  Color edge_color = colors::kWhite;
};

/// The region between y_low and y_high over x (fill_between).
struct BandSeries {
  std::vector<double> x, y_low, y_high;
  std::string label;
  Color color;
  double alpha = 0.25;
};

/// Bars centred at x with the given heights, from `bottom` (per bar; empty: 0). Horizontal bars
/// (Axes::barh) swap the roles of the axes: centred at y = x[i], extending along the x axis from
/// bottom[i] to bottom[i] + height[i], `width` thick in data units of y.
struct BarSeries {
  std::vector<double> x, height, bottom;
  std::string label;
  Color color;
  std::vector<Color> colors;  ///< per-bar colours (overrides `color` when not empty)
  double width = 0.8;         ///< in data units of x (of y when horizontal)
  double alpha = 1.0;
  double edge_width = 0.0;  ///< outline in edge_color
  Color edge_color = colors::kWhite;
  bool horizontal = false;  ///< set by barh
};

/// A horizontal (axhline) or vertical (axvline) line across the whole axes.
struct RefLine {
  bool horizontal = true;
  double value = 0;
  std::string label;
  Color color = colors::kDarkGray;
  double width = 1.25;
  double alpha = 1.0;
  bool dashed = true;
};

/// Arrows from (x, y) along (u, v) · scale, in data units (matplotlib's angles='xy').
struct QuiverSeries {
  std::vector<double> x, y, u, v;
  std::string label;
  Color color;
  std::vector<Color> colors;  ///< per-arrow colours (e.g. viridis(|v| / max|v|))
  double scale = 0.0;         ///< 0: the longest arrow spans 0.9 of the mean grid spacing
  double width = 1.25;        ///< shaft width in pixels
  double head_size = 6.0;     ///< head length in pixels (width 0.8 of it); shorter arrows
                              ///< get proportionally smaller heads
  double alpha = 1.0;
};

/// One arrow between two data points (annotation).
struct ArrowAnnotation {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  Color color = colors::kDarkGray;
  double width = 1.5;
  double head_size = 9.0;
};

/// Text at a data point (or at axes fractions (0..1, 0..1 from the lower left) when
/// axes_fraction is set).
struct TextAnnotation {
  double x = 0, y = 0;
  std::string text;
  Color color{34, 34, 34};
  TextStyle style;
  bool axes_fraction = false;
};

class Figure;

class Axes {
 public:
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

  /// Where the last render put the plot area, in image pixels: [left, right) × [top, bottom).
  struct Frame {
    double left = 0, top = 0, right = 0, bottom = 0;
    double x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1;  ///< the data limits drawn
    bool x_log = false, y_log = false;
    /// Data → pixel (centre of the pixel column / row that the value falls on).
    Point to_pixel(double x, double y) const;
  };
  const Frame& frame() const { return frame_; }

  Axes() = default;

 private:
  friend class Figure;
  enum class Kind { kLine, kScatter, kBand, kBar, kRef, kQuiver, kArrow, kText };
  struct Item {
    Kind kind;
    std::size_t index;
  };
  void render(Canvas& canvas, double x0, double y0, double x1, double y1, int scale) const;

  std::deque<LineSeries> lines_;
  std::deque<ScatterSeries> scatters_;
  std::deque<BandSeries> bands_;
  std::deque<BarSeries> bars_;
  std::deque<RefLine> refs_;
  std::deque<QuiverSeries> quivers_;
  std::deque<ArrowAnnotation> arrows_;
  std::deque<TextAnnotation> texts_;
  std::vector<Item> order_;
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

// -- ticks (exposed for tests and custom layouts)

/// About `target` tick values (at least two where possible) of step 1, 2 or 5 × 10^k inside
/// [lo, hi], covering it to within one step at each end.
std::vector<double> nice_ticks(double lo, double hi, int target);
/// The step nice_ticks would use.
double nice_step(double lo, double hi, int target);
/// Labels for linear ticks with a common step: the fewest decimals that tell them apart,
/// "−" (U+2212) for negatives; when |values| ≥ 10^4 or < 10^−3 they are scaled by a common
/// power of ten returned in `exponent` (0 otherwise; draw "×10^exponent" beside the axis).
std::vector<std::string> format_ticks(const std::vector<double>& ticks, int* exponent = nullptr);

}  // namespace adamant::datasets::plot
