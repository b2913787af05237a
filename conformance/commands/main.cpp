// ssespec: the Server-Sent Events conformance suite command.
#include <CLI/CLI.hpp>

#include <iostream>

#include "commands.hpp"
#include "runner/data_dir.hpp"
#include "runner/fixture.hpp"
#include "runner/ignore_sigpipe.hpp"

#ifndef SSESPEC_VERSION
#define SSESPEC_VERSION "0.0.0"
#endif

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
