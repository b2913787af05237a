// `ssespec fixtures path` and `ssespec fixtures export DIR`: the fixture corpus for other test
// suites. The corpus is already plain JSON (fixtures/README.md), so exporting copies it whole,
// schemas, VERSION and the replay guide (REPLAYING.md) included.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <system_error>

#include "commands.hpp"
#include "runner/data_dir.hpp"
#include "runner/environment.hpp"

namespace ssespec::cli {
namespace {

int export_corpus(const std::filesystem::path& target) {
  const auto root = default_fixtures_root();
  std::error_code ec;
  if (!std::filesystem::is_directory(root / "parse", ec)) {
    std::cerr << "ssespec fixtures export: " << root.string() << ": no fixture corpus there\n";
    return kExitUsage;
  }
  // Never write into a folder that holds something: an export must not overwrite anyone's files.
  if (std::filesystem::exists(target, ec) &&
      (!std::filesystem::is_directory(target, ec) || !std::filesystem::is_empty(target, ec))) {
    std::cerr << "ssespec fixtures export: " << target.string() << " exists and is not an empty folder\n";
    return kExitUsage;
  }
  std::filesystem::create_directories(target, ec);
  if (!ec) std::filesystem::copy(root, target, std::filesystem::copy_options::recursive, ec);
  if (ec) {
    std::cerr << "ssespec fixtures export: " << target.string() << ": " << ec.message() << "\n";
    return kExitUsage;
  }
  std::cout << "fixture corpus " << corpus_version(root) << " written to " << target.string()
            << " (start with REPLAYING.md)\n";
  return kExitOk;
}

}  // namespace

void add_fixtures_option(CLI::App& command) {
  command.add_option_function<std::string>(
             "--fixtures", [](const std::string& dir) { set_fixtures_override(dir); },
             std::string("Fixture folder (default: $") + env::kFixtures + ", else the installed corpus, else the source tree's)")
      ->check(CLI::ExistingDirectory);
}

void add_fixtures_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("fixtures", "Where the fixture corpus is, or a copy of it for another test suite");
  cmd->require_subcommand(1);
  add_fixtures_option(*cmd);
  auto* path = cmd->add_subcommand("path", "Print the fixture folder this ssespec uses");
  path->callback([] {
    std::cout << default_fixtures_root().string() << "\n";
    throw CommandExit{kExitOk};
  });
  auto target = std::make_shared<std::string>();
  auto* exp = cmd->add_subcommand("export", "Copy the corpus (cases, schemas, VERSION, replay guide) into a new folder");
  exp->add_option("dir", *target, "A folder that does not exist yet, or is empty")->required();
  exp->callback([target] { throw CommandExit{export_corpus(*target)}; });
  cmd->footer("Exit status: 0 done; 2 no corpus found, or the export folder is not empty or cannot be written.");
}

}  // namespace ssespec::cli
