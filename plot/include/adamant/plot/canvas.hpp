#pragma once
// Canvas: an RGB image drawn by cairo (https://www.cairographics.org/) — anti-aliased paths
// (coverage exact across each pixel, to 1/15 of a pixel down it: cairo's scan converter samples
// 15 sub-scanlines), "over" compositing with alpha, dashes, clipping — and text set in a real
// font (DejaVu Sans through fontconfig; any sans-serif fontconfig substitutes when it is absent).
//
// Coordinates are pixels, x to the right and y down, pixel (i, j) covering [i, i+1) × [j, j+1)
// (its centre at (i + ½, j + ½)). Every drawing call is clipped to the clip rectangle (the whole
// image by default); alpha multiplies the coverage. Each call is composited as one shape, so a
// polyline's joints and an arrow's shaft under its head are not blended twice. cairo itself is
// an implementation detail: nothing here includes cairo.h.
//
//   adamant::plot::Canvas cv(200, 100);
//   cv.fill_circle({50, 50}, 20, adamant::plot::colors::kRed, 0.5);
//   cv.text(100, 50, "θ = 0.3", adamant::plot::colors::kBlack);
//   cv.save_png("disc.png");  // atomic (datasets/png.hpp)

#include <memory>
#include <string>
#include <vector>

#include "adamant/datasets/png.hpp"
#include "adamant/plot/color.hpp"

namespace adamant::plot {

using datasets::Image;

struct Point {
  double x = 0, y = 0;
};

enum class HAlign { kLeft, kCenter, kRight };
/// kTop: the top of the capitals; kCenter: the middle of the capitals; kBaseline; kBottom: the
/// bottom of the descenders.
enum class VAlign { kTop, kCenter, kBaseline, kBottom };

/// The font size all figure text uses at scale 1, in pixels per em (about 9 px capitals).
inline constexpr double kFontSize = 12.0;

struct TextStyle {
  double size = kFontSize;  ///< pixels per em, (0, 512]
  bool bold = false;
  HAlign halign = HAlign::kLeft;
  VAlign valign = VAlign::kBaseline;
  /// Rotated 90° counter-clockwise (reads bottom to top). halign then places the text along y
  /// (kLeft: starts at the anchor and goes up), valign across x (kTop: the tops of the letters
  /// at the anchor, the text to its right).
  bool vertical = false;
};

/// Size of a line of text in pixels, unrotated: advance width, ascent above the baseline (the
/// cap height), descent below it (the font's descender).
struct TextExtent {
  double width = 0, ascent = 0, descent = 0;
  double height() const { return ascent + descent; }
};

enum class CapStyle { kRound, kButt };

class Canvas {
 public:
  Canvas(int width, int height, Color background = colors::kWhite);
  explicit Canvas(const Image& image);
  ~Canvas();
  Canvas(Canvas&&) noexcept;
  Canvas& operator=(Canvas&&) noexcept;
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;

  int width() const;
  int height() const;
  /// The pixels drawn so far (converted from cairo's surface when something changed).
  const Image& image() const;

  /// Restricts drawing to the pixels of [x0, x1) × [y0, y1) (rounded to whole pixels, then
  /// intersected with the image).
  void set_clip(double x0, double y0, double x1, double y1);
  void reset_clip();
  /// Fills the whole image, whatever the clip.
  void clear(Color c);

  void line(Point a, Point b, Color c, double width = 1.0, double alpha = 1.0,
            CapStyle cap = CapStyle::kRound);
  /// An open polyline with round joins; dash = {on, off, on, off, ...} in pixels (empty: solid;
  /// lengths finite and ≥ 0, else std::invalid_argument). A non-finite point breaks the line.
  void polyline(const std::vector<Point>& points, Color c, double width = 1.0, double alpha = 1.0,
                const std::vector<double>& dash = {});
  /// Filled polygon (non-zero winding; the edge closes automatically; non-finite points are
  /// skipped).
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

  /// Draws UTF-8 text anchored at (x, y) (see TextStyle); the baseline is put on a whole pixel
  /// so small text stays sharp. Characters the font lacks are drawn as its missing-glyph box.
  void text(double x, double y, const std::string& s, Color c, const TextStyle& style = {},
            double alpha = 1.0);
  static TextExtent measure_text(const std::string& s, double size = kFontSize, bool bold = false);

  /// write_png(path, image()) — atomic.
  void save_png(const std::string& path) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace adamant::plot
