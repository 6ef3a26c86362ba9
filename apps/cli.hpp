#pragma once
// A small argument parser and the subcommand registry of the `adamant` tool.

#include <chrono>
#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace adamant::cli {

/// A command-line error: printed with the subcommand's usage, exit status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// "--key value", "--key=value", "-k value" and "--flag" options after a subcommand, and
/// positional arguments (anything else; "--" ends the options). Every option and positional a
/// command reads is declared with a default or a name, so --help can list it and unknown options
/// or surplus arguments are rejected.
class Args {
 public:
  Args(std::string command, int argc, char** argv, int first);
  /// Declares and reads an option; `short_key` (e.g. 'o') also accepts "-o value". `help` is
  /// printed by --help. An option given without a value is a UsageError.
  std::string str(const std::string& key, const std::string& fallback, const std::string& help,
                  char short_key = 0);
  double num(const std::string& key, double fallback, const std::string& help);
  long integer(const std::string& key, long fallback, const std::string& help);
  bool flag(const std::string& key, const std::string& help);
  /// Declares and takes the next positional argument; UsageError when it is missing (returns ""
  /// under --help).
  std::string positional(const std::string& name, const std::string& help);
  /// Takes the first positional argument as an action of a command with several ("data info"):
  /// returns "" when there is none; usage() then names "<command> <action>".
  std::string action();
  /// True when --help was given: the caller prints usage() and returns 0.
  bool help() const { return help_; }
  /// Throws UsageError for options nobody declared and for positional arguments nobody took.
  void finish() const;
  std::string usage(const std::string& summary) const;

 private:
  struct Declared {
    std::string key;  // long key, or a positional's name
    char short_key;
    std::string shown, help;
    bool positional;
  };
  std::string command_;
  std::map<std::string, std::string> values_;
  std::map<char, std::string> short_values_;
  std::vector<std::string> flags_, positionals_;
  std::size_t taken_ = 0;
  std::vector<Declared> declared_;
  bool help_ = false;
};

/// "a, b, c".
std::string join(const std::vector<std::string>& v);

/// Where a command writes: -o FILE.h5, or --out DIR (DIR/<stem>.h5), by default ./<stem>.h5, or
/// nowhere with --no-save (both paths empty). The PNG goes beside the HDF5 file, extension .png.
/// The folder is created (UsageError when it cannot be).
struct Output {
  std::string h5, png;
};
Output output_paths(const std::string& file, const std::string& dir, const std::string& stem,
                    bool no_save);

/// Progress on stderr: a single rewritten line on a terminal, else a line every `interval`
/// seconds (force: print now).
class ProgressLine {
 public:
  explicit ProgressLine(bool quiet, double interval = 3.0);
  void show(const std::string& line, bool force = false);
  void done();

 private:
  double clock() const;
  bool quiet_, tty_;
  double interval_;
  double last_ = -1e9;
  std::size_t width_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

/// One action of a subcommand (`adamant rl train`, `adamant chem md`, ...).
struct Action {
  const char* name;
  const char* summary;
  int (*run)(Args& args);
};

/// Runs the action args.action() names. With no action, --help prints `adamant <command>`'s
/// actions and their summaries; a missing or unknown action is a UsageError listing the choices.
int run_action(Args& args, const std::string& command, const std::vector<Action>& actions);

struct Command {
  std::string name;
  std::string summary;
  int (*run)(Args& args);
};

/// Every subcommand; later modules add theirs here.
const std::vector<Command>& commands();

int run_demo(Args& args);
int run_data(Args& args);
int run_rl(Args& args);
int run_portfolio(Args& args);
int run_chem(Args& args);
int run_gan(Args& args);

}  // namespace adamant::cli
