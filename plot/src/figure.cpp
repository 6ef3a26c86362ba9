// Figure / Axes (figure.hpp): adding series, limits, the layout from measured labels, the axes'
// frame and ticks, the legend. Drawing the data is the series' own (series.cpp).

#include "adamant/plot/figure.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include "adamant/plot/ticks.hpp"

namespace adamant::plot {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const Color kSpine{64, 64, 64};
const Color kTickLabel{38, 38, 38};
const Color kGrid{228, 228, 228};
const Color kTitle{17, 17, 17};

void check_sizes(const char* what, std::size_t a, std::size_t b, const char* na, const char* nb) {
  if (a != b) {
    throw std::invalid_argument(std::string(what) + ": " + na + " has " + std::to_string(a) +
                                " values but " + nb + " has " + std::to_string(b));
  }
}

void check_limits(const char* what, double lo, double hi) {
  if (!(std::isfinite(lo) && std::isfinite(hi) && lo < hi)) {
    throw std::invalid_argument(std::string(what) + ": limits must be finite with lo < hi, got (" +
                                std::to_string(lo) + ", " + std::to_string(hi) + ")");
  }
}

std::vector<double> iota(std::size_t n) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<double>(i);
  return v;
}

// Limits from the data extent: margins in the (log-)transformed space, sticky bar baselines.
std::pair<double, double> auto_limits(const Extent& e, double margin) {
  const bool log = e.log;
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
  if (exponent != 0) t.offset = "\xC3\x97" + std::string("10") + superscript(exponent);
  return t;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Axes: adding series

Color Axes::next_color() { return tab10(color_index_++); }

LineSeries& Axes::plot(const std::vector<double>& x, const std::vector<double>& y,
                       const std::string& label) {
  check_sizes("Axes::plot", x.size(), y.size(), "x", "y");
  LineSeries s;
  s.x = x;
  s.y = y;
  s.label = label;
  s.color = next_color();
  return add(std::move(s));
}

LineSeries& Axes::plot(const std::vector<double>& y) { return plot(iota(y.size()), y); }

ScatterSeries& Axes::scatter(const std::vector<double>& x, const std::vector<double>& y,
                             const std::string& label) {
  check_sizes("Axes::scatter", x.size(), y.size(), "x", "y");
  ScatterSeries s;
  s.x = x;
  s.y = y;
  s.label = label;
  s.color = next_color();
  return add(std::move(s));
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
  return add(std::move(s));
}

BarSeries& Axes::bar(const std::vector<double>& x, const std::vector<double>& height,
                     const std::string& label) {
  check_sizes("Axes::bar", x.size(), height.size(), "x", "height");
  BarSeries s;
  s.x = x;
  s.height = height;
  s.label = label;
  s.color = next_color();
  return add(std::move(s));
}

BarSeries& Axes::bar(const std::vector<std::string>& names, const std::vector<double>& height,
                     const std::string& label) {
  check_sizes("Axes::bar", names.size(), height.size(), "names", "height");
  const std::vector<double> x = iota(names.size());
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
  const std::vector<double> y = iota(names.size());
  set_yticks(y, names);
  return barh(y, width, label);
}

RefLine& Axes::axhline(double y, Color color) {
  RefLine r;
  r.horizontal = true;
  r.value = y;
  r.color = color;
  return add(std::move(r));
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
  return add(std::move(s));
}

ArrowAnnotation& Axes::arrow(double x0, double y0, double x1, double y1) {
  ArrowAnnotation a;
  a.x0 = x0;
  a.y0 = y0;
  a.x1 = x1;
  a.y1 = y1;
  return add(std::move(a));
}

TextAnnotation& Axes::text(double x, double y, const std::string& s) {
  TextAnnotation t;
  t.x = x;
  t.y = y;
  t.text = s;
  return add(std::move(t));
}

void Axes::set_xlim(double lo, double hi) {
  check_limits("Axes::set_xlim", lo, hi);
  xlim_ = std::make_pair(lo, hi);
}

void Axes::set_ylim(double lo, double hi) {
  check_limits("Axes::set_ylim", lo, hi);
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

// ---------------------------------------------------------------------------------------------
// Axes: layout

struct Axes::Layout {
  View view;                     // the plot area and its limits
  double S = 1, fs = kFontSize;  // pixel scale, label font size
  double pad = 8, tick_len = 4, tick_gap = 3, text_h = 12;
  double cx0 = 0, cy0 = 0;  // the cell's top-left corner
  Ticks tx, ty;
  bool rotate_x = false;
  double xlabel_h = 0;
};

Axes::Layout Axes::layout(double cx0, double cy0, double cx1, double cy1, double S) const {
  Layout lay;
  lay.S = S;
  lay.fs = kFontSize * S;
  lay.pad = 8 * S;
  lay.tick_len = 4 * S;
  lay.tick_gap = 3 * S;
  lay.cx0 = cx0;
  lay.cy0 = cy0;
  const double fs = lay.fs, pad = lay.pad;
  const TextExtent one = Canvas::measure_text("0", fs);
  const double text_h = lay.text_h = one.height();
  auto text_w = [&](const std::string& s) { return Canvas::measure_text(s, fs).width; };

  // ---- data extents and limits
  if (xlog_ && xlim_ && xlim_->first <= 0) {
    throw std::invalid_argument("Axes: a log x axis needs positive limits");
  }
  if (ylog_ && ylim_ && ylim_->first <= 0) {
    throw std::invalid_argument("Axes: a log y axis needs positive limits");
  }
  Extent ex, ey;
  ex.log = xlog_;
  ey.log = ylog_;
  for (const auto& s : series_) s->extend(ex, ey);
  const std::pair<double, double> xauto = xlim_ ? *xlim_ : auto_limits(ex, xmargin_);
  const std::pair<double, double> yauto = ylim_ ? *ylim_ : auto_limits(ey, ymargin_);

  // ---- plot area from the measured tick labels (iterated: ticks depend on the size)
  Frame& f = lay.view.frame;
  lay.view.scale = S;
  double L = cx0 + 60 * S, R = cx1 - 20 * S, T = cy0 + 30 * S, B = cy1 - 45 * S;
  // Limits (equal aspect needs the box) and ticks for the plot area [L, R) × [T, B).
  auto fit = [&]() {
    f.left = L;
    f.right = R;
    f.top = T;
    f.bottom = B;
    f.x_lo = xauto.first;
    f.x_hi = xauto.second;
    f.x_log = xlog_;
    f.y_lo = yauto.first;
    f.y_hi = yauto.second;
    f.y_log = ylog_;
    const double pw = std::max(10.0, R - L), ph = std::max(10.0, B - T);
    if (equal_aspect_ && !xlog_ && !ylog_) {
      const double ux = (f.x_hi - f.x_lo) / pw, uy = (f.y_hi - f.y_lo) / ph;
      if (ux > uy) {
        const double c = 0.5 * (f.y_lo + f.y_hi), h = 0.5 * ux * ph;
        f.y_lo = c - h;
        f.y_hi = c + h;
      } else {
        const double c = 0.5 * (f.x_lo + f.x_hi), h = 0.5 * uy * pw;
        f.x_lo = c - h;
        f.x_hi = c + h;
      }
    }
    lay.ty = make_ticks(f.y_lo, f.y_hi, ylog_, std::max(2, static_cast<int>(ph / (50 * S))),
                        yticks_, yticklabels_);
    // x: as many ticks as fit without labels touching.
    int target = std::max(2, static_cast<int>(pw / (75 * S)));
    lay.rotate_x = false;
    while (true) {
      lay.tx = make_ticks(f.x_lo, f.x_hi, xlog_, target, xticks_, xticklabels_);
      const Ticks& tx = lay.tx;
      bool overlap = false;
      for (std::size_t i = 1; i < tx.major.size(); ++i) {
        const double gap = std::abs(f.to_px_x(tx.major[i]) - f.to_px_x(tx.major[i - 1]));
        const double need = 0.5 * (text_w(tx.labels[i]) + text_w(tx.labels[i - 1])) + 10 * S;
        if (gap < need) overlap = true;
      }
      if (!overlap) break;
      if (xticks_ || target <= 2) {
        lay.rotate_x = overlap && xticks_.has_value();
        break;
      }
      --target;
    }
  };
  for (int pass = 0; pass < 3; ++pass) {
    fit();
    double ylab_w = 0;
    for (const std::string& s : lay.ty.labels) ylab_w = std::max(ylab_w, text_w(s));
    lay.xlabel_h = text_h;
    if (lay.rotate_x) {
      lay.xlabel_h = 0;
      for (const std::string& s : lay.tx.labels) lay.xlabel_h = std::max(lay.xlabel_h, text_w(s));
    }
    L = cx0 + pad + (ylabel_.empty() ? 0 : text_h + 6 * S) + ylab_w + lay.tick_gap + lay.tick_len;
    B = cy1 - pad - (xlabel_.empty() ? 0 : text_h + 6 * S) - lay.xlabel_h - lay.tick_gap -
        lay.tick_len;
    T = cy0 + pad + (title_.empty() ? 4 * S : text_h + 8 * S) +
        (lay.ty.offset.empty() ? 0 : text_h);
    double overhang = 0;
    if (!lay.tx.major.empty() && !lay.rotate_x) {
      const double last = f.to_px_x(lay.tx.major.back());
      overhang = std::max(0.0, 0.5 * text_w(lay.tx.labels.back()) - std::max(0.0, R - last));
    }
    R = cx1 - std::max(2 * pad, overhang + pad);
    if (legend_ == Legend::kOutsideRight) {
      double w = 0;
      for (const auto& s : series_) w = std::max(w, text_w(s->legend_label()));
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
  return lay;
}

// ---------------------------------------------------------------------------------------------
// Axes: drawing

void Axes::render(Canvas& cv, double cx0, double cy0, double cx1, double cy1, int scale) const {
  const Layout lay = layout(cx0, cy0, cx1, cy1, scale);
  const Frame& f = lay.view.frame;
  frame_ = f;
  const double S = lay.S;

  // ---- grid (under the data)
  cv.set_clip(f.left, f.top, f.right, f.bottom);
  if (grid_) {
    if (yticklabels_.empty()) {
      for (double v : lay.ty.major) {
        const double y = std::floor(f.to_px_y(v)) + 0.5;
        cv.line({f.left, y}, {f.right, y}, kGrid, S, 1.0, CapStyle::kButt);
      }
    }
    if (xticklabels_.empty()) {
      for (double v : lay.tx.major) {
        const double x = std::floor(f.to_px_x(v)) + 0.5;
        cv.line({x, f.top}, {x, f.bottom}, kGrid, S, 1.0, CapStyle::kButt);
      }
    }
  }

  // ---- series, in the order they were added
  for (const auto& s : series_) {
    if (s->clipped()) {
      cv.set_clip(f.left, f.top, f.right, f.bottom);
    } else {
      cv.set_clip(cx0, cy0, cx1, cy1);
    }
    s->draw(cv, lay.view);
  }
  cv.reset_clip();

  draw_axes(cv, lay, cx1, cy1);
  if (legend_ != Legend::kNone) draw_legend(cv, lay);
}

void Axes::draw_axes(Canvas& cv, const Layout& lay, double /*cx1*/, double cy1) const {
  const Frame& f = lay.view.frame;
  const double S = lay.S, L = f.left, R = f.right, T = f.top, B = f.bottom;
  const double sw = S;  // spine width
  cv.line({L - 0.5 * sw, T - sw}, {L - 0.5 * sw, B + sw}, kSpine, sw, 1, CapStyle::kButt);
  cv.line({R + 0.5 * sw, T - sw}, {R + 0.5 * sw, B + sw}, kSpine, sw, 1, CapStyle::kButt);
  cv.line({L - sw, T - 0.5 * sw}, {R + sw, T - 0.5 * sw}, kSpine, sw, 1, CapStyle::kButt);
  cv.line({L - sw, B + 0.5 * sw}, {R + sw, B + 0.5 * sw}, kSpine, sw, 1, CapStyle::kButt);
  TextStyle base;
  base.size = lay.fs;
  const double tick_len = lay.tick_len, tick_gap = lay.tick_gap;
  for (std::size_t i = 0; i < lay.ty.major.size(); ++i) {
    const double y = std::floor(f.to_px_y(lay.ty.major[i])) + 0.5 * sw;
    cv.line({L - sw - tick_len, y}, {L - sw, y}, kSpine, sw, 1, CapStyle::kButt);
    TextStyle st = base;
    st.halign = HAlign::kRight;
    st.valign = VAlign::kCenter;
    cv.text(L - sw - tick_len - tick_gap, y, lay.ty.labels[i], kTickLabel, st);
  }
  for (double v : lay.ty.minor) {
    const double y = std::floor(f.to_px_y(v)) + 0.5 * sw;
    cv.line({L - sw - 0.6 * tick_len, y}, {L - sw, y}, kSpine, sw, 1, CapStyle::kButt);
  }
  for (std::size_t i = 0; i < lay.tx.major.size(); ++i) {
    const double x = std::floor(f.to_px_x(lay.tx.major[i])) + 0.5 * sw;
    cv.line({x, B + sw}, {x, B + sw + tick_len}, kSpine, sw, 1, CapStyle::kButt);
    TextStyle st = base;
    if (lay.rotate_x) {
      st.vertical = true;
      st.halign = HAlign::kRight;
      st.valign = VAlign::kCenter;
    } else {
      st.halign = HAlign::kCenter;
      st.valign = VAlign::kTop;
    }
    cv.text(x, B + sw + tick_len + tick_gap, lay.tx.labels[i], kTickLabel, st);
  }
  for (double v : lay.tx.minor) {
    const double x = std::floor(f.to_px_x(v)) + 0.5 * sw;
    cv.line({x, B + sw}, {x, B + sw + 0.6 * tick_len}, kSpine, sw, 1, CapStyle::kButt);
  }
  if (!lay.ty.offset.empty()) {
    TextStyle st = base;
    st.valign = VAlign::kBottom;
    cv.text(L, T - 3 * S, lay.ty.offset, kTickLabel, st);
  }
  if (!lay.tx.offset.empty()) {
    TextStyle st = base;
    st.halign = HAlign::kRight;
    st.valign = VAlign::kTop;
    cv.text(R, B + sw + tick_len + tick_gap + lay.xlabel_h + 3 * S, lay.tx.offset, kTickLabel, st);
  }
  if (!xlabel_.empty()) {
    TextStyle st = base;
    st.halign = HAlign::kCenter;
    st.valign = VAlign::kBottom;
    cv.text(0.5 * (L + R), cy1 - lay.pad, xlabel_, kTickLabel, st);
  }
  if (!ylabel_.empty()) {
    TextStyle st = base;
    st.vertical = true;
    st.halign = HAlign::kCenter;
    st.valign = VAlign::kTop;
    cv.text(lay.cx0 + lay.pad, 0.5 * (T + B), ylabel_, kTickLabel, st);
  }
  if (!title_.empty()) {
    TextStyle st = base;
    st.bold = true;
    st.halign = HAlign::kCenter;
    st.valign = VAlign::kBaseline;
    cv.text(0.5 * (L + R), T - 8 * S - (lay.ty.offset.empty() ? 0 : lay.text_h), title_, kTitle,
            st);
  }
}

void Axes::draw_legend(Canvas& cv, const Layout& lay) const {
  std::vector<const Series*> entries;
  for (const auto& s : series_) {
    if (!s->legend_label().empty()) entries.push_back(s.get());
  }
  if (entries.empty()) return;
  const Frame& f = lay.view.frame;
  const double S = lay.S, L = f.left, R = f.right, T = f.top, B = f.bottom;
  const double handle_w = 28 * S, gap = 7 * S, bpad_x = 9 * S, bpad_y = 7 * S;
  const double row_h = lay.text_h + 6 * S;
  double text_w = 0;
  for (const Series* e : entries) {
    text_w = std::max(text_w, Canvas::measure_text(e->legend_label(), lay.fs).width);
  }
  const double bw = std::round(bpad_x * 2 + handle_w + gap + text_w);
  const double bh = std::round(bpad_y * 2 + row_h * entries.size() - 6 * S);
  const double inset = 8 * S;
  const Point corners[4] = {{R - inset - bw, T + inset},
                            {L + inset, T + inset},
                            {L + inset, B - inset - bh},
                            {R - inset - bw, B - inset - bh}};
  int pick = 0;
  switch (legend_) {
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
  double bx = corners[pick].x, by = corners[pick].y;
  if (legend_ == Legend::kOutsideRight) {
    bx = R + 10 * S;
    by = T;
  } else if (legend_ == Legend::kBest) {
    // The corner box that hides the fewest data points, and never an annotation.
    Footprint fp;
    for (const auto& s : series_) s->footprint(lay.view, fp);
    std::size_t best = std::numeric_limits<std::size_t>::max();
    for (int c = 0; c < 4; ++c) {
      std::size_t n = 0;
      const Rect box{corners[c].x - 4 * S, corners[c].y - 4 * S, corners[c].x + bw + 4 * S,
                     corners[c].y + bh + 4 * S};
      for (const Rect& r : fp.keep_clear) {
        if (r.intersects(box)) n += 1000000;
      }
      for (const Point& p : fp.points) {
        if (p.x >= box.x0 && p.x <= box.x1 && p.y >= box.y0 && p.y <= box.y1) ++n;
      }
      if (n < best) {
        best = n;
        pick = c;
      }
    }
    bx = corners[pick].x;
    by = corners[pick].y;
  }
  bx = std::round(bx);
  by = std::round(by);
  cv.fill_rounded_rect(bx, by, bx + bw, by + bh, 3 * S, colors::kWhite, 0.9);
  cv.stroke_rounded_rect(bx + 0.5 * S, by + 0.5 * S, bx + bw - 0.5 * S, by + bh - 0.5 * S, 3 * S,
                         Color{204, 204, 204}, S);
  TextStyle st;
  st.size = lay.fs;
  st.valign = VAlign::kCenter;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const double cy = by + bpad_y + row_h * i + 0.5 * lay.text_h;
    const double hx = bx + bpad_x;
    entries[i]->draw_handle(cv, hx, cy, handle_w, S);
    cv.text(hx + handle_w + gap, cy, entries[i]->legend_label(), kTickLabel, st);
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
    st.size = kFontSize * S;
    st.bold = true;
    st.halign = HAlign::kCenter;
    st.valign = VAlign::kTop;
    const TextExtent e = Canvas::measure_text(title_, st.size, true);
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

void Figure::save_png(const std::string& path) const { datasets::write_png(path, render()); }

}  // namespace adamant::plot
