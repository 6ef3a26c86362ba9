#pragma once
// adamant::dist: data-parallel training over MPI with results that are the same bits whatever
// the number of ranks.
//
// The gradient of a step is a sum over a fixed number B of blocks (minibatch parts: frames,
// environments, samples), B chosen by the program and independent of the number of ranks; rank r
// computes blocks [first, last) of blocks_of(B, r, np). Every collective here adds the B block
// vectors in block order, ((0 + g₀) + g₁) + ..., whichever rank computed which block: so a run
// on 1, 2 or 4 ranks computes the same bits (and the same bits as one process summing the blocks
// itself). What that costs against a plain MPI_Allreduce is measured in bench/README.md.
//
// ShardedOptimizer is ZeRO stage 1 (Rajbhandari et al. 2020): each rank keeps the optimizer
// state (every slot) only for its shard of the flat parameter buffer; a step is a deterministic
// reduce-scatter of the gradient blocks, the fused update of the shard (core::Optimizer with a
// StepReducer, so global-norm clipping, update-norm clipping, hypergradient descent and the
// non-finite policy see the whole buffer), and an all-gather of the parameters. Its parameters
// after every step are bit-identical to one core::Optimizer over the whole buffer stepped with
// the block sum. gather_state / scatter_state move the state between any numbers of ranks, so a
// checkpoint written at 4 ranks resumes at 1 or 2.
//
// Every MPI call returns errors (MPI_ERRORS_RETURN on the communicator) and a failed call throws
// dist::Error naming it. A rank that stops on an error ends the whole job (abort_job, or the
// Environment's destructor during the unwinding) instead of leaving the others waiting in a
// collective; a rank that dies makes mpirun end the others.

#include <mpi.h>

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "adamant/core/block_sum.hpp"
#include "adamant/core/optimizer.hpp"

namespace adamant::dist {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// MPI_Init_thread (MPI_THREAD_FUNNELED) on construction when MPI is not initialised yet, and
/// MPI_Finalize on destruction when it initialised it. One per program, in main.
class Environment {
 public:
  Environment(int* argc, char*** argv);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

 private:
  bool owner_ = false;
};

/// Prints "adamant: rank R: <what>" to stderr and ends every rank of the job (MPI_Abort): for
/// an error on one rank while the others may be waiting in a collective. (An Environment that
/// is destroyed by an exception does the same, without the message.)
[[noreturn]] void abort_job(const std::exception& e);

/// A communicator (not owned unless made by split): rank, size, and errors returned as Error.
class Comm {
 public:
  /// MPI_COMM_WORLD.
  Comm();
  explicit Comm(MPI_Comm c);
  MPI_Comm get() const { return comm_; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  /// MPI_Comm_split: the ranks with the same colour form a new communicator, ordered by key
  /// (the new one is freed with the last copy of the returned Comm).
  Comm split(int color, int key) const;
  void barrier() const;

 private:
  MPI_Comm comm_;
  int rank_ = 0, size_ = 1;
  std::shared_ptr<MPI_Comm> owned_;
};

/// Throws Error("MPI_<call> failed: <MPI's message>") when rc is not MPI_SUCCESS.
void check(int rc, const char* call);

/// The blocks [first, last) of `blocks` that rank `rank` of `size` holds: contiguous, in rank
/// order, first = rank·blocks/size.
struct BlockRange {
  std::size_t first = 0, last = 0;
  std::size_t count() const { return last - first; }
};
BlockRange blocks_of(std::size_t blocks, int rank, int size);

/// How the gradient blocks are summed.
enum class Reduction {
  kDeterministic,  ///< in block order, the same bits on any number of ranks
  kPlain,          ///< each rank's blocks, then MPI_Reduce_scatter / MPI_Allreduce (MPI's order)
};

/// The sum over all `blocks` of the block vectors (each n long), on every rank. `mine` holds this
/// rank's blocks_of(blocks, rank, size).count() vectors, one after the other.
template <typename T>
void allreduce_blocks(const T* mine, std::size_t blocks, std::size_t n, T* out, const Comm& comm,
                      Reduction how = Reduction::kDeterministic);

/// Only this rank's part [bounds[rank], bounds[rank + 1]) of that sum, into out; `bounds` has
/// size + 1 entries from 0 to n.
template <typename T>
void reduce_scatter_blocks(const T* mine, std::size_t blocks, std::size_t n,
                           const std::vector<std::size_t>& bounds, T* out, const Comm& comm,
                           Reduction how = Reduction::kDeterministic);

struct ShardOptions {
  /// The number of gradient blocks B of every step (>= 1); rank r passes blocks_of(B, r, np).
  std::size_t blocks = 1;
  Reduction reduction = Reduction::kDeterministic;
};

/// core::BlockSum over a communicator: blocks_of for the range, allreduce_blocks for the sum,
/// rank 0 the root. A training loop written against core::BlockSum (chem's TrainOptions) then
/// runs on any number of ranks with the same bits.
class MpiBlockSum : public core::BlockSum {
 public:
  explicit MpiBlockSum(Comm comm = {}) : comm_(std::move(comm)) {}
  std::pair<std::size_t, std::size_t> range(std::size_t blocks) const override;
  void sum(const double* mine, std::size_t blocks, std::size_t n, double* out) const override;
  bool root() const override { return comm_.rank() == 0; }
  int processes() const override { return comm_.size(); }

 private:
  Comm comm_;
};

template <typename T>
class ShardedOptimizer {
 public:
  /// Collective over comm. Throws std::invalid_argument for invalid rule or options (the same
  /// messages as core::Optimizer), and for groups with a rule of their own (not sharded yet).
  ShardedOptimizer(const core::UpdateRule<T>& rule, std::size_t n, core::OptimizerOptions options,
                   Comm comm, ShardOptions shard = {});
  template <typename Options, typename = decltype(core::make_rule<T>(std::declval<Options>()))>
  ShardedOptimizer(const Options& rule_options, std::size_t n, core::OptimizerOptions options,
                   Comm comm, ShardOptions shard = {})
      : ShardedOptimizer(*core::make_rule<T>(rule_options), n, std::move(options), comm, shard) {}

  ~ShardedOptimizer();
  ShardedOptimizer(ShardedOptimizer&&) noexcept;
  ShardedOptimizer& operator=(ShardedOptimizer&&) noexcept;

  /// One step, collective: `params` (n, the same on every rank before and after) is updated from
  /// the sum of the gradient blocks; `block_grads` holds this rank's blocks (blocks_here() × n).
  /// Returns the step's result, the same on every rank; a non-finite gradient raises
  /// core::NonFiniteGradientError with its index in the whole buffer on every rank.
  core::StepResult step(T* params, const T* block_grads);

  std::size_t size() const { return n_; }
  const Comm& comm() const { return comm_; }
  /// This rank's blocks.
  BlockRange blocks_here() const { return blocks_of(shard_.blocks, comm_.rank(), comm_.size()); }
  /// This rank's shard of the buffer, [begin, end) (empty on some ranks of a small buffer).
  std::size_t shard_begin() const { return bounds_[static_cast<std::size_t>(comm_.rank())]; }
  std::size_t shard_end() const { return bounds_[static_cast<std::size_t>(comm_.rank()) + 1]; }
  const std::vector<std::size_t>& bounds() const { return bounds_; }
  /// The optimizer over this rank's shard (its state is the shard's).
  const core::Optimizer<T>& local() const { return *local_; }
  /// Bytes of optimizer state (slots) this rank holds.
  std::size_t state_bytes() const;
  /// The whole buffer's state, on every rank (collective).
  core::State<T> gather_state() const;
  /// Takes this rank's shard of a whole-buffer state (every rank passes the same one), e.g. one
  /// gathered at another number of ranks or read from a checkpoint. Throws std::invalid_argument
  /// when its slots do not match the rule and size.
  void scatter_state(const core::State<T>& full);

 private:
  class Reducer;
  std::size_t n_;
  Comm comm_;
  ShardOptions shard_;
  std::vector<std::size_t> bounds_;
  std::unique_ptr<core::Optimizer<T>> local_;
  std::unique_ptr<Reducer> reducer_;
  std::vector<T> grad_;  // this rank's shard of the summed gradient
};

extern template class ShardedOptimizer<float>;
extern template class ShardedOptimizer<double>;

}  // namespace adamant::dist
