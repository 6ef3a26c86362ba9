// adamant::dist (dist.hpp): deterministic block collectives and the sharded optimizer.

#include "adamant/dist/dist.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <utility>

namespace adamant::dist {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

template <typename T>
MPI_Datatype mpi_type();
template <>
MPI_Datatype mpi_type<float>() {
  return MPI_FLOAT;
}
template <>
MPI_Datatype mpi_type<double>() {
  return MPI_DOUBLE;
}

int to_int(std::size_t v, const char* what) {
  if (v > static_cast<std::size_t>(INT_MAX))
    throw Error(std::string(what) + ": " + std::to_string(v) +
                " elements is more than one MPI message can carry (INT_MAX)");
  return static_cast<int>(v);
}

/// Counts and displacements of parts [bounds[r], bounds[r + 1]) times `times[r]`.
void counts_of(const std::vector<std::size_t>& bounds, const std::vector<std::size_t>& times,
               std::vector<int>& counts, std::vector<int>& displs, const char* what) {
  const std::size_t size = bounds.size() - 1;
  counts.assign(size, 0);
  displs.assign(size, 0);
  std::size_t at = 0;
  for (std::size_t r = 0; r < size; ++r) {
    const std::size_t c = (bounds[r + 1] - bounds[r]) * times[r];
    counts[r] = to_int(c, what);
    displs[r] = to_int(at, what);
    at += c;
  }
}

/// Every rank's part [bounds[r], bounds[r + 1]) of buf, from its owner to every rank (in place).
template <typename T>
void allgather_parts(T* buf, const std::vector<std::size_t>& bounds, const Comm& comm) {
  std::vector<int> counts, displs;
  counts_of(bounds, std::vector<std::size_t>(bounds.size() - 1, 1), counts, displs,
            "MPI_Allgatherv");
  check(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buf, counts.data(), displs.data(),
                       mpi_type<T>(), comm.get()),
        "MPI_Allgatherv");
}

/// A state's names, scalars and step counters, with no slot buffers (the whole buffer's and a
/// shard's state share them).
template <typename T>
core::State<T> without_slots(const core::State<T>& s) {
  core::State<T> out;
  out.step = s.step;
  out.skipped_steps = s.skipped_steps;
  out.slot_names = s.slot_names;
  out.scalar_names = s.scalar_names;
  out.scalars = s.scalars;
  return out;
}

std::vector<std::size_t> even_bounds(std::size_t n, int size) {
  std::vector<std::size_t> b(static_cast<std::size_t>(size) + 1);
  for (int r = 0; r <= size; ++r)
    b[static_cast<std::size_t>(r)] =
        n * static_cast<std::size_t>(r) / static_cast<std::size_t>(size);
  return b;
}

// 0 + the `count` vectors of length len (rows of x with stride n, starting at column c0), added
// in row order, into out (core::add_blocks' order).
template <typename T>
void fold(const T* x, std::size_t count, std::size_t stride, std::size_t c0, std::size_t len,
          T* out) {
  std::fill(out, out + len, T(0));
  for (std::size_t k = 0; k < count; ++k) {
    const T* row = x + k * stride + c0;
#pragma omp simd
    for (std::size_t i = 0; i < len; ++i) out[i] += row[i];
  }
}

}  // namespace

void check(int rc, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char msg[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, msg, &len);
  throw Error(std::string(call) + " failed: " + std::string(msg, static_cast<std::size_t>(len)));
}

Environment::Environment(int* argc, char*** argv) {
  int done = 0;
  check(MPI_Initialized(&done), "MPI_Initialized");
  if (!done) {
    int provided = 0;
    check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    owner_ = true;
  }
}

Environment::~Environment() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!owner_ || finalized) return;
  if (std::uncaught_exceptions() > 0) {
    // This rank is leaving on an exception while the others may wait in a collective:
    // MPI_Finalize would wait for them for ever, MPI_Abort ends the whole job now.
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    std::fprintf(stderr, "adamant: rank %d is ending the MPI job: it stopped on an error\n", rank);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Finalize();
}

void abort_job(const std::exception& e) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  std::fprintf(stderr, "adamant: rank %d: %s\nadamant: ending the MPI job\n", rank, e.what());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::abort();  // MPI_Abort does not return
}

Comm::Comm() : Comm(MPI_COMM_WORLD) {}

Comm::Comm(MPI_Comm c) : comm_(c) {
  check(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

Comm Comm::split(int color, int key) const {
  MPI_Comm c;
  check(MPI_Comm_split(comm_, color, key, &c), "MPI_Comm_split");
  Comm out(c);
  out.owned_ = std::shared_ptr<MPI_Comm>(new MPI_Comm(c), [](MPI_Comm* p) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Comm_free(p);
    delete p;
  });
  return out;
}

void Comm::barrier() const { check(MPI_Barrier(comm_), "MPI_Barrier"); }

BlockRange blocks_of(std::size_t blocks, int rank, int size) {
  const auto r = static_cast<std::size_t>(rank), s = static_cast<std::size_t>(size);
  return {r * blocks / s, (r + 1) * blocks / s};
}

template <typename T>
void reduce_scatter_blocks(const T* mine, std::size_t blocks, std::size_t n,
                           const std::vector<std::size_t>& bounds, T* out, const Comm& comm,
                           Reduction how) {
  const auto size = static_cast<std::size_t>(comm.size());
  const auto me = static_cast<std::size_t>(comm.rank());
  if (bounds.size() != size + 1 || bounds.front() != 0 || bounds.back() != n ||
      !std::is_sorted(bounds.begin(), bounds.end()))
    throw std::invalid_argument("reduce_scatter_blocks: bounds must run from 0 to n in " +
                                std::to_string(size) + " non-decreasing parts");
  if (blocks == 0) throw std::invalid_argument("reduce_scatter_blocks: blocks must be >= 1");
  const std::size_t here = blocks_of(blocks, comm.rank(), comm.size()).count();
  const std::size_t len = bounds[me + 1] - bounds[me];
  if (how == Reduction::kPlain) {
    std::vector<T> local(n);
    fold(mine, here, n, 0, n, local.data());
    std::vector<int> counts, displs;
    counts_of(bounds, std::vector<std::size_t>(size, 1), counts, displs, "MPI_Reduce_scatter");
    check(MPI_Reduce_scatter(local.data(), out, counts.data(), mpi_type<T>(), MPI_SUM, comm.get()),
          "MPI_Reduce_scatter");
    return;
  }
  if (size == 1) {
    fold(mine, here, n, 0, n, out);
    return;
  }
  // Every rank sends each owner its blocks' part of the owner's shard; the owner receives the B
  // parts in rank order, which is block order, and adds them in that order.
  std::vector<T> send(here * n);
  std::vector<std::size_t> mine_times(size, here), theirs(size);
  for (std::size_t r = 0; r < size; ++r)
    theirs[r] = blocks_of(blocks, static_cast<int>(r), comm.size()).count();
  std::size_t at = 0;
  for (std::size_t s = 0; s < size; ++s)
    for (std::size_t k = 0; k < here; ++k) {
      const T* row = mine + k * n;
      std::copy(row + bounds[s], row + bounds[s + 1], send.data() + at);
      at += bounds[s + 1] - bounds[s];
    }
  std::vector<int> scount, sdispl, rcount(size), rdispl(size);
  counts_of(bounds, mine_times, scount, sdispl, "MPI_Alltoallv");
  std::size_t rat = 0;
  for (std::size_t r = 0; r < size; ++r) {
    rcount[r] = to_int(theirs[r] * len, "MPI_Alltoallv");
    rdispl[r] = to_int(rat, "MPI_Alltoallv");
    rat += theirs[r] * len;
  }
  std::vector<T> recv(blocks * len);
  check(MPI_Alltoallv(send.data(), scount.data(), sdispl.data(), mpi_type<T>(), recv.data(),
                      rcount.data(), rdispl.data(), mpi_type<T>(), comm.get()),
        "MPI_Alltoallv");
  fold(recv.data(), blocks, len, 0, len, out);
}

template <typename T>
void allreduce_blocks(const T* mine, std::size_t blocks, std::size_t n, T* out, const Comm& comm,
                      Reduction how) {
  if (how == Reduction::kPlain) {
    const std::size_t here = blocks_of(blocks, comm.rank(), comm.size()).count();
    fold(mine, here, n, 0, n, out);
    check(MPI_Allreduce(MPI_IN_PLACE, out, to_int(n, "MPI_Allreduce"), mpi_type<T>(), MPI_SUM,
                        comm.get()),
          "MPI_Allreduce");
    return;
  }
  const std::vector<std::size_t> bounds = even_bounds(n, comm.size());
  const auto me = static_cast<std::size_t>(comm.rank());
  reduce_scatter_blocks(mine, blocks, n, bounds, out + bounds[me], comm, how);
  allgather_parts(out, bounds, comm);
}

std::pair<std::size_t, std::size_t> MpiBlockSum::range(std::size_t blocks) const {
  const BlockRange r = blocks_of(blocks, comm_.rank(), comm_.size());
  return {r.first, r.last};
}

void MpiBlockSum::sum(const double* mine, std::size_t blocks, std::size_t n, double* out) const {
  allreduce_blocks(mine, blocks, n, out, comm_);
}

// ---- the sharded optimizer --------------------------------------------------------------------

template <typename T>
class ShardedOptimizer<T>::Reducer : public core::StepReducer {
 public:
  Reducer(Comm comm, std::size_t offset) : comm_(std::move(comm)), offset_(offset) {}
  double sum(const std::vector<double>& partials) override {
    const int mine = to_int(partials.size(), "MPI_Allgather");
    std::vector<int> counts(static_cast<std::size_t>(comm_.size())), displs(counts.size());
    check(MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, comm_.get()),
          "MPI_Allgather");
    std::size_t total = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
      displs[r] = to_int(total, "MPI_Allgatherv");
      total += static_cast<std::size_t>(counts[r]);
    }
    all_.resize(total);
    check(MPI_Allgatherv(partials.data(), mine, MPI_DOUBLE, all_.data(), counts.data(),
                         displs.data(), MPI_DOUBLE, comm_.get()),
          "MPI_Allgatherv");
    double s = 0;  // in buffer order, as one optimizer over the whole buffer adds them
    for (double v : all_) s += v;
    return s;
  }
  std::pair<std::size_t, double> first_nonfinite(std::size_t index, double value) override {
    struct Entry {
      std::uint64_t index;
      double value;
    };
    const Entry e{index == kNone ? std::numeric_limits<std::uint64_t>::max()
                                 : static_cast<std::uint64_t>(offset_ + index),
                  value};
    std::vector<Entry> all(static_cast<std::size_t>(comm_.size()));
    check(MPI_Allgather(&e, sizeof(Entry), MPI_BYTE, all.data(), sizeof(Entry), MPI_BYTE,
                        comm_.get()),
          "MPI_Allgather");
    Entry best = all[0];
    for (const Entry& x : all)
      if (x.index < best.index) best = x;
    if (best.index == std::numeric_limits<std::uint64_t>::max()) return {kNone, 0.0};
    return {static_cast<std::size_t>(best.index), best.value};
  }

 private:
  Comm comm_;
  std::size_t offset_;
  std::vector<double> all_;
};

template <typename T>
ShardedOptimizer<T>::ShardedOptimizer(const core::UpdateRule<T>& rule, std::size_t n,
                                      core::OptimizerOptions options, Comm comm, ShardOptions shard)
    : n_(n), comm_(std::move(comm)), shard_(shard) {
  if (const std::string e = rule.validate(); !e.empty()) throw std::invalid_argument(e);
  if (const std::string e = options.validate(n); !e.empty())
    throw std::invalid_argument("optimizer options: " + e);
  if (shard_.blocks == 0) throw std::invalid_argument("ShardOptions: blocks must be >= 1");
  for (const core::ParamGroup& g : options.groups)
    if (g.rule)
      throw std::invalid_argument(
          "ShardedOptimizer: parameter groups with a rule of their own are not sharded yet "
          "(group '" +
          g.name + "')");
  // Shard boundaries fall where one optimizer over the whole buffer cuts its chunks (group
  // starts and every kChunk elements after), so each shard's chunks are the whole buffer's and
  // the partial sums add up to the same bits.
  std::vector<std::size_t> cuts;
  const std::size_t chunk = core::Optimizer<T>::kChunk;
  if (options.groups.empty()) {
    for (std::size_t b = 0; b < n; b += chunk) cuts.push_back(b);
  } else {
    for (const core::ParamGroup& g : options.groups)
      for (std::size_t b = g.begin; b < g.end; b += chunk) cuts.push_back(b);
  }
  cuts.push_back(n);
  const auto size = static_cast<std::size_t>(comm_.size());
  bounds_.assign(size + 1, n);
  bounds_[0] = 0;
  for (std::size_t r = 1; r < size; ++r)
    bounds_[r] = *std::lower_bound(cuts.begin(), cuts.end(), n * r / size);
  const std::size_t sb = shard_begin(), se = shard_end();
  core::OptimizerOptions local = options;
  local.groups.clear();
  for (const core::ParamGroup& g : options.groups) {
    const std::size_t b = std::max(g.begin, sb), e = std::min(g.end, se);
    if (b >= e) continue;
    core::ParamGroup lg = g;
    lg.begin = b - sb;
    lg.end = e - sb;
    local.groups.push_back(lg);
  }
  local_ = std::make_unique<core::Optimizer<T>>(rule, se - sb, std::move(local));
  reducer_ = std::make_unique<Reducer>(comm_, sb);
  local_->set_reducer(reducer_.get());
  grad_.resize(se - sb);
}

template <typename T>
ShardedOptimizer<T>::~ShardedOptimizer() = default;
template <typename T>
ShardedOptimizer<T>::ShardedOptimizer(ShardedOptimizer&&) noexcept = default;
template <typename T>
ShardedOptimizer<T>& ShardedOptimizer<T>::operator=(ShardedOptimizer&&) noexcept = default;

template <typename T>
core::StepResult ShardedOptimizer<T>::step(T* params, const T* block_grads) {
  const std::size_t sb = shard_begin(), len = shard_end() - sb;
  reduce_scatter_blocks(block_grads, shard_.blocks, n_, bounds_, grad_.data(), comm_,
                        shard_.reduction);
  const core::StepResult r = local_->step(params + sb, grad_.data(), len);
  if (r.applied) allgather_parts(params, bounds_, comm_);
  return r;
}

template <typename T>
std::size_t ShardedOptimizer<T>::state_bytes() const {
  std::size_t b = 0;
  for (const auto& s : local_->state().slots) b += s.size() * sizeof(T);
  return b;
}

template <typename T>
core::State<T> ShardedOptimizer<T>::gather_state() const {
  const core::State<T>& mine = local_->state();
  core::State<T> full = without_slots(mine);
  for (const auto& slot : mine.slots) {
    core::AlignedVector<T> whole(n_);
    std::copy(slot.begin(), slot.end(), whole.begin() + static_cast<std::ptrdiff_t>(shard_begin()));
    allgather_parts(whole.data(), bounds_, comm_);
    full.slots.push_back(std::move(whole));
  }
  return full;
}

template <typename T>
void ShardedOptimizer<T>::scatter_state(const core::State<T>& full) {
  for (std::size_t i = 0; i < full.slots.size(); ++i)
    if (full.slots[i].size() != n_)
      throw std::invalid_argument("ShardedOptimizer::scatter_state: slot '" +
                                  (i < full.slot_names.size() ? full.slot_names[i] : "?") +
                                  "' has " + std::to_string(full.slots[i].size()) +
                                  " elements, expected " + std::to_string(n_));
  core::State<T> mine = without_slots(full);
  const auto b = static_cast<std::ptrdiff_t>(shard_begin()),
             e = static_cast<std::ptrdiff_t>(shard_end());
  for (const auto& s : full.slots) mine.slots.emplace_back(s.begin() + b, s.begin() + e);
  local_->set_state(std::move(mine));
}

#define ADAMANT_DIST_INSTANTIATE(T)                                                        \
  template void allreduce_blocks<T>(const T*, std::size_t, std::size_t, T*, const Comm&,   \
                                    Reduction);                                            \
  template void reduce_scatter_blocks<T>(const T*, std::size_t, std::size_t,               \
                                         const std::vector<std::size_t>&, T*, const Comm&, \
                                         Reduction);                                       \
  template class ShardedOptimizer<T>;
ADAMANT_DIST_INSTANTIATE(float)
ADAMANT_DIST_INSTANTIATE(double)
#undef ADAMANT_DIST_INSTANTIATE

}  // namespace adamant::dist
