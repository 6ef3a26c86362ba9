// Figure / Axes (plot.hpp): limits, nice ticks, layout from measured labels, series drawing and
// the legend, on top of Canvas (plot_canvas.cpp).

#include "adamant/datasets/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <utility>

namespace adamant::datasets::plot {

// ---------------------------------------------------------------------------------------------
// Colours

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

// ---------------------------------------------------------------------------------------------
// Ticks

double nice_step(double lo, double hi, int target) {
  if (!(std::isfinite(lo) && std::isfinite(hi)) || !(hi > lo)) {
    throw std::invalid_argument("nice_step: need finite lo < hi");
  }
  target = std::max(1, target);
  const double span = hi - lo;
  const double e = std::floor(std::log10(span / target));
  // The step of 1, 2 or 5 × 10^k that puts the number of ticks inside [lo, hi] closest to the
  // target, with at least two ticks where any step gives two (ties: the larger step).
  double best = 0, best_err = INFINITY;
  bool best_two = false;
  for (double k = e - 2; k <= e + 1; k += 1.0) {
    for (double m : {1.0, 2.0, 5.0}) {
      const double step = m * std::pow(10.0, k);
      const double count = std::floor(hi / step + 1e-9) - std::ceil(lo / step - 1e-9) + 1.0;
      const bool two = count >= 2;
      const double err = std::abs(count - target);
      if ((two && !best_two) || (two == best_two && err <= best_err + 1e-9)) {
        best = step;
        best_err = err;
        best_two = two;
      }
    }
  }
  return best;
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  const double step = nice_step(lo, hi, target);
  // step = m · 10^e with m in {1, 2, 5}; a tick k·m·10^e is computed as the integer k·m scaled
  // by an exact power of ten, so 3 · 0.2 comes out as the double nearest 0.6.
  const int e = static_cast<int>(std::floor(std::log10(step) + 1e-9));
  const double m = std::round(step / std::pow(10.0, e));
  const double p = std::pow(10.0, std::abs(e));
  auto value = [&](double k) { return e < 0 ? (k * m) / p : (k * m) * p; };
  const double eps = step * 1e-9;
  const double k0 = std::ceil((lo - eps) / step);
  const double k1 = std::floor((hi + eps) / step);
  std::vector<double> ticks;
  for (double k = k0; k <= k1; k += 1.0) ticks.push_back(value(k) == 0.0 ? 0.0 : value(k));
  return ticks;
}

namespace {

const char* const kMinus = "\xE2\x88\x92";  // U+2212

std::string superscript(int e) {
  static const char* const kDigits[10] = {
      "\xE2\x81\xB0", "\xC2\xB9",     "\xC2\xB2",     "\xC2\xB3",     "\xE2\x81\xB4",
      "\xE2\x81\xB5", "\xE2\x81\xB6", "\xE2\x81\xB7", "\xE2\x81\xB8", "\xE2\x81\xB9"};
  std::string out = e < 0 ? "\xE2\x81\xBB" : "";
  const std::string digits = std::to_string(std::abs(e));
  for (char c : digits) out += kDigits[c - '0'];
  return out;
}

std::string with_minus(std::string s) {
  if (!s.empty() && s[0] == '-') s = kMinus + s.substr(1);
  return s;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  // "-0.00" → "0.00"
  bool all_zero = true;
  for (char c : s) {
    if (c >= '1' && c <= '9') all_zero = false;
  }
  if (all_zero && !s.empty() && s[0] == '-') s.erase(0, 1);
  return s;
}

}  // namespace

std::vector<std::string> format_ticks(const std::vector<double>& ticks, int* exponent) {
  if (exponent != nullptr) *exponent = 0;
  std::vector<std::string> out;
  if (ticks.empty()) return out;
  double maxabs = 0;
  for (double t : ticks) maxabs = std::max(maxabs, std::abs(t));
  int e = 0;
  if (maxabs > 0 && (maxabs >= 1e5 || maxabs < 1e-3)) {
    e = static_cast<int>(std::floor(std::log10(maxabs)));
  }
  const double unit = std::pow(10.0, e);
  std::vector<double> v(ticks.size());
  for (std::size_t i = 0; i < ticks.size(); ++i) v[i] = ticks[i] / unit;
  // The smallest step between ticks sets the tolerance: labels must tell neighbours apart.
  double step = 0;
  for (std::size_t i = 1; i < v.size(); ++i) {
    const double d = std::abs(v[i] - v[i - 1]);
    if (d > 0 && (step == 0 || d < step)) step = d;
  }
  if (step == 0) step = std::max(std::abs(v[0]), 1.0);
  int decimals = 0;
  for (; decimals < 12; ++decimals) {
    bool ok = true;
    for (double x : v) {
      const double back = std::strtod(fixed(x, decimals).c_str(), nullptr);
      if (std::abs(back - x) > step * 1e-3) {
        ok = false;
        break;
      }
    }
    if (ok) break;
  }
  for (double x : v) out.push_back(with_minus(fixed(x, decimals)));
  if (exponent != nullptr) *exponent = e;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Axes: adding series

namespace {

void check_sizes(const char* what, std::size_t a, std::size_t b, const char* na, const char* nb) {
  if (a != b) {
    throw std::invalid_argument(std::string(what) + ": " + na + " has " + std::to_string(a) +
                                " values but " + nb + " has " + std::to_string(b));
  }
}

void check_limits(const char* what, double lo, double hi, bool log) {
  if (!(std::isfinite(lo) && std::isfinite(hi) && lo < hi)) {
    throw std::invalid_argument(std::string(what) + ": limits must be finite with lo < hi, got (" +
                                std::to_string(lo) + ", " + std::to_string(hi) + ")");
  }
  if (log && lo <= 0) {
    throw std::invalid_argument(std::string(what) + ": a log axis needs positive limits");
  }
}

}  // namespace

Color Axes::next_color() { return tab10(color_index_++); }

LineSeries& Axes::plot(const std::vector<double>& x, const std::vector<double>& y,
                       const std::string& label) {
  check_sizes("Axes::plot", x.size(), y.size(), "x", "y");
  LineSeries s;
  s.x = x;
  s.y = y;
  s.label = label;
  s.color = next_color();
  lines_.push_back(std::move(s));
  order_.push_back({Kind::kLine, lines_.size() - 1});
  return lines_.back();
}

LineSeries& Axes::plot(const std::vector<double>& y) {
  std::vector<double> x(y.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i);
  return plot(x, y);
}

ScatterSeries& Axes::scatter(const std::vector<double>& x, const std::vector<double>& y,
                             const std::string& label) {
  check_sizes("Axes::scatter", x.size(), y.size(), "x", "y");
  ScatterSeries s;
  s.x = x;
  s.y = y;
  s.label = label;
  s.color = next_color();
  scatters_.push_back(std::move(s));
  order_.push_back({Kind::kScatter, scatters_.size() - 1});
  return scatters_.back();
}

BandSeries& Axes::fill_between(const std::vector<double>& x, const std::vector<double>& y_low,
                               const std::vector<double>& y_high, std::optional<Color> color,
                               const std::string& label) {
  check_sizes("Axes::fill_between", x.size(), y_low.size(), "x", "y_low");
  check_sizes("Axes::fill_between", x.size(), y_high.size(), "x", "y_high");
  BandSeries s;
  s.x = x;
  s.y_low = y_low;
  s.y_high = y_high;
  s.label = label;
  s.color = color ? *color : next_color();
  bands_.push_back(std::move(s));
  order_.push_back({Kind::kBand, bands_.size() - 1});
  return bands_.back();
}

BarSeries& Axes::bar(const std::vector<double>& x, const std::vector<double>& height,
                     const std::string& label) {
  check_sizes("Axes::bar", x.size(), height.size(), "x", "height");
  BarSeries s;
  s.x = x;
  s.height = height;
  s.label = label;
  s.color = next_color();
  bars_.push_back(std::move(s));
  order_.push_back({Kind::kBar, bars_.size() - 1});
  return bars_.back();
}

BarSeries& Axes::bar(const std::vector<std::string>& names, const std::vector<double>& height,
                     const std::string& label) {
  check_sizes("Axes::bar", names.size(), height.size(), "names", "height");
  std::vector<double> x(names.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i);
  set_xticks(x, names);
  return bar(x, height, label);
}

BarSeries& Axes::barh(const std::vector<double>& y, const std::vector<double>& width,
                      const std::string& label) {
  check_sizes("Axes::barh", y.size(), width.size(), "y", "width");
  BarSeries& s = bar(y, width, label);
  s.horizontal = true;
  return s;
}

BarSeries& Axes::barh(const std::vector<std::string>& names, const std::vector<double>& width,
                      const std::string& label) {
  check_sizes("Axes::barh", names.size(), width.size(), "names", "width");
  std::vector<double> y(names.size());
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = static_cast<double>(i);
  set_yticks(y, names);
  return barh(y, width, label);
}

RefLine& Axes::axhline(double y, Color color) {
  RefLine r;
  r.horizontal = true;
  r.value = y;
  r.color = color;
  refs_.push_back(r);
  order_.push_back({Kind::kRef, refs_.size() - 1});
  return refs_.back();
}

RefLine& Axes::axvline(double x, Color color) {
  RefLine& r = axhline(x, color);
  r.horizontal = false;
  return r;
}

QuiverSeries& Axes::quiver(const std::vector<double>& x, const std::vector<double>& y,
                           const std::vector<double>& u, const std::vector<double>& v,
                           const std::string& label) {
  check_sizes("Axes::quiver", x.size(), y.size(), "x", "y");
  check_sizes("Axes::quiver", x.size(), u.size(), "x", "u");
  check_sizes("Axes::quiver", x.size(), v.size(), "x", "v");
  QuiverSeries s;
  s.x = x;
  s.y = y;
  s.u = u;
  s.v = v;
  s.label = label;
  s.color = next_color();
  quivers_.push_back(std::move(s));
  order_.push_back({Kind::kQuiver, quivers_.size() - 1});
  return quivers_.back();
}

ArrowAnnotation& Axes::arrow(double x0, double y0, double x1, double y1) {
  ArrowAnnotation a;
  a.x0 = x0;
  a.y0 = y0;
  a.x1 = x1;
  a.y1 = y1;
  arrows_.push_back(a);
  order_.push_back({Kind::kArrow, arrows_.size() - 1});
  return arrows_.back();
}

TextAnnotation& Axes::text(double x, double y, const std::string& s) {
  TextAnnotation t;
  t.x = x;
  t.y = y;
  t.text = s;
  texts_.push_back(t);
  order_.push_back({Kind::kText, texts_.size() - 1});
  return texts_.back();
}

void Axes::set_xlim(double lo, double hi) {
  check_limits("Axes::set_xlim", lo, hi, false);
  xlim_ = std::make_pair(lo, hi);
}

void Axes::set_ylim(double lo, double hi) {
  check_limits("Axes::set_ylim", lo, hi, false);
  ylim_ = std::make_pair(lo, hi);
}

void Axes::set_margins(double x, double y) {
  if (!(x >= 0 && y >= 0 && x < 10 && y < 10)) {
    throw std::invalid_argument("Axes::set_margins: margins must be in [0, 10)");
  }
  xmargin_ = x;
  ymargin_ = y;
}

void Axes::set_xticks(const std::vector<double>& at, const std::vector<std::string>& labels) {
  if (!labels.empty()) check_sizes("Axes::set_xticks", at.size(), labels.size(), "at", "labels");
  xticks_ = at;
  xticklabels_ = labels;
}

void Axes::set_yticks(const std::vector<double>& at, const std::vector<std::string>& labels) {
  if (!labels.empty()) check_sizes("Axes::set_yticks", at.size(), labels.size(), "at", "labels");
  yticks_ = at;
  yticklabels_ = labels;
}

Point Axes::Frame::to_pixel(double x, double y) const {
  auto t = [](double v, bool log) {
    if (!log) return v;
    return v > 0 ? std::log10(v) : std::numeric_limits<double>::quiet_NaN();
  };
  const double xl = t(x_lo, x_log), xh = t(x_hi, x_log);
  const double yl = t(y_lo, y_log), yh = t(y_hi, y_log);
  return {left + (t(x, x_log) - xl) / (xh - xl) * (right - left),
          bottom - (t(y, y_log) - yl) / (yh - yl) * (bottom - top)};
}

// ---------------------------------------------------------------------------------------------
// Axes: rendering

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const Color kSpine{64, 64, 64};
const Color kTickLabel{38, 38, 38};
const Color kGrid{228, 228, 228};
const Color kTitle{17, 17, 17};

// One axis: data limits, log flag and the pixel span they map to.
struct Scale {
  double lo = 0, hi = 1;  // data units
  bool log = false;
  double p0 = 0, p1 = 1;  // pixels of lo and hi
  double t(double v) const {
    if (!log) return v;
    return v > 0 ? std::log10(v) : kNaN;
  }
  double to_px(double v) const {
    const double a = t(lo), b = t(hi);
    return p0 + (t(v) - a) / (b - a) * (p1 - p0);
  }
};

struct Extent {
  double lo = INFINITY, hi = -INFINITY;
  std::vector<double> sticky;  // values that margins may not cross (bar baselines)
  void add(double v, bool log) {
    if (!std::isfinite(v) || (log && v <= 0)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return !(hi >= lo); }
};

// Limits from the data extent: margins in the (log-)transformed space, sticky bar baselines.
std::pair<double, double> auto_limits(const Extent& e, bool log, double margin) {
  if (e.empty()) return log ? std::make_pair(1.0, 10.0) : std::make_pair(0.0, 1.0);
  double a = log ? std::log10(e.lo) : e.lo;
  double b = log ? std::log10(e.hi) : e.hi;
  if (b - a < 1e-12 * std::max(1.0, std::abs(a))) {
    const double d = log ? 0.5 : (a == 0 ? 0.5 : 0.05 * std::abs(a));
    a -= d;
    b += d;
  } else {
    const double m = margin * (b - a);
    double na = a - m, nb = b + m;
    for (double s : e.sticky) {
      const double ts = log ? (s > 0 ? std::log10(s) : kNaN) : s;
      if (!std::isfinite(ts)) continue;
      if (a >= ts - 1e-12 && na < ts) na = ts;
      if (b <= ts + 1e-12 && nb > ts) nb = ts;
    }
    a = na;
    b = nb;
  }
  if (log) return {std::pow(10.0, a), std::pow(10.0, b)};
  return {a, b};
}

struct Ticks {
  std::vector<double> major;  // data values inside the limits
  std::vector<std::string> labels;
  std::vector<double> minor;
  std::string offset;  // "×10⁵" when labels are scaled
};

Ticks make_ticks(double lo, double hi, bool log, int target,
                 const std::optional<std::vector<double>>& fixed_at,
                 const std::vector<std::string>& fixed_labels) {
  Ticks t;
  const double tol = (log ? 0.0 : 1e-9 * (hi - lo));
  if (fixed_at) {
    std::vector<std::string> auto_labels;
    if (fixed_labels.empty()) auto_labels = format_ticks(*fixed_at);
    for (std::size_t i = 0; i < fixed_at->size(); ++i) {
      const double v = (*fixed_at)[i];
      if (!(v >= lo - tol && v <= hi + tol)) continue;
      t.major.push_back(v);
      t.labels.push_back(fixed_labels.empty() ? auto_labels[i] : fixed_labels[i]);
    }
    return t;
  }
  if (log) {
    const double l0 = std::log10(lo), l1 = std::log10(hi);
    const double e0 = std::ceil(l0 - 1e-9), e1 = std::floor(l1 + 1e-9);
    if (e1 - e0 + 1 < 2) {
      // Less than two decade ticks: linear nice ticks on the values.
      t.major = nice_ticks(lo, hi, std::max(2, target));
      t.labels = format_ticks(t.major);
      return t;
    }
    const int n = static_cast<int>(e1 - e0 + 1);
    const int stride = std::max(1, (n + target - 1) / std::max(1, target));
    for (double e = e0; e <= e1; e += 1.0) {
      const int ei = static_cast<int>(e);
      if (((ei % stride) + stride) % stride != 0) continue;
      t.major.push_back(std::pow(10.0, e));
      t.labels.push_back("10" + superscript(ei));
    }
    if (stride == 1 && n <= 8) {
      for (double e = std::floor(l0); e <= e1; e += 1.0) {
        for (int m = 2; m <= 9; ++m) {
          const double v = m * std::pow(10.0, e);
          if (v >= lo && v <= hi) t.minor.push_back(v);
        }
      }
    }
    return t;
  }
  t.major = nice_ticks(lo, hi, std::max(1, target));
  int exponent = 0;
  t.labels = format_ticks(t.major, &exponent);
  if (exponent != 0)
    t.offset =
        "\xC3\x97"
        "10" +
        superscript(exponent);
  return t;
}

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

void draw_marker(Canvas& cv, Marker m, Point c, double d, Color col, double alpha,
                 double edge_width, Color edge) {
  if (!(std::isfinite(c.x) && std::isfinite(c.y)) || m == Marker::kNone) return;
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

std::vector<double> dash_pattern(const LineSeries& s, double width) {
  if (!s.dash.empty()) return s.dash;
  if (!s.dashed) return {};
  return {3.7 * std::max(width, 1.0), 1.6 * std::max(width, 1.0)};
}

// Pixel-centre coordinate of the pixel a continuous position falls on (crisp 1-px lines).
double crisp(double p) { return std::floor(p) + 0.5; }

double quiver_scale(const QuiverSeries& q) {
  if (q.scale > 0) return q.scale;
  Extent ex, ey;
  double vmax = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < q.x.size(); ++i) {
    if (!(std::isfinite(q.x[i]) && std::isfinite(q.y[i]) && std::isfinite(q.u[i]) &&
          std::isfinite(q.v[i]))) {
      continue;
    }
    ex.add(q.x[i], false);
    ey.add(q.y[i], false);
    vmax = std::max(vmax, std::hypot(q.u[i], q.v[i]));
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

struct Rect {
  double x0, y0, x1, y1;
  bool intersects(const Rect& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

// The box a text drawn with Canvas::text at p covers (capitals and descenders).
Rect text_rect(Point p, const std::string& s, const TextStyle& st) {
  const TextExtent e = Canvas::measure_text(s, st.scale, st.bold);
  const double along = st.halign == HAlign::kLeft     ? 0.0
                       : st.halign == HAlign::kCenter ? -0.5 * e.width
                                                      : -static_cast<double>(e.width);
  const double across = st.valign == VAlign::kTop        ? 0.0
                        : st.valign == VAlign::kCenter   ? -0.5 * e.ascent
                        : st.valign == VAlign::kBaseline ? -static_cast<double>(e.ascent)
                                                         : -static_cast<double>(e.height());
  if (!st.vertical)
    return {p.x + along, p.y + across, p.x + along + e.width, p.y + across + e.height()};
  return {p.x + across, p.y - along - e.width, p.x + across + e.height(), p.y - along};
}

struct LegendEntry {
  int kind;  // 0 line, 1 scatter, 2 patch, 3 arrow
  std::string label;
  Color color;
  double width = 2, alpha = 1, marker_size = 6;
  std::vector<double> dash;
  Marker marker = Marker::kNone;
};

}  // namespace

void Axes::render(Canvas& cv, double cx0, double cy0, double cx1, double cy1, int scale) const {
  const double S = scale;
  const int fs = scale;  // text scale of labels
  const double pad = 8 * S, tick_len = 4 * S, tick_gap = 3 * S;
  const TextExtent one = Canvas::measure_text("0", fs);
  const double text_h = one.ascent + one.descent;

  // ---- data extents
  Extent ex, ey;
  for (const Item& it : order_) {
    switch (it.kind) {
      case Kind::kLine: {
        const LineSeries& s = lines_[it.index];
        for (std::size_t i = 0; i < s.x.size(); ++i) {
          if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
          if ((xlog_ && s.x[i] <= 0) || (ylog_ && s.y[i] <= 0)) continue;
          ex.add(s.x[i], xlog_);
          ey.add(s.y[i], ylog_);
        }
        break;
      }
      case Kind::kScatter: {
        const ScatterSeries& s = scatters_[it.index];
        for (std::size_t i = 0; i < s.x.size(); ++i) {
          if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
          if ((xlog_ && s.x[i] <= 0) || (ylog_ && s.y[i] <= 0)) continue;
          ex.add(s.x[i], xlog_);
          ey.add(s.y[i], ylog_);
        }
        break;
      }
      case Kind::kBand: {
        const BandSeries& s = bands_[it.index];
        for (std::size_t i = 0; i < s.x.size(); ++i) {
          if (!std::isfinite(s.x[i])) continue;
          ex.add(s.x[i], xlog_);
          ey.add(s.y_low[i], ylog_);
          ey.add(s.y_high[i], ylog_);
        }
        break;
      }
      case Kind::kBar: {
        const BarSeries& s = bars_[it.index];
        for (std::size_t i = 0; i < s.x.size(); ++i) {
          const double b = i < s.bottom.size() ? s.bottom[i] : 0.0;
          if (!std::isfinite(s.x[i]) || !std::isfinite(s.height[i])) continue;
          Extent& along = s.horizontal ? ey : ex;
          Extent& across = s.horizontal ? ex : ey;
          const bool along_log = s.horizontal ? ylog_ : xlog_;
          const bool across_log = s.horizontal ? xlog_ : ylog_;
          along.add(s.x[i] - 0.5 * s.width, along_log);
          along.add(s.x[i] + 0.5 * s.width, along_log);
          across.add(b, across_log);
          across.add(b + s.height[i], across_log);
          if (i >= s.bottom.size()) across.sticky.push_back(0.0);
        }
        break;
      }
      case Kind::kRef: {
        const RefLine& r = refs_[it.index];
        (r.horizontal ? ey : ex).add(r.value, r.horizontal ? ylog_ : xlog_);
        break;
      }
      case Kind::kQuiver: {
        const QuiverSeries& q = quivers_[it.index];
        const double k = quiver_scale(q);
        for (std::size_t i = 0; i < q.x.size(); ++i) {
          ex.add(q.x[i], xlog_);
          ey.add(q.y[i], ylog_);
          if (std::isfinite(q.u[i]) && std::isfinite(q.v[i])) {
            ex.add(q.x[i] + k * q.u[i], xlog_);
            ey.add(q.y[i] + k * q.v[i], ylog_);
          }
        }
        break;
      }
      case Kind::kArrow: {
        const ArrowAnnotation& a = arrows_[it.index];
        ex.add(a.x0, xlog_);
        ex.add(a.x1, xlog_);
        ey.add(a.y0, ylog_);
        ey.add(a.y1, ylog_);
        break;
      }
      case Kind::kText:
        break;
    }
  }
  if (xlog_ && xlim_ && xlim_->first <= 0) {
    throw std::invalid_argument("Axes: a log x axis needs positive limits");
  }
  if (ylog_ && ylim_ && ylim_->first <= 0) {
    throw std::invalid_argument("Axes: a log y axis needs positive limits");
  }
  const std::pair<double, double> xauto = xlim_ ? *xlim_ : auto_limits(ex, xlog_, xmargin_);
  const std::pair<double, double> yauto = ylim_ ? *ylim_ : auto_limits(ey, ylog_, ymargin_);

  // ---- layout: plot area from the measured tick labels (iterated: ticks depend on the size)
  double L = cx0 + 60 * S, R = cx1 - 20 * S, T = cy0 + 30 * S, B = cy1 - 45 * S;
  Scale sx, sy;
  Ticks tx, ty;
  bool rotate_x = false;
  double xlabel_h = 0;
  // Limits (equal aspect needs the box) and ticks for the plot area [L, R) × [T, B).
  auto fit = [&]() {
    sx.lo = xauto.first;
    sx.hi = xauto.second;
    sx.log = xlog_;
    sy.lo = yauto.first;
    sy.hi = yauto.second;
    sy.log = ylog_;
    const double pw = std::max(10.0, R - L), ph = std::max(10.0, B - T);
    if (equal_aspect_ && !xlog_ && !ylog_) {
      const double ux = (sx.hi - sx.lo) / pw, uy = (sy.hi - sy.lo) / ph;
      if (ux > uy) {
        const double c = 0.5 * (sy.lo + sy.hi), h = 0.5 * ux * ph;
        sy.lo = c - h;
        sy.hi = c + h;
      } else {
        const double c = 0.5 * (sx.lo + sx.hi), h = 0.5 * uy * pw;
        sx.lo = c - h;
        sx.hi = c + h;
      }
    }
    sx.p0 = L;
    sx.p1 = R;
    sy.p0 = B;
    sy.p1 = T;
    ty = make_ticks(sy.lo, sy.hi, sy.log, std::max(2, static_cast<int>(ph / (50 * S))), yticks_,
                    yticklabels_);
    // x: as many ticks as fit without labels touching.
    int target = std::max(2, static_cast<int>(pw / (75 * S)));
    rotate_x = false;
    while (true) {
      tx = make_ticks(sx.lo, sx.hi, sx.log, target, xticks_, xticklabels_);
      bool overlap = false;
      for (std::size_t i = 1; i < tx.major.size(); ++i) {
        const double gap = std::abs(sx.to_px(tx.major[i]) - sx.to_px(tx.major[i - 1]));
        const double need = 0.5 * (Canvas::measure_text(tx.labels[i], fs).width +
                                   Canvas::measure_text(tx.labels[i - 1], fs).width) +
                            10 * S;
        if (gap < need) overlap = true;
      }
      if (!overlap) break;
      if (xticks_ || target <= 2) {
        rotate_x = overlap && xticks_.has_value();
        break;
      }
      --target;
    }
  };
  for (int pass = 0; pass < 3; ++pass) {
    fit();
    double ylab_w = 0;
    for (const std::string& s : ty.labels) {
      ylab_w = std::max(ylab_w, static_cast<double>(Canvas::measure_text(s, fs).width));
    }
    xlabel_h = text_h;
    if (rotate_x) {
      xlabel_h = 0;
      for (const std::string& s : tx.labels) {
        xlabel_h = std::max(xlabel_h, static_cast<double>(Canvas::measure_text(s, fs).width));
      }
    }
    L = cx0 + pad + (ylabel_.empty() ? 0 : text_h + 6 * S) + ylab_w + tick_gap + tick_len;
    B = cy1 - pad - (xlabel_.empty() ? 0 : text_h + 6 * S) - xlabel_h - tick_gap - tick_len;
    T = cy0 + pad + (title_.empty() ? 4 * S : text_h + 8 * S) + (ty.offset.empty() ? 0 : text_h);
    double overhang = 0;
    if (!tx.major.empty() && !rotate_x) {
      const double last = sx.to_px(tx.major.back());
      overhang = std::max(
          0.0, 0.5 * Canvas::measure_text(tx.labels.back(), fs).width - std::max(0.0, R - last));
    }
    R = cx1 - std::max(2 * pad, overhang + pad);
    if (legend_ == Legend::kOutsideRight) {
      double w = 0;
      for (const LineSeries& s : lines_) {
        w = std::max(w, static_cast<double>(Canvas::measure_text(s.label, fs).width));
      }
      for (const ScatterSeries& s : scatters_) {
        w = std::max(w, static_cast<double>(Canvas::measure_text(s.label, fs).width));
      }
      for (const BandSeries& s : bands_) {
        w = std::max(w, static_cast<double>(Canvas::measure_text(s.label, fs).width));
      }
      for (const BarSeries& s : bars_) {
        w = std::max(w, static_cast<double>(Canvas::measure_text(s.label, fs).width));
      }
      for (const RefLine& s : refs_) {
        w = std::max(w, static_cast<double>(Canvas::measure_text(s.label, fs).width));
      }
      for (const QuiverSeries& s : quivers_) {
        w = std::max(w, static_cast<double>(Canvas::measure_text(s.label, fs).width));
      }
      if (w > 0) R -= w + 28 * S + 6 * S + 2 * 8 * S + 10 * S;
    }
    if (pad_left_ >= 0) L = cx0 + pad_left_ * S;
    if (pad_right_ >= 0) R = cx1 - pad_right_ * S;
    L = std::round(L);
    R = std::round(std::max(R, L + 10));
    T = std::round(T);
    B = std::round(std::max(B, T + 10));
  }
  fit();  // the final box: limits and ticks match it exactly
  frame_.left = L;
  frame_.right = R;
  frame_.top = T;
  frame_.bottom = B;
  frame_.x_lo = sx.lo;
  frame_.x_hi = sx.hi;
  frame_.y_lo = sy.lo;
  frame_.y_hi = sy.hi;
  frame_.x_log = xlog_;
  frame_.y_log = ylog_;
  auto P = [&](double x, double y) { return Point{sx.to_px(x), sy.to_px(y)}; };

  // ---- grid (under the data)
  cv.set_clip(L, T, R, B);
  if (grid_) {
    if (yticklabels_.empty()) {
      for (double v : ty.major) {
        const double y = crisp(sy.to_px(v));
        cv.line({L, y}, {R, y}, kGrid, S, 1.0, CapStyle::kButt);
      }
    }
    if (xticklabels_.empty()) {
      for (double v : tx.major) {
        const double x = crisp(sx.to_px(v));
        cv.line({x, T}, {x, B}, kGrid, S, 1.0, CapStyle::kButt);
      }
    }
  }

  // ---- series, in the order they were added
  for (const Item& it : order_) {
    switch (it.kind) {
      case Kind::kBand: {
        const BandSeries& s = bands_[it.index];
        std::vector<Point> upper, lower;
        auto flush = [&]() {
          if (upper.size() >= 2) {
            std::vector<Point> poly = upper;
            poly.insert(poly.end(), lower.rbegin(), lower.rend());
            cv.fill_polygon(poly, s.color, s.alpha);
          }
          upper.clear();
          lower.clear();
        };
        for (std::size_t i = 0; i < s.x.size(); ++i) {
          const Point a = P(s.x[i], s.y_high[i]), b = P(s.x[i], s.y_low[i]);
          if (!(std::isfinite(a.x) && std::isfinite(a.y) && std::isfinite(b.y))) {
            flush();
            continue;
          }
          upper.push_back(a);
          lower.push_back(b);
        }
        flush();
        break;
      }
      case Kind::kBar: {
        const BarSeries& s = bars_[it.index];
        for (std::size_t i = 0; i < s.x.size(); ++i) {
          const double b = i < s.bottom.size() ? s.bottom[i] : 0.0;
          const double top = b + s.height[i];
          if (!std::isfinite(s.x[i]) || !std::isfinite(top)) continue;
          double x0, x1, y0, y1;
          if (s.horizontal) {
            y0 = sy.to_px(s.x[i] - 0.5 * s.width);
            y1 = sy.to_px(s.x[i] + 0.5 * s.width);
            x0 = sx.to_px(b);
            x1 = sx.to_px(top);
            if (!std::isfinite(x0)) x0 = L - 1;  // a log axis: from left of the box
            if (!std::isfinite(x1)) x1 = L - 1;
            if (!(std::isfinite(y0) && std::isfinite(y1))) continue;
            if (x1 < x0) std::swap(x0, x1);
            if (y1 < y0) std::swap(y0, y1);
          } else {
            x0 = sx.to_px(s.x[i] - 0.5 * s.width);
            x1 = sx.to_px(s.x[i] + 0.5 * s.width);
            y0 = sy.to_px(top);
            y1 = sy.to_px(b);
            if (!std::isfinite(y1)) y1 = sy.log ? B + 1 : y1;  // a log axis: from below the box
            if (!std::isfinite(y0)) y0 = B + 1;
          }
          if (!(std::isfinite(x0) && std::isfinite(x1))) continue;
          // Whole pixels: crisp bar edges, no seams between neighbours.
          x0 = std::round(x0);
          x1 = std::round(x1);
          y0 = std::round(y0);
          y1 = std::round(y1);
          if (x1 - x0 < 1) x1 = x0 + 1;
          if (s.horizontal && y1 - y0 < 1) y1 = y0 + 1;
          const Color c = i < s.colors.size() ? s.colors[i] : s.color;
          cv.fill_rect(x0, std::min(y0, y1), x1, std::max(y0, y1), c, s.alpha);
          if (s.edge_width > 0) {
            cv.stroke_rect(x0, std::min(y0, y1), x1, std::max(y0, y1), s.edge_color,
                           s.edge_width * S, s.alpha);
          }
        }
        break;
      }
      case Kind::kLine: {
        const LineSeries& s = lines_[it.index];
        std::vector<Point> pts(s.x.size());
        for (std::size_t i = 0; i < s.x.size(); ++i) pts[i] = P(s.x[i], s.y[i]);
        std::vector<double> dash = dash_pattern(s, s.width);
        for (double& d : dash) d *= S;
        cv.polyline(pts, s.color, s.width * S, s.alpha, dash);
        if (s.marker != Marker::kNone) {
          for (const Point& p : pts) {
            draw_marker(cv, s.marker, p, s.marker_size * S, s.color, s.alpha, 0, s.color);
          }
        }
        break;
      }
      case Kind::kScatter: {
        const ScatterSeries& s = scatters_[it.index];
        for (std::size_t i = 0; i < s.x.size(); ++i) {
          const Color c = i < s.colors.size() ? s.colors[i] : s.color;
          draw_marker(cv, s.marker, P(s.x[i], s.y[i]), s.size * S, c, s.alpha, s.edge_width * S,
                      s.edge_color);
        }
        break;
      }
      case Kind::kRef: {
        const RefLine& r = refs_[it.index];
        std::vector<double> dash;
        if (r.dashed) dash = {5.0 * S, 3.5 * S};
        if (r.horizontal) {
          double y = sy.to_px(r.value);
          if (!std::isfinite(y)) break;
          if (r.width * S <= 1.01) y = crisp(y);
          cv.polyline({{L, y}, {R, y}}, r.color, r.width * S, r.alpha, dash);
        } else {
          double x = sx.to_px(r.value);
          if (!std::isfinite(x)) break;
          if (r.width * S <= 1.01) x = crisp(x);
          cv.polyline({{x, B}, {x, T}}, r.color, r.width * S, r.alpha, dash);
        }
        break;
      }
      case Kind::kQuiver: {
        const QuiverSeries& q = quivers_[it.index];
        const double k = quiver_scale(q);
        for (std::size_t i = 0; i < q.x.size(); ++i) {
          const Point a = P(q.x[i], q.y[i]);
          const Point b = P(q.x[i] + k * q.u[i], q.y[i] + k * q.v[i]);
          if (!(std::isfinite(a.x) && std::isfinite(a.y) && std::isfinite(b.x) &&
                std::isfinite(b.y))) {
            continue;
          }
          const double len = std::hypot(b.x - a.x, b.y - a.y);
          const double head = std::min(q.head_size * S, 0.45 * len);
          const Color c = i < q.colors.size() ? q.colors[i] : q.color;
          if (len < 0.5) {
            cv.fill_circle(a, 0.6 * q.width * S, c, q.alpha);
            continue;
          }
          cv.arrow(a, b, c, q.width * S, head, 0.8 * head, q.alpha);
        }
        break;
      }
      case Kind::kArrow: {
        const ArrowAnnotation& a = arrows_[it.index];
        cv.arrow(P(a.x0, a.y0), P(a.x1, a.y1), a.color, a.width * S, a.head_size * S,
                 0.75 * a.head_size * S);
        break;
      }
      case Kind::kText: {
        const TextAnnotation& t = texts_[it.index];
        TextStyle st = t.style;
        st.scale = std::max(1, t.style.scale * scale);
        Point p = t.axes_fraction ? Point{L + t.x * (R - L), B - t.y * (B - T)} : P(t.x, t.y);
        cv.set_clip(cx0, cy0, cx1, cy1);
        cv.text(p.x, p.y, t.text, t.color, st);
        cv.set_clip(L, T, R, B);
        break;
      }
    }
  }
  cv.reset_clip();

  // ---- frame, ticks, labels
  const double sw = S;  // spine width
  cv.line({L - 0.5 * sw, T - sw}, {L - 0.5 * sw, B + sw}, kSpine, sw, 1, CapStyle::kButt);
  cv.line({R + 0.5 * sw, T - sw}, {R + 0.5 * sw, B + sw}, kSpine, sw, 1, CapStyle::kButt);
  cv.line({L - sw, T - 0.5 * sw}, {R + sw, T - 0.5 * sw}, kSpine, sw, 1, CapStyle::kButt);
  cv.line({L - sw, B + 0.5 * sw}, {R + sw, B + 0.5 * sw}, kSpine, sw, 1, CapStyle::kButt);
  TextStyle tick_style;
  tick_style.scale = fs;
  for (std::size_t i = 0; i < ty.major.size(); ++i) {
    const double y = std::floor(sy.to_px(ty.major[i])) + 0.5 * sw;
    cv.line({L - sw - tick_len, y}, {L - sw, y}, kSpine, sw, 1, CapStyle::kButt);
    TextStyle st = tick_style;
    st.halign = HAlign::kRight;
    st.valign = VAlign::kCenter;
    cv.text(L - sw - tick_len - tick_gap, y, ty.labels[i], kTickLabel, st);
  }
  for (double v : ty.minor) {
    const double y = std::floor(sy.to_px(v)) + 0.5 * sw;
    cv.line({L - sw - 0.6 * tick_len, y}, {L - sw, y}, kSpine, sw, 1, CapStyle::kButt);
  }
  for (std::size_t i = 0; i < tx.major.size(); ++i) {
    const double x = std::floor(sx.to_px(tx.major[i])) + 0.5 * sw;
    cv.line({x, B + sw}, {x, B + sw + tick_len}, kSpine, sw, 1, CapStyle::kButt);
    TextStyle st = tick_style;
    if (rotate_x) {
      st.vertical = true;
      st.halign = HAlign::kRight;
      st.valign = VAlign::kCenter;
    } else {
      st.halign = HAlign::kCenter;
      st.valign = VAlign::kTop;
    }
    cv.text(x, B + sw + tick_len + tick_gap, tx.labels[i], kTickLabel, st);
  }
  for (double v : tx.minor) {
    const double x = std::floor(sx.to_px(v)) + 0.5 * sw;
    cv.line({x, B + sw}, {x, B + sw + 0.6 * tick_len}, kSpine, sw, 1, CapStyle::kButt);
  }
  if (!ty.offset.empty()) {
    TextStyle st = tick_style;
    st.valign = VAlign::kBottom;
    cv.text(L, T - 3 * S, ty.offset, kTickLabel, st);
  }
  if (!tx.offset.empty()) {
    TextStyle st = tick_style;
    st.halign = HAlign::kRight;
    st.valign = VAlign::kTop;
    cv.text(R, B + sw + tick_len + tick_gap + xlabel_h + 3 * S, tx.offset, kTickLabel, st);
  }
  if (!xlabel_.empty()) {
    TextStyle st = tick_style;
    st.halign = HAlign::kCenter;
    st.valign = VAlign::kBottom;
    cv.text(0.5 * (L + R), cy1 - pad, xlabel_, kTickLabel, st);
  }
  if (!ylabel_.empty()) {
    TextStyle st = tick_style;
    st.vertical = true;
    st.halign = HAlign::kCenter;
    st.valign = VAlign::kTop;
    cv.text(cx0 + pad, 0.5 * (T + B), ylabel_, kTickLabel, st);
  }
  if (!title_.empty()) {
    TextStyle st = tick_style;
    st.bold = true;
    st.halign = HAlign::kCenter;
    st.valign = VAlign::kBaseline;
    cv.text(0.5 * (L + R), T - 8 * S - (ty.offset.empty() ? 0 : text_h), title_, kTitle, st);
  }

  // ---- legend
  if (legend_ == Legend::kNone) return;
  std::vector<LegendEntry> entries;
  for (const Item& it : order_) {
    LegendEntry e;
    switch (it.kind) {
      case Kind::kLine: {
        const LineSeries& s = lines_[it.index];
        e.kind = 0;
        e.label = s.label;
        e.color = s.color;
        e.width = s.width;
        e.alpha = s.alpha;
        e.dash = dash_pattern(s, s.width);
        e.marker = s.marker;
        e.marker_size = s.marker_size;
        break;
      }
      case Kind::kScatter: {
        const ScatterSeries& s = scatters_[it.index];
        e.kind = 1;
        e.label = s.label;
        e.color = s.colors.empty() ? s.color : s.colors.front();
        e.alpha = s.alpha;
        e.marker = s.marker;
        e.marker_size = s.size;
        break;
      }
      case Kind::kBand: {
        const BandSeries& s = bands_[it.index];
        e.kind = 2;
        e.label = s.label;
        e.color = s.color;
        e.alpha = s.alpha;
        break;
      }
      case Kind::kBar: {
        const BarSeries& s = bars_[it.index];
        e.kind = 2;
        e.label = s.label;
        e.color = s.colors.empty() ? s.color : s.colors.front();
        e.alpha = s.alpha;
        break;
      }
      case Kind::kRef: {
        const RefLine& r = refs_[it.index];
        e.kind = 0;
        e.label = r.label;
        e.color = r.color;
        e.width = r.width;
        e.alpha = r.alpha;
        if (r.dashed) e.dash = {5.0, 3.5};
        break;
      }
      case Kind::kQuiver: {
        const QuiverSeries& q = quivers_[it.index];
        e.kind = 3;
        e.label = q.label;
        e.color = q.colors.empty() ? q.color : q.colors.front();
        e.width = q.width;
        e.alpha = q.alpha;
        break;
      }
      default:
        break;
    }
    if (!e.label.empty()) entries.push_back(e);
  }
  if (entries.empty()) return;
  const double handle_w = 28 * S, gap = 7 * S, bpad_x = 9 * S, bpad_y = 7 * S;
  const double row_h = text_h + 6 * S;
  double text_w = 0;
  for (const LegendEntry& e : entries) {
    text_w = std::max(text_w, static_cast<double>(Canvas::measure_text(e.label, fs).width));
  }
  const double bw = std::round(bpad_x * 2 + handle_w + gap + text_w);
  const double bh = std::round(bpad_y * 2 + row_h * entries.size() - 6 * S);
  const double inset = 8 * S;
  struct Cand {
    double x, y;
  };
  Cand cands[4] = {{R - inset - bw, T + inset},
                   {L + inset, T + inset},
                   {L + inset, B - inset - bh},
                   {R - inset - bw, B - inset - bh}};
  int pick = 0;
  switch (legend_) {
    case Legend::kUpperRight:
      pick = 0;
      break;
    case Legend::kUpperLeft:
      pick = 1;
      break;
    case Legend::kLowerLeft:
      pick = 2;
      break;
    case Legend::kLowerRight:
      pick = 3;
      break;
    default:
      pick = 0;
      break;
  }
  double bx = cands[pick].x, by = cands[pick].y;
  if (legend_ == Legend::kOutsideRight) {
    bx = R + 10 * S;
    by = T;
  } else if (legend_ == Legend::kBest) {
    // The corner box that hides the fewest data points (points sampled along lines too).
    std::vector<Point> pts;
    auto sample_polyline = [&](const std::vector<Point>& p) {
      for (std::size_t i = 0; i < p.size(); ++i) {
        if (!(std::isfinite(p[i].x) && std::isfinite(p[i].y))) continue;
        pts.push_back(p[i]);
        if (i + 1 < p.size() && std::isfinite(p[i + 1].x) && std::isfinite(p[i + 1].y)) {
          const double len = std::hypot(p[i + 1].x - p[i].x, p[i + 1].y - p[i].y);
          const int n = std::min(200, static_cast<int>(len / (6 * S)));
          for (int k = 1; k < n; ++k) {
            const double t = static_cast<double>(k) / n;
            pts.push_back({p[i].x + t * (p[i + 1].x - p[i].x), p[i].y + t * (p[i + 1].y - p[i].y)});
          }
        }
      }
    };
    for (const LineSeries& s : lines_) {
      std::vector<Point> p(s.x.size());
      for (std::size_t i = 0; i < p.size(); ++i) p[i] = P(s.x[i], s.y[i]);
      sample_polyline(p);
    }
    for (const BandSeries& s : bands_) {
      std::vector<Point> hi(s.x.size()), lo(s.x.size());
      for (std::size_t i = 0; i < hi.size(); ++i) {
        hi[i] = P(s.x[i], s.y_high[i]);
        lo[i] = P(s.x[i], s.y_low[i]);
      }
      sample_polyline(hi);
      sample_polyline(lo);
    }
    for (const ScatterSeries& s : scatters_) {
      for (std::size_t i = 0; i < s.x.size(); ++i) pts.push_back(P(s.x[i], s.y[i]));
    }
    for (const QuiverSeries& q : quivers_) {
      for (std::size_t i = 0; i < q.x.size(); ++i) pts.push_back(P(q.x[i], q.y[i]));
    }
    for (const BarSeries& s : bars_) {
      for (std::size_t i = 0; i < s.x.size(); ++i) {
        const double b = i < s.bottom.size() ? s.bottom[i] : 0.0;
        for (int k = 0; k <= 8; ++k) {
          for (int j = -2; j <= 2; ++j) {
            const double along = s.x[i] + 0.2 * j * s.width, across = b + s.height[i] * k / 8.0;
            pts.push_back(s.horizontal ? P(across, along) : P(along, across));
          }
        }
      }
    }
    std::vector<Rect> labels;
    for (const TextAnnotation& t : texts_) {
      TextStyle st = t.style;
      st.scale = std::max(1, t.style.scale * scale);
      const Point p = t.axes_fraction ? Point{L + t.x * (R - L), B - t.y * (B - T)} : P(t.x, t.y);
      if (std::isfinite(p.x) && std::isfinite(p.y)) labels.push_back(text_rect(p, t.text, st));
    }
    std::size_t best = std::numeric_limits<std::size_t>::max();
    for (int c = 0; c < 4; ++c) {
      std::size_t n = 0;
      const Rect box{cands[c].x - 4 * S, cands[c].y - 4 * S, cands[c].x + bw + 4 * S,
                     cands[c].y + bh + 4 * S};
      for (const Rect& r : labels) {
        if (r.intersects(box)) n += 1000000;  // never hide an annotation
      }
      for (const Point& p : pts) {
        if (p.x >= cands[c].x - 4 * S && p.x <= cands[c].x + bw + 4 * S &&
            p.y >= cands[c].y - 4 * S && p.y <= cands[c].y + bh + 4 * S) {
          ++n;
        }
      }
      if (n < best) {
        best = n;
        pick = c;
      }
    }
    bx = cands[pick].x;
    by = cands[pick].y;
  }
  bx = std::round(bx);
  by = std::round(by);
  cv.fill_rounded_rect(bx, by, bx + bw, by + bh, 3 * S, colors::kWhite, 0.9);
  cv.stroke_rounded_rect(bx + 0.5 * S, by + 0.5 * S, bx + bw - 0.5 * S, by + bh - 0.5 * S, 3 * S,
                         Color{204, 204, 204}, S);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const LegendEntry& e = entries[i];
    const double cy = by + bpad_y + row_h * i + 0.5 * text_h;
    const double hx = bx + bpad_x;
    switch (e.kind) {
      case 0: {
        std::vector<double> dash = e.dash;
        for (double& d : dash) d *= S;
        cv.polyline({{hx, cy}, {hx + handle_w, cy}}, e.color, e.width * S, e.alpha, dash);
        if (e.marker != Marker::kNone) {
          draw_marker(cv, e.marker, {hx + 0.5 * handle_w, cy}, e.marker_size * S, e.color, e.alpha,
                      0, e.color);
        }
        break;
      }
      case 1:
        draw_marker(cv, e.marker, {hx + 0.5 * handle_w, cy}, std::max(e.marker_size, 6.0) * S,
                    e.color, e.alpha, 0, e.color);
        break;
      case 2:
        cv.fill_rect(std::round(hx), std::round(cy - 5 * S), std::round(hx + handle_w),
                     std::round(cy + 5 * S), e.color, e.alpha);
        break;
      case 3:
        cv.arrow({hx, cy}, {hx + handle_w, cy}, e.color, e.width * S, 7 * S, 5.6 * S, e.alpha);
        break;
      default:
        break;
    }
    TextStyle st = tick_style;
    st.valign = VAlign::kCenter;
    cv.text(hx + handle_w + gap, cy, e.label, kTickLabel, st);
  }
}

// ---------------------------------------------------------------------------------------------
// Figure

Figure::Figure(int width, int height, int rows, int cols)
    : width_(width), height_(height), rows_(rows), cols_(cols) {
  if (width < 16 || height < 16 || width > 16384 || height > 16384) {
    throw std::invalid_argument("Figure: size must be 16..16384 pixels, got " +
                                std::to_string(width) + "x" + std::to_string(height));
  }
  if (rows < 1 || cols < 1 || rows > 32 || cols > 32) {
    throw std::invalid_argument("Figure: rows and cols must be 1..32, got " + std::to_string(rows) +
                                "x" + std::to_string(cols));
  }
  axes_.resize(static_cast<std::size_t>(rows * cols));
}

Axes& Figure::axes(int row, int col) {
  if (row < 0 || row >= rows_ || col < 0 || col >= cols_) {
    throw std::out_of_range("Figure::axes(" + std::to_string(row) + ", " + std::to_string(col) +
                            "): the figure has " + std::to_string(rows_) + "x" +
                            std::to_string(cols_) + " axes");
  }
  return axes_[static_cast<std::size_t>(row * cols_ + col)];
}

Axes& Figure::axes_at(int index) {
  if (index < 0 || index >= rows_ * cols_) {
    throw std::out_of_range("Figure::axes_at(" + std::to_string(index) + "): the figure has " +
                            std::to_string(rows_ * cols_) + " axes");
  }
  return axes_[static_cast<std::size_t>(index)];
}

void Figure::set_scale(int scale) {
  if (scale < 1 || scale > 4) {
    throw std::invalid_argument("Figure::set_scale: scale must be 1..4, got " +
                                std::to_string(scale));
  }
  scale_ = scale;
}

Image Figure::render() const {
  const int S = scale_;
  Canvas cv(width_ * S, height_ * S, background_);
  double top = 0;
  if (!title_.empty()) {
    TextStyle st;
    st.scale = S;
    st.bold = true;
    st.halign = HAlign::kCenter;
    st.valign = VAlign::kTop;
    const TextExtent e = Canvas::measure_text(title_, S, true);
    cv.text(0.5 * width_ * S, 10.0 * S, title_, kTitle, st);
    top = 10.0 * S + e.height() + 4.0 * S;
  }
  const double cw = static_cast<double>(width_ * S) / cols_;
  const double ch = (height_ * S - top) / rows_;
  for (int r = 0; r < rows_; ++r) {
    for (int c = 0; c < cols_; ++c) {
      axes_[static_cast<std::size_t>(r * cols_ + c)].render(cv, c * cw, top + r * ch, (c + 1) * cw,
                                                            top + (r + 1) * ch, S);
    }
  }
  return cv.image();
}

void Figure::save_png(const std::string& path) const { write_png(path, render()); }

}  // namespace adamant::datasets::plot
