// `ssespec serve [--port N]`: the reference server for people and browsers: /demo, and every
// client scenario (and parse case) as a named script for the browser runner
// (reference/server/API.md).
#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>

#include "commands.hpp"
#include "runner/client_fixture.hpp"
#include "server/reference_server.hpp"

namespace ssespec::cli {
namespace {

struct ServeOptions {
  std::uint16_t port = 8080;
  int threads = 16;
  unsigned stream_threads = 0;
  bool fixtures = true;
};

int run(const ServeOptions& options) {
  server::ServerOptions server_options;
  server_options.port = options.port;
  server_options.max_threads = options.threads;
  server_options.stream_threads = options.stream_threads;
  server::ReferenceServer server(server_options);
  std::size_t scripts = 0;
  if (options.fixtures) {
    for (const ClientCase& c : load_all_client_cases(default_fixtures_root())) {
      server.add_named_script(c.full_id(), c.script());
      ++scripts;
    }
  }
  // Block the stop signals before threads start, so only sigwait() below receives them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  try {
    server.start();
  } catch (const std::exception& e) {
    std::cerr << "ssespec serve: cannot listen on 127.0.0.1:" << options.port << ": " << e.what() << "\n";
    return kExitUsage;
  }
  std::cout << "ssespec serve: listening on " << server.base_url() << "\n"
            << "  demo:     " << server.base_url() << "/demo\n"
            << "  sessions: POST " << server.base_url() << "/sessions?script=ID (" << scripts
            << " scripts; GET /scripts lists them)\n"
            << "Stop with Ctrl-C." << std::endl;
  int signal = 0;
  sigwait(&stop, &signal);
  server.stop();
  return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto options = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "Run the reference server: /demo and scripted scenario sessions");
  cmd->add_option("--port,-p", options->port, "Port on 127.0.0.1 (0: any free port, printed)");
  cmd->add_option("--threads", options->threads, "HTTP pool threads (they answer complete requests; neither streams nor slow request heads hold them)")
      ->check(CLI::Range(2, 256));
  cmd->add_option("--stream-threads", options->stream_threads, "Threads that write the streams (0: one per core)")
      ->check(CLI::Range(0u, 256u));
  cmd->add_flag("!--no-fixtures", options->fixtures, "Do not register the fixture scripts");
  add_fixtures_option(*cmd);
  cmd->callback([options] { throw CommandExit{run(*options)}; });
}

}  // namespace ssespec::cli
