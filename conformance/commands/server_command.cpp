// `ssespec server URL`: checks a live SSE endpoint, like h2spec does for HTTP/2 servers.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "report/result.hpp"
#include "runner/fixture.hpp"
#include "server_check/h2/h2_checks.hpp"
#include "server_check/server_checks.hpp"

namespace ssespec::cli {
namespace {

struct ServerCommandOptions {
  ServerCheckOptions check;
  std::vector<std::string> headers;
  bool list = false;
  ProtocolChoice protocols;  // --http1.1, --http2, --h2c
  ReportOptions report;
};

int run(ServerCommandOptions& o) {
  if (o.list) {  // the table alone: no server is contacted
    for (const ServerCheck& check : server_check_table()) {
      if (is_selected(check.id, o.check.filters, o.check.excludes))
        std::cout << check.id << "  " << check.title << "\n";
    }
    // Over HTTP/2 the checks above are reported as server/h2/<rest of the id> as well.
    for (const ServerCheck& check : h2_check_table()) {
      if (is_selected(check.id, o.check.filters, o.check.excludes))
        std::cout << check.id << "  " << check.title << "\n";
    }
    return kExitOk;
  }
  if (o.check.url.empty()) {
    std::cerr << "ssespec server: give the event stream URL (or --list)\n";
    return kExitUsage;
  }
  const auto& table = server_check_table();
  const auto& h2_table = h2_check_table();
  const auto selected = [&](const ServerCheck& c) {
    return is_selected(c.id, o.check.filters, o.check.excludes) ||
           is_selected(reported_id(c.id, Protocol::h2), o.check.filters, o.check.excludes);
  };
  if (std::none_of(table.begin(), table.end(), selected) && std::none_of(h2_table.begin(), h2_table.end(), selected)) {
    std::cerr << "ssespec server: no check matches the filter (see --list)\n";
    return kExitUsage;
  }
  for (const auto& line : o.headers) {
    const auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0) {
      std::cerr << "ssespec server: --header \"" << line << "\": expected NAME:VALUE\n";
      return kExitUsage;
    }
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    o.check.headers.emplace_back(line.substr(0, colon), value);
  }
  RunResult run;
  run.kind = "server";
  run.implementation = "SSE endpoint";
  run.target = o.check.url;
  run.started_at = now_iso8601();
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> notes;  // a protocol not probed, and why
  try {
    run.cases = run_server_checks_over(o.check, o.protocols, [&](const CaseResult& r) { print_progress(r, o.report); }, notes);
  } catch (const CouldNotRun& e) {
    std::cerr << "ssespec server: " << e.what() << "\n";
    return kExitUsage;
  }
  for (const std::string& note : notes) std::cerr << "ssespec server: " << note << "\n";
  run.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return finish_run(run, o.report);
}

}  // namespace

void add_server_command(CLI::App& app) {
  auto o = std::make_shared<ServerCommandOptions>();
  auto* cmd = app.add_subcommand("server", "Check a live SSE endpoint: headers, stream grammar, flushing, reconnection, robustness");
  cmd->add_option("url", o->check.url,
                  "The event stream URL (http:// or https://host:port/path); not needed with --list");
  cmd->add_option("--filter,-f", o->check.filters,
                  "Only the checks whose id matches this glob or prefix (repeatable), e.g. 'server/headers/*'")
      ->allow_extra_args(false);
  cmd->add_option("--exclude,-x", o->check.excludes,
                  "Leave out the checks whose id matches this glob or prefix (repeatable; wins over --filter)")
      ->allow_extra_args(false);
  cmd->add_flag("--list", o->list, "List the selected checks (id and what each checks) and exit; contacts no server");
  cmd->add_option("--header", o->headers, "Send this request header on every request (repeatable), e.g. 'Authorization: Bearer x'");
  cmd->add_option("--timeout", o->check.timeout_s,
                  "Seconds each probe may take, connect included; the main probe watches the stream this long; the run "
                  "ends within 3 x S (+ the --idle watch), and a check whose probe no longer fits is SKIP")
      ->default_val(10.0)
      ->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--events", o->check.events,
                  "Events the reconnect probe reads, at most (and at least 2), to find the first that carries an id")
      ->default_val(3)
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--idle", o->check.idle_s,
                  "Check keep-alive: a comment or event at least every S seconds (watches 1.5 x S + 0.5 s; 15-30 is typical)")
      ->check(CLI::Range(0.1, 3600.0));
  cmd->add_flag("--resume", o->check.resume, "The server resumes after Last-Event-ID: replaying events is a FAIL");
  cmd->add_option("--max-bytes", o->check.max_bytes, "Parse at most this many bytes per probe (also the largest event); a line past 1 MiB is read on, unparsed, until it ends or --timeout")
      ->default_val(4u << 20)
      ->check(CLI::Range(1024, 1 << 30));
  cmd->add_option("--cacert", o->check.cacert, "https: trust the CA certificate(s) in this PEM file instead of the system's")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--insecure", o->check.insecure, "https: do not verify the server's certificate");
  cmd->add_flag("--http1.1", o->protocols.http1_only, "https: probe HTTP/1.1 only (by default each of h2 and http/1.1 the server accepts by ALPN)");
  cmd->add_flag("--http2", o->protocols.h2_only, "https: probe HTTP/2 only (ALPN h2), as browsers speak it; the server must accept h2");
  cmd->add_flag("--h2c", o->protocols.h2c,
                "http: probe HTTP/2 over cleartext TCP with prior knowledge (h2c) instead of HTTP/1.1; no browser speaks h2c");
  cmd->add_option("--clients", o->check.clients, "Clients that connect and vanish in the robustness check")
      ->default_val(20)
      ->check(CLI::Range(0, 200));
  add_report_options(*cmd, o->report);
  cmd->footer(
      "Verdicts: FAIL clients will misbehave (a MUST, or a stream no client can use); WARN interoperability risk (a\n"
      "SHOULD or pitfall); INFO a note; SKIP not judged (the run's deadline passed, or nothing to judge).\n"
      "The checks and what each rests on: conformance/server_check/CHECKS.md (ids: --list).\n"
      "Exit status: 0 no FAIL; 1 some check failed; 2 could not run (bad URL, refused, untrusted certificate, bad\n"
      "arguments, no check selected).");
  cmd->callback([o] { throw CommandExit{run(*o)}; });
}

}  // namespace ssespec::cli
