// Canvas (plot.hpp): anti-aliased rasterization into coverage masks, then one "over" composite
// per shape.

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "adamant/datasets/plot.hpp"
#include "plot_font.hpp"

namespace adamant::datasets::plot {

/// Coverage in [0, 1] of the pixels [x0, x0 + w) × [y0, y0 + h) (already inside the clip).
struct Canvas::Mask {
  int x0 = 0, y0 = 0, w = 0, h = 0;
  std::vector<float> a;
  bool empty() const { return w <= 0 || h <= 0; }
  float& at(int x, int y) {
    return a[static_cast<std::size_t>(y - y0) * static_cast<std::size_t>(w) +
             static_cast<std::size_t>(x - x0)];
  }
  void cover(int x, int y, double c) {
    float& v = at(x, y);
    v = std::max(v, static_cast<float>(c));
  }
};

namespace {

using Mask = Canvas::Mask;

double clamp01(double v) { return v < 0 ? 0 : (v > 1 ? 1 : v); }

bool finite(Point p) { return std::isfinite(p.x) && std::isfinite(p.y); }

// Integer pixel bounds of [lo, hi] intersected with [clip_lo, clip_hi); empty when hi <= lo.
std::pair<int, int> pixel_span(double lo, double hi, int clip_lo, int clip_hi) {
  const double l = std::max(std::floor(lo), static_cast<double>(clip_lo));
  const double h = std::min(std::ceil(hi), static_cast<double>(clip_hi));
  if (!(h > l)) return {0, 0};
  return {static_cast<int>(l), static_cast<int>(h)};
}

// ---- polygon clipping (Sutherland–Hodgman against an axis-aligned rectangle) ----

std::vector<Point> clip_polygon(const std::vector<Point>& in, double x0, double y0, double x1,
                                double y1) {
  std::vector<Point> poly = in, next;
  // Each pass keeps the part with coord(p)·sign <= limit·sign.
  auto pass = [&](auto inside, auto intersect) {
    next.clear();
    const std::size_t n = poly.size();
    for (std::size_t i = 0; i < n; ++i) {
      const Point& a = poly[i];
      const Point& b = poly[(i + 1) % n];
      const bool ia = inside(a), ib = inside(b);
      if (ia) next.push_back(a);
      if (ia != ib) next.push_back(intersect(a, b));
    }
    poly.swap(next);
  };
  auto at_x = [](Point a, Point b, double x) {
    const double t = (x - a.x) / (b.x - a.x);
    return Point{x, a.y + t * (b.y - a.y)};
  };
  auto at_y = [](Point a, Point b, double y) {
    const double t = (y - a.y) / (b.y - a.y);
    return Point{a.x + t * (b.x - a.x), y};
  };
  pass([&](Point p) { return p.x >= x0; }, [&](Point a, Point b) { return at_x(a, b, x0); });
  if (poly.size() < 3) return {};
  pass([&](Point p) { return p.x <= x1; }, [&](Point a, Point b) { return at_x(a, b, x1); });
  if (poly.size() < 3) return {};
  pass([&](Point p) { return p.y >= y0; }, [&](Point a, Point b) { return at_y(a, b, y0); });
  if (poly.size() < 3) return {};
  pass([&](Point p) { return p.y <= y1; }, [&](Point a, Point b) { return at_y(a, b, y1); });
  if (poly.size() < 3) return {};
  return poly;
}

// ---- exact-area polygon coverage ----
//
// For an edge crossing one pixel row over a height dy (signed by its direction), the pixels to
// its right gain dy of signed area. With x_e uniform over [x0, x1] along the edge, the area in
// column c right of the edge is dy·(G(c+1) − G(c)), G(X) = mean over the edge of clamp(X − x_e,
// 0, 1): G = s(X − x0)²/2 on the first unit past x0, s(X − x0 − ½) in the middle and
// 1 − s(x1 + 1 − X)²/2 on the last unit (s = 1/(x1 − x0)). acc[c] stores those differences; the
// running sum along the row is each pixel's signed coverage.
void accumulate_edge(std::vector<float>& acc, int stride, int rows, Point p0, Point p1) {
  if (p0.y == p1.y) return;
  double dir = 1.0;
  if (p0.y > p1.y) {
    std::swap(p0, p1);
    dir = -1.0;
  }
  const double dxdy = (p1.x - p0.x) / (p1.y - p0.y);
  const int ry0 = std::max(0, static_cast<int>(std::floor(p0.y)));
  const int ry1 = std::min(rows, static_cast<int>(std::ceil(p1.y)));
  for (int y = ry0; y < ry1; ++y) {
    const double ytop = std::max(static_cast<double>(y), p0.y);
    const double ybot = std::min(static_cast<double>(y + 1), p1.y);
    if (ybot <= ytop) continue;
    const double d = (ybot - ytop) * dir;
    const double xa = p0.x + (ytop - p0.y) * dxdy;
    const double xb = p0.x + (ybot - p0.y) * dxdy;
    const double x0 = std::max(0.0, std::min(xa, xb));
    const double x1 = std::max(0.0, std::max(xa, xb));
    float* row = &acc[static_cast<std::size_t>(y) * static_cast<std::size_t>(stride)];
    const double x0floor = std::floor(x0);
    const int x0i = static_cast<int>(x0floor);
    const double x1ceil = std::ceil(x1);
    const int x1i = static_cast<int>(x1ceil);
    if (x0i + 1 >= stride) continue;  // cannot happen for clipped input; guards the buffer
    if (x1i <= x0i + 1) {
      const double xmf = 0.5 * (x0 + x1) - x0floor;
      row[x0i] += static_cast<float>(d * (1.0 - xmf));
      row[x0i + 1] += static_cast<float>(d * xmf);
    } else {
      const double s = 1.0 / (x1 - x0);
      const double x0f = x0 - x0floor;
      const double a0 = 0.5 * s * (1.0 - x0f) * (1.0 - x0f);
      const double x1f = x1 - x1ceil + 1.0;
      const double am = 0.5 * s * x1f * x1f;
      const int last = std::min(x1i, stride - 1);
      row[x0i] += static_cast<float>(d * a0);
      if (x1i == x0i + 2) {
        row[x0i + 1] += static_cast<float>(d * (1.0 - a0 - am));
      } else {
        const double a1 = s * (1.5 - x0f);
        row[x0i + 1] += static_cast<float>(d * (a1 - a0));
        for (int xi = x0i + 2; xi < x1i - 1 && xi < stride; ++xi) {
          row[xi] += static_cast<float>(d * s);
        }
        const double a2 = a1 + (x1i - x0i - 3) * s;
        if (x1i - 1 < stride) row[x1i - 1] += static_cast<float>(d * (1.0 - a2 - am));
      }
      if (x1i == last) row[x1i] += static_cast<float>(d * am);
    }
  }
}

// ---- glyph bitmaps ----

struct Bitmap {
  int w = 0, h = 0;
  std::vector<float> v;  // coverage
  float get(int x, int y) const {
    if (x < 0 || y < 0 || x >= w || y >= h) return 0.0f;
    return v[static_cast<std::size_t>(y) * w + x];
  }
  float& at(int x, int y) { return v[static_cast<std::size_t>(y) * w + x]; }
};

Bitmap make_bitmap(int w, int h) {
  Bitmap b;
  b.w = w;
  b.h = h;
  b.v.assign(static_cast<std::size_t>(w) * static_cast<std::size_t>(h), 0.0f);
  return b;
}

// Scale2x (EPX): doubles a binary image, rounding the corners of diagonal steps.
Bitmap scale2x(const Bitmap& in) {
  Bitmap out = make_bitmap(in.w * 2, in.h * 2);
  for (int y = 0; y < in.h; ++y) {
    for (int x = 0; x < in.w; ++x) {
      const float e = in.get(x, y);
      const float b = in.get(x, y - 1), d = in.get(x - 1, y), f = in.get(x + 1, y),
                  hh = in.get(x, y + 1);
      out.at(2 * x, 2 * y) = (d == b && b != f && d != hh) ? d : e;
      out.at(2 * x + 1, 2 * y) = (b == f && b != d && f != hh) ? f : e;
      out.at(2 * x, 2 * y + 1) = (d == hh && d != b && hh != f) ? d : e;
      out.at(2 * x + 1, 2 * y + 1) = (hh == f && d != hh && b != f) ? f : e;
    }
  }
  return out;
}

Bitmap downsample2(const Bitmap& in) {
  Bitmap out = make_bitmap(in.w / 2, in.h / 2);
  for (int y = 0; y < out.h; ++y) {
    for (int x = 0; x < out.w; ++x) {
      out.at(x, y) = 0.25f * (in.get(2 * x, 2 * y) + in.get(2 * x + 1, 2 * y) +
                              in.get(2 * x, 2 * y + 1) + in.get(2 * x + 1, 2 * y + 1));
    }
  }
  return out;
}

Bitmap nearest(const Bitmap& in, int q) {
  if (q == 1) return in;
  Bitmap out = make_bitmap(in.w * q, in.h * q);
  for (int y = 0; y < out.h; ++y) {
    for (int x = 0; x < out.w; ++x) out.at(x, y) = in.get(x / q, y / q);
  }
  return out;
}

int text_columns(const std::u32string& cps, bool bold) {
  int w = 0;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    w += detail::glyph(cps[i]).width + (bold ? 1 : 0);
    if (i + 1 < cps.size()) w += detail::kLetterGap;
  }
  return w;
}

// The text at scale 1 (binary), 13 rows.
Bitmap text_bitmap(const std::u32string& cps, bool bold) {
  Bitmap b = make_bitmap(std::max(1, text_columns(cps, bold)), detail::kGlyphRows);
  int x = 0;
  for (char32_t cp : cps) {
    const detail::Glyph& g = detail::glyph(cp);
    for (int r = 0; r < detail::kGlyphRows; ++r) {
      for (int c = 0; c < g.width; ++c) {
        if (!g.ink(c, r)) continue;
        b.at(x + c, r) = 1.0f;
        if (bold) b.at(x + c + 1, r) = 1.0f;
      }
    }
    x += g.width + (bold ? 1 : 0) + detail::kLetterGap;
  }
  return b;
}

Bitmap scaled_text(const std::u32string& cps, bool bold, int scale) {
  Bitmap b = text_bitmap(cps, bold);
  if (scale == 1) return b;
  int k = 1;
  while (scale % (2 * k) == 0 && 2 * k <= 8) k *= 2;
  if (k >= 2) {
    // Smooth to 2k, then average 2×2 blocks: diagonals get anti-aliased edges.
    for (int f = 1; f < 2 * k; f *= 2) b = scale2x(b);
    b = downsample2(b);
  }
  return nearest(b, scale / k);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Canvas::Canvas(int width, int height, Color background) : image_(width, height, background) {
  reset_clip();
}

Canvas::Canvas(Image image) : image_(std::move(image)) {
  image_.validate();
  reset_clip();
}

void Canvas::set_clip(double x0, double y0, double x1, double y1) {
  auto to_int = [](double v, int lo, int hi) {
    if (std::isnan(v)) return lo;
    return static_cast<int>(
        std::clamp(std::round(v), static_cast<double>(lo), static_cast<double>(hi)));
  };
  cx0_ = to_int(std::min(x0, x1), 0, width());
  cx1_ = to_int(std::max(x0, x1), 0, width());
  cy0_ = to_int(std::min(y0, y1), 0, height());
  cy1_ = to_int(std::max(y0, y1), 0, height());
}

void Canvas::reset_clip() {
  cx0_ = 0;
  cy0_ = 0;
  cx1_ = width();
  cy1_ = height();
}

void Canvas::clear(Color c) { image_.fill(c); }

void Canvas::blend(int x, int y, Color c, double alpha) {
  if (x < cx0_ || x >= cx1_ || y < cy0_ || y >= cy1_ || !(alpha > 0)) return;
  const double a = std::min(1.0, alpha);
  std::uint8_t* p = &image_.pixels[3 * (static_cast<std::size_t>(y) * image_.width + x)];
  const double src[3] = {static_cast<double>(c.r), static_cast<double>(c.g),
                         static_cast<double>(c.b)};
  for (int k = 0; k < 3; ++k) {
    p[k] = static_cast<std::uint8_t>(std::lround(p[k] + (src[k] - p[k]) * a));
  }
}

void Canvas::composite(const Mask& m, Color c, double alpha) {
  if (m.empty() || !(alpha > 0)) return;
  for (int y = 0; y < m.h; ++y) {
    for (int x = 0; x < m.w; ++x) {
      const float cov = m.a[static_cast<std::size_t>(y) * m.w + x];
      if (cov > 0.0f) blend(m.x0 + x, m.y0 + y, c, alpha * cov);
    }
  }
}

namespace {

Mask region(double minx, double miny, double maxx, double maxy, int cx0, int cy0, int cx1,
            int cy1) {
  Mask m;
  if (!(std::isfinite(minx) && std::isfinite(miny) && std::isfinite(maxx) && std::isfinite(maxy))) {
    // Clamp infinite extents to the clip; NaN gives an empty mask.
    if (std::isnan(minx) || std::isnan(miny) || std::isnan(maxx) || std::isnan(maxy)) return m;
  }
  const auto [x0, x1] = pixel_span(minx, maxx, cx0, cx1);
  const auto [y0, y1] = pixel_span(miny, maxy, cy0, cy1);
  if (x1 <= x0 || y1 <= y0) return m;
  m.x0 = x0;
  m.y0 = y0;
  m.w = x1 - x0;
  m.h = y1 - y0;
  m.a.assign(static_cast<std::size_t>(m.w) * static_cast<std::size_t>(m.h), 0.0f);
  return m;
}

// Coverage of a segment of half-width r (>= 0.5) with round or butt ends, max-combined.
void cover_segment(Mask& m, Point a, Point b, double r, bool round_a, bool round_b) {
  if (m.empty() || !finite(a) || !finite(b)) return;
  const double pad = r + 1.0;
  const int x0 = std::max(m.x0, static_cast<int>(std::floor(std::min(a.x, b.x) - pad)));
  const int x1 = std::min(m.x0 + m.w, static_cast<int>(std::ceil(std::max(a.x, b.x) + pad)));
  const int y0 = std::max(m.y0, static_cast<int>(std::floor(std::min(a.y, b.y) - pad)));
  const int y1 = std::min(m.y0 + m.h, static_cast<int>(std::ceil(std::max(a.y, b.y) + pad)));
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len = std::hypot(dx, dy);
  const bool dot = len < 1e-9;
  const double ux = dot ? 1.0 : dx / len, uy = dot ? 0.0 : dy / len;
  for (int py = y0; py < y1; ++py) {
    for (int px = x0; px < x1; ++px) {
      const double cx = px + 0.5, cy = py + 0.5;
      const double rx = cx - a.x, ry = cy - a.y;
      const double s = rx * ux + ry * uy;
      double cov;
      if (s < 0 && round_a) {
        cov = clamp01(r + 0.5 - std::hypot(rx, ry));
      } else if (s > len && round_b) {
        cov = clamp01(r + 0.5 - std::hypot(cx - b.x, cy - b.y));
      } else {
        cov = clamp01(r + 0.5 - std::abs(rx * uy - ry * ux));
        if (!round_a) cov *= clamp01(s + 0.5);
        if (!round_b) cov *= clamp01(len - s + 0.5);
      }
      if (cov > 0) m.cover(px, py, cov);
    }
  }
}

void cover_polygon(Mask& m, const std::vector<Point>& pts) {
  if (m.empty() || pts.size() < 3) return;
  for (const Point& p : pts) {
    if (!finite(p)) return;
  }
  // Clip to the mask, then rasterize in mask-local coordinates.
  const std::vector<Point> poly = clip_polygon(pts, m.x0, m.y0, m.x0 + m.w, m.y0 + m.h);
  if (poly.size() < 3) return;
  const int stride = m.w + 2;
  std::vector<float> acc(static_cast<std::size_t>(stride) * static_cast<std::size_t>(m.h), 0.0f);
  for (std::size_t i = 0; i < poly.size(); ++i) {
    const Point a{poly[i].x - m.x0, poly[i].y - m.y0};
    const Point& q = poly[(i + 1) % poly.size()];
    const Point b{q.x - m.x0, q.y - m.y0};
    accumulate_edge(acc, stride, m.h, a, b);
  }
  for (int y = 0; y < m.h; ++y) {
    double sum = 0;
    const float* row = &acc[static_cast<std::size_t>(y) * stride];
    for (int x = 0; x < m.w; ++x) {
      sum += row[x];
      const double cov = std::min(1.0, std::abs(sum));
      if (cov > 1e-4) m.cover(m.x0 + x, m.y0 + y, cov);
    }
  }
}

void cover_disc(Mask& m, Point c, double r) {
  if (m.empty() || !finite(c)) return;
  const int x0 = std::max(m.x0, static_cast<int>(std::floor(c.x - r - 1)));
  const int x1 = std::min(m.x0 + m.w, static_cast<int>(std::ceil(c.x + r + 1)));
  const int y0 = std::max(m.y0, static_cast<int>(std::floor(c.y - r - 1)));
  const int y1 = std::min(m.y0 + m.h, static_cast<int>(std::ceil(c.y + r + 1)));
  for (int py = y0; py < y1; ++py) {
    for (int px = x0; px < x1; ++px) {
      const double cov = clamp01(r + 0.5 - std::hypot(px + 0.5 - c.x, py + 0.5 - c.y));
      if (cov > 0) m.cover(px, py, cov);
    }
  }
}

void cover_ring(Mask& m, Point c, double r, double half_width) {
  if (m.empty() || !finite(c)) return;
  const double out = r + half_width + 1;
  const int x0 = std::max(m.x0, static_cast<int>(std::floor(c.x - out)));
  const int x1 = std::min(m.x0 + m.w, static_cast<int>(std::ceil(c.x + out)));
  const int y0 = std::max(m.y0, static_cast<int>(std::floor(c.y - out)));
  const int y1 = std::min(m.y0 + m.h, static_cast<int>(std::ceil(c.y + out)));
  for (int py = y0; py < y1; ++py) {
    for (int px = x0; px < x1; ++px) {
      const double d = std::hypot(px + 0.5 - c.x, py + 0.5 - c.y);
      const double cov = clamp01(half_width + 0.5 - std::abs(d - r));
      if (cov > 0) m.cover(px, py, cov);
    }
  }
}

// Stroke width below one pixel is drawn one pixel wide with proportionally less alpha.
std::pair<double, double> stroke_radius(double width, double alpha) {
  if (!(width > 0)) return {0.5, 0.0};
  if (width < 1.0) return {0.5, alpha * width};
  return {0.5 * width, alpha};
}

std::vector<Point> rounded_rect_points(double x0, double y0, double x1, double y1, double r) {
  if (x1 < x0) std::swap(x0, x1);
  if (y1 < y0) std::swap(y0, y1);
  r = std::max(0.0, std::min({r, 0.5 * (x1 - x0), 0.5 * (y1 - y0)}));
  if (r <= 0) return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
  const int n = std::max(2, static_cast<int>(std::ceil(r)));  // segments per quarter
  const double kPi = 3.14159265358979323846;
  std::vector<Point> pts;
  const Point centres[4] = {{x1 - r, y0 + r}, {x1 - r, y1 - r}, {x0 + r, y1 - r}, {x0 + r, y0 + r}};
  for (int q = 0; q < 4; ++q) {
    const double start = -0.5 * kPi + q * 0.5 * kPi;
    for (int i = 0; i <= n; ++i) {
      const double t = start + 0.5 * kPi * i / n;
      pts.push_back({centres[q].x + r * std::cos(t), centres[q].y + r * std::sin(t)});
    }
  }
  return pts;
}

}  // namespace

void Canvas::line(Point a, Point b, Color c, double width, double alpha, CapStyle cap) {
  const auto [r, al] = stroke_radius(width, alpha);
  Mask m = region(std::min(a.x, b.x) - r - 1, std::min(a.y, b.y) - r - 1,
                  std::max(a.x, b.x) + r + 1, std::max(a.y, b.y) + r + 1, cx0_, cy0_, cx1_, cy1_);
  const bool round = cap == CapStyle::kRound;
  cover_segment(m, a, b, r, round, round);
  composite(m, c, al);
}

void Canvas::polyline(const std::vector<Point>& points, Color c, double width, double alpha,
                      const std::vector<double>& dash) {
  if (points.size() < 2) return;
  const auto [r, al] = stroke_radius(width, alpha);
  double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
  for (const Point& p : points) {
    if (!finite(p)) continue;
    minx = std::min(minx, p.x);
    maxx = std::max(maxx, p.x);
    miny = std::min(miny, p.y);
    maxy = std::max(maxy, p.y);
  }
  if (!(maxx >= minx)) return;
  Mask m = region(minx - r - 1, miny - r - 1, maxx + r + 1, maxy + r + 1, cx0_, cy0_, cx1_, cy1_);
  if (m.empty()) return;
  // Segments far outside the mask are skipped cheaply inside cover_segment (empty loops).
  bool use_dash = false;
  double period = 0;
  for (double d : dash) {
    if (!(d >= 0) || !std::isfinite(d)) {
      throw std::invalid_argument("Canvas::polyline: dash lengths must be finite and >= 0");
    }
    period += d;
  }
  use_dash = dash.size() >= 2 && period > 0;
  std::size_t dash_i = 0;
  double dash_left = use_dash ? dash[0] : 0;
  bool on = true;
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    const Point a = points[i], b = points[i + 1];
    if (!finite(a) || !finite(b)) continue;
    if (!use_dash) {
      cover_segment(m, a, b, r, true, true);
      continue;
    }
    const double len = std::hypot(b.x - a.x, b.y - a.y);
    double t = 0;
    while (t < len) {
      const double step = std::min(dash_left, len - t);
      if (on && step > 0) {
        const Point p{a.x + (b.x - a.x) * t / len, a.y + (b.y - a.y) * t / len};
        const Point q{a.x + (b.x - a.x) * (t + step) / len, a.y + (b.y - a.y) * (t + step) / len};
        // Ends at polyline vertices are round (a joint inside a dash); dash ends are butt.
        cover_segment(m, p, q, r, t == 0 && i > 0, t + step >= len && i + 2 < points.size());
      }
      t += step;
      dash_left -= step;
      if (dash_left <= 1e-12) {
        dash_i = (dash_i + 1) % dash.size();
        dash_left = dash[dash_i];
        on = dash_i % 2 == 0;
      }
    }
  }
  composite(m, c, al);
}

void Canvas::fill_polygon(const std::vector<Point>& points, Color c, double alpha) {
  if (points.size() < 3) return;
  double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
  for (const Point& p : points) {
    if (!finite(p)) return;
    minx = std::min(minx, p.x);
    maxx = std::max(maxx, p.x);
    miny = std::min(miny, p.y);
    maxy = std::max(maxy, p.y);
  }
  Mask m = region(minx, miny, maxx, maxy, cx0_, cy0_, cx1_, cy1_);
  cover_polygon(m, points);
  composite(m, c, alpha);
}

void Canvas::stroke_polygon(const std::vector<Point>& points, Color c, double width, double alpha) {
  if (points.empty()) return;
  std::vector<Point> closed = points;
  closed.push_back(points.front());
  polyline(closed, c, width, alpha);
}

void Canvas::fill_rect(double x0, double y0, double x1, double y1, Color c, double alpha) {
  fill_polygon({{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}, c, alpha);
}

void Canvas::stroke_rect(double x0, double y0, double x1, double y1, Color c, double width,
                         double alpha) {
  stroke_polygon({{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}, c, width, alpha);
}

void Canvas::fill_rounded_rect(double x0, double y0, double x1, double y1, double radius, Color c,
                               double alpha) {
  fill_polygon(rounded_rect_points(x0, y0, x1, y1, radius), c, alpha);
}

void Canvas::stroke_rounded_rect(double x0, double y0, double x1, double y1, double radius, Color c,
                                 double width, double alpha) {
  stroke_polygon(rounded_rect_points(x0, y0, x1, y1, radius), c, width, alpha);
}

void Canvas::fill_circle(Point centre, double radius, Color c, double alpha) {
  if (!(radius > 0)) return;
  Mask m = region(centre.x - radius - 1, centre.y - radius - 1, centre.x + radius + 1,
                  centre.y + radius + 1, cx0_, cy0_, cx1_, cy1_);
  cover_disc(m, centre, radius);
  composite(m, c, alpha);
}

void Canvas::stroke_circle(Point centre, double radius, Color c, double width, double alpha) {
  const auto [r, al] = stroke_radius(width, alpha);
  const double out = radius + r + 1;
  Mask m = region(centre.x - out, centre.y - out, centre.x + out, centre.y + out, cx0_, cy0_, cx1_,
                  cy1_);
  cover_ring(m, centre, radius, r);
  composite(m, c, al);
}

void Canvas::arrow(Point from, Point to, Color c, double width, double head_length,
                   double head_width, double alpha) {
  if (!finite(from) || !finite(to)) return;
  const double dx = to.x - from.x, dy = to.y - from.y;
  const double len = std::hypot(dx, dy);
  if (len < 1e-9) return;
  const double ux = dx / len, uy = dy / len;
  const double hl = std::min(head_length, len);
  const double hw = head_width * (hl / std::max(head_length, 1e-12));
  const Point base{to.x - ux * hl, to.y - uy * hl};
  const std::vector<Point> head = {to,
                                   {base.x - uy * hw / 2, base.y + ux * hw / 2},
                                   {base.x + uy * hw / 2, base.y - ux * hw / 2}};
  const auto [r, al] = stroke_radius(width, alpha);
  const double pad = std::max(r, hw) + 2;
  Mask m =
      region(std::min(from.x, to.x) - pad, std::min(from.y, to.y) - pad,
             std::max(from.x, to.x) + pad, std::max(from.y, to.y) + pad, cx0_, cy0_, cx1_, cy1_);
  // The shaft stops inside the head so its end never pokes out of the tip.
  const Point shaft_end{to.x - ux * hl * 0.6, to.y - uy * hl * 0.6};
  cover_segment(m, from, shaft_end, r, false, false);
  cover_polygon(m, head);
  composite(m, c, al);
}

TextExtent Canvas::measure_text(const std::string& s, int scale, bool bold) {
  if (scale < 1 || scale > 8) {
    throw std::invalid_argument("text scale must be 1..8, got " + std::to_string(scale));
  }
  TextExtent e;
  const std::u32string cps = detail::decode_utf8(s);
  e.width = cps.empty() ? 0 : text_columns(cps, bold) * scale;
  e.ascent = (detail::kBaseline - detail::kCapTop) * scale;
  e.descent = (detail::kGlyphRows - detail::kBaseline) * scale;
  return e;
}

void Canvas::text(double x, double y, const std::string& s, Color c, const TextStyle& style,
                  double alpha) {
  if (style.scale < 1 || style.scale > 8) {
    throw std::invalid_argument("text scale must be 1..8, got " + std::to_string(style.scale));
  }
  const std::u32string cps = detail::decode_utf8(s);
  if (cps.empty() || !std::isfinite(x) || !std::isfinite(y)) return;
  const int sc = style.scale;
  const Bitmap b = scaled_text(cps, style.bold, sc);
  // Offsets of the bitmap's top-left corner from the anchor, in text (unrotated) coordinates.
  double along = 0;  // along the text direction
  switch (style.halign) {
    case HAlign::kLeft:
      along = 0;
      break;
    case HAlign::kCenter:
      along = -0.5 * b.w;
      break;
    case HAlign::kRight:
      along = -b.w;
      break;
  }
  double across = 0;  // from the anchor to the bitmap's top row, downwards in text coordinates
  switch (style.valign) {
    case VAlign::kTop:
      across = -detail::kCapTop * sc;
      break;
    case VAlign::kCenter:
      across = -0.5 * (detail::kCapTop + detail::kBaseline) * sc;
      break;
    case VAlign::kBaseline:
      across = -detail::kBaseline * sc;
      break;
    case VAlign::kBottom:
      across = -detail::kGlyphRows * sc;
      break;
  }
  if (!style.vertical) {
    const int left = static_cast<int>(std::lround(x + along));
    const int top = static_cast<int>(std::lround(y + across));
    for (int j = 0; j < b.h; ++j) {
      for (int i = 0; i < b.w; ++i) {
        const float v = b.v[static_cast<std::size_t>(j) * b.w + i];
        if (v > 0) blend(left + i, top + j, c, alpha * v);
      }
    }
    return;
  }
  // Rotated 90° counter-clockwise: text x runs up the image, text y (down) runs right.
  // Text point (i, j) lands at image (x0 + j, y0 - i).
  const int x0 = static_cast<int>(std::lround(x + across));
  const int y0 = static_cast<int>(std::lround(y - along)) - 1;
  for (int j = 0; j < b.h; ++j) {
    for (int i = 0; i < b.w; ++i) {
      const float v = b.v[static_cast<std::size_t>(j) * b.w + i];
      if (v > 0) blend(x0 + j, y0 - i, c, alpha * v);
    }
  }
}

void Canvas::save_png(const std::string& path) const { write_png(path, image_); }

}  // namespace adamant::datasets::plot
