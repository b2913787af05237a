// `ssespec parse [--chunk-size N] [--count]`: raw stream on stdin, one JSON observation per line.
// A contract other tools rely on: keep the output exactly so.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "runner/observation_json.hpp"

namespace ssespec::cli {
namespace {

class JsonLinesSink final : public EventSink {
 public:
  explicit JsonLinesSink(bool count_only) : count_only_(count_only) {}
  void on_event(const Event& e) override {
    ++events_;
    if (!count_only_) print({Observation::Kind::event, std::string(e.type), std::string(e.data), std::string(e.last_event_id), 0});
  }
  void on_retry(std::uint64_t ms) override {
    if (!count_only_) print({Observation::Kind::retry, {}, {}, {}, ms});
  }
  std::uint64_t events() const { return events_; }

 private:
  void print(const Observation& o) { std::cout << to_json(o) << '\n'; }
  bool count_only_;
  std::uint64_t events_ = 0;
};

int run(std::size_t chunk_size, bool count_only) {
  std::ios::sync_with_stdio(false);
  Parser parser;
  JsonLinesSink sink(count_only);
  // Read in 64 KiB pieces whatever --chunk-size is; a chunk is assembled only from bytes that
  // arrived, so a huge --chunk-size costs memory only for input that exists.
  std::vector<char> buffer(64 * 1024);
  std::string pending;  // with --chunk-size, bytes waiting to make up a whole chunk
  Status status = Status::ok;
  const auto feed = [&](std::string_view bytes) {
    status = parser.feed(bytes, sink);
    return status == Status::ok;
  };
  for (;;) {
    const ssize_t n = ::read(STDIN_FILENO, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::cerr << "ssespec parse: reading standard input: " << std::strerror(errno) << "\n";
      return kExitUsage;
    }
    if (n == 0) {
      if (!pending.empty()) feed(pending);
      break;
    }
    const std::string_view read(buffer.data(), static_cast<std::size_t>(n));
    if (chunk_size == 0) {
      if (!feed(read)) break;
      continue;
    }
    pending.append(read);
    std::size_t at = 0;
    while (status == Status::ok && pending.size() - at >= chunk_size) {
      feed(std::string_view(pending).substr(at, chunk_size));
      at += chunk_size;
    }
    pending.erase(0, at);
    if (status != Status::ok) break;
  }
  parser.finish();
  if (count_only) std::cout << "events: " << sink.events() << '\n';
  std::cout.flush();
  if (status != Status::ok) {
    std::cerr << "ssespec parse: stopped: " << to_string(status) << "\n";
    return kExitFailures;
  }
  return kExitOk;
}

}  // namespace

void add_parse_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("parse", "Parse an event stream from standard input; print one JSON observation per line");
  auto chunk_size = std::make_shared<std::size_t>(0);
  auto count = std::make_shared<bool>(false);
  cmd->add_option("--chunk-size", *chunk_size, "Feed the parser N bytes at a time (default: as read)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
  cmd->add_flag("--count", *count, "Print only 'events: N'");
  cmd->footer(
      "Output, one JSON object per line, in stream order:\n"
      "  {\"type\": \"...\", \"data\": \"...\", \"lastEventId\": \"...\"}  a dispatched event\n"
      "  {\"retry\": 1500}                                        a valid retry field\n"
      "Exit status: 0 parsed to end of input; 1 a parser limit was exceeded; 2 bad arguments.");
  cmd->callback([chunk_size, count] { throw CommandExit{run(*chunk_size, *count)}; });
}

}  // namespace ssespec::cli
