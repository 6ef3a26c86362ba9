#include "cli.hpp"

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace adamant::cli {

Args::Args(std::string command, int argc, char** argv, int first) : command_(std::move(command)) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      help_ = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) throw UsageError("unexpected argument '" + a + "'");
    a = a.substr(2);
    const auto eq = a.find('=');
    if (eq != std::string::npos) {
      values_[a.substr(0, eq)] = a.substr(eq + 1);
    } else if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
      values_[a] = argv[++i];
    } else {
      flags_.push_back(a);
    }
  }
}

std::string Args::str(const std::string& key, const std::string& fallback,
                      const std::string& help) {
  declared_.emplace_back("--" + key + " <" + (fallback.empty() ? "value" : fallback) + ">", help);
  const auto it = values_.find(key);
  return it == values_.end() ? fallback : it->second;
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
  declared_.emplace_back("--" + key, help);
  return std::find(flags_.begin(), flags_.end(), key) != flags_.end();
}

void Args::finish() const {
  auto known = [&](const std::string& k) {
    return std::any_of(declared_.begin(), declared_.end(), [&](const auto& d) {
      return d.first == "--" + k || d.first.rfind("--" + k + " <", 0) == 0;
    });
  };
  for (const auto& [k, v] : values_)
    if (!known(k)) throw UsageError("unknown option --" + k);
  for (const auto& k : flags_)
    if (!known(k)) throw UsageError("unknown option --" + k);
}

std::string Args::usage(const std::string& summary) const {
  std::ostringstream o;
  o << "usage: adamant " << command_ << " [options]\n\n" << summary << "\n\noptions:\n";
  std::size_t w = 0;
  for (const auto& d : declared_) w = std::max(w, d.first.size());
  for (const auto& d : declared_)
    o << "  " << d.first << std::string(w - d.first.size() + 2, ' ') << d.second << "\n";
  o << "  --help" << std::string(w > 4 ? w - 4 : 2, ' ') << "show this help\n";
  return o.str();
}

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      {"demo", "Run every optimizer on the standard test problems and print a convergence table",
       run_demo},
  };
  return all;
}

}  // namespace adamant::cli
