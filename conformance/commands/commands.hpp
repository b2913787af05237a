// Each `ssespec` subcommand registers itself on the CLI11 app from its own file.
// A command's callback throws CommandExit to end the program with a documented status.
#pragma once

#include <stdexcept>

namespace CLI {
class App;
}

namespace ssespec::cli {

// Exit statuses shared by every command.
enum ExitCode : int {
  kExitOk = 0,          // ran, nothing failed
  kExitFailures = 1,    // ran, some case or check failed
  kExitUsage = 2,       // bad arguments, unreadable input or fixtures: nothing was judged
};

struct CommandExit {
  int code;
};

void add_parse_command(CLI::App& app);
void add_corpus_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_server_command(CLI::App& app);
void add_lint_command(CLI::App& app);
void add_client_command(CLI::App& app);   // ssespec client -- CMD
void add_serve_command(CLI::App& app);    // ssespec serve
void add_connect_command(CLI::App& app);  // ssespec connect URL
void add_browser_command(CLI::App& app);  // ssespec browser [--browser chromium|firefox]
void add_load_command(CLI::App& app);     // ssespec load URL --clients N --duration S
void add_fixtures_command(CLI::App& app);  // ssespec fixtures path | export DIR
void add_encoder_command(CLI::App& app);   // ssespec encoder -- CMD

// Adds --fixtures DIR to a command that loads fixtures (conformance/runner/data_dir.hpp).
void add_fixtures_option(CLI::App& command);

}  // namespace ssespec::cli
