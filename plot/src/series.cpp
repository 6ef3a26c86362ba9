// The series kinds (series.hpp): each one's extent, drawing, legend handle and footprint.

#include "adamant/plot/series.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace adamant::plot {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double transform(double v, bool log) {
  if (!log) return v;
  return v > 0 ? std::log10(v) : kNaN;
}

// Pixel-centre coordinate of the pixel a continuous position falls on (crisp 1-px lines).
double crisp(double p) { return std::floor(p) + 0.5; }

bool finite(Point p) { return std::isfinite(p.x) && std::isfinite(p.y); }

std::vector<Point> marker_shape(Marker m, Point c, double d) {
  const double r = 0.5 * d;
  switch (m) {
    case Marker::kSquare: {
      const double h = 0.45 * d;
      return {{c.x - h, c.y - h}, {c.x + h, c.y - h}, {c.x + h, c.y + h}, {c.x - h, c.y + h}};
    }
    case Marker::kTriangle:
      return {
          {c.x, c.y - 1.1 * r}, {c.x + 0.98 * r, c.y + 0.62 * r}, {c.x - 0.98 * r, c.y + 0.62 * r}};
    case Marker::kDiamond:
      return {
          {c.x, c.y - 1.15 * r}, {c.x + 0.8 * r, c.y}, {c.x, c.y + 1.15 * r}, {c.x - 0.8 * r, c.y}};
    default:
      return {};
  }
}

std::vector<Point> pixels(const View& v, const std::vector<double>& x,
                          const std::vector<double>& y) {
  std::vector<Point> p(x.size());
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = v(x[i], y[i]);
  return p;
}

// The points (x[i], y[i]) that can be drawn: both coordinates finite, and positive on a log axis.
void extend_points(const std::vector<double>& x, const std::vector<double>& y, Extent& ex,
                   Extent& ey) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
    if ((ex.log && x[i] <= 0) || (ey.log && y[i] <= 0)) continue;
    ex.add(x[i]);
    ey.add(y[i]);
  }
}

// A filled legend patch (bands and bars).
void patch_handle(Canvas& cv, double x, double y, double w, double s, Color c, double alpha) {
  cv.fill_rect(std::round(x), std::round(y - 5 * s), std::round(x + w), std::round(y + 5 * s), c,
               alpha);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Frame, Extent, Footprint

double Frame::to_px_x(double x) const {
  const double a = transform(x_lo, x_log), b = transform(x_hi, x_log);
  return left + (transform(x, x_log) - a) / (b - a) * (right - left);
}

double Frame::to_px_y(double y) const {
  const double a = transform(y_lo, y_log), b = transform(y_hi, y_log);
  return bottom - (transform(y, y_log) - a) / (b - a) * (bottom - top);
}

Point Frame::to_pixel(double x, double y) const { return {to_px_x(x), to_px_y(y)}; }

void Extent::add(double v) {
  if (!std::isfinite(v) || (log && v <= 0)) return;
  lo = std::min(lo, v);
  hi = std::max(hi, v);
}

void Footprint::add_polyline(const std::vector<Point>& p, double spacing) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (!finite(p[i])) continue;
    points.push_back(p[i]);
    if (i + 1 < p.size() && finite(p[i + 1])) {
      const double len = std::hypot(p[i + 1].x - p[i].x, p[i + 1].y - p[i].y);
      const int n = std::min(200, static_cast<int>(len / spacing));
      for (int k = 1; k < n; ++k) {
        const double t = static_cast<double>(k) / n;
        points.push_back({p[i].x + t * (p[i + 1].x - p[i].x), p[i].y + t * (p[i + 1].y - p[i].y)});
      }
    }
  }
}

void draw_marker(Canvas& cv, Marker m, Point c, double d, Color col, double alpha,
                 double edge_width, Color edge) {
  if (!finite(c) || m == Marker::kNone) return;
  const double r = 0.5 * d;
  switch (m) {
    case Marker::kCircle:
      cv.fill_circle(c, r, col, alpha);
      if (edge_width > 0) cv.stroke_circle(c, r, edge, edge_width, alpha);
      break;
    case Marker::kSquare:
    case Marker::kTriangle:
    case Marker::kDiamond: {
      const std::vector<Point> p = marker_shape(m, c, d);
      cv.fill_polygon(p, col, alpha);
      if (edge_width > 0) cv.stroke_polygon(p, edge, edge_width, alpha);
      break;
    }
    case Marker::kPlus: {
      const double w = std::max(1.5, d / 5);
      cv.line({c.x - r, c.y}, {c.x + r, c.y}, col, w, alpha, CapStyle::kButt);
      cv.line({c.x, c.y - r}, {c.x, c.y + r}, col, w, alpha, CapStyle::kButt);
      break;
    }
    case Marker::kCross: {
      const double w = std::max(1.5, d / 5);
      const double k = 0.75 * r;
      cv.line({c.x - k, c.y - k}, {c.x + k, c.y + k}, col, w, alpha, CapStyle::kButt);
      cv.line({c.x - k, c.y + k}, {c.x + k, c.y - k}, col, w, alpha, CapStyle::kButt);
      break;
    }
    case Marker::kNone:
      break;
  }
}

Rect text_rect(Point p, const std::string& s, const TextStyle& st) {
  const TextExtent e = Canvas::measure_text(s, st.size, st.bold);
  const double along = st.halign == HAlign::kLeft     ? 0.0
                       : st.halign == HAlign::kCenter ? -0.5 * e.width
                                                      : -e.width;
  const double across = st.valign == VAlign::kTop        ? 0.0
                        : st.valign == VAlign::kCenter   ? -0.5 * e.ascent
                        : st.valign == VAlign::kBaseline ? -e.ascent
                                                         : -e.height();
  if (!st.vertical) {
    return {p.x + along, p.y + across, p.x + along + e.width, p.y + across + e.height()};
  }
  return {p.x + across, p.y - along - e.width, p.x + across + e.height(), p.y - along};
}

// ---------------------------------------------------------------------------------------------
// Line

std::vector<double> LineSeries::dash_pattern() const {
  if (!dash.empty()) return dash;
  if (!dashed) return {};
  return {3.7 * std::max(width, 1.0), 1.6 * std::max(width, 1.0)};
}

void LineSeries::extend(Extent& ex, Extent& ey) const { extend_points(x, y, ex, ey); }

void LineSeries::draw(Canvas& cv, const View& v) const {
  const std::vector<Point> pts = pixels(v, x, y);
  std::vector<double> d = dash_pattern();
  for (double& k : d) k *= v.scale;
  cv.polyline(pts, color, width * v.scale, alpha, d);
  if (marker == Marker::kNone) return;
  for (const Point& p : pts) draw_marker(cv, marker, p, marker_size * v.scale, color, alpha);
}

void LineSeries::draw_handle(Canvas& cv, double hx, double hy, double w, double s) const {
  std::vector<double> d = dash_pattern();
  for (double& k : d) k *= s;
  cv.polyline({{hx, hy}, {hx + w, hy}}, color, width * s, alpha, d);
  if (marker != Marker::kNone) {
    draw_marker(cv, marker, {hx + 0.5 * w, hy}, marker_size * s, color, alpha);
  }
}

void LineSeries::footprint(const View& v, Footprint& fp) const {
  fp.add_polyline(pixels(v, x, y), 6 * v.scale);
}

// ---------------------------------------------------------------------------------------------
// Scatter

void ScatterSeries::extend(Extent& ex, Extent& ey) const { extend_points(x, y, ex, ey); }

void ScatterSeries::draw(Canvas& cv, const View& v) const {
  for (std::size_t i = 0; i < x.size(); ++i) {
    const Color c = i < colors.size() ? colors[i] : color;
    draw_marker(cv, marker, v(x[i], y[i]), size * v.scale, c, alpha, edge_width * v.scale,
                edge_color);
  }
}

void ScatterSeries::draw_handle(Canvas& cv, double hx, double hy, double w, double s) const {
  draw_marker(cv, marker, {hx + 0.5 * w, hy}, std::max(size, 6.0) * s,
              colors.empty() ? color : colors.front(), alpha);
}

void ScatterSeries::footprint(const View& v, Footprint& fp) const {
  for (std::size_t i = 0; i < x.size(); ++i) fp.points.push_back(v(x[i], y[i]));
}

// ---------------------------------------------------------------------------------------------
// Band

void BandSeries::extend(Extent& ex, Extent& ey) const {
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) continue;
    ex.add(x[i]);
    ey.add(y_low[i]);
    ey.add(y_high[i]);
  }
}

void BandSeries::draw(Canvas& cv, const View& v) const {
  // One polygon per run of finite points: upper edge forwards, lower edge back.
  std::vector<Point> upper, lower;
  auto flush = [&]() {
    if (upper.size() >= 2) {
      std::vector<Point> poly = upper;
      poly.insert(poly.end(), lower.rbegin(), lower.rend());
      cv.fill_polygon(poly, color, alpha);
    }
    upper.clear();
    lower.clear();
  };
  for (std::size_t i = 0; i < x.size(); ++i) {
    const Point a = v(x[i], y_high[i]), b = v(x[i], y_low[i]);
    if (!(finite(a) && std::isfinite(b.y))) {
      flush();
      continue;
    }
    upper.push_back(a);
    lower.push_back(b);
  }
  flush();
}

void BandSeries::draw_handle(Canvas& cv, double hx, double hy, double w, double s) const {
  patch_handle(cv, hx, hy, w, s, color, alpha);
}

void BandSeries::footprint(const View& v, Footprint& fp) const {
  fp.add_polyline(pixels(v, x, y_high), 6 * v.scale);
  fp.add_polyline(pixels(v, x, y_low), 6 * v.scale);
}

// ---------------------------------------------------------------------------------------------
// Bars

void BarSeries::extend(Extent& ex, Extent& ey) const {
  Extent& along = horizontal ? ey : ex;
  Extent& across = horizontal ? ex : ey;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double b = i < bottom.size() ? bottom[i] : 0.0;
    if (!std::isfinite(x[i]) || !std::isfinite(height[i])) continue;
    along.add(x[i] - 0.5 * width);
    along.add(x[i] + 0.5 * width);
    across.add(b);
    across.add(b + height[i]);
    if (i >= bottom.size()) across.sticky.push_back(0.0);
  }
}

void BarSeries::draw(Canvas& cv, const View& v) const {
  const Frame& f = v.frame;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double b = i < bottom.size() ? bottom[i] : 0.0;
    const double top = b + height[i];
    if (!std::isfinite(x[i]) || !std::isfinite(top)) continue;
    double x0, x1, y0, y1;
    if (horizontal) {
      y0 = f.to_px_y(x[i] - 0.5 * width);
      y1 = f.to_px_y(x[i] + 0.5 * width);
      x0 = f.to_px_x(b);
      x1 = f.to_px_x(top);
      if (!std::isfinite(x0)) x0 = f.left - 1;  // a log axis: from left of the box
      if (!std::isfinite(x1)) x1 = f.left - 1;
      if (!(std::isfinite(y0) && std::isfinite(y1))) continue;
      if (x1 < x0) std::swap(x0, x1);
      if (y1 < y0) std::swap(y0, y1);
    } else {
      x0 = f.to_px_x(x[i] - 0.5 * width);
      x1 = f.to_px_x(x[i] + 0.5 * width);
      y0 = f.to_px_y(top);
      y1 = f.to_px_y(b);
      if (!std::isfinite(y1)) y1 = f.bottom + 1;  // a log axis: from below the box
      if (!std::isfinite(y0)) y0 = f.bottom + 1;
    }
    if (!(std::isfinite(x0) && std::isfinite(x1))) continue;
    // Whole pixels: crisp bar edges, no seams between neighbours.
    x0 = std::round(x0);
    x1 = std::round(x1);
    y0 = std::round(y0);
    y1 = std::round(y1);
    if (x1 - x0 < 1) x1 = x0 + 1;
    if (horizontal && y1 - y0 < 1) y1 = y0 + 1;
    const Color c = i < colors.size() ? colors[i] : color;
    cv.fill_rect(x0, std::min(y0, y1), x1, std::max(y0, y1), c, alpha);
    if (edge_width > 0) {
      cv.stroke_rect(x0, std::min(y0, y1), x1, std::max(y0, y1), edge_color, edge_width * v.scale,
                     alpha);
    }
  }
}

void BarSeries::draw_handle(Canvas& cv, double hx, double hy, double w, double s) const {
  patch_handle(cv, hx, hy, w, s, colors.empty() ? color : colors.front(), alpha);
}

void BarSeries::footprint(const View& v, Footprint& fp) const {
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double b = i < bottom.size() ? bottom[i] : 0.0;
    for (int k = 0; k <= 8; ++k) {
      for (int j = -2; j <= 2; ++j) {
        const double along = x[i] + 0.2 * j * width, across = b + height[i] * k / 8.0;
        fp.points.push_back(horizontal ? v(across, along) : v(along, across));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reference lines

void RefLine::extend(Extent& ex, Extent& ey) const { (horizontal ? ey : ex).add(value); }

void RefLine::draw(Canvas& cv, const View& v) const {
  const Frame& f = v.frame;
  const double S = v.scale;
  std::vector<double> d;
  if (dashed) d = {5.0 * S, 3.5 * S};
  if (horizontal) {
    double y = f.to_px_y(value);
    if (!std::isfinite(y)) return;
    if (width * S <= 1.01) y = crisp(y);
    cv.polyline({{f.left, y}, {f.right, y}}, color, width * S, alpha, d);
  } else {
    double x = f.to_px_x(value);
    if (!std::isfinite(x)) return;
    if (width * S <= 1.01) x = crisp(x);
    cv.polyline({{x, f.bottom}, {x, f.top}}, color, width * S, alpha, d);
  }
}

void RefLine::draw_handle(Canvas& cv, double hx, double hy, double w, double s) const {
  std::vector<double> d;
  if (dashed) d = {5.0 * s, 3.5 * s};
  cv.polyline({{hx, hy}, {hx + w, hy}}, color, width * s, alpha, d);
}

// ---------------------------------------------------------------------------------------------
// Quiver

double QuiverSeries::effective_scale() const {
  if (scale > 0) return scale;
  Extent ex, ey;
  double vmax = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!(std::isfinite(x[i]) && std::isfinite(y[i]) && std::isfinite(u[i]) &&
          std::isfinite(v[i]))) {
      continue;
    }
    ex.add(x[i]);
    ey.add(y[i]);
    vmax = std::max(vmax, std::hypot(u[i], v[i]));
    ++n;
  }
  if (n == 0 || vmax == 0) return 1.0;
  const double xr = ex.hi - ex.lo, yr = ey.hi - ey.lo;
  double spacing;
  if (n == 1 || (xr == 0 && yr == 0)) {
    spacing = 1.0;
  } else if (xr == 0 || yr == 0) {
    spacing = std::max(xr, yr) / static_cast<double>(n - 1);
  } else {
    // Points on a k × k grid over the box are about sqrt(area / n) apart (a bit more: edges).
    const double k = std::sqrt(static_cast<double>(n));
    spacing = std::sqrt(xr * yr) / std::max(1.0, k - 1.0);
  }
  return 0.9 * spacing / vmax;
}

void QuiverSeries::extend(Extent& ex, Extent& ey) const {
  const double k = effective_scale();
  for (std::size_t i = 0; i < x.size(); ++i) {
    ex.add(x[i]);
    ey.add(y[i]);
    if (std::isfinite(u[i]) && std::isfinite(v[i])) {
      ex.add(x[i] + k * u[i]);
      ey.add(y[i] + k * v[i]);
    }
  }
}

void QuiverSeries::draw(Canvas& cv, const View& view) const {
  const double k = effective_scale(), S = view.scale;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const Point a = view(x[i], y[i]);
    const Point b = view(x[i] + k * u[i], y[i] + k * v[i]);
    if (!(finite(a) && finite(b))) continue;
    const double len = std::hypot(b.x - a.x, b.y - a.y);
    const double head = std::min(head_size * S, 0.45 * len);
    const Color c = i < colors.size() ? colors[i] : color;
    if (len < 0.5) {
      cv.fill_circle(a, 0.6 * width * S, c, alpha);
      continue;
    }
    cv.arrow(a, b, c, width * S, head, 0.8 * head, alpha);
  }
}

void QuiverSeries::draw_handle(Canvas& cv, double hx, double hy, double w, double s) const {
  cv.arrow({hx, hy}, {hx + w, hy}, colors.empty() ? color : colors.front(), width * s, 7 * s,
           5.6 * s, alpha);
}

void QuiverSeries::footprint(const View& view, Footprint& fp) const {
  for (std::size_t i = 0; i < x.size(); ++i) fp.points.push_back(view(x[i], y[i]));
}

// ---------------------------------------------------------------------------------------------
// Annotations

void ArrowAnnotation::extend(Extent& ex, Extent& ey) const {
  ex.add(x0);
  ex.add(x1);
  ey.add(y0);
  ey.add(y1);
}

void ArrowAnnotation::draw(Canvas& cv, const View& v) const {
  const double S = v.scale;
  cv.arrow(v(x0, y0), v(x1, y1), color, width * S, head_size * S, 0.75 * head_size * S);
}

Point TextAnnotation::anchor(const View& v) const {
  const Frame& f = v.frame;
  if (!axes_fraction) return v(x, y);
  return {f.left + x * (f.right - f.left), f.bottom - y * (f.bottom - f.top)};
}

void TextAnnotation::draw(Canvas& cv, const View& v) const {
  TextStyle st = style;
  st.size = style.size * v.scale;
  const Point p = anchor(v);
  cv.text(p.x, p.y, text, color, st);
}

void TextAnnotation::footprint(const View& v, Footprint& fp) const {
  TextStyle st = style;
  st.size = style.size * v.scale;
  const Point p = anchor(v);
  if (finite(p)) fp.keep_clear.push_back(text_rect(p, text, st));
}

}  // namespace adamant::plot
