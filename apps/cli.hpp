#pragma once
// The argument parsing (on CLI11) and the subcommand registry of the `adamant` tool.

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "adamant/core/rules.hpp"

namespace CLI {
class App;
}

namespace adamant::cli {

/// A command-line error: printed with a pointer to the subcommand's usage, exit status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
  /// The command and action whose --help the message points to ("rl train"); run_action sets
  /// it, empty for a command without actions.
  std::string where;
};

/// The options and positional arguments after a subcommand, parsed by CLI11: "--key value",
/// "--key=value", "-k value", "--flag", positionals, "--" ending the options. A command declares
/// each option and positional it reads, with a default or a name, and reads it at once:
///
///   const std::string env = args.str("env", "CartPole-v1", "environment id");
///   ...
///   if (args.help()) { std::cout << args.usage("..."); return 0; }
///   args.finish();   // unknown options and surplus arguments are UsageErrors
///
/// CLI11 needs every option before it parses, so a command runs twice (run_command): first with a
/// declaring Args, which answers every declaration with its default and help() with true, so the
/// command declares all it reads and returns; then with an Args whose CLI::App holds those
/// declarations and has parsed the arguments once. CLI11 therefore knows, for every token, whether
/// the option before it takes a value ("--flag FILE" leaves FILE a positional). An option a
/// command declares only in the second run is added then and the arguments parsed again.
class Args {
 public:
  /// The declaring run's Args.
  Args(std::string command, int argc, char** argv, int first);
  /// The real run's Args: parses the arguments with everything `declaring` saw declared.
  Args(const Args& declaring, int argc, char** argv, int first);
  ~Args();
  Args(const Args&) = delete;
  Args& operator=(const Args&) = delete;
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
  /// Takes the first argument as an action of a command with several ("data info") when it is
  /// not an option: returns "" when there is none; usage() then names "<command> <action>".
  std::string action();
  /// True when --help (or -h) was given, and in the declaring run: the caller prints usage() and
  /// returns 0.
  bool help() const { return help_ || declaring_; }
  /// The actions taken so far ("train" of `rl train`), in order.
  const std::vector<std::string>& actions_taken() const { return actions_; }
  /// Throws UsageError for options nobody declared and for positional arguments nobody took.
  void finish();
  std::string usage(const std::string& summary) const;

 private:
  enum class Kind { kOption, kFlag, kPositional };
  struct Declared {
    std::string key;  // long key, or a positional's name
    char short_key;
    std::string shown, help, fallback;
    Kind kind;
  };
  // The CLI11 option of a declaration, bound to storage here.
  void add(const Declared& d);
  void parse();
  // Where CLI11 wrote a declared option's value; nullptr when it is not declared yet.
  std::string* value_of(const std::string& key, Kind kind);
  void declare(const Declared& d);
  bool declaring_ = false;
  std::string command_;
  std::vector<std::string> tokens_;   // the arguments after the command and its actions
  std::vector<std::string> actions_;  // actions taken, in order (the declaring run's, replayed)
  std::size_t actions_taken_ = 0;
  std::unique_ptr<CLI::App> app_;
  std::deque<std::string> values_;  // CLI11 writes each option's value (flags: "0" / "1") here
  std::deque<bool> flags_;
  std::vector<std::pair<Declared, std::size_t>> bound_;  // declaration, index into its storage
  std::vector<Declared> declared_;                       // this run's, for usage()
  bool help_ = false;
};

/// Runs a command's function as Args describes (the declaring run with stdout muted, then the
/// real one) and returns its exit status.
int run_command(int (*run)(Args&), const std::string& command, int argc, char** argv, int first);

/// "a, b, c".
std::string join(const std::vector<std::string>& v);
/// "a,b,,c" → {"a", "b", "c"}: a comma-separated option value, empty items dropped.
std::vector<std::string> split_list(const std::string& s);

/// Where a command writes: -o FILE.h5, or --out DIR (DIR/<stem>.h5), by default ./<stem>.h5, or
/// nowhere with --no-save (both paths empty). The PNG goes beside the HDF5 file, extension .png.
/// The folder is created (UsageError when it cannot be).
struct Output {
  std::string h5, png;
};
Output output_paths(const std::string& file, const std::string& dir, const std::string& stem,
                    bool no_save);

/// The optimizer flags of a command, generated from the core's rule table and field lists
/// (core/rules.hpp): `--optimizer NAME` (any rule name or alias; default `default_name`) and one
/// flag per field any rule has, `--lr`, `--beta1`, `--weight-decay`, ..., booleans as flags
/// (`--amsgrad`). Returns `defaults` (the command's own rule, named `default_name`) or, when
/// another rule is named, that rule with PyTorch's defaults and the lr of `defaults`, with every
/// field given set; `given_fields` (optional) receives the names of those. Naming a field the
/// chosen rule does not have, or a value out of its range, is a UsageError naming the rule's
/// fields.
core::RuleOptions rule_flags(Args& args, const core::RuleOptions& defaults,
                             const std::string& default_name,
                             std::vector<std::string>* given_fields = nullptr);

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
int run_hyper(Args& args);
int run_lab(Args& args);

}  // namespace adamant::cli
