// `ssespec lint` reads hostile input in bounded memory: each stream is generated on the fly
// into the command's standard input (never stored), and the child's peak resident memory
// (getrusage via wait4) must stay under the bound CHECKS.md states. A memory bound, not a timing.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "runner/ignore_sigpipe.hpp"

namespace {

// CHECKS.md, lint: "peak resident memory stays under 200 MiB whatever the input".
constexpr long kBoundKiB = 200 * 1024;

struct LintRun {
  int exit_code = -1;
  long peak_kib = 0;
  std::string output;
};

using Producer = std::function<void(const std::function<bool(const std::string&)>&)>;

// Runs `ssespec ARG1 ARG2`, writing what `produce` emits to its standard input.
LintRun run_ssespec(const char* arg1, const char* arg2, const Producer& produce) {
  int in[2], out[2];
  EXPECT_EQ(::pipe(in), 0);
  EXPECT_EQ(::pipe(out), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::close(in[1]);
    ::close(out[0]);
    ::execl(SSESPEC_BINARY, SSESPEC_BINARY, arg1, arg2, static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ssespec::ignore_sigpipe();
  produce([&](const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(in[1], bytes.data() + done, bytes.size() - done);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  });
  ::close(in[1]);
  LintRun run;
  char buffer[4096];
  for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) > 0;) run.output.append(buffer, static_cast<std::size_t>(n));
  ::close(out[0]);
  int status = 0;
  struct rusage usage {};
  ::wait4(pid, &status, 0, &usage);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.peak_kib = usage.ru_maxrss;  // KiB on Linux
  return run;
}

LintRun lint(const Producer& produce) { return run_ssespec("lint", "-", produce); }

bool sanitized() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#endif
#endif
  return false;
}

class HostileInputMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (sanitized()) GTEST_SKIP() << "ASan's shadow memory and quarantine make peak RSS meaningless here";
  }
};

TEST_F(HostileInputMemoryTest, HugeEventNamesAndIdsStayUnderTheBound) {
  // 500 events with 1 MiB names took 522 MB when every type and id was kept whole.
  const std::string name(1 << 20, 'n');
  const LintRun run = lint([&](const auto& write) {
    for (int i = 0; i < 400; ++i) {
      if (!write("event: " + name + "\nid: " + name + "\ndata: x\n\n")) return;
    }
  });
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_LT(run.peak_kib, kBoundKiB);
  EXPECT_NE(run.output.find("400 events, 0 comments, 1200 field lines"), std::string::npos) << run.output;  // all was read
}

TEST_F(HostileInputMemoryTest, LineThatNeverEndsFailsUnderTheBound) {
  const std::string piece(1 << 20, 'a');
  const LintRun run = lint([&](const auto& write) {
    for (int i = 0; i < 100; ++i) {
      if (!write(piece)) return;
    }
  });
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("FAIL stream/limits/line-ends"), std::string::npos) << run.output;
  EXPECT_LT(run.peak_kib, kBoundKiB);
}

TEST_F(HostileInputMemoryTest, LargestEventOfInvalidUtf8StaysUnderTheBound) {
  // Each invalid byte decodes to U+FFFD (3 bytes): the worst case for the decoded line and the
  // event's data buffer, up to the parser's limits.
  const std::string line = "data: " + std::string(15 << 20, '\xff') + "\n";
  const LintRun run = lint([&](const auto& write) {
    for (int i = 0; i < 6; ++i) {
      if (!write(line)) return;
    }
    write("\n");
  });
  EXPECT_LT(run.peak_kib, kBoundKiB);
  EXPECT_NE(run.output.find("exceeded"), std::string::npos) << run.output;
}

TEST_F(HostileInputMemoryTest, ParseWithHugeChunkSizeAllocatesOnlyWhatArrives) {
  // `parse --chunk-size 1073741824` allocated 1 GiB up front for a 9-byte input.
  const LintRun run = run_ssespec("parse", "--chunk-size=1073741824", [](const auto& write) { write("data: x\n\n"); });
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.output, "{\"type\":\"message\",\"data\":\"x\",\"lastEventId\":\"\"}\n");
  EXPECT_LT(run.peak_kib, 64 * 1024);
}

}  // namespace
