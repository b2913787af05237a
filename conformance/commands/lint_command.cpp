// `ssespec lint [FILE|-]`: the grammar and field checks of `ssespec server`, on a captured stream.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <vector>

#include "commands.hpp"
#include "report/result.hpp"
#include "server_check/stream_checks.hpp"

namespace ssespec::cli {
namespace {

struct LintOptions {
  std::string file = "-";
  ReportOptions report;
};

// Feeds the whole input in pieces (past a parser limit too: the inspector reads on for a long
// line's end); returns false (with a message) if it cannot be read.
bool feed_input(const std::string& file, StreamInspector& stream) {
  std::vector<char> buffer(64 * 1024);
  if (file == "-") {
    for (;;) {
      const ssize_t n = ::read(STDIN_FILENO, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        std::cerr << "ssespec lint: reading standard input: " << std::strerror(errno) << "\n";
        return false;
      }
      if (n == 0) return true;
      stream.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)), 0);
    }
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "ssespec lint: cannot open " << file << ": " << std::strerror(errno) << "\n";
    return false;
  }
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n > 0) stream.feed(std::string_view(buffer.data(), n), 0);
  }
  if (in.bad()) {
    std::cerr << "ssespec lint: reading " << file << " failed\n";
    return false;
  }
  return true;
}

int run(const LintOptions& o) {
  RunResult run;
  run.kind = "lint";
  run.implementation = "ssespec lint";
  run.target = o.file == "-" ? "standard input" : o.file;
  run.started_at = now_iso8601();
  const auto start = std::chrono::steady_clock::now();
  StreamInspector stream;
  if (!feed_input(o.file, stream)) return kExitUsage;
  stream.end_of_stream(0);  // the end of the capture is the end of the stream
  StreamContext context;
  context.peer_ended = true;
  context.what = run.target;
  auto results = stream_checks(stream, context);
  for (auto& result : results) {
    print_progress(result, o.report);
    run.cases.push_back(std::move(result));
  }
  run.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return finish_run(run, o.report);
}

}  // namespace

void add_lint_command(CLI::App& app) {
  auto o = std::make_shared<LintOptions>();
  auto* cmd = app.add_subcommand("lint", "Check a captured event stream (raw bytes): grammar, UTF-8 and field lint");
  cmd->add_option("file", o->file, "The captured stream, or - for standard input")->default_val("-");
  add_report_options(*cmd, o->report);
  cmd->footer(
      "The end of the input is the end of the stream: an event without its blank line there is a FAIL.\n"
      "Exit status: 0 no FAIL; 1 some check failed; 2 unreadable input or bad arguments.");
  cmd->callback([o] { throw CommandExit{run(*o)}; });
}

}  // namespace ssespec::cli
