// bench_dist: what bit-identity at any rank count costs. Under mpirun -np N, for float32
// gradients of 1e3 .. 1e8 elements: a plain MPI_Allreduce of each rank's gradient (what
// data-parallel training does without the guarantee), MPI_Reduce_scatter + MPI_Allgatherv (the
// plain path of a sharded step), and dist::allreduce_blocks in block order with one block per
// rank and with 8 blocks (the same bits on any number of ranks). Best of --repeat runs, the
// slowest rank's time; prints the ratios to the plain allreduce. bench/README.md has a run.

#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "adamant/dist/dist.hpp"

namespace {

using adamant::dist::Comm;

template <typename F>
double best_time(const Comm& comm, int repeat, F&& f) {
  double best = 1e300;
  f();  // warm-up: connections, buffers
  for (int k = 0; k < repeat; ++k) {
    comm.barrier();
    const double t0 = MPI_Wtime();
    f();
    double t = MPI_Wtime() - t0, slowest = 0;
    MPI_Allreduce(&t, &slowest, 1, MPI_DOUBLE, MPI_MAX, comm.get());
    best = std::min(best, slowest);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  adamant::dist::Environment env(&argc, &argv);
  CLI::App app("bench_dist: deterministic block reduction against plain MPI collectives");
  std::vector<double> sizes = {1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
  int repeat = 5;
  app.add_option("--sizes", sizes, "gradient lengths (elements)")->delimiter(',');
  app.add_option("--repeat", repeat, "timed runs per cell (best is kept)")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  const Comm comm;
  if (comm.rank() == 0) {
    std::printf("bench_dist: %d ranks, float32, best of %d (slowest rank)\n", comm.size(), repeat);
    std::printf("%12s %14s %18s %16s %10s %16s %10s\n", "elements", "allreduce", "reduce_scat+gath",
                "blocks=np", "ratio", "blocks=8", "ratio");
  }
  for (double sd : sizes) {
    const auto n = static_cast<std::size_t>(sd);
    const int reps = n >= 10000000 ? std::min(repeat, 2) : repeat;
    std::vector<float> g(n, 1.0f), out(n);
    for (std::size_t i = 0; i < n; ++i) g[i] = static_cast<float>(i % 97) * 0.01f;
    const double plain = best_time(comm, reps, [&] {
      MPI_Allreduce(g.data(), out.data(), static_cast<int>(n), MPI_FLOAT, MPI_SUM, comm.get());
    });
    std::vector<int> counts(static_cast<std::size_t>(comm.size())), displs(counts.size());
    for (int r = 0; r < comm.size(); ++r) {
      const std::size_t b = n * static_cast<std::size_t>(r) / comm.size(),
                        e = n * static_cast<std::size_t>(r + 1) / comm.size();
      counts[static_cast<std::size_t>(r)] = static_cast<int>(e - b);
      displs[static_cast<std::size_t>(r)] = static_cast<int>(b);
    }
    const double rsag = best_time(comm, reps, [&] {
      MPI_Reduce_scatter(g.data(), out.data() + displs[static_cast<std::size_t>(comm.rank())],
                         counts.data(), MPI_FLOAT, MPI_SUM, comm.get());
      MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, out.data(), counts.data(), displs.data(),
                     MPI_FLOAT, comm.get());
    });
    double det[2];
    const std::size_t block_counts[2] = {static_cast<std::size_t>(comm.size()), 8};
    for (int k = 0; k < 2; ++k) {
      const std::size_t blocks = block_counts[k];
      const std::size_t here = adamant::dist::blocks_of(blocks, comm.rank(), comm.size()).count();
      std::vector<float> mine(here * n);
      for (std::size_t j = 0; j < here; ++j) std::copy(g.begin(), g.end(), mine.begin() + j * n);
      det[k] = best_time(comm, reps, [&] {
        adamant::dist::allreduce_blocks(mine.data(), blocks, n, out.data(), comm);
      });
    }
    if (comm.rank() == 0)
      std::printf("%12zu %12.3f ms %16.3f ms %14.3f ms %9.2fx %14.3f ms %9.2fx\n", n, 1e3 * plain,
                  1e3 * rsag, 1e3 * det[0], det[0] / plain, 1e3 * det[1], det[1] / plain);
    std::fflush(stdout);
  }
  return 0;
}
