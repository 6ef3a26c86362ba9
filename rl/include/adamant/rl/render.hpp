#pragma once
// Frames of the classic-control environments from their internal state (Env::state()), drawn
// like Gymnasium 1.x's render_mode="rgb_array" (same image sizes, geometry and colours; pixels
// are anti-aliased by adamant's Canvas, so they match Gymnasium's pygame frames closely but not
// bit for bit). Gymnasium draws in a y-up frame and flips it; here a y-up point (x, y) lands at
// image (x, H − y).
//
//   CartPole   600×400. scale = 600 / (2·2.4) = 125 px/m; cart 50×30 black, centred at
//              (300 + 125·x, 100) y-up; pole 10 wide, 125·(2·0.5) = 125 long from the axle
//              (7.5 px above the cart centre) minus 5, colour (202, 152, 101), tilted by θ
//              (θ > 0 leans right); axle disc r = 5, (129, 132, 203); track line at y = 100.
//   Acrobot    500×500. scale = 500 / (2·2.2); links 1 m long and 0.2 m wide, (0, 204, 204),
//              hanging down at θ1 = θ2 = 0; joints r = 0.1 m, (204, 204, 0); the goal line
//              at height +1 m above the pivot.
//   MountainCar 600×400. scale = 600 / 1.8; hill y = 0.45·sin(3x) + 0.55; car 40×20 black,
//              10 px clearance, tilted by cos(3x) rad; wheels r = 8, (128, 128, 128); flag
//              pole 50 px at the goal (0.5; 0.45 for the continuous version), pennant
//              (204, 204, 0).
//   Pendulum   500×500. scale = 500 / (2·2.2); rod 1 m × 0.2 m, (204, 77, 77), pointing up at
//              θ = 0 and turning counter-clockwise with θ; end discs r = 0.1 m; axle r = 0.05 m
//              black. With last_u, a grey arc arrow of radius ∝ |u| shows the torque (Gymnasium
//              blits a bitmap asset there).
//
// Source: gymnasium/envs/classic_control/{cartpole,acrobot,mountain_car,pendulum}.py, render().

#include <optional>
#include <string>
#include <vector>

#include "adamant/datasets/png.hpp"
#include "adamant/rl/env.hpp"

namespace adamant::rl {

using datasets::Image;

/// state = (x, ẋ, θ, θ̇). Throws std::invalid_argument for a wrong size or a non-finite value.
Image render_cartpole(const std::vector<double>& state);
/// state = (θ1, θ2, θ̇1, θ̇2).
Image render_acrobot(const std::vector<double>& state);
/// state = (position, velocity); goal 0.5 (MountainCar-v0) or 0.45 (MountainCarContinuous-v0).
Image render_mountain_car(const std::vector<double>& state, double goal_position = 0.5);
/// state = (θ, θ̇); last_u: the last torque, drawn as an arrow when given.
Image render_pendulum(const std::vector<double>& state,
                      std::optional<double> last_u = std::nullopt);

/// The renderer for a Gymnasium id ("CartPole-v1", "Acrobot-v1", "MountainCar-v0",
/// "MountainCarContinuous-v0", "Pendulum-v1"); std::invalid_argument for another id.
Image render(const std::string& env_id, const std::vector<double>& state);
/// render(env.id(), env.state()).
Image render(const Env& env);

}  // namespace adamant::rl
