// ssespec: the Server-Sent Events conformance suite command.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

#include "commands.hpp"
#include "runner/data_dir.hpp"
#include "runner/fixture.hpp"
#include "runner/ignore_sigpipe.hpp"

#ifndef SSESPEC_VERSION
#define SSESPEC_VERSION "0.0.0"
#endif

namespace {

// The first argument that is not an option, when it names no command ("" otherwise). CLI11
// would only say that a subcommand is required.
std::string unknown_command(const CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.empty() || arg[0] == '-') continue;
    for (const CLI::App* command : app.get_subcommands({})) {
      if (command->check_name(arg)) return "";
    }
    return arg;
  }
  return "";
}

std::string command_names(const CLI::App& app) {
  std::string names;
  for (const CLI::App* command : app.get_subcommands({})) names += (names.empty() ? "" : ", ") + command->get_name();
  return names;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ssespec " SSESPEC_VERSION ": conformance suite for Server-Sent Events (text/event-stream, EventSource)"};
  app.set_version_flag("--version", [] {
    const auto fixtures = ssespec::default_fixtures_root();
    return "ssespec " SSESPEC_VERSION "\nfixture corpus " + ssespec::corpus_version(fixtures) + " (" + fixtures.string() + ")";
  });
  app.require_subcommand(1);
  ssespec::cli::add_parse_command(app);
  ssespec::cli::add_corpus_command(app);
  ssespec::cli::add_report_command(app);
  ssespec::cli::add_server_command(app);
  ssespec::cli::add_lint_command(app);
  ssespec::cli::add_client_command(app);
  ssespec::cli::add_serve_command(app);
  ssespec::cli::add_connect_command(app);
  ssespec::cli::add_browser_command(app);
  ssespec::cli::add_fixtures_command(app);
  ssespec::cli::add_load_command(app);
  ssespec::cli::add_encoder_command(app);
  ssespec::ignore_sigpipe();  // every command writes to peers that may vanish
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (const std::string name = unknown_command(app, argc, argv); !name.empty()) {
      std::cerr << "ssespec: unknown command '" << name << "'; the commands are " << command_names(app)
                << "\nRun with --help for more information.\n";
      return ssespec::cli::kExitUsage;
    }
    app.exit(e);  // prints the message
    return ssespec::cli::kExitUsage;
  } catch (const ssespec::cli::CommandExit& e) {
    return e.code;
  } catch (const ssespec::FixtureError& e) {
    std::cerr << "ssespec: bad fixture: " << e.what() << "\n";
    return ssespec::cli::kExitUsage;
  }
  return ssespec::cli::kExitOk;
}
