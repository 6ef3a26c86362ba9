#pragma once
// What an Axes draws: every series kind is an object derived from Series, which knows its own
// data extent, how to draw itself, its legend handle and what a legend must not hide. Axes holds
// them in the order they were added and knows nothing of their kinds, so a new kind is one class
// (Axes::add takes any Series). Pixel sizes below are at scale 1; Figure::set_scale multiplies
// them (View::scale).

#include <limits>
#include <string>
#include <vector>

#include "adamant/plot/canvas.hpp"

namespace adamant::plot {

/// Where the last render put an axes' plot area, in image pixels: [left, right) × [top, bottom),
/// and the data limits drawn there.
struct Frame {
  double left = 0, top = 0, right = 0, bottom = 0;
  double x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1;
  bool x_log = false, y_log = false;
  /// Data → pixel (NaN for a value ≤ 0 on a log axis).
  Point to_pixel(double x, double y) const;
  /// One coordinate: data x → pixel column, data y → pixel row.
  double to_px_x(double x) const;
  double to_px_y(double y) const;
};

/// What a series sees when it draws: the frame and the pixel scale.
struct View {
  Frame frame;
  double scale = 1;
  Point operator()(double x, double y) const { return frame.to_pixel(x, y); }
};

/// The range of data values along one axis; values that are not finite, or ≤ 0 on a log axis,
/// are ignored. `sticky` values are ones automatic margins may not cross (bar baselines).
struct Extent {
  bool log = false;
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  std::vector<double> sticky;
  void add(double v);
  bool empty() const { return !(hi >= lo); }
};

struct Rect {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool intersects(const Rect& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

/// What the automatic legend placement (Legend::kBest) avoids: points it counts, boxes it never
/// covers.
struct Footprint {
  std::vector<Point> points;
  std::vector<Rect> keep_clear;
  /// The vertices of a polyline and points every `spacing` pixels along its segments.
  void add_polyline(const std::vector<Point>& p, double spacing);
};

class Series {
 public:
  virtual ~Series() = default;
  /// Grows the extents the automatic limits come from.
  virtual void extend(Extent& /*x*/, Extent& /*y*/) const {}
  /// Draws into the plot area; the canvas is clipped to it when clipped() is true, else to the
  /// axes' cell.
  virtual void draw(Canvas& cv, const View& view) const = 0;
  virtual bool clipped() const { return true; }
  /// The legend's text ("": not in the legend).
  virtual std::string legend_label() const { return ""; }
  /// The legend handle, drawn from x to x + width around the row's centre y.
  virtual void draw_handle(Canvas& /*cv*/, double /*x*/, double /*y*/, double /*width*/,
                           double /*scale*/) const {}
  virtual void footprint(const View& /*view*/, Footprint& /*fp*/) const {}
};

enum class Marker { kNone, kCircle, kSquare, kTriangle, kDiamond, kPlus, kCross };

/// A marker of diameter d centred at c (nothing for a non-finite centre or kNone).
void draw_marker(Canvas& cv, Marker m, Point c, double d, Color col, double alpha,
                 double edge_width = 0, Color edge = colors::kWhite);

struct LineSeries : Series {
  std::vector<double> x, y;
  std::string label;   ///< shown in the legend when not empty
  Color color;         ///< default: the next colour of the cycle
  double width = 2.0;  ///< pixels
  double alpha = 1.0;
  bool dashed = false;       ///< dash pattern {3.7w, 1.6w} unless `dash` is given
  std::vector<double> dash;  ///< explicit on/off pattern in pixels
  Marker marker = Marker::kNone;
  double marker_size = 6.0;  ///< marker diameter in pixels

  std::vector<double> dash_pattern() const;
  void extend(Extent& ex, Extent& ey) const override;
  void draw(Canvas& cv, const View& v) const override;
  std::string legend_label() const override { return label; }
  void draw_handle(Canvas& cv, double x, double y, double w, double s) const override;
  void footprint(const View& v, Footprint& fp) const override;
};

struct ScatterSeries : Series {
  std::vector<double> x, y;
  std::string label;
  Color color;
  std::vector<Color> colors;  ///< per-point colours (overrides `color` when not empty)
  Marker marker = Marker::kCircle;
  double size = 7.0;  ///< marker diameter in pixels
  double alpha = 0.85;
  double edge_width = 0.0;  ///< outline in edge_color, 0: none
  Color edge_color = colors::kWhite;

  void extend(Extent& ex, Extent& ey) const override;
  void draw(Canvas& cv, const View& v) const override;
  std::string legend_label() const override { return label; }
  void draw_handle(Canvas& cv, double x, double y, double w, double s) const override;
  void footprint(const View& v, Footprint& fp) const override;
};

/// The region between y_low and y_high over x (fill_between).
struct BandSeries : Series {
  std::vector<double> x, y_low, y_high;
  std::string label;
  Color color;
  double alpha = 0.25;

  void extend(Extent& ex, Extent& ey) const override;
  void draw(Canvas& cv, const View& v) const override;
  std::string legend_label() const override { return label; }
  void draw_handle(Canvas& cv, double x, double y, double w, double s) const override;
  void footprint(const View& v, Footprint& fp) const override;
};

/// Bars centred at x with the given heights, from `bottom` (per bar; empty: 0). Horizontal bars
/// (Axes::barh) swap the roles of the axes: centred at y = x[i], extending along the x axis from
/// bottom[i] to bottom[i] + height[i], `width` thick in data units of y.
struct BarSeries : Series {
  std::vector<double> x, height, bottom;
  std::string label;
  Color color;
  std::vector<Color> colors;  ///< per-bar colours (overrides `color` when not empty)
  double width = 0.8;         ///< in data units of x (of y when horizontal)
  double alpha = 1.0;
  double edge_width = 0.0;  ///< outline in edge_color
  Color edge_color = colors::kWhite;
  bool horizontal = false;  ///< set by barh

  void extend(Extent& ex, Extent& ey) const override;
  void draw(Canvas& cv, const View& v) const override;
  std::string legend_label() const override { return label; }
  void draw_handle(Canvas& cv, double x, double y, double w, double s) const override;
  void footprint(const View& v, Footprint& fp) const override;
};

/// A horizontal (axhline) or vertical (axvline) line across the whole axes.
struct RefLine : Series {
  bool horizontal = true;
  double value = 0;
  std::string label;
  Color color = colors::kDarkGray;
  double width = 1.25;
  double alpha = 1.0;
  bool dashed = true;

  void extend(Extent& ex, Extent& ey) const override;
  void draw(Canvas& cv, const View& v) const override;
  std::string legend_label() const override { return label; }
  void draw_handle(Canvas& cv, double x, double y, double w, double s) const override;
};

/// Arrows from (x, y) along (u, v) · scale, in data units (matplotlib's angles='xy').
struct QuiverSeries : Series {
  std::vector<double> x, y, u, v;
  std::string label;
  Color color;
  std::vector<Color> colors;  ///< per-arrow colours (e.g. viridis(|v| / max|v|))
  double scale = 0.0;         ///< 0: the longest arrow spans 0.9 of the mean grid spacing
  double width = 1.25;        ///< shaft width in pixels
  double head_size = 6.0;     ///< head length in pixels (width 0.8 of it); shorter arrows
                              ///< get proportionally smaller heads
  double alpha = 1.0;

  /// The data units per unit of (u, v) actually used (scale, or the automatic one).
  double effective_scale() const;
  void extend(Extent& ex, Extent& ey) const override;
  void draw(Canvas& cv, const View& v) const override;
  std::string legend_label() const override { return label; }
  void draw_handle(Canvas& cv, double x, double y, double w, double s) const override;
  void footprint(const View& v, Footprint& fp) const override;
};

/// One arrow between two data points (annotation).
struct ArrowAnnotation : Series {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  Color color = colors::kDarkGray;
  double width = 1.5;
  double head_size = 9.0;

  void extend(Extent& ex, Extent& ey) const override;
  void draw(Canvas& cv, const View& v) const override;
};

/// Text at a data point (or at axes fractions (0..1, 0..1 from the lower left) when
/// axes_fraction is set). Not clipped to the plot area, and never hidden by the legend.
struct TextAnnotation : Series {
  double x = 0, y = 0;
  std::string text;
  Color color{34, 34, 34};
  TextStyle style;  ///< style.size is at scale 1
  bool axes_fraction = false;

  Point anchor(const View& v) const;
  void draw(Canvas& cv, const View& v) const override;
  bool clipped() const override { return false; }
  void footprint(const View& v, Footprint& fp) const override;
};

/// The box text drawn with Canvas::text at p covers (capitals and descenders).
Rect text_rect(Point p, const std::string& s, const TextStyle& st);

}  // namespace adamant::plot
