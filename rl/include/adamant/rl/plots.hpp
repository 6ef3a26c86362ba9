#pragma once
// PNG figures of rl results, drawn with adamant::plot (no Python needed): the learning
// curve of a training run, the Adam / SGD variance study, and the frames of one episode of a
// policy so a person can watch it.

#include <cstdint>
#include <string>
#include <vector>

#include "adamant/rl/agents.hpp"
#include "adamant/rl/study.hpp"

namespace adamant::rl {

/// The return at which Gymnasium registers an environment as solved (its reward_threshold):
/// CartPole-v1 475, Acrobot-v1 −100, MountainCar-v0 −110, MountainCarContinuous-v0 90; NaN for
/// Pendulum-v1, which has none. std::invalid_argument for an unknown id.
double reward_threshold(const std::string& env_id);

/// Two panels: episode returns against environment steps (each episode a dot, the mean of the
/// last 20 as a line, the solved threshold dashed) and, per update, the policy's entropy and the
/// critic's explained variance. Written atomically.
void plot_training(const TrainResult& run, const std::string& png_path);

/// Population training (train_population): the learning curves of every run (mean of the last
/// 20 episodes against environment steps) and a bar per run of its greedy evaluation mean
/// (eval_means[i], NaN: not evaluated), with the solved threshold. Written atomically.
void plot_population(const std::vector<TrainResult>& runs, const std::vector<double>& eval_means,
                     const std::string& png_path);

/// Two panels: return against environment steps (mean ± std over seeds) for the four
/// configurations, and bars of the noise-to-signal ratios of the gradient estimate and of the
/// optimizer's step. Written atomically.
void plot_study(const StudyResult& result, const std::string& png_path);

/// Runs one episode of `policy` on env_id (reset seed `seed`, greedy unless `stochastic`, then
/// sampled from Generator(seed)) and writes every `every`-th frame, the first and the last as
/// DIR/frame_00000.png, ... (DIR is created). Returns the number of frames written.
int write_episode_frames(const Policy& policy, const std::string& env_id, std::uint64_t seed,
                         const std::string& dir, int every = 1, bool stochastic = false);

}  // namespace adamant::rl
