#include "cli.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

namespace adamant::cli {

namespace {

/// "--x", "-x": an option; "-", "-1" and "-.5" are values.
bool is_option(const std::string& a) {
  if (a.rfind("--", 0) == 0) return a.size() > 2;
  return a.size() >= 2 && a[0] == '-' && std::isalpha(static_cast<unsigned char>(a[1]));
}

}  // namespace

Args::Args(std::string command, int argc, char** argv, int first)
    : declaring_(true), command_(std::move(command)), tokens_(argv + first, argv + argc) {}

Args::Args(const Args& declaring, int argc, char** argv, int first)
    : command_(declaring.command_.substr(0, declaring.command_.find(' '))),
      tokens_(argv + first, argv + argc),
      actions_(declaring.actions_),
      app_(new CLI::App()) {
  // The actions the declaring run took leave the arguments the same way now.
  for (std::size_t i = 0; i < actions_.size(); ++i) {
    std::size_t k = 0;
    while (k < tokens_.size() && (tokens_[k] == "--help" || tokens_[k] == "-h")) ++k;
    tokens_.erase(tokens_.begin() + static_cast<std::ptrdiff_t>(k));
  }
  app_->allow_extras(true);  // finish() names what is left over, in adamant's words
  app_->set_help_flag();     // --help is ours: usage() prints the command's own text
  app_->add_flag("-h,--help", help_);
  for (const Declared& d : declaring.declared_) add(d);
  parse();
}

Args::~Args() = default;

void Args::add(const Declared& d) {
  for (const auto& [b, index] : bound_)
    if (b.key == d.key && b.kind == d.kind) return;
  std::string names = d.kind == Kind::kPositional ? d.key : "--" + d.key;
  if (d.short_key) names = std::string("-") + d.short_key + "," + names;
  if (d.kind == Kind::kFlag) {
    flags_.push_back(false);
    app_->add_flag(names, flags_.back(), d.help);
    bound_.emplace_back(d, flags_.size() - 1);
  } else {
    values_.push_back(d.fallback);
    app_->add_option(names, values_.back(), d.help);
    bound_.emplace_back(d, values_.size() - 1);
  }
}

void Args::parse() {
  std::vector<std::string> reversed(tokens_.rbegin(),
                                    tokens_.rend());  // CLI11 parses from the back
  try {
    app_->parse(reversed);
  } catch (const CLI::ArgumentMismatch& e) {
    // An option that takes a value was given none ("--env" last, or "--env --seed 1").
    for (const auto& [d, index] : bound_)
      if (d.kind == Kind::kOption && std::string(e.what()).rfind("--" + d.key + ":", 0) == 0)
        throw UsageError("option --" + d.key + " needs a value");
    throw UsageError(e.what());
  } catch (const CLI::ParseError& e) {
    throw UsageError(e.what());
  }
}

std::string* Args::value_of(const std::string& key, Kind kind) {
  for (const auto& [d, index] : bound_)
    if (d.key == key && d.kind == kind) return &values_[index];
  return nullptr;
}

void Args::declare(const Declared& d) {
  declared_.push_back(d);
  if (declaring_) return;
  const std::size_t before = bound_.size();
  add(d);
  if (bound_.size() != before) parse();  // declared only in this run: parse again with it
}

std::string Args::str(const std::string& key, const std::string& fallback, const std::string& help,
                      char short_key) {
  std::string shown = "--" + key + " <" + (fallback.empty() ? "value" : fallback) + ">";
  if (short_key) shown = std::string("-") + short_key + ", " + shown;
  declare({key, short_key, shown, help, fallback, Kind::kOption});
  if (declaring_) return fallback;
  return *value_of(key, Kind::kOption);
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
  declare({key, 0, "--" + key, help, "", Kind::kFlag});
  if (declaring_) return false;
  for (const auto& [d, index] : bound_)
    if (d.key == key && d.kind == Kind::kFlag) return flags_[index];
  return false;
}

std::string Args::positional(const std::string& name, const std::string& help) {
  declare({name, 0, name, help, "", Kind::kPositional});
  if (declaring_) return "";
  const std::string v = *value_of(name, Kind::kPositional);
  if (!v.empty() || help_) return v;
  throw UsageError("missing argument " + name);
}

std::string Args::action() {
  std::string a;
  if (declaring_) {
    // The first argument after --help / -h, before any other option.
    std::size_t i = 0;
    while (i < tokens_.size() && (tokens_[i] == "--help" || tokens_[i] == "-h")) ++i;
    if (i == tokens_.size() || is_option(tokens_[i]) || tokens_[i] == "--") return "";
    a = tokens_[i];
    tokens_.erase(tokens_.begin() + static_cast<std::ptrdiff_t>(i));
    actions_.push_back(a);
  } else {
    if (actions_taken_ == actions_.size()) return "";
    a = actions_[actions_taken_++];
  }
  command_ += " " + a;
  return a;
}

void Args::finish() {
  if (declaring_) return;
  bool options_end = false;
  for (const std::string& r : app_->remaining()) {
    if (r == "--" && !options_end) {
      options_end = true;
      continue;
    }
    if (!options_end && is_option(r))
      throw UsageError("unknown option " + r.substr(0, r.find('=')));
    throw UsageError("unexpected argument '" + r + "'");
  }
}

int run_command(int (*run)(Args&), const std::string& command, int argc, char** argv, int first) {
  Args declaring(command, argc, argv, first);
  {
    // The declaring run prints its usage text (help() is true there): into nothing.
    std::streambuf* out = std::cout.rdbuf(nullptr);
    try {
      run(declaring);
    } catch (...) {
      std::cout.rdbuf(out);
      std::cout.clear();
      throw;
    }
    std::cout.rdbuf(out);
    std::cout.clear();
  }
  std::unique_ptr<Args> args;
  try {
    args = std::make_unique<Args>(declaring, argc, argv, first);
  } catch (UsageError& e) {  // an option that does not parse: point to the action's --help
    if (e.where.empty() && !declaring.actions_taken().empty()) {
      e.where = command;
      for (const std::string& a : declaring.actions_taken()) e.where += " " + a;
    }
    throw;
  }
  return run(*args);
}

std::string Args::usage(const std::string& summary) const {
  std::ostringstream o;
  o << "usage: adamant " << command_;
  for (const auto& d : declared_)
    if (d.kind == Kind::kPositional) o << " " << d.key;
  o << " [options]\n\n" << summary << "\n";
  std::size_t w = 6;  // "--help"
  for (const auto& d : declared_) w = std::max(w, d.shown.size());
  for (const bool positional : {true, false}) {
    const bool any = std::any_of(declared_.begin(), declared_.end(), [&](const Declared& d) {
      return (d.kind == Kind::kPositional) == positional;
    });
    if (!any && positional) continue;
    o << "\n" << (positional ? "arguments:" : "options:") << "\n";
    for (const auto& d : declared_)
      if ((d.kind == Kind::kPositional) == positional)
        o << "  " << d.shown << std::string(w - d.shown.size() + 2, ' ') << d.help << "\n";
  }
  o << "  --help" << std::string(w - 6 + 2, ' ') << "show this help\n";
  return o.str();
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
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
  for (const Action& a : actions) {
    if (name != a.name) continue;
    try {
      return a.run(args);
    } catch (UsageError& e) {
      if (e.where.empty()) e.where = command + " " + name;
      throw;
    }
  }
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
      {"hyper", "Hyper-gradients through whole optimizer runs (d loss / d lr, betas, eps, theta0)",
       run_hyper},
      {"lab", "Claims about Adam as experiments: a table, a figure and checks each", run_lab},
  };
  return all;
}

core::RuleOptions rule_flags(Args& args, const core::RuleOptions& defaults,
                             const std::string& default_name,
                             std::vector<std::string>* given_fields) {
  const std::string name = args.str(
      "optimizer", default_name, "update rule: " + core::known_rules_text() + " (core/rules.hpp)");
  auto flag_of = [](std::string field) {
    std::replace(field.begin(), field.end(), '_', '-');
    return field;
  };
  struct Given {
    std::string field, text;
  };
  std::vector<Given> given;
  for (const core::RuleField& f : core::all_rule_fields()) {
    std::string help = f.doc;
    if (core::has_field(defaults, f.name)) {
      std::ostringstream d;
      d << core::get_field(defaults, f.name);
      help += f.boolean ? "" : " (default " + d.str() + " for " + default_name + ")";
    }
    if (f.boolean) {
      if (args.flag(flag_of(f.name), help)) given.push_back({f.name, "1"});
    } else {
      const std::string v = args.str(flag_of(f.name), "", help);
      if (!v.empty()) given.push_back({f.name, v});
    }
  }
  if (args.help()) return defaults;
  core::RuleOptions rule = defaults;
  if (name != default_name) {
    try {
      rule = core::rule_options(name);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--optimizer: ") + e.what());
    }
    if (core::has_field(defaults, "lr"))
      core::set_field(rule, "lr", core::get_field(defaults, "lr"));
  }
  if (given_fields != nullptr) given_fields->clear();
  for (const Given& g : given) {
    if (given_fields != nullptr) given_fields->push_back(g.field);
    if (!core::has_field(rule, g.field)) {
      std::string fields;
      for (const std::string& f : core::field_names(rule))
        fields += (fields.empty() ? "" : ", ") + flag_of(f);
      throw UsageError("--" + flag_of(g.field) + ": the rule " + name +
                       " has no such option (its options: " + fields + ")");
    }
    char* end = nullptr;
    const double v = std::strtod(g.text.c_str(), &end);
    if (end == g.text.c_str() || *end != '\0')
      throw UsageError("--" + flag_of(g.field) + " expects a number, got '" + g.text + "'");
    if (g.field == "lr" && !(v > 0)) throw UsageError("--lr must be > 0, got " + g.text);
    core::set_field(rule, g.field, v);
  }
  if (const std::string why = core::validate(rule); !why.empty()) throw UsageError(why);
  return rule;
}

}  // namespace adamant::cli
