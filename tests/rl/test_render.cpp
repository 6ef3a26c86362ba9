// Classic-control frames (render.hpp): image sizes, and pixels that move with the state where
// Gymnasium's geometry puts them.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "adamant/rl/render.hpp"

namespace adamant::rl {
namespace {

using datasets::Rgb;

const Rgb kWhite{255, 255, 255};
const Rgb kBlack{0, 0, 0};
const Rgb kPole{202, 152, 101};
const Rgb kAxle{129, 132, 203};

// CartPole geometry in image pixels (y down): 125 px per metre, cart centre row 400 − 100, axle
// 7.5 px higher.
constexpr double kScale = 125.0;
double cart_x(double x) { return 300.0 + kScale * x + 0.5; }
constexpr double kAxleY = 400.0 - 0.5 - 107.5;

Rgb pixel(const Image& img, double x, double y) {
  return img.at(static_cast<int>(std::floor(x)), static_cast<int>(std::floor(y)));
}

TEST(Render, ImageSizesMatchGymnasium) {
  const Image cart = render_cartpole({0, 0, 0, 0});
  EXPECT_EQ(cart.width, 600);
  EXPECT_EQ(cart.height, 400);
  EXPECT_EQ(cart.pixels.size(), 600u * 400u * 3u);
  const Image acro = render_acrobot({0, 0, 0, 0});
  EXPECT_EQ(acro.width, 500);
  EXPECT_EQ(acro.height, 500);
  const Image car = render_mountain_car({-0.5, 0});
  EXPECT_EQ(car.width, 600);
  EXPECT_EQ(car.height, 400);
  const Image pend = render_pendulum({0, 0});
  EXPECT_EQ(pend.width, 500);
  EXPECT_EQ(pend.height, 500);
  EXPECT_EQ(render("MountainCarContinuous-v0", {-0.5, 0}).width, 600);
  EXPECT_EQ(render("CartPole-v1", {0, 0, 0, 0}).pixels, cart.pixels);
}

TEST(Render, CartPositionMovesTheCart) {
  for (double x : {-1.5, 0.0, 1.0, 2.0}) {
    SCOPED_TRACE(x);
    const Image img = render_cartpole({x, 0, 0, 0});
    const double cx = cart_x(x);
    // Cart body (50 × 30 around row 300) below the axle, left and right of the pole.
    EXPECT_EQ(pixel(img, cx - 20, 310), kBlack);
    EXPECT_EQ(pixel(img, cx + 20, 290), kBlack);
    // Just outside the cart: background, or the one-pixel track at row 299.
    EXPECT_EQ(pixel(img, cx - 30, 310), kWhite);
    EXPECT_EQ(pixel(img, cx + 30, 310), kWhite);
    EXPECT_EQ(pixel(img, cx, 320), kWhite);
    EXPECT_EQ(pixel(img, cx - 60, 299.5), kBlack);  // track
    EXPECT_EQ(pixel(img, cx - 60, 297.5), kWhite);
    // Axle at the pole's foot.
    EXPECT_EQ(pixel(img, std::floor(cx), kAxleY), kAxle);
  }
  // Far from the cart there is only background and track.
  const Image left = render_cartpole({-1.5, 0, 0, 0});
  EXPECT_EQ(pixel(left, cart_x(1.0), 310), kWhite);
}

TEST(Render, PoleAngleTiltsThePole) {
  for (double theta : {0.0, 0.2, -0.35, 0.5}) {
    SCOPED_TRACE(theta);
    const Image img = render_cartpole({0.3, 0, theta, 0});
    const double cx = cart_x(0.3);
    // Along the pole's axis (θ > 0 leans right): pole colour up to its 120 px end.
    for (double d : {30.0, 60.0, 100.0, 115.0}) {
      const double px = cx + d * std::sin(theta), py = kAxleY - d * std::cos(theta);
      EXPECT_EQ(pixel(img, px, py), kPole) << "at distance " << d;
    }
    // Beyond the end, and 12 px to the side of the axis: background.
    EXPECT_EQ(pixel(img, cx + 130 * std::sin(theta), kAxleY - 130 * std::cos(theta)), kWhite);
    const double sx = cx + 80 * std::sin(theta) + 12 * std::cos(theta);
    const double sy = kAxleY - 80 * std::cos(theta) + 12 * std::sin(theta);
    EXPECT_EQ(pixel(img, sx, sy), kWhite);
  }
  // Upright pole: the column above the axle is pole-coloured, a tilted one is not.
  const Image up = render_cartpole({0, 0, 0, 0});
  const Image tilted = render_cartpole({0, 0, 0.4, 0});
  EXPECT_EQ(pixel(up, cart_x(0), kAxleY - 100), kPole);
  EXPECT_EQ(pixel(tilted, cart_x(0), kAxleY - 100), kWhite);
}

TEST(Render, OtherEnvironmentsFollowTheirState) {
  // Acrobot: hanging straight down, the first link is below the pivot; swung up, above it.
  const double s = 500 / 4.4;
  const Rgb link{0, 204, 204};
  const Image down = render_acrobot({0, 0, 0, 0});
  EXPECT_EQ(pixel(down, 250.5, 250 + 0.5 * s), link);
  EXPECT_EQ(pixel(down, 250.5, 250 - 0.5 * s), kWhite);
  const Image up = render_acrobot({M_PI, 0, 0, 0});
  EXPECT_EQ(pixel(up, 250.5, 250 - 0.5 * s), link);
  // Pendulum: θ = 0 points up, θ = π/2 points left (counter-clockwise).
  const Rgb rod{204, 77, 77};
  const Image p0 = render_pendulum({0, 0});
  EXPECT_EQ(pixel(p0, 250.5, 250 - 0.6 * s), rod);
  const Image p1 = render_pendulum({M_PI / 2, 0});
  EXPECT_EQ(pixel(p1, 250.5 - 0.6 * s, 250), rod);
  EXPECT_EQ(pixel(p1, 250.5, 250 - 0.6 * s), kWhite);
  EXPECT_NE(render_pendulum({0, 0}, 1.5).pixels, p0.pixels);  // the torque arrow
  // MountainCar: the car sits on the hill at its position, tilted by cos(3x) rad. A point 15 px
  // up the car's own axis is inside the body (and away from the wheels); 45 px up is sky.
  const double mscale = 600 / 1.8;
  for (double pos : {-0.9, -0.5, 0.2}) {
    const Image img = render_mountain_car({pos, 0});
    const double h = std::sin(3 * pos) * 0.45 + 0.55, a = std::cos(3 * pos);
    const double ox = (pos + 1.2) * mscale, oy = 10 + h * mscale;  // y-up
    auto at = [&](double along) {
      return pixel(img, ox - along * std::sin(a) + 0.5, 400 - 0.5 - (oy + along * std::cos(a)));
    };
    EXPECT_EQ(at(15), kBlack) << pos;
    EXPECT_EQ(at(45), kWhite) << pos;
  }
}

TEST(Render, BadStatesAreRejected) {
  EXPECT_THROW(render_cartpole({0, 0, 0}), std::invalid_argument);
  EXPECT_THROW(render_cartpole({0, 0, NAN, 0}), std::invalid_argument);
  EXPECT_THROW(render_acrobot({0, 0}), std::invalid_argument);
  EXPECT_THROW(render_mountain_car({0, 0, 0}), std::invalid_argument);
  EXPECT_THROW(render_pendulum({0}), std::invalid_argument);
  try {
    render("LunarLander-v3", {0});
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("LunarLander-v3"), std::string::npos);
  }
}

}  // namespace
}  // namespace adamant::rl
