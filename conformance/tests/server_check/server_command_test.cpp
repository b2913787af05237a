// `ssespec server --list`, `--filter`, `--exclude` from the command line: the listing is the
// check table, selected as the other commands select cases, and no server is contacted.
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "server_check/h2/h2_checks.hpp"
#include "server_check/server_checks.hpp"

namespace ssespec {
namespace {

struct CommandRun {
  int exit_code = -1;
  std::string out, err;
};

// Runs `ssespec server ARGS...` and collects its output; every run here ends without a server.
CommandRun ssespec_server(std::vector<std::string> args) {
  args.insert(args.begin(), "server");
  Poco::Pipe out, err;
  Poco::ProcessHandle handle = Poco::Process::launch(SSESPEC_BINARY, args, nullptr, &out, &err);
  Poco::PipeInputStream out_stream(out), err_stream(err);
  CommandRun run;
  std::ostringstream collected_out, collected_err;
  collected_out << out_stream.rdbuf();
  collected_err << err_stream.rdbuf();
  run.out = collected_out.str();
  run.err = collected_err.str();
  run.exit_code = handle.wait();
  return run;
}

std::vector<std::string> listed_ids(const std::string& listing) {
  std::vector<std::string> ids;
  std::istringstream in(listing);
  for (std::string line; std::getline(in, line);) ids.push_back(line.substr(0, line.find("  ")));
  return ids;
}

TEST(ServerCommandTest, ListPrintsEveryCheckWithItsTitleInRunOrder) {
  const CommandRun run = ssespec_server({"--list"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  std::string expected;
  for (const ServerCheck& c : server_check_table()) expected += std::string(c.id) + "  " + c.title + "\n";
  for (const ServerCheck& c : h2_check_table()) expected += std::string(c.id) + "  " + c.title + "\n";
  EXPECT_EQ(run.out, expected);
}

TEST(ServerCommandTest, FilterAndExcludeSelectAsTheOtherCommandsDo) {
  const CommandRun run = ssespec_server({"--list", "--filter", "server/headers", "-f", "stream/fields/*", "--exclude",
                                         "*/cache-control", "-x", "stream/fields/id-null"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(listed_ids(run.out),
            (std::vector<std::string>{"server/headers/content-type", "server/headers/content-length",
                                      "server/headers/content-encoding", "stream/fields/unknown-name",
                                      "stream/fields/data-continuation", "stream/fields/retry-digits",
                                      "stream/fields/extra-space"}));
}

// The URL after --filter is the URL, not a second pattern.
TEST(ServerCommandTest, FilterMatchingNothingIsAUsageError) {
  const CommandRun run = ssespec_server({"--filter", "server/nothing", "http://127.0.0.1:9/"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("no check matches the filter"), std::string::npos) << run.err;
}

TEST(ServerCommandTest, UrlIsRequiredWithoutList) {
  const CommandRun run = ssespec_server({});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("give the event stream URL"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace ssespec
