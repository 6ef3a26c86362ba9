// adamant::dist under mpirun -np 1, 2 and 4: the block collectives give the bits of one process
// adding the blocks in order, and the sharded optimizer's parameters, results and state are, at
// every step, those of one core::Optimizer over the whole buffer — with clipping, groups,
// schedules, hypergradient descent and the non-finite policy — and a state gathered at one
// number of ranks resumes at another.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>
#include <vector>

#include "adamant/datasets/schema.hpp"
#include "adamant/dist/dist.hpp"

namespace {

using namespace adamant;
using dist::Comm;

// Block b of step t: a deterministic function of (b, t, the parameters), so every rank computes
// any block the same way.
template <typename T>
void gradient_block(std::size_t b, int t, const std::vector<T>& params, T* out) {
  std::mt19937_64 rng(1000 * static_cast<std::uint64_t>(t) + b);
  std::normal_distribution<double> nd(0, 1);
  for (std::size_t i = 0; i < params.size(); ++i)
    out[i] = static_cast<T>(0.3 * static_cast<double>(params[i]) * (1 + 0.1 * b) + nd(rng));
}

template <typename T>
std::vector<T> blocks_for(const dist::BlockRange& r, int t, const std::vector<T>& params) {
  std::vector<T> g(r.count() * params.size());
  for (std::size_t k = 0; k < r.count(); ++k)
    gradient_block(r.first + k, t, params, g.data() + k * params.size());
  return g;
}

template <typename T>
std::vector<T> block_sum(std::size_t blocks, int t, const std::vector<T>& params) {
  std::vector<T> sum(params.size()), g(params.size());
  for (std::size_t b = 0; b < blocks; ++b) {
    gradient_block(b, t, params, g.data());
    for (std::size_t i = 0; i < params.size(); ++i) sum[i] += g[i];
  }
  return sum;
}

template <typename T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

TEST(Dist, BlockSumIsTheSameBitsOnAnyNumberOfRanks) {
  const Comm world;
  for (std::size_t n : {1u, 7u, 1000u, 70001u})
    for (std::size_t blocks : {1u, 3u, 4u, 8u}) {
      std::vector<double> params(n, 0.5);
      const std::vector<double> want = block_sum(blocks, 1, params);
      // the world, and sub-communicators of 1 and 2 ranks
      for (int sub : {0, 1, 2}) {
        const Comm c = sub == 0 ? world : world.split(world.rank() / sub, world.rank());
        const dist::BlockRange r = dist::blocks_of(blocks, c.rank(), c.size());
        const std::vector<double> mine = blocks_for(r, 1, params);
        std::vector<double> out(n, -1);
        dist::allreduce_blocks(mine.data(), blocks, n, out.data(), c);
        EXPECT_TRUE(same_bits(out, want))
            << "n " << n << ", blocks " << blocks << ", ranks " << c.size();
        std::vector<double> plain(n);
        dist::allreduce_blocks(mine.data(), blocks, n, plain.data(), c, dist::Reduction::kPlain);
        for (std::size_t i = 0; i < n; ++i) ASSERT_NEAR(plain[i], want[i], 1e-12 * blocks);
      }
    }
}

struct Case {
  const char* name;
  core::RuleOptions rule;
  core::OptimizerOptions options;
  std::size_t n;
};

std::vector<Case> cases() {
  core::AdamOptions adam;
  adam.lr = 1e-2;
  core::AdamOptions adamw = adam;
  adamw.decoupled_weight_decay = true;
  adamw.weight_decay = 0.05;
  core::AdamOptions ams = adam;
  ams.amsgrad = true;
  core::NadamOptions nadam;
  core::LionOptions lion;
  lion.lr = 1e-3;
  std::vector<Case> v;
  core::OptimizerOptions clip;
  clip.clip_grad_norm = 50;
  v.push_back({"adam, global-norm clipping, several chunks", adam, clip, 100003});
  v.push_back({"adam, fewer elements than ranks", adam, clip, 3});
  core::OptimizerOptions groups;
  groups.groups = {core::ParamGroup(0, 40000, 1.0, 0.0, "no decay"),
                   core::ParamGroup(40000, 90001, 0.5, -1, "half lr")};
  groups.schedule = core::Schedule::cosine(1e-2, 5, 1e-4);
  v.push_back({"adamw, two groups, cosine schedule", adamw, groups, 90001});
  core::OptimizerOptions hd;
  hd.hypergradient_lr = 1e-6;
  v.push_back({"adam, hypergradient descent on the lr", adam, hd, 50000});
  core::OptimizerOptions upd;
  upd.clip_update_norm = 0.5;
  upd.clip_grad_value = 2.0;
  v.push_back({"amsgrad, update-norm and value clipping", ams, upd, 70000});
  v.push_back({"nadam", nadam, {}, 33000});
  v.push_back({"lion", lion, {}, 33000});
  return v;
}

TEST(Dist, ShardedOptimizerIsOneOptimizerOverTheWholeBuffer) {
  const Comm world;
  const std::size_t blocks = 4;
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    dist::ShardedOptimizer<double> sharded(*core::make_rule<double>(c.rule), c.n, c.options, world,
                                           {blocks});
    core::Optimizer<double> whole(*core::make_rule<double>(c.rule), c.n, c.options);
    std::vector<double> p(c.n), q(c.n);
    for (std::size_t i = 0; i < c.n; ++i) p[i] = q[i] = std::sin(static_cast<double>(i));
    for (int t = 1; t <= 5; ++t) {
      const std::vector<double> mine = blocks_for(sharded.blocks_here(), t, p);
      const core::StepResult a = sharded.step(p.data(), mine.data());
      const std::vector<double> g = block_sum(blocks, t, q);
      const core::StepResult b = whole.step(q.data(), g.data(), c.n);
      ASSERT_TRUE(same_bits(p, q)) << "step " << t << " at " << world.size() << " ranks";
      EXPECT_EQ(a.applied, b.applied);
      EXPECT_EQ(a.lr, b.lr);
      EXPECT_EQ(a.grad_norm, b.grad_norm);
      EXPECT_EQ(a.update_norm, b.update_norm);
    }
    const core::State<double> full = sharded.gather_state();
    ASSERT_EQ(full.slots.size(), whole.state().slots.size());
    for (std::size_t k = 0; k < full.slots.size(); ++k)
      EXPECT_TRUE(full.slots[k] == whole.state().slots[k]) << full.slot_names[k];
    EXPECT_EQ(full.scalars, whole.state().scalars);
    // state memory: this rank's shard only
    std::size_t slots = whole.state().slots.size();
    EXPECT_EQ(sharded.state_bytes(),
              slots * (sharded.shard_end() - sharded.shard_begin()) * sizeof(double));
  }
}

TEST(Dist, FloatTooAndTheStateIsAboutOneOverNp) {
  const Comm world;
  const std::size_t n = 1u << 20;
  core::AdamOptions adam;
  dist::ShardedOptimizer<float> sharded(adam, n, {}, world, {2});
  core::Optimizer<float> whole(adam, n);
  std::vector<float> p(n, 1.0f), q(n, 1.0f);
  for (int t = 1; t <= 2; ++t) {
    const std::vector<float> mine = blocks_for(sharded.blocks_here(), t, p);
    sharded.step(p.data(), mine.data());
    const std::vector<float> g = block_sum(2, t, q);
    whole.step(q.data(), g.data(), n);
    ASSERT_TRUE(same_bits(p, q));
  }
  const double share = static_cast<double>(sharded.state_bytes()) / (2.0 * n * sizeof(float));
  EXPECT_LE(share, 1.0 / world.size() + 1.0 / 32);  // shards are cut at chunks of 32768
}

TEST(Dist, NonFiniteGradientIsSeenByEveryRank) {
  const Comm world;
  const std::size_t n = 100000, blocks = 4;
  core::AdamOptions adam;
  std::vector<double> p(n, 1.0);
  for (core::NonFinitePolicy policy :
       {core::NonFinitePolicy::kRaise, core::NonFinitePolicy::kSkip}) {
    core::OptimizerOptions o;
    o.non_finite = policy;
    o.clip_grad_norm = 1.0;
    dist::ShardedOptimizer<double> sharded(adam, n, o, world, {blocks});
    const dist::BlockRange r = sharded.blocks_here();
    std::vector<double> mine = blocks_for(r, 1, p);
    // block 3 (the last rank's at 2 and 4 ranks) has a NaN near the end: in the last shard
    if (r.first <= 3 && 3 < r.last) mine[(3 - r.first) * n + 99000] = std::nan("");
    if (policy == core::NonFinitePolicy::kRaise) {
      try {
        sharded.step(p.data(), mine.data());
        ADD_FAILURE() << "no error on rank " << world.rank();
      } catch (const core::NonFiniteGradientError& e) {
        EXPECT_EQ(e.index(), 99000u) << "rank " << world.rank();
        EXPECT_TRUE(std::isnan(e.value()));
      }
    } else {
      const core::StepResult res = sharded.step(p.data(), mine.data());
      EXPECT_FALSE(res.applied);
      EXPECT_EQ(res.nonfinite_index, 99000u);
      EXPECT_EQ(sharded.local().state().skipped_steps, 1);
      EXPECT_EQ(p[0], 1.0);
    }
  }
}

TEST(Dist, StateGatheredAtOneRankCountResumesAtAnother) {
  const Comm world;
  const std::size_t n = 80000, blocks = 4;
  core::AdamOptions adamw;
  adamw.decoupled_weight_decay = true;
  adamw.weight_decay = 0.01;
  core::OptimizerOptions o;
  o.clip_grad_norm = 100;
  // reference: one optimizer, 6 steps
  core::Optimizer<double> whole(adamw, n, o);
  std::vector<double> q(n, 0.25);
  for (int t = 1; t <= 6; ++t) {
    const std::vector<double> g = block_sum(blocks, t, q);
    whole.step(q.data(), g.data(), n);
  }
  // 3 steps on every rank, the state through a checkpoint file, 3 more on 1 and on 2 ranks
  std::vector<double> p(n, 0.25);
  dist::ShardedOptimizer<double> first(adamw, n, o, world, {blocks});
  for (int t = 1; t <= 3; ++t) first.step(p.data(), blocks_for(first.blocks_here(), t, p).data());
  const core::State<double> state = first.gather_state();
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("adamant_dist_" + std::to_string(::getpid()) + ".h5"))
                               .string();
  // every rank of this job writes and reads its own copy (ranks may not share a file system)
  datasets::Checkpoint<double> ck;
  ck.model.kind = "flat";
  ck.model.params = Eigen::Map<const Eigen::VectorXd>(p.data(), static_cast<Eigen::Index>(n));
  ck.rule = "adamw";
  ck.optimizer = state;
  ck.step = 3;
  datasets::write_checkpoint(path, ck);
  const datasets::Checkpoint<double> back = datasets::read_checkpoint<double>(path);
  std::filesystem::remove(path);
  for (int ranks : {1, 2}) {
    if (world.size() < ranks) continue;
    const Comm c = world.split(world.rank() / ranks, world.rank());
    dist::ShardedOptimizer<double> resumed(adamw, n, o, c, {blocks});
    resumed.scatter_state(back.optimizer);
    std::vector<double> r(back.model.params.data(), back.model.params.data() + n);
    for (int t = 4; t <= 6; ++t)
      resumed.step(r.data(), blocks_for(resumed.blocks_here(), t, r).data());
    EXPECT_TRUE(same_bits(r, q)) << "resumed at " << ranks << " from " << world.size();
  }
}

TEST(Dist, BadInputIsRefused) {
  const Comm world;
  core::AdamOptions adam;
  core::OptimizerOptions own;
  own.groups = {core::ParamGroup(0, 5, 1.0, -1, "emb", core::RuleOptions(core::LionOptions{})),
                core::ParamGroup(5, 10)};
  EXPECT_THROW(dist::ShardedOptimizer<double>(adam, 10, own, world), std::invalid_argument);
  adam.beta2 = 1;
  EXPECT_THROW(dist::ShardedOptimizer<double>(adam, 10, {}, world), std::invalid_argument);
  dist::ShardedOptimizer<double> ok(core::AdamOptions{}, 10, {}, world);
  core::State<double> wrong = ok.gather_state();
  wrong.slots[0].resize(9);
  EXPECT_THROW(ok.scatter_state(wrong), std::invalid_argument);
}

}  // namespace

int main(int argc, char** argv) {
  adamant::dist::Environment env(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  // only rank 0 prints gtest's output; every rank's failures still fail its exit status
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int rc = RUN_ALL_TESTS();
  int worst = 0;
  MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return worst;
}
