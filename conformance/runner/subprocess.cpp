#include "runner/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <regex>
#include <stdexcept>
#include <thread>

#include "runner/ignore_sigpipe.hpp"

extern char** environ;

namespace ssespec {
namespace {

constexpr std::size_t kMaxStderr = 64 * 1024;
constexpr std::size_t kMaxLine = 256u << 20;  // a large event, but not an endless line

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

Subprocess::Subprocess(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& env) {
  if (argv.empty()) throw std::runtime_error("no command");
  ignore_sigpipe();  // writing to a child that already exited fails with EPIPE
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);

  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    bool overridden = false;
    for (const auto& [k, v] : env) overridden = overridden || entry.rfind(k + "=", 0) == 0;
    if (!overridden) env_strings.push_back(entry);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& s : args) argp.push_back(s.data());
  argp.push_back(nullptr);

  const int rc = ::posix_spawnp(&pid_, argp[0], &actions, &attr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    pid_ = -1;
    throw std::runtime_error("cannot start '" + argv[0] + "': " + std::strerror(rc));
  }
  in_ = in[1];
  out_ = out[0];
  err_ = err[0];
  set_nonblocking(out_);
  set_nonblocking(err_);
}

Subprocess::~Subprocess() {
  kill();
  close_stdin();
  if (out_ >= 0) ::close(out_);
  if (err_ >= 0) ::close(err_);
}

bool Subprocess::write_stdin(const std::string& text) {
  if (in_ < 0) return false;
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(in_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // EPIPE: SIGPIPE is ignored by the runner
    done += static_cast<std::size_t>(n);
  }
  return true;
}

void Subprocess::close_stdin() {
  if (in_ >= 0) ::close(in_);
  in_ = -1;
}

void Subprocess::pump(int timeout_ms) {
  pollfd fds[2] = {{out_eof_ ? -1 : out_, POLLIN, 0}, {err_, POLLIN, 0}};
  if (::poll(fds, 2, timeout_ms) <= 0) return;
  char buffer[65536];
  if (fds[0].revents) {
    for (;;) {
      const ssize_t n = ::read(out_, buffer, sizeof buffer);
      if (n > 0) {
        out_buffer_.append(buffer, static_cast<std::size_t>(n));
        if (out_buffer_.size() > kMaxLine) break;
        continue;
      }
      if (n == 0) out_eof_ = true;
      break;
    }
  }
  if (fds[1].revents) {
    for (;;) {
      const ssize_t n = ::read(err_, buffer, sizeof buffer);
      if (n <= 0) {
        if (n == 0) {
          ::close(err_);
          err_ = -1;
        }
        break;
      }
      // The last words matter (a crash's exception line): keep the end, trimmed in large steps.
      stderr_.append(buffer, static_cast<std::size_t>(n));
      if (stderr_.size() > 2 * kMaxStderr) stderr_.erase(0, stderr_.size() - kMaxStderr);
    }
  }
}

Subprocess::Read Subprocess::read_line(std::string& line, Clock::time_point deadline) {
  for (;;) {
    const auto newline = out_buffer_.find('\n');
    if (newline != std::string::npos) {
      line = out_buffer_.substr(0, newline);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      out_buffer_.erase(0, newline + 1);
      return Read::line;
    }
    if (out_buffer_.size() > kMaxLine) {
      line = out_buffer_;
      out_buffer_.clear();
      return Read::line;  // the runner rejects it as malformed
    }
    if (out_eof_) {
      if (!out_buffer_.empty()) {
        line = out_buffer_;
        out_buffer_.clear();
        return Read::line;
      }
      return Read::eof;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return Read::timeout;
    pump(static_cast<int>(std::min<long long>(left, 1000)));
  }
}

bool Subprocess::wait(Clock::time_point deadline, int& exit_status) {
  if (pid_ <= 0) return true;
  for (;;) {
    const pid_t r = ::waitpid(pid_, &exit_status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      pump(0);  // what it wrote just before it ended (a crash's last words on stderr)
      return true;
    }
    if (Clock::now() >= deadline) return false;
    pump(5);  // keep the pipes drained while waiting
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void Subprocess::kill() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGKILL);  // the process group this child leads
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string exception_line(const std::string& text) {
  // Node "Error: boom", "TypeError [ERR_INVALID_URL]: Invalid URL"; Python "ValueError: bad",
  // "json.decoder.JSONDecodeError: ..."; PHP "PHP Fatal error:  Uncaught Exception: ..."; Go "panic: ...".
  static const std::regex named(R"(^(Uncaught )?([A-Za-z_$][\w.$]*)?(Error|Exception)( \[[^\]]*\])?: .*)");
  static const std::regex php(R"(^(PHP )?(Fatal|Parse) error: .*)");
  static const std::regex go(R"(^(panic|fatal error): .*)");
  std::string found;
  // Python: the first unindented line after a Traceback's frames is its exception, whatever its
  // name ("requests.exceptions.ReadTimeout: ...", "KeyboardInterrupt").
  bool in_traceback = false;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const bool frame = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    if (line == "Traceback (most recent call last):") {
      in_traceback = true;
    } else if (in_traceback && !frame && !line.empty()) {
      in_traceback = false;
      if (line.size() <= 2000) found = line;
    } else if (line.size() <= 2000 &&
               (std::regex_match(line, named) || std::regex_match(line, php) || std::regex_match(line, go))) {
      found = std::move(line);
    }
    start = end + 1;
  }
  return found;
}

std::string describe_exit(int exit_status) {
  if (WIFEXITED(exit_status)) return "exit " + std::to_string(WEXITSTATUS(exit_status));
  if (WIFSIGNALED(exit_status)) return "killed by signal " + std::to_string(WTERMSIG(exit_status));
  return "status " + std::to_string(exit_status);
}

}  // namespace ssespec
