// The plotting module (adamant::plot): nice ticks, cairo's exact anti-aliased coverage, text in
// a real font, and figures whose pixels land where the axes transform says.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "../datasets/datasets_test_util.hpp"
#include "adamant/datasets/png.hpp"
#include "adamant/plot/plot.hpp"

namespace adamant::plot {
namespace {

using datasets::Image;
using datasets::read_png;
using datasets::Rgb;
using datasets::testing::TempDirTest;
namespace plt = adamant::plot;

int count_not(const Image& img, Rgb c) {
  int n = 0;
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) n += img.at(x, y) != c;
  }
  return n;
}

/// 50 % grey: 255 · (1 − ½) rounded either way.
bool half_grey(Rgb c) { return c.r == c.g && c.g == c.b && (c.r == 127 || c.r == 128); }

/// Summed darkness of a grey image, in pixels of full black.
double darkness(const Image& img) {
  double d = 0;
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) d += (255.0 - img.at(x, y).r) / 255.0;
  }
  return d;
}

// ---- ticks

bool is_nice_step(double step) {
  const double e = std::floor(std::log10(step));
  const double m = step / std::pow(10.0, e);
  return std::abs(m - 1) < 1e-9 || std::abs(m - 2) < 1e-9 || std::abs(m - 5) < 1e-9 ||
         std::abs(m - 10) < 1e-9;
}

TEST(PlotTicks, NiceNumbersCoveringTheRange) {
  const double cases[][2] = {{0, 1},        {-0.07, 0.18}, {0, 500000}, {-3.3, 4.1},
                             {1e-6, 3e-6},  {99.5, 100.5}, {-1e9, 1e9}, {0.1234, 0.1239},
                             {-52.0, -3.0}, {0, 2.5e-4},   {17.0, 1e4}, {-1.0, 1.0}};
  for (const auto& c : cases) {
    for (int target : {2, 4, 5, 7, 10}) {
      const double lo = c[0], hi = c[1];
      const double step = plt::nice_step(lo, hi, target);
      const std::vector<double> t = plt::nice_ticks(lo, hi, target);
      SCOPED_TRACE(std::to_string(lo) + ".." + std::to_string(hi) + " target " +
                   std::to_string(target));
      EXPECT_TRUE(is_nice_step(step)) << step;
      ASSERT_GE(t.size(), 1u);
      EXPECT_LE(static_cast<int>(t.size()), 2 * target + 2);
      EXPECT_GE(t.front(), lo - 1e-9 * step);
      EXPECT_LE(t.back(), hi + 1e-9 * step);
      EXPECT_LT(t.front() - lo, step * (1 + 1e-9));  // no gap of a whole step at either end
      EXPECT_LT(hi - t.back(), step * (1 + 1e-9));
      for (std::size_t i = 0; i < t.size(); ++i) {
        EXPECT_NEAR(t[i] / step, std::round(t[i] / step), 1e-6);
        if (i > 0) {
          EXPECT_NEAR(t[i] - t[i - 1], step, 1e-9 * step);
        }
      }
    }
  }
  EXPECT_EQ(plt::nice_ticks(0, 1, 5), (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1.0}));
  EXPECT_THROW(plt::nice_ticks(1, 1, 5), std::invalid_argument);
  EXPECT_THROW(plt::nice_ticks(0, NAN, 5), std::invalid_argument);
}

TEST(PlotTicks, LabelsAreShortAndDistinct) {
  const std::string minus = "\xE2\x88\x92";
  EXPECT_EQ(plt::format_ticks({0, 0.5, 1}), (std::vector<std::string>{"0.0", "0.5", "1.0"}));
  EXPECT_EQ(plt::format_ticks({-200, 0, 200, 400}),
            (std::vector<std::string>{minus + "200", "0", "200", "400"}));
  EXPECT_EQ(plt::format_ticks({0.1, 0.15, 0.2}),
            (std::vector<std::string>{"0.10", "0.15", "0.20"}));
  int e = 0;
  EXPECT_EQ(plt::format_ticks({0, 100000, 200000, 300000}, &e),
            (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(e, 5);
  EXPECT_EQ(plt::format_ticks({0.0002, 0.0004}, &e), (std::vector<std::string>{"2", "4"}));
  EXPECT_EQ(e, -4);
  // Rounding noise never shows: 0.1 + 0.2 prints as 0.3.
  EXPECT_EQ(plt::format_ticks({0.1, 0.1 + 0.2})[1], "0.3");
}

// ---- canvas

TEST(PlotCanvas, PolygonCoverageIsExactArea) {
  // A rectangle with half-pixel edges: the edge pixels are half covered.
  plt::Canvas cv(40, 30);
  cv.fill_rect(10.5, 5.0, 20.5, 15.0, {0, 0, 0});
  EXPECT_EQ(cv.image().at(15, 10), (Rgb{0, 0, 0}));
  EXPECT_TRUE(half_grey(cv.image().at(10, 10)));  // 255 · (1 − 0.5), either way rounded
  EXPECT_TRUE(half_grey(cv.image().at(20, 10)));
  EXPECT_EQ(cv.image().at(9, 10), (Rgb{255, 255, 255}));
  EXPECT_EQ(cv.image().at(15, 4), (Rgb{255, 255, 255}));
  // A thin triangle: the darkness summed over all pixels equals its area.
  plt::Canvas tri(60, 60);
  tri.fill_polygon({{3.3, 4.1}, {55.7, 20.2}, {12.9, 51.6}}, {0, 0, 0});
  double ink = 0;
  for (int y = 0; y < 60; ++y) {
    for (int x = 0; x < 60; ++x) ink += (255.0 - tri.image().at(x, y).r) / 255.0;
  }
  const double area = 0.5 * std::abs((55.7 - 3.3) * (51.6 - 4.1) - (12.9 - 3.3) * (20.2 - 4.1));
  EXPECT_NEAR(ink, area, 0.002 * area + 1.0);
}

TEST(PlotCanvas, ClipAndAlpha) {
  plt::Canvas cv(20, 20);
  cv.set_clip(5, 5, 10, 10);
  cv.fill_rect(0, 0, 20, 20, {0, 0, 0}, 0.5);
  EXPECT_TRUE(half_grey(cv.image().at(7, 7)));
  EXPECT_EQ(cv.image().at(4, 7), (Rgb{255, 255, 255}));
  EXPECT_EQ(cv.image().at(10, 7), (Rgb{255, 255, 255}));
  cv.reset_clip();
  cv.fill_circle({15.0, 15.0}, 3.0, {255, 0, 0});
  EXPECT_EQ(cv.image().at(15, 15), (Rgb{255, 0, 0}));
  EXPECT_EQ(cv.image().at(15, 19), (Rgb{255, 255, 255}));
}

TEST(PlotCanvas, LinesAreAntiAliasedAndDashed) {
  plt::Canvas cv(100, 20);
  cv.line({10.0, 10.5}, {90.0, 10.5}, {0, 0, 255}, 1.0);
  EXPECT_EQ(cv.image().at(50, 10), (Rgb{0, 0, 255}));
  EXPECT_EQ(cv.image().at(50, 9), (Rgb{255, 255, 255}));
  EXPECT_EQ(cv.image().at(50, 11), (Rgb{255, 255, 255}));
  // Between pixel rows the line covers two rows by half: exactly in sum, each to cairo's
  // vertical resolution (15 sub-scanlines per pixel).
  cv.line({10.0, 15.0}, {90.0, 15.0}, {0, 0, 0}, 1.0);
  const double c14 = 1 - cv.image().at(50, 14).r / 255.0, c15 = 1 - cv.image().at(50, 15).r / 255.0;
  EXPECT_NEAR(c14, 0.5, 1.0 / 15 + 0.01);
  EXPECT_NEAR(c15, 0.5, 1.0 / 15 + 0.01);
  EXPECT_NEAR(c14 + c15, 1.0, 0.01);
  plt::Canvas d(100, 10);
  d.polyline({{0.0, 5.5}, {100.0, 5.5}}, {0, 0, 0}, 1.0, 1.0, {10.0, 10.0});
  EXPECT_EQ(d.image().at(5, 5), (Rgb{0, 0, 0}));         // first dash
  EXPECT_EQ(d.image().at(15, 5), (Rgb{255, 255, 255}));  // first gap
  EXPECT_EQ(d.image().at(25, 5), (Rgb{0, 0, 0}));        // second dash
}

TEST(PlotText, RendersInkInsideItsExtent) {
  plt::Canvas cv(200, 60);
  const plt::TextExtent e = plt::Canvas::measure_text("Adam 0.9");
  EXPECT_GT(e.width, 30);
  // DejaVu Sans at 12 px per em: capitals 0.73 em tall, descender 0.24 em.
  EXPECT_NEAR(e.ascent, 8.75, 0.75);
  EXPECT_NEAR(e.descent, 2.8, 0.75);
  cv.text(10, 30, "Adam 0.9", {0, 0, 0});  // baseline at y = 30
  int ink = 0, grey = 0;
  for (int y = 0; y < 60; ++y) {
    for (int x = 0; x < 200; ++x) {
      const Rgb px = cv.image().at(x, y);
      if (px == Rgb{255, 255, 255}) continue;
      ++ink;
      grey += px != Rgb{0, 0, 0};
      EXPECT_GE(x, 9);  // an anti-aliased edge may touch the pixel left of the anchor
      EXPECT_LT(x, 10 + e.width + 1);
      EXPECT_GE(y, 30 - e.ascent - 2);  // ascenders ('d') rise a little above the capitals
      EXPECT_LT(y, 30 + e.descent + 1);
    }
  }
  EXPECT_GT(ink, 60);
  EXPECT_GT(grey, 10);  // anti-aliased: edges are grey
  // Twice the size has about four times the ink (summed darkness); a different string has
  // different pixels.
  plt::Canvas big(400, 80), other(200, 60);
  plt::TextStyle st;
  st.size = 2 * plt::kFontSize;
  big.text(10, 50, "Adam 0.9", {0, 0, 0}, st);
  other.text(10, 30, "Adam 0.8", {0, 0, 0});
  const double dark1 = darkness(cv.image()), dark2 = darkness(big.image());
  EXPECT_GT(dark2, 3.3 * dark1);
  EXPECT_LT(dark2, 4.7 * dark1);
  EXPECT_NE(other.image().pixels, cv.image().pixels);
  EXPECT_NEAR(plt::Canvas::measure_text("Adam 0.9", 24).width, 2 * e.width, 1e-6 * e.width);
  EXPECT_THROW(plt::Canvas::measure_text("x", 0), std::invalid_argument);
  EXPECT_THROW(cv.text(0, 0, "x", {0, 0, 0}, plt::TextStyle{-1.0}), std::invalid_argument);
}

TEST(PlotText, EveryPrintableAsciiCharacterHasItsOwnGlyph) {
  // Characters the font lacks render as its missing-glyph box; every ASCII 33..126 must look
  // different from it and from each other.
  auto draw = [](const std::string& s) {
    plt::Canvas cv(20, 20);
    plt::TextStyle st;
    st.valign = plt::VAlign::kTop;
    cv.text(2, 2, s, {0, 0, 0}, st);
    return cv.image().pixels;
  };
  const auto box = draw("\xE4\xB8\x80");  // U+4E00, not in the font
  std::set<std::vector<std::uint8_t>> seen;
  for (int c = 33; c <= 126; ++c) {
    const auto px = draw(std::string(1, static_cast<char>(c)));
    EXPECT_NE(px, box) << "'" << static_cast<char>(c) << "'";
    EXPECT_TRUE(seen.insert(px).second) << "'" << static_cast<char>(c) << "' duplicates a glyph";
  }
  EXPECT_EQ(count_not(plt::Canvas(20, 20).image(), {255, 255, 255}), 0);
  EXPECT_GT(plt::Canvas::measure_text(" ").width, 0);
}

TEST(PlotText, VerticalTextIsRotated) {
  plt::Canvas cv(60, 200);
  plt::TextStyle st;
  st.vertical = true;
  st.valign = plt::VAlign::kTop;
  cv.text(20, 150, "learning rate", {0, 0, 0}, st);
  const double w = plt::Canvas::measure_text("learning rate").width;
  int minx = 1000, maxx = -1, miny = 1000, maxy = -1;
  for (int y = 0; y < 200; ++y) {
    for (int x = 0; x < 60; ++x) {
      if (cv.image().at(x, y) == Rgb{255, 255, 255}) continue;
      minx = std::min(minx, x);
      maxx = std::max(maxx, x);
      miny = std::min(miny, y);
      maxy = std::max(maxy, y);
    }
  }
  EXPECT_GE(minx, 19);       // tops of the letters at the anchor (ascenders a little above),
  EXPECT_LE(maxx, 20 + 13);  // the text to its right, one line tall
  EXPECT_LE(maxy, 149);      // reads upwards from the anchor
  EXPECT_GE(miny, 150 - w);
  EXPECT_GT(maxy - miny, w - 8);
}

// ---- figures

TEST(PlotFigure, LinePixelsLandWhereTheAxesTransformSays) {
  plt::Figure fig(480, 360);
  plt::Axes& ax = fig.axes();
  const plt::Color red{200, 10, 20};
  const std::vector<double> x = {0, 1, 2, 3}, y = {0, 2, 1, 3};
  plt::LineSeries& s = ax.plot(x, y, "series");
  s.color = red;
  s.width = 4;
  ax.set_legend(plt::Legend::kNone);
  ax.set_title("title");
  ax.set_xlabel("x");
  ax.set_ylabel("y");
  const Image img = fig.render();
  ASSERT_EQ(img.width, 480);
  ASSERT_EQ(img.height, 360);
  const plt::Axes::Frame& f = ax.frame();
  // The frame is inside the image and the data limits include the data with a margin.
  EXPECT_GT(f.left, 20);
  EXPECT_LT(f.right, 475);
  EXPECT_GT(f.top, 10);
  EXPECT_LT(f.bottom, 345);
  EXPECT_LT(f.x_lo, 0);
  EXPECT_GT(f.x_hi, 3);
  EXPECT_NEAR(f.x_lo, -0.15, 1e-9);  // 5 % margins
  EXPECT_NEAR(f.y_hi, 3.15, 1e-9);
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    for (double t : {0.0, 0.25, 0.5, 0.75}) {
      const plt::Point p = f.to_pixel(x[i] + t * (x[i + 1] - x[i]), y[i] + t * (y[i + 1] - y[i]));
      EXPECT_EQ(img.at(static_cast<int>(p.x), static_cast<int>(p.y)), red)
          << "segment " << i << " t " << t;
    }
  }
  // Far from the line: no red.
  const plt::Point empty = f.to_pixel(0.2, 2.8);
  EXPECT_NE(img.at(static_cast<int>(empty.x), static_cast<int>(empty.y)), red);
  // A log axis spaces decades evenly.
  plt::Figure lg(400, 300);
  lg.axes().plot({1, 2, 3}, {1, 10, 100});
  lg.axes().set_ylog();
  lg.render();
  const plt::Axes::Frame& g = lg.axes().frame();
  EXPECT_NEAR(g.to_pixel(1, 1).y - g.to_pixel(1, 10).y, g.to_pixel(1, 10).y - g.to_pixel(1, 100).y,
              1e-9);
}

TEST(PlotFigure, SeriesKindsDrawTheirColours) {
  plt::Figure fig(500, 400, 1, 2);
  plt::Axes& a = fig.axes(0, 0);
  const plt::Color blue{10, 20, 200}, green{20, 180, 30};
  plt::BarSeries& b = a.bar(std::vector<std::string>{"A", "B", "C"}, {1.0, -0.5, 2.0});
  b.color = blue;
  plt::BandSeries& band = a.fill_between({0, 2}, {1.2, 1.2}, {1.8, 1.8}, green);
  band.alpha = 1.0;
  plt::Axes& q = fig.axes(0, 1);
  plt::ScatterSeries& sc = q.scatter({0, 1}, {0, 1});
  sc.color = blue;
  sc.alpha = 1.0;
  sc.size = 10;
  q.set_equal_aspect();
  const Image img = fig.render();
  const plt::Axes::Frame& fa = a.frame();
  auto at = [&](const plt::Axes::Frame& f, double x, double y) {
    const plt::Point p = f.to_pixel(x, y);
    return img.at(static_cast<int>(p.x), static_cast<int>(p.y));
  };
  EXPECT_EQ(at(fa, 0.0, 0.5), blue);    // bar A
  EXPECT_EQ(at(fa, 1.0, -0.25), blue);  // bar B, below zero
  EXPECT_EQ(at(fa, 0.5, 1.5), green);   // the band between bars
  EXPECT_NE(at(fa, 1.0, 0.5), blue);    // above bar B
  EXPECT_NEAR(fa.y_lo, -0.5 - 0.05 * 2.5, 1e-9);
  const plt::Axes::Frame& fq = q.frame();
  EXPECT_EQ(at(fq, 0.0, 0.0), blue);
  EXPECT_EQ(at(fq, 1.0, 1.0), blue);
  // Equal aspect: one data unit spans as many pixels in x as in y.
  const double ux = (fq.right - fq.left) / (fq.x_hi - fq.x_lo);
  const double uy = (fq.bottom - fq.top) / (fq.y_hi - fq.y_lo);
  EXPECT_NEAR(ux, uy, 1e-9 * ux);
}

TEST(PlotFigure, ScaleGridAndErrors) {
  plt::Figure fig(300, 200, 2, 2);
  fig.set_title("grid");
  fig.axes(1, 1).plot({1, 2, 3});
  fig.set_scale(2);
  const Image img = fig.render();
  EXPECT_EQ(img.width, 600);
  EXPECT_EQ(img.height, 400);
  EXPECT_GT(count_not(img, {255, 255, 255}), 1000);
  EXPECT_THROW(fig.axes(2, 0), std::out_of_range);
  EXPECT_THROW(fig.set_scale(0), std::invalid_argument);
  EXPECT_THROW(fig.axes().plot({1, 2}, {1, 2, 3}), std::invalid_argument);
  EXPECT_THROW(fig.axes().set_xlim(2, 1), std::invalid_argument);
  EXPECT_THROW(fig.axes().quiver({0}, {0}, {1}, {}), std::invalid_argument);
  EXPECT_THROW(plt::Figure(8, 8), std::invalid_argument);
  EXPECT_THROW(plt::hex("#12345"), std::invalid_argument);
  EXPECT_EQ(plt::hex("#1f77b4"), plt::tab10(0));
  EXPECT_EQ(plt::tab10(10), plt::tab10(0));
}

// A series kind the library does not know, added through Axes::add: it takes part in the limits,
// draws itself and its legend handle.
struct Square : plt::Series {
  double x = 0, y = 0;
  plt::Color color{200, 0, 200};
  void extend(plt::Extent& ex, plt::Extent& ey) const override {
    ex.add(x);
    ey.add(y);
  }
  void draw(plt::Canvas& cv, const plt::View& v) const override {
    const plt::Point p = v(x, y);
    cv.fill_rect(p.x - 3, p.y - 3, p.x + 3, p.y + 3, color);
  }
  std::string legend_label() const override { return "square"; }
  void draw_handle(plt::Canvas& cv, double hx, double hy, double w, double) const override {
    cv.fill_rect(hx, hy - 3, hx + w, hy + 3, color);
  }
};

TEST(PlotFigure, ANewSeriesKindIsOneClass) {
  plt::Figure fig(320, 240);
  plt::Axes& ax = fig.axes();
  ax.plot({0, 1}, {0, 1}, "line");
  Square sq;
  sq.x = 3;
  sq.y = -2;
  ax.add(sq);
  const Image img = fig.render();
  const plt::Axes::Frame& f = ax.frame();
  EXPECT_GT(f.x_hi, 3);
  EXPECT_LT(f.y_lo, -2);
  const plt::Point p = f.to_pixel(3, -2);
  EXPECT_EQ(img.at(static_cast<int>(p.x), static_cast<int>(p.y)), sq.color);
  int purple = 0;
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) purple += img.at(x, y) == sq.color;
  }
  EXPECT_GT(purple, 36 + 100);  // the square and its legend handle (28 × 6 px)
}

class PlotSaveTest : public TempDirTest {};

TEST_F(PlotSaveTest, SavePngWritesTheRenderedFigure) {
  plt::Figure fig(320, 240);
  plt::Axes& ax = fig.axes();
  std::vector<double> x, y;
  for (int i = 0; i < 50; ++i) {
    x.push_back(i);
    y.push_back(std::sin(0.2 * i));
  }
  ax.plot(x, y, "sin");
  ax.plot(x, y, "nan gap").y[25] = NAN;
  ax.axhline(0).label = "zero";
  ax.set_title("save");
  const std::string p = path("fig.png");
  fig.save_png(p);
  const Image back = read_png(p);
  EXPECT_EQ(back.pixels, fig.render().pixels);
  EXPECT_EQ(entries(), std::vector<std::string>{"fig.png"});
  const std::string bad = path("missing/fig.png");
  EXPECT_DATA_ERROR(fig.save_png(bad), bad);
}

}  // namespace
}  // namespace adamant::plot
