// adamant: fast exact Adam-family optimizers and the work they do. One subcommand per task.

#include <cstring>
#include <exception>
#include <iostream>

#include "cli.hpp"

namespace {

void print_help() {
  std::cout << "usage: adamant <command> [options]\n"
               "       adamant --version | --help\n\ncommands:\n";
  for (const auto& c : adamant::cli::commands())
    std::cout << "  " << c.name << std::string(c.name.size() < 12 ? 12 - c.name.size() : 1, ' ')
              << c.summary << "\n";
  std::cout << "\n'adamant <command> --help' lists a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    print_help();
    return argc < 2 ? 2 : 0;
  }
  if (!std::strcmp(argv[1], "--version") || !std::strcmp(argv[1], "version")) {
    std::cout << "adamant " << ADAMANT_VERSION << "\n";
    return 0;
  }
  for (const auto& c : adamant::cli::commands()) {
    if (c.name != argv[1]) continue;
    try {
      return adamant::cli::run_command(c.run, c.name, argc, argv, 2);
    } catch (const adamant::cli::UsageError& e) {
      std::cerr << "adamant " << c.name << ": " << e.what() << "\n(see 'adamant "
                << (e.where.empty() ? c.name : e.where) << " --help')\n";
      return 2;
    } catch (const std::exception& e) {
      std::cerr << "adamant " << c.name << ": error: " << e.what() << "\n";
      return 1;
    }
  }
  std::cerr << "adamant: unknown command '" << argv[1] << "'\n\n";
  print_help();
  return 2;
}
