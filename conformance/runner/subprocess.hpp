// A child process with piped stdin/stdout/stderr, read with deadlines: an adapter that hangs
// or floods never blocks the runner. The child leads its own process group, so kill() also
// ends what it started (e.g. node under a shell script). The first Subprocess makes the
// process ignore SIGPIPE, so that writing to a child that exited fails instead of killing us.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace ssespec {

class Subprocess {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Read { line, timeout, eof };

  // Starts argv[0] (searched in PATH) with the current environment plus `env`.
  // Throws std::runtime_error if it cannot be started.
  Subprocess(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& env);
  ~Subprocess();  // kills the group if still running
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  bool write_stdin(const std::string& text);  // false if the child closed its stdin
  void close_stdin();
  // The next stdout line (without its newline), waiting until `deadline` at most.
  Read read_line(std::string& line, Clock::time_point deadline);
  // Waits for exit until `deadline`; true if it exited (status in `exit_status`).
  bool wait(Clock::time_point deadline, int& exit_status);
  void kill();  // SIGKILL to the child's process group, then reaps it
  bool running() const { return pid_ > 0; }
  const std::string& stderr_text() const { return stderr_; }  // at least its last 64 KiB

 private:
  void pump(int timeout_ms);  // reads what is available on stdout/stderr

  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  int err_ = -1;
  std::string out_buffer_;
  std::string stderr_;
  bool out_eof_ = false;
};

// The line of a crash's stderr that names the exception ("" if none): the last line such as
// Node's "Error: boom", Python's "ValueError: bad" (the line after a Traceback's frames, whatever
// the exception's name), PHP's "PHP Fatal error: ...", Go's "panic: ...". A stack trace may end
// elsewhere, or past the tail shown.
std::string exception_line(const std::string& text);

// Describes a wait() status: "exit 1", "killed by signal 9".
std::string describe_exit(int exit_status);

}  // namespace ssespec
