// Canvas (canvas.hpp) on a cairo image surface. Every shape is one cairo path filled or stroked
// once, so cairo's anti-aliasing covers each pixel by the shape's area in it (to its sampling
// resolution) and alpha is applied once per shape; text goes through cairo's font API, which
// finds the font with fontconfig and renders it with FreeType.

#include "adamant/plot/canvas.hpp"

#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <utility>

namespace adamant::plot {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr const char* kFontFamily = "DejaVu Sans";

bool finite(Point p) { return std::isfinite(p.x) && std::isfinite(p.y); }

void set_source(cairo_t* cr, Color c, double alpha) {
  cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, std::clamp(alpha, 0.0, 1.0));
}

void check_size(const char* what, double size) {
  if (!(size > 0 && size <= 512)) {
    throw std::invalid_argument(std::string(what) + ": text size must be in (0, 512] pixels, got " +
                                std::to_string(size));
  }
}

// Anti-aliased grey-scale glyphs, light hinting of the outlines, unhinted (linear) metrics, so a
// text's width scales with its size and does not depend on where it is drawn.
// cairo and fontconfig keep process-wide caches (fonts, the configuration) that outlive every
// surface; release them at exit so that leak checkers (LeakSanitizer in the tests) see nothing
// held. Registered on the first use of a font, after which no canvas may be drawn at exit.
void release_font_caches_at_exit() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::atexit([] {
      cairo_debug_reset_static_data();
      FcFini();
    });
  });
}

void set_font(cairo_t* cr, double size, bool bold) {
  release_font_caches_at_exit();
  cairo_select_font_face(cr, kFontFamily, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  cairo_font_options_t* fo = cairo_font_options_create();
  cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_SLIGHT);
  cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
  cairo_set_font_options(cr, fo);
  cairo_font_options_destroy(fo);
}

TextExtent measure(cairo_t* cr, const std::string& s) {
  cairo_text_extents_t te;
  cairo_text_extents(cr, s.c_str(), &te);
  cairo_text_extents_t cap;
  cairo_text_extents(cr, "H", &cap);
  cairo_font_extents_t fe;
  cairo_font_extents(cr, &fe);
  TextExtent e;
  e.width = s.empty() ? 0.0 : te.x_advance;
  e.ascent = -cap.y_bearing;
  e.descent = fe.descent;
  return e;
}

void rounded_rect_path(cairo_t* cr, double x0, double y0, double x1, double y1, double r) {
  if (x1 < x0) std::swap(x0, x1);
  if (y1 < y0) std::swap(y0, y1);
  r = std::max(0.0, std::min({r, 0.5 * (x1 - x0), 0.5 * (y1 - y0)}));
  cairo_new_sub_path(cr);
  if (r <= 0) {
    cairo_rectangle(cr, x0, y0, x1 - x0, y1 - y0);
    return;
  }
  cairo_arc(cr, x1 - r, y0 + r, r, -0.5 * kPi, 0);
  cairo_arc(cr, x1 - r, y1 - r, r, 0, 0.5 * kPi);
  cairo_arc(cr, x0 + r, y1 - r, r, 0.5 * kPi, kPi);
  cairo_arc(cr, x0 + r, y0 + r, r, kPi, 1.5 * kPi);
  cairo_close_path(cr);
}

// The path of a polygon's finite points; false when fewer than three remain.
bool polygon_path(cairo_t* cr, const std::vector<Point>& points) {
  std::size_t n = 0;
  cairo_new_path(cr);
  for (const Point& p : points) {
    if (!finite(p)) continue;
    if (n++ == 0) {
      cairo_move_to(cr, p.x, p.y);
    } else {
      cairo_line_to(cr, p.x, p.y);
    }
  }
  if (n < 3) {
    cairo_new_path(cr);
    return false;
  }
  cairo_close_path(cr);
  return true;
}

}  // namespace

struct Canvas::Impl {
  cairo_surface_t* surface = nullptr;
  cairo_t* cr = nullptr;
  int width = 0, height = 0;
  mutable Image image;
  mutable bool stale = true;  // image does not yet hold what was drawn

  Impl(int w, int h) : width(w), height(h) {
    if (w < 1 || h < 1 || w > 32767 || h > 32767) {
      throw std::invalid_argument("Canvas: size must be 1..32767 pixels, got " + std::to_string(w) +
                                  "x" + std::to_string(h));
    }
    surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
      const std::string why = cairo_status_to_string(cairo_surface_status(surface));
      cairo_surface_destroy(surface);
      throw std::runtime_error("Canvas: cairo could not create a " + std::to_string(w) + "x" +
                               std::to_string(h) + " image: " + why);
    }
    cr = cairo_create(surface);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_GRAY);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  }
  ~Impl() {
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // Before drawing: the cached image is out of date afterwards.
  cairo_t* draw() {
    stale = true;
    return cr;
  }

  void sync() const {
    if (!stale) return;
    cairo_surface_flush(surface);
    const unsigned char* data = cairo_image_surface_get_data(surface);
    const int stride = cairo_image_surface_get_stride(surface);
    if (image.width != width || image.height != height) image = Image(width, height);
    for (int y = 0; y < height; ++y) {
      const unsigned char* row = data + static_cast<std::ptrdiff_t>(y) * stride;
      std::uint8_t* out = &image.pixels[3 * static_cast<std::size_t>(y) * width];
      for (int x = 0; x < width; ++x) {
        std::uint32_t px;
        std::memcpy(&px, row + 4 * x, 4);  // native-endian 0x00RRGGBB
        out[3 * x] = static_cast<std::uint8_t>(px >> 16);
        out[3 * x + 1] = static_cast<std::uint8_t>(px >> 8);
        out[3 * x + 2] = static_cast<std::uint8_t>(px);
      }
    }
    stale = false;
  }
};

Canvas::Canvas(int width, int height, Color background)
    : impl_(std::make_unique<Impl>(width, height)) {
  clear(background);
}

Canvas::Canvas(const Image& image) {
  image.validate();
  impl_ = std::make_unique<Impl>(image.width, image.height);
  cairo_surface_flush(impl_->surface);
  unsigned char* data = cairo_image_surface_get_data(impl_->surface);
  const int stride = cairo_image_surface_get_stride(impl_->surface);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const Color c = image.at(x, y);
      const std::uint32_t px = (std::uint32_t{c.r} << 16) | (std::uint32_t{c.g} << 8) | c.b;
      std::memcpy(data + static_cast<std::ptrdiff_t>(y) * stride + 4 * x, &px, 4);
    }
  }
  cairo_surface_mark_dirty(impl_->surface);
}

Canvas::~Canvas() = default;
Canvas::Canvas(Canvas&&) noexcept = default;
Canvas& Canvas::operator=(Canvas&&) noexcept = default;

int Canvas::width() const { return impl_->width; }
int Canvas::height() const { return impl_->height; }

const Image& Canvas::image() const {
  impl_->sync();
  return impl_->image;
}

void Canvas::set_clip(double x0, double y0, double x1, double y1) {
  auto to_int = [](double v, int hi) {
    if (std::isnan(v)) return 0.0;
    return std::clamp(std::round(v), 0.0, static_cast<double>(hi));
  };
  const double ax = to_int(std::min(x0, x1), width()), bx = to_int(std::max(x0, x1), width());
  const double ay = to_int(std::min(y0, y1), height()), by = to_int(std::max(y0, y1), height());
  cairo_reset_clip(impl_->cr);
  cairo_new_path(impl_->cr);
  cairo_rectangle(impl_->cr, ax, ay, bx - ax, by - ay);
  cairo_clip(impl_->cr);
}

void Canvas::reset_clip() { cairo_reset_clip(impl_->cr); }

void Canvas::clear(Color c) {
  cairo_t* cr = impl_->draw();
  cairo_save(cr);
  cairo_reset_clip(cr);
  cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
  set_source(cr, c, 1.0);
  cairo_paint(cr);
  cairo_restore(cr);
}

void Canvas::line(Point a, Point b, Color c, double width, double alpha, CapStyle cap) {
  if (!finite(a) || !finite(b) || !(width > 0)) return;
  cairo_t* cr = impl_->draw();
  cairo_new_path(cr);
  cairo_move_to(cr, a.x, a.y);
  cairo_line_to(cr, b.x, b.y);
  cairo_set_line_width(cr, width);
  cairo_set_line_cap(cr, cap == CapStyle::kRound ? CAIRO_LINE_CAP_ROUND : CAIRO_LINE_CAP_BUTT);
  cairo_set_dash(cr, nullptr, 0, 0);
  set_source(cr, c, alpha);
  cairo_stroke(cr);
}

void Canvas::polyline(const std::vector<Point>& points, Color c, double width, double alpha,
                      const std::vector<double>& dash) {
  double period = 0;
  for (double d : dash) {
    if (!(d >= 0) || !std::isfinite(d)) {
      throw std::invalid_argument("Canvas::polyline: dash lengths must be finite and >= 0");
    }
    period += d;
  }
  if (points.size() < 2 || !(width > 0)) return;
  const bool dashed = dash.size() >= 2 && period > 0;
  cairo_t* cr = impl_->draw();
  cairo_new_path(cr);
  bool pen_down = false;
  for (const Point& p : points) {
    if (!finite(p)) {
      pen_down = false;
      continue;
    }
    if (pen_down) {
      cairo_line_to(cr, p.x, p.y);
    } else {
      cairo_move_to(cr, p.x, p.y);
      pen_down = true;
    }
  }
  cairo_set_line_width(cr, width);
  // Dash ends are butt (a round cap would lengthen every dash by the width); solid lines round.
  cairo_set_line_cap(cr, dashed ? CAIRO_LINE_CAP_BUTT : CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  if (dashed) {
    std::vector<double> d = dash;
    if (d.size() % 2 != 0) d.insert(d.end(), dash.begin(), dash.end());
    cairo_set_dash(cr, d.data(), static_cast<int>(d.size()), 0);
  } else {
    cairo_set_dash(cr, nullptr, 0, 0);
  }
  set_source(cr, c, alpha);
  cairo_stroke(cr);
  cairo_set_dash(cr, nullptr, 0, 0);
}

void Canvas::fill_polygon(const std::vector<Point>& points, Color c, double alpha) {
  cairo_t* cr = impl_->draw();
  if (!polygon_path(cr, points)) return;
  cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
  set_source(cr, c, alpha);
  cairo_fill(cr);
}

void Canvas::stroke_polygon(const std::vector<Point>& points, Color c, double width, double alpha) {
  if (!(width > 0)) return;
  cairo_t* cr = impl_->draw();
  if (!polygon_path(cr, points)) return;
  cairo_set_line_width(cr, width);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
  cairo_set_dash(cr, nullptr, 0, 0);
  set_source(cr, c, alpha);
  cairo_stroke(cr);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
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
  if (!(std::isfinite(x0) && std::isfinite(y0) && std::isfinite(x1) && std::isfinite(y1))) return;
  cairo_t* cr = impl_->draw();
  cairo_new_path(cr);
  rounded_rect_path(cr, x0, y0, x1, y1, radius);
  set_source(cr, c, alpha);
  cairo_fill(cr);
}

void Canvas::stroke_rounded_rect(double x0, double y0, double x1, double y1, double radius, Color c,
                                 double width, double alpha) {
  if (!(std::isfinite(x0) && std::isfinite(y0) && std::isfinite(x1) && std::isfinite(y1))) return;
  if (!(width > 0)) return;
  cairo_t* cr = impl_->draw();
  cairo_new_path(cr);
  rounded_rect_path(cr, x0, y0, x1, y1, radius);
  cairo_set_line_width(cr, width);
  cairo_set_dash(cr, nullptr, 0, 0);
  set_source(cr, c, alpha);
  cairo_stroke(cr);
}

void Canvas::fill_circle(Point centre, double radius, Color c, double alpha) {
  if (!finite(centre) || !(radius > 0) || !std::isfinite(radius)) return;
  cairo_t* cr = impl_->draw();
  cairo_new_path(cr);
  cairo_arc(cr, centre.x, centre.y, radius, 0, 2 * kPi);
  set_source(cr, c, alpha);
  cairo_fill(cr);
}

void Canvas::stroke_circle(Point centre, double radius, Color c, double width, double alpha) {
  if (!finite(centre) || !(radius > 0) || !std::isfinite(radius) || !(width > 0)) return;
  cairo_t* cr = impl_->draw();
  cairo_new_path(cr);
  cairo_arc(cr, centre.x, centre.y, radius, 0, 2 * kPi);
  cairo_set_line_width(cr, width);
  cairo_set_dash(cr, nullptr, 0, 0);
  set_source(cr, c, alpha);
  cairo_stroke(cr);
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
  // The shaft stops inside the head so its end never pokes out of the tip.
  const Point shaft_end{to.x - ux * hl * 0.6, to.y - uy * hl * 0.6};
  cairo_t* cr = impl_->draw();
  // Shaft and head in a group, composited once: the overlap is not darkened under alpha.
  cairo_push_group(cr);
  set_source(cr, c, 1.0);
  if (width > 0) {
    cairo_new_path(cr);
    cairo_move_to(cr, from.x, from.y);
    cairo_line_to(cr, shaft_end.x, shaft_end.y);
    cairo_set_line_width(cr, width);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_set_dash(cr, nullptr, 0, 0);
    cairo_stroke(cr);
  }
  cairo_new_path(cr);
  cairo_move_to(cr, to.x, to.y);
  cairo_line_to(cr, base.x - uy * hw / 2, base.y + ux * hw / 2);
  cairo_line_to(cr, base.x + uy * hw / 2, base.y - ux * hw / 2);
  cairo_close_path(cr);
  cairo_fill(cr);
  cairo_pop_group_to_source(cr);
  cairo_paint_with_alpha(cr, std::clamp(alpha, 0.0, 1.0));
}

TextExtent Canvas::measure_text(const std::string& s, double size, bool bold) {
  check_size("Canvas::measure_text", size);
  // A 1×1 surface to measure on: cairo caches the font, so this costs microseconds.
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
  cairo_t* cr = cairo_create(surface);
  set_font(cr, size, bold);
  const TextExtent e = measure(cr, s);
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  return e;
}

void Canvas::text(double x, double y, const std::string& s, Color c, const TextStyle& style,
                  double alpha) {
  check_size("Canvas::text", style.size);
  if (s.empty() || !std::isfinite(x) || !std::isfinite(y)) return;
  cairo_t* cr = impl_->draw();
  cairo_save(cr);
  set_font(cr, style.size, style.bold);
  const TextExtent e = measure(cr, s);
  // The origin of the text (left end of its baseline) relative to the anchor, in text
  // coordinates: along the writing direction, and across it (downwards).
  const double along = style.halign == HAlign::kLeft     ? 0.0
                       : style.halign == HAlign::kCenter ? -0.5 * e.width
                                                         : -e.width;
  const double across = style.valign == VAlign::kTop        ? e.ascent
                        : style.valign == VAlign::kCenter   ? 0.5 * e.ascent
                        : style.valign == VAlign::kBaseline ? 0.0
                                                            : -e.descent;
  cairo_new_path(cr);
  if (!style.vertical) {
    cairo_move_to(cr, x + along, std::round(y + across));
  } else {
    // Rotated 90° counter-clockwise: text x runs up the image, text y (down) runs right.
    cairo_translate(cr, std::round(x + across), y - along);
    cairo_rotate(cr, -0.5 * kPi);
    cairo_move_to(cr, 0, 0);
  }
  set_source(cr, c, alpha);
  cairo_show_text(cr, s.c_str());
  cairo_restore(cr);
}

void Canvas::save_png(const std::string& path) const { datasets::write_png(path, image()); }

}  // namespace adamant::plot
