// Classic-control frames (render.hpp) drawn with adamant's Canvas. Every coordinate below is
// Gymnasium's y-up pygame coordinate; to_image() applies pygame's pixel-centre convention and
// the final vertical flip.

#include "adamant/rl/render.hpp"

#include <cmath>
#include <stdexcept>

#include "adamant/plot/plot.hpp"

namespace adamant::rl {

namespace {

using plot::Canvas;
using plot::CapStyle;
using plot::Color;
using plot::Point;

constexpr double kPi = 3.14159265358979323846;
const Color kBlack{0, 0, 0};

void check_state(const char* env, const std::vector<double>& s, std::size_t n, const char* layout) {
  if (s.size() != n) {
    throw std::invalid_argument(std::string(env) + " render: state must have " + std::to_string(n) +
                                " values " + layout + ", got " + std::to_string(s.size()));
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(s[i])) {
      throw std::invalid_argument(std::string(env) + " render: state[" + std::to_string(i) +
                                  "] is not finite");
    }
  }
}

/// pygame pixel (x, y) of a y-up surface → continuous image coordinates after the flip.
struct Frame {
  int height;
  Point operator()(double x, double y) const { return {x + 0.5, height - 0.5 - y}; }
};

/// pygame.math.Vector2(x, y).rotate_rad(a): counter-clockwise in the y-up frame.
Point rotate(double x, double y, double a) {
  const double c = std::cos(a), s = std::sin(a);
  return {x * c - y * s, x * s + y * c};
}

/// A (l, b), (l, t), (r, t), (r, b) box rotated by a and moved to (ox, oy), y-up.
std::vector<Point> box(const Frame& f, double l, double r, double t, double b, double a, double ox,
                       double oy) {
  std::vector<Point> out;
  for (const Point& c : {Point{l, b}, Point{l, t}, Point{r, t}, Point{r, b}}) {
    const Point p = rotate(c.x, c.y, a);
    out.push_back(f(p.x + ox, p.y + oy));
  }
  return out;
}

/// gfxdraw.filled_circle(x, y, r) covers the pixels within r of pixel (x, y).
void disc(Canvas& cv, const Frame& f, int x, int y, int r, Color c) {
  cv.fill_circle(f(x, y), r + 0.5, c);
}

}  // namespace

Image render_cartpole(const std::vector<double>& state) {
  check_state("CartPole", state, 4, "(x, x_dot, theta, theta_dot)");
  const int width = 600, height = 400;
  const double x_threshold = 2.4, length = 0.5;
  const double scale = width / (2 * x_threshold);
  const double polewidth = 10.0, polelen = scale * (2 * length);
  const double cartwidth = 50.0, cartheight = 30.0;
  const Frame f{height};
  Canvas cv(width, height);

  const double cartx = state[0] * scale + width / 2.0;  // middle of the cart
  const double carty = 100;                             // middle of the cart (y-up)
  const double axleoffset = cartheight / 4.0;
  cv.fill_polygon(
      box(f, -cartwidth / 2, cartwidth / 2, cartheight / 2, -cartheight / 2, 0, cartx, carty),
      kBlack);
  cv.fill_polygon(box(f, -polewidth / 2, polewidth / 2, polelen - polewidth / 2, -polewidth / 2,
                      -state[2], cartx, carty + axleoffset),
                  Color{202, 152, 101});
  disc(cv, f, static_cast<int>(cartx), static_cast<int>(carty + axleoffset),
       static_cast<int>(polewidth / 2), Color{129, 132, 203});
  cv.line(f(0, carty), f(width, carty), kBlack, 1.0, 1.0, CapStyle::kButt);
  return cv.image();
}

Image render_acrobot(const std::vector<double>& s) {
  check_state("Acrobot", s, 4, "(theta1, theta2, theta1_dot, theta2_dot)");
  const int dim = 500;
  const double l1 = 1.0, l2 = 1.0;
  const double bound = l1 + l2 + 0.2;
  const double scale = dim / (bound * 2);
  const double offset = dim / 2.0;
  const Frame f{dim};
  Canvas cv(dim, dim);

  // Joint positions (y-up, relative to the pivot): Gymnasium builds (−l cos θ, l sin θ) and
  // swaps the columns. Each link starts at a joint and points along θ − π/2.
  const double p1x = l1 * std::sin(s[0]) * scale, p1y = -l1 * std::cos(s[0]) * scale;
  const Point joints[2] = {{0, 0}, {p1x, p1y}};
  const double thetas[2] = {s[0] - kPi / 2, s[0] + s[1] - kPi / 2};
  const double lengths[2] = {l1 * scale, l2 * scale};

  cv.line(f(-2.2 * scale + offset, 1 * scale + offset), f(2.2 * scale + offset, 1 * scale + offset),
          kBlack, 1.0, 1.0, CapStyle::kButt);
  for (int k = 0; k < 2; ++k) {
    const double x = joints[k].x + offset, y = joints[k].y + offset;
    cv.fill_polygon(box(f, 0, lengths[k], 0.1 * scale, -0.1 * scale, thetas[k], x, y),
                    Color{0, 204, 204});
    disc(cv, f, static_cast<int>(x), static_cast<int>(y), static_cast<int>(0.1 * scale),
         Color{204, 204, 0});
  }
  return cv.image();
}

Image render_mountain_car(const std::vector<double>& state, double goal_position) {
  check_state("MountainCar", state, 2, "(position, velocity)");
  if (!std::isfinite(goal_position)) {
    throw std::invalid_argument("MountainCar render: goal_position is not finite");
  }
  const int width = 600, height = 400;
  const double min_position = -1.2, max_position = 0.6;
  const double scale = width / (max_position - min_position);
  const double carwidth = 40, carheight = 20, clearance = 10;
  auto hill = [](double x) { return std::sin(3 * x) * 0.45 + 0.55; };
  const Frame f{height};
  Canvas cv(width, height);

  std::vector<Point> track;
  for (int i = 0; i < 100; ++i) {
    const double x = min_position + (max_position - min_position) * i / 99.0;
    track.push_back(f((x - min_position) * scale, hill(x) * scale));
  }
  cv.polyline(track, kBlack, 1.0);

  const double pos = state[0];
  const double angle = std::cos(3 * pos);
  const double ox = (pos - min_position) * scale, oy = clearance + hill(pos) * scale;
  cv.fill_polygon(box(f, -carwidth / 2, carwidth / 2, carheight, 0, angle, ox, oy), kBlack);
  for (double wx : {carwidth / 4, -carwidth / 4}) {
    const Point c = rotate(wx, 0, angle);
    disc(cv, f, static_cast<int>(c.x + ox), static_cast<int>(c.y + oy),
         static_cast<int>(carheight / 2.5), Color{128, 128, 128});
  }

  const int flagx = static_cast<int>((goal_position - min_position) * scale);
  const int flagy1 = static_cast<int>(hill(goal_position) * scale);
  const int flagy2 = flagy1 + 50;
  cv.line(f(flagx, flagy1), f(flagx, flagy2), kBlack, 1.0, 1.0, CapStyle::kButt);
  cv.fill_polygon({f(flagx, flagy2), f(flagx, flagy2 - 10), f(flagx + 25, flagy2 - 5)},
                  Color{204, 204, 0});
  return cv.image();
}

Image render_pendulum(const std::vector<double>& state, std::optional<double> last_u) {
  check_state("Pendulum", state, 2, "(theta, theta_dot)");
  if (last_u && !std::isfinite(*last_u)) {
    throw std::invalid_argument("Pendulum render: last_u is not finite");
  }
  const int dim = 500;
  const double bound = 2.2;
  const double scale = dim / (bound * 2);
  const int offset = dim / 2;
  const double rod_length = 1 * scale, rod_width = 0.2 * scale;
  const Color rod{204, 77, 77};
  const Frame f{dim};
  Canvas cv(dim, dim);

  const double a = state[0] + kPi / 2;
  cv.fill_polygon(box(f, 0, rod_length, rod_width / 2, -rod_width / 2, a, offset, offset), rod);
  disc(cv, f, offset, offset, static_cast<int>(rod_width / 2), rod);
  const Point end = rotate(rod_length, 0, a);
  disc(cv, f, static_cast<int>(end.x + offset), static_cast<int>(end.y + offset),
       static_cast<int>(rod_width / 2), rod);

  if (last_u && *last_u != 0.0) {
    // A three-quarter arc around the axle, counter-clockwise for a positive torque.
    const double radius = 0.4 * scale * std::abs(*last_u) / 2;
    if (radius >= 3) {
      const double dir = *last_u > 0 ? 1.0 : -1.0;
      const double start = -kPi / 4, sweep = 1.5 * kPi * dir;
      std::vector<Point> arc;
      const int n = 48;
      for (int i = 0; i <= n; ++i) {
        const double t = start + sweep * i / n;
        arc.push_back(f(offset + radius * std::cos(t), offset + radius * std::sin(t)));
      }
      const Color grey{70, 70, 70};
      const double w = std::max(2.0, radius / 10);
      // The last stretch of the arc carries the head.
      const Point tip = arc.back();
      const Point before = arc[arc.size() - 4];
      arc.resize(arc.size() - 3);
      cv.polyline(arc, grey, w);
      cv.arrow(before, tip, grey, w, std::max(6.0, 3.5 * w), std::max(5.0, 3.0 * w));
    }
  }
  disc(cv, f, offset, offset, static_cast<int>(0.05 * scale), kBlack);
  return cv.image();
}

Image render(const std::string& env_id, const std::vector<double>& state) {
  if (env_id == "CartPole-v1" || env_id == "CartPole-v0") return render_cartpole(state);
  if (env_id == "Acrobot-v1") return render_acrobot(state);
  if (env_id == "MountainCar-v0") return render_mountain_car(state, 0.5);
  if (env_id == "MountainCarContinuous-v0") return render_mountain_car(state, 0.45);
  if (env_id == "Pendulum-v1") return render_pendulum(state);
  throw std::invalid_argument("render: no renderer for '" + env_id +
                              "' (known: CartPole-v1, Acrobot-v1, MountainCar-v0, "
                              "MountainCarContinuous-v0, Pendulum-v1)");
}

Image render(const Env& env) { return render(env.id(), env.state()); }

}  // namespace adamant::rl
