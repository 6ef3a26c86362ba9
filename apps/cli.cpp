#include "cli.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

namespace adamant::cli {

namespace {

/// "-o": a short option (a dash and one letter); "-", "-1" and "-.5" are values.
bool is_short_option(const std::string& a) {
  return a.size() == 2 && a[0] == '-' && std::isalpha(static_cast<unsigned char>(a[1]));
}

bool is_option(const std::string& a) { return a.rfind("--", 0) == 0 || is_short_option(a); }

}  // namespace

Args::Args(std::string command, int argc, char** argv, int first) : command_(std::move(command)) {
  bool options_end = false;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (options_end || !is_option(a)) {
      positionals_.push_back(a);
      continue;
    }
    if (a == "--") {
      options_end = true;
      continue;
    }
    if (a == "--help" || a == "-h") {
      help_ = true;
      continue;
    }
    const bool has_value = i + 1 < argc && !is_option(argv[i + 1]);
    if (is_short_option(a)) {
      if (has_value)
        short_values_[a[1]] = argv[++i];
      else
        throw UsageError("option " + a + " needs a value");
      continue;
    }
    a = a.substr(2);
    const auto eq = a.find('=');
    if (eq != std::string::npos) {
      values_[a.substr(0, eq)] = a.substr(eq + 1);
    } else if (has_value) {
      values_[a] = argv[++i];
    } else {
      flags_.push_back(a);
    }
  }
}

std::string Args::str(const std::string& key, const std::string& fallback, const std::string& help,
                      char short_key) {
  std::string shown = "--" + key + " <" + (fallback.empty() ? "value" : fallback) + ">";
  if (short_key) shown = std::string("-") + short_key + ", " + shown;
  declared_.push_back({key, short_key, shown, help, false});
  if (std::find(flags_.begin(), flags_.end(), key) != flags_.end())
    throw UsageError("option --" + key + " needs a value");
  const auto it = values_.find(key);
  if (it != values_.end()) return it->second;
  if (short_key) {
    const auto s = short_values_.find(short_key);
    if (s != short_values_.end()) return s->second;
  }
  return fallback;
}

double Args::num(const std::string& key, double fallback, const std::string& help) {
  std::ostringstream d;
  d << fallback;
  const std::string s = str(key, d.str(), help);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0')
    throw UsageError("--" + key + " expects a number, got '" + s + "'");
  return v;
}

long Args::integer(const std::string& key, long fallback, const std::string& help) {
  const std::string s = str(key, std::to_string(fallback), help);
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (end == s.c_str() || *end != '\0')
    throw UsageError("--" + key + " expects an integer, got '" + s + "'");
  return v;
}

bool Args::flag(const std::string& key, const std::string& help) {
  declared_.push_back({key, 0, "--" + key, help, false});
  if (values_.count(key)) throw UsageError("option --" + key + " takes no value");
  return std::find(flags_.begin(), flags_.end(), key) != flags_.end();
}

std::string Args::positional(const std::string& name, const std::string& help) {
  declared_.push_back({name, 0, name, help, true});
  if (taken_ < positionals_.size()) return positionals_[taken_++];
  if (help_) return "";
  throw UsageError("missing argument " + name);
}

std::string Args::action() {
  if (taken_ >= positionals_.size()) return "";
  const std::string a = positionals_[taken_++];
  command_ += " " + a;
  return a;
}

void Args::finish() const {
  auto known = [&](const std::string& k) {
    return std::any_of(declared_.begin(), declared_.end(),
                       [&](const Declared& d) { return !d.positional && d.key == k; });
  };
  for (const auto& [k, v] : values_)
    if (!known(k)) throw UsageError("unknown option --" + k);
  for (const auto& k : flags_)
    if (!known(k)) throw UsageError("unknown option --" + k);
  for (const auto& entry : short_values_) {
    const char c = entry.first;  // not a structured binding: C++17 lambdas cannot capture those
    if (!std::any_of(declared_.begin(), declared_.end(),
                     [&](const Declared& d) { return d.short_key == c; }))
      throw UsageError(std::string("unknown option -") + c);
  }
  if (taken_ < positionals_.size())
    throw UsageError("unexpected argument '" + positionals_[taken_] + "'");
}

std::string Args::usage(const std::string& summary) const {
  std::ostringstream o;
  o << "usage: adamant " << command_;
  for (const auto& d : declared_)
    if (d.positional) o << " " << d.key;
  o << " [options]\n\n" << summary << "\n";
  std::size_t w = 6;  // "--help"
  for (const auto& d : declared_) w = std::max(w, d.shown.size());
  for (const bool positional : {true, false}) {
    const bool any = std::any_of(declared_.begin(), declared_.end(),
                                 [&](const Declared& d) { return d.positional == positional; });
    if (!any && positional) continue;
    o << "\n" << (positional ? "arguments:" : "options:") << "\n";
    for (const auto& d : declared_)
      if (d.positional == positional)
        o << "  " << d.shown << std::string(w - d.shown.size() + 2, ' ') << d.help << "\n";
  }
  o << "  --help" << std::string(w - 6 + 2, ' ') << "show this help\n";
  return o.str();
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

Output output_paths(const std::string& file, const std::string& dir, const std::string& stem,
                    bool no_save) {
  if (!file.empty() && !dir.empty()) throw UsageError("give either -o FILE.h5 or --out DIR");
  if (no_save && (!file.empty() || !dir.empty()))
    throw UsageError("--no-save contradicts -o / --out");
  Output o;
  if (no_save) return o;
  if (!file.empty())
    o.h5 = file;
  else
    o.h5 = (dir.empty() ? std::string(".") : dir) + (!dir.empty() && dir.back() == '/' ? "" : "/") +
           stem + ".h5";
  const std::size_t dot = o.h5.rfind('.');
  const std::size_t slash = o.h5.rfind('/');
  const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
  o.png = (has_ext ? o.h5.substr(0, dot) : o.h5) + ".png";
  // Create the folder now, before a long run, so the results have somewhere to go.
  const std::filesystem::path parent = std::filesystem::path(o.h5).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) throw UsageError("cannot create the folder " + parent.string() + ": " + ec.message());
  return o;
}

ProgressLine::ProgressLine(bool quiet, double interval)
    : quiet_(quiet), tty_(isatty(fileno(stderr)) != 0), interval_(interval) {}

void ProgressLine::show(const std::string& line, bool force) {
  if (quiet_) return;
  const double now = clock();
  if (tty_) {
    if (!force && now - last_ < 0.1) return;
    std::fprintf(stderr, "\r%-*s", static_cast<int>(std::max<std::size_t>(width_, line.size())),
                 line.c_str());
    width_ = line.size();
  } else {
    if (!force && now - last_ < interval_) return;
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
  last_ = now;
}

void ProgressLine::done() {
  if (!quiet_ && tty_ && width_ > 0) std::fprintf(stderr, "\n");
  width_ = 0;
}

double ProgressLine::clock() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

int run_action(Args& args, const std::string& command, const std::vector<Action>& actions) {
  std::vector<std::string> names;
  std::size_t width = 0;
  for (const Action& a : actions) {
    names.emplace_back(a.name);
    width = std::max(width, names.back().size());
  }
  const std::string name = args.action();
  if (name.empty()) {
    if (args.help()) {
      std::cout << "usage: adamant " << command << " <action> ... [options]\n\nactions:\n";
      for (const Action& a : actions)
        std::cout << "  " << a.name << std::string(width + 2 - std::string(a.name).size(), ' ')
                  << a.summary << "\n";
      std::cout << "\n'adamant " << command << " <action> --help' lists an action's options.\n";
      return 0;
    }
    throw UsageError("missing action (" + join(names) + ")");
  }
  for (const Action& a : actions)
    if (name == a.name) return a.run(args);
  throw UsageError("unknown action '" + name + "' (" + join(names) + ")");
}

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      {"demo", "Run every optimizer on the standard test problems and print a convergence table",
       run_demo},
      {"data", "Inspect, import and export data files (prices CSV, extended XYZ, HDF5)", run_data},
      {"rl", "Train, evaluate and study policy-gradient agents (REINFORCE, A2C, PPO)", run_rl},
      {"portfolio", "Optimize mean-variance portfolios, trace the efficient frontier, backtest",
       run_portfolio},
      {"chem", "Fit, evaluate and run molecular dynamics with neural interatomic potentials",
       run_chem},
      {"gan", "Study the dynamics of two-player min-max games (bilinear, Dirac-GAN, mixture GAN)",
       run_gan},
  };
  return all;
}

}  // namespace adamant::cli
