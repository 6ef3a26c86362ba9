#pragma once
// A small argument parser and the subcommand registry of the `adamant` tool.

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace adamant::cli {

/// A command-line error: printed with the subcommand's usage, exit status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// "--key value" and "--flag" options after a subcommand. Every option a command reads is
/// declared with a default, so --help can list it and unknown options are rejected.
class Args {
 public:
  Args(std::string command, int argc, char** argv, int first);
  /// Declares and reads an option. `help` is printed by --help.
  std::string str(const std::string& key, const std::string& fallback, const std::string& help);
  double num(const std::string& key, double fallback, const std::string& help);
  long integer(const std::string& key, long fallback, const std::string& help);
  bool flag(const std::string& key, const std::string& help);
  /// True when --help was given: the caller prints usage() and returns 0.
  bool help() const { return help_; }
  /// Throws UsageError for options nobody declared.
  void finish() const;
  std::string usage(const std::string& summary) const;

 private:
  std::string command_;
  std::map<std::string, std::string> values_;
  std::vector<std::string> flags_;
  std::vector<std::pair<std::string, std::string>> declared_;
  bool help_ = false;
};

struct Command {
  std::string name;
  std::string summary;
  int (*run)(Args& args);
};

/// Every subcommand; later modules add theirs here.
const std::vector<Command>& commands();

int run_demo(Args& args);

}  // namespace adamant::cli
