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
#include "server_check/check_result.hpp"
#include "server_check/spec_refs.hpp"
#include "server_check/stream_checks.hpp"

namespace ssespec::cli {
namespace {

struct LintOptions {
  std::string file = "-";
  ReportOptions report;
};

// What lint read. After the parser stops at a limit, the rest of the input is still read (so
// nothing is lost and the duration is real) and only scanned for a line break: a line too long
// to parse that never ends means no event after it is ever dispatched.
struct LintInput {
  std::uint64_t bytes = 0;
  std::uint64_t unparsed_bytes = 0;       // read after the parser stopped
  bool line_break_after_stop = false;
};

class InputFeeder {
 public:
  explicit InputFeeder(StreamInspector& stream) : stream_(stream) {}
  void feed(const char* bytes, std::size_t n) {
    input_.bytes += n;
    if (stream_.status() == Status::ok) {
      stream_.feed(std::string_view(bytes, n), 0);
      return;
    }
    input_.unparsed_bytes += n;
    if (!input_.line_break_after_stop) {
      const std::string_view piece(bytes, n);
      input_.line_break_after_stop = piece.find_first_of("\r\n") != std::string_view::npos;
    }
  }
  const LintInput& input() const { return input_; }

 private:
  StreamInspector& stream_;
  LintInput input_;
};

// Feeds the whole input in pieces; returns false (with a message) if it cannot be read.
bool feed_input(const std::string& file, InputFeeder& feeder) {
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
      feeder.feed(buffer.data(), static_cast<std::size_t>(n));
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
    if (n > 0) feeder.feed(buffer.data(), n);
  }
  if (in.bad()) {
    std::cerr << "ssespec lint: reading " << file << " failed\n";
    return false;
  }
  return true;
}

// A line over the parser's limit with no line break after it up to the end of the input.
CaseResult check_line_ends(const StreamInspector& stream, const LintInput& input) {
  const char* id = "stream/limits/line-ends";
  const char* what = "a line too long to parse still ends before the end of the input";
  const std::vector<SpecRef> refs{spec::grammar_event(), spec::dispatch()};
  if (stream.status() != Status::line_too_long) return check_result(id, what, Verdict::pass, "", refs);
  if (input.line_break_after_stop) {
    return check_result(id, what, Verdict::pass, "the long line ends; " + std::to_string(input.unparsed_bytes) + " bytes after it not parsed", refs);
  }
  return check_result(id, what, Verdict::fail,
                      "a line longer than " + std::to_string(stream.limits().max_line_bytes) +
                          " bytes never ends: the input's last " + std::to_string(input.unparsed_bytes) +
                          " bytes hold no line break, so clients buffer it all and dispatch nothing after it",
                      refs);
}

int run(const LintOptions& o) {
  RunResult run;
  run.kind = "lint";
  run.implementation = "ssespec lint";
  run.target = o.file == "-" ? "standard input" : o.file;
  run.started_at = now_iso8601();
  const auto start = std::chrono::steady_clock::now();
  StreamInspector stream;
  InputFeeder feeder(stream);
  if (!feed_input(o.file, feeder)) return kExitUsage;
  stream.end_of_stream(0);  // the end of the capture is the end of the stream
  StreamContext context;
  context.peer_ended = true;
  context.what = run.target;
  auto results = stream_checks(stream, context);
  results.push_back(check_line_ends(stream, feeder.input()));
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
