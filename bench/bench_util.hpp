#pragma once
// Small helpers shared by the benchmark executables (bench_optim, bench_rl): timing, medians,
// argument splitting, the CPU model, CLI11 parsing and the background-load measurement.
//
// Background load. On a small shared machine other processes (a compiler, a test run) and the
// hypervisor (steal time) take cores away from a measurement. sample_cpu() reads the machine's
// busy CPU time from the first line of /proc/stat (user + nice + system + irq + softirq + steal,
// in clock ticks) and this process's own CPU time (getrusage); background_cores() divides the
// difference of the two deltas by the wall-clock time between two samples: the average number of
// cores other work kept busy meanwhile. Above ~0.1 a measurement is disturbed.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace adamant::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// The median of v (the mean of the two middle values for an even count); v must not be empty.
inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t k = v.size() / 2;
  return v.size() % 2 ? v[k] : 0.5 * (v[k - 1] + v[k]);
}

/// Splits s at sep, dropping empty items.
inline std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep))
    if (!item.empty()) out.push_back(item);
  return out;
}

/// The "model name" line of /proc/cpuinfo ("unknown" when there is none).
inline std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) {
      const std::size_t c = line.find(':');
      return c == std::string::npos ? line : line.substr(c + 2);
    }
  return "unknown";
}

/// The local date and time, "YYYY-mm-dd HH:MM:SS TZ".
inline std::string local_date() {
  char date[64];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S %Z", std::localtime(&now));
  return date;
}

/// Parses the command line with `app` (CLI11): --help prints the options and exits 0, a bad
/// argument prints CLI11's message and exits 2.
inline void parse_or_exit(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e) == 0 ? 0 : 2);
  }
}

/// Busy CPU seconds of the whole machine (steal time included) and of this process.
struct CpuSample {
  Clock::time_point wall;
  double machine_busy_s = 0;
  double self_s = 0;
};

inline CpuSample sample_cpu() {
  CpuSample c;
  c.wall = Clock::now();
  std::ifstream f("/proc/stat");
  std::string label;
  unsigned long long user = 0, nice = 0, sys = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                     steal = 0;
  if (f >> label >> user >> nice >> sys >> idle >> iowait >> irq >> softirq >> steal)
    c.machine_busy_s = static_cast<double>(user + nice + sys + irq + softirq + steal) /
                       static_cast<double>(sysconf(_SC_CLK_TCK));
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  c.self_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
             1e-6 * static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
  return c;
}

/// Average number of cores other work kept busy between two samples.
inline double background_cores(const CpuSample& a, const CpuSample& b) {
  const double wall = std::chrono::duration<double>(b.wall - a.wall).count();
  const double other = (b.machine_busy_s - a.machine_busy_s) - (b.self_s - a.self_s);
  return wall > 0 ? std::max(0.0, other / wall) : 0.0;
}

}  // namespace adamant::bench
