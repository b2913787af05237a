#include "server_check/server_schedule.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include "report/seconds_text.hpp"
#include "runner/fixture.hpp"
#include "server_check/h2/h2_checks.hpp"

namespace ssespec {
namespace {

// The server's lines may be long, but one line above this is judged a flood.
constexpr std::size_t kMaxLineBytes = 1u << 20;
// How long the abrupt clients stay connected before they vanish.
constexpr double kAbruptHoldSeconds = 0.2;
// The HTTP/2 flow-control probe: a stream window a few events fill, withheld this long.
constexpr std::uint32_t kH2FlowWindow = 64;
constexpr double kH2FlowWithholdSeconds = 0.5;
constexpr double kH2FlowWatchSeconds = 1.5;  // after the grant

ProbeRequest base_request(const ServerCheckOptions& options, const Poco::URI& uri) {
  ProbeRequest request;
  request.uri = uri;
  request.headers = options.headers;
  request.timeout_s = options.timeout_s;
  request.max_bytes = options.max_bytes;
  request.cacert = options.cacert;
  request.insecure = options.insecure;
  request.protocol = options.protocol;
  return request;
}

Limits server_limits(const ServerCheckOptions& options) {
  Limits limits;
  limits.max_line_bytes = std::min<std::size_t>(kMaxLineBytes, options.max_bytes);
  limits.max_event_bytes = options.max_bytes;
  return limits;
}

double since_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

enum class ProbeState {
  ran,
  not_wanted,   // nothing to probe: no --idle, no event id to reconnect with
  not_reached,  // the deadline passed or cut it short, or the server stopped accepting
};

// Runs each probe once, when the first selected check that reads it comes up, and keeps what it
// observed.
class ProbeSchedule {
 public:
  ProbeSchedule(const ServerCheckOptions& options, const Poco::URI& uri)
      : uri_(uri), clock_(run_budget_s(options)), not_reached_(clock_.budget_s()) {
    observed_.options = options;
    observed_.main.stream = StreamInspector(server_limits(options));
  }

  // 1. The main probe: the head, then the body until the response ends or --timeout passes, so
  //    an unterminated last event and the timing of arrivals are always seen. Throws CouldNotRun.
  void run_main() {
    ProbeRequest request = base_request(observed_.options, uri_);
    request.ask_alpn = observed_.options.protocol == Protocol::http1_1;
    observed_.main.probe = probe(request, &observed_.main.stream);
    states_[ProbeKind::main] = ProbeState::ran;
    pending_ms_[ProbeKind::main] = observed_.main.probe.ended_at * 1000;
  }

  // Runs `kind` unless it ran or was tried; `duration_ms` gets its time once, for the first
  // check that reads it.
  ProbeState run(ProbeKind kind, double& duration_ms) {
    if (states_.count(kind) == 0) states_[kind] = start(kind);
    const auto pending = pending_ms_.find(kind);
    if (pending != pending_ms_.end()) {
      duration_ms = pending->second;
      pending_ms_.erase(pending);
    }
    return states_[kind];
  }

  const ServerObservations& observed() const { return observed_; }
  NotReached& not_reached() { return not_reached_; }

 private:
  ProbeState start(ProbeKind kind) {
    const ServerCheckOptions& options = observed_.options;
    switch (kind) {
      case ProbeKind::main:
        return ProbeState::ran;  // run_main()
      case ProbeKind::browser_like: {
        // 2. As a browser asks (browsers always send Accept-Encoding): until the first event.
        ProbeRequest request = base_request(options, uri_);
        request.headers.insert(request.headers.begin(), {"Accept-Encoding", "gzip, deflate, br"});
        request.max_events = 1;
        return later(kind, request, observed_.browser_like, StreamInspector(server_limits(options)));
      }
      case ProbeKind::idle: {
        // 3. Keep-alive: watch 1.5 x --idle for the longest silence.
        if (options.idle_s <= 0) return ProbeState::not_wanted;
        ProbeRequest request = base_request(options, uri_);
        request.timeout_s = options.idle_s * 1.5 + 0.5;
        return later(kind, request, observed_.idle, StreamInspector(server_limits(options), 0));
      }
      case ProbeKind::reconnect: {
        // 4. Reconnection with the last event ID the client holds; a greeting without an id may
        //    come first, so read up to --events events for one that carries an id.
        const std::string sent_id = observed_.main.stream.last_event_id();
        if (sent_id.empty()) return ProbeState::not_wanted;
        ProbeRequest request = base_request(options, uri_);
        request.headers.insert(request.headers.begin(), {"Last-Event-ID", sent_id});
        request.max_events = std::max<std::uint64_t>(options.events, 2);
        return later(kind, request, observed_.reconnect, StreamInspector(server_limits(options)));
      }
      case ProbeKind::bogus: {
        // 5. Robustness: an id the server never issued ...
        ProbeRequest request = base_request(options, uri_);
        request.read_body = false;
        request.headers.insert(request.headers.begin(), {"Last-Event-ID", kBogusLastEventId});
        std::optional<ProbeResult> result = later_probe(request, nullptr);
        if (!result) return ProbeState::not_reached;
        pending_ms_[kind] = result->ended_at * 1000;
        observed_.bogus = std::move(result);
        return ProbeState::ran;
      }
      case ProbeKind::abrupt:
        return abrupt();
      case ProbeKind::h2_second:
      case ProbeKind::h2_streams:
      case ProbeKind::h2_flow:
        return h2_probe(kind);
    }
    return ProbeState::not_reached;
  }

  // ... and clients that vanish mid-stream, then a new client.
  ProbeState abrupt() {
    const ServerCheckOptions& options = observed_.options;
    if (not_reached_.server_stopped() || clock_.left() < 0.1) return ProbeState::not_reached;
    const auto start = std::chrono::steady_clock::now();
    // Each connect gets its share of what is left, so a server that stops accepting (a full
    // backlog: connects hang) cannot stretch the run by --clients x --timeout.
    ProbeRequest vanish = base_request(options, uri_);
    vanish.timeout_s = std::max(0.05, std::min(options.timeout_s, clock_.left() / 2 / std::max(options.clients, 1)));
    AbruptObservation abrupt{options.clients, open_and_abandon(vanish, options.clients, kAbruptHoldSeconds),
                             observed_.main.stream.events() > 0, Observed{{}, StreamInspector(server_limits(options))}};
    ProbeRequest after = base_request(options, uri_);
    after.max_events = 1;
    after.read_body = abrupt.expect_event;
    std::optional<ProbeResult> result = later_probe(after, abrupt.expect_event ? &abrupt.fresh.stream : nullptr);
    if (!result) return ProbeState::not_reached;
    abrupt.fresh.probe = std::move(*result);
    observed_.abrupt = std::move(abrupt);
    pending_ms_[ProbeKind::abrupt] = since_ms(start);
    return ProbeState::ran;
  }

  // 7. HTTP/2 only: the main probe again on a second connection when the first stream ended
  //    (to tell a timer from an accident, and to reconnect after a GOAWAY); several streams on
  //    one connection; the flow-control window withheld, then granted.
  ProbeState h2_probe(ProbeKind kind) {
    const ServerCheckOptions& options = observed_.options;
    const h2::StreamRecord* main = observed_.main.probe.h2.get();
    if (main == nullptr || !main->got_head()) return ProbeState::not_wanted;
    if (not_reached_.server_stopped() || clock_.left() < 0.1) return ProbeState::not_reached;
    const auto start = std::chrono::steady_clock::now();
    ProbeRequest request = base_request(options, uri_);
    request.timeout_s = std::min(options.timeout_s, clock_.left());
    try {
      if (kind == ProbeKind::h2_second) {
        const double age = main->end != h2::StreamEnd::open ? main->ended_at - main->opened_at
                           : main->connection.goaway                ? main->connection.goaway_at - main->opened_at
                                                                    : -1;
        if (age < 0) return ProbeState::not_wanted;
        request.timeout_s = std::min(request.timeout_s, age * 1.5 + 1);
        Observed again{{}, StreamInspector(server_limits(options))};
        observed_.h2_second = probe(request, &again.stream);
      } else if (kind == ProbeKind::h2_streams) {
        // One stream more than the server allows (a page's next EventSource), at most 6; 3
        // when it allows many.
        const std::uint32_t announced = main->connection.max_concurrent_streams;
        observed_.h2_streams = h2::probe_streams(request, announced < 6 ? static_cast<int>(announced) + 1 : 3);
      } else {
        observed_.h2_flow = h2::probe_flow(request, kH2FlowWindow, kH2FlowWithholdSeconds, kH2FlowWatchSeconds);
      }
    } catch (const CouldNotRun& e) {
      not_reached_.server_stopped(e.what());
      return ProbeState::not_reached;
    }
    pending_ms_[kind] = since_ms(start);
    return ProbeState::ran;
  }

  // A later probe that reads a body into `into`.
  ProbeState later(ProbeKind kind, const ProbeRequest& request, std::optional<Observed>& into, StreamInspector stream) {
    Observed observed{{}, std::move(stream)};
    std::optional<ProbeResult> result = later_probe(request, &observed.stream);
    if (!result) return ProbeState::not_reached;
    observed.probe = std::move(*result);
    pending_ms_[kind] = observed.probe.ended_at * 1000;
    into = std::move(observed);
    return ProbeState::ran;
  }

  // Each later probe gets what is left of the run's deadline, at most --timeout. A probe the
  // deadline cut to less than half its time that then saw nothing is not judged: ssespec's
  // limit, not the server's fault.
  std::optional<ProbeResult> later_probe(ProbeRequest request, StreamInspector* stream) {
    const bool cut = clock_.left() < request.timeout_s / 2;
    request.timeout_s = std::min(request.timeout_s, clock_.left());
    if (not_reached_.server_stopped()) return std::nullopt;
    if (request.timeout_s < 0.05) return std::nullopt;  // the run's deadline passed
    try {
      ProbeResult result = probe(request, stream);
      const bool awaited_event_missing = request.read_body && request.max_events > 0 && stream != nullptr &&
                                         result.end == ProbeEnd::deadline && stream->events() == 0;
      if (cut && (!result.got_response() || awaited_event_missing)) return std::nullopt;
      return result;
    } catch (const CouldNotRun& e) {
      not_reached_.server_stopped(e.what());
      return std::nullopt;
    }
  }

  Poco::URI uri_;
  RunClock clock_;
  NotReached not_reached_;
  ServerObservations observed_;
  std::map<ProbeKind, ProbeState> states_;
  std::map<ProbeKind, double> pending_ms_;  // a probe's time, until a check reports it
};

bool judged(JudgedAfter after, const ServerObservations& observed) {
  switch (after) {
    case JudgedAfter::request:
      return true;
    case JudgedAfter::head:
      return observed.main.probe.got_response();  // a server that never answers: one verdict, bounded
    case JudgedAfter::event_stream:
      return body_is_interpreted(observed);
  }
  return false;
}

}  // namespace

double run_budget_s(const ServerCheckOptions& options) {
  return kRunBudgetTimeouts * options.timeout_s + (options.idle_s > 0 ? options.idle_s * 1.5 + 0.5 : 0);
}

CaseResult NotReached::result(const ServerCheck& check) {
  if (stopped_.empty()) {
    return check_result(check.id, check.title, Verdict::skip,
                        "not judged: the run's deadline (" + seconds_text(budget_s_) + ", see CHECKS.md) had passed",
                        check.spec);
  }
  if (stopped_in_.empty()) {
    stopped_in_ = check.id;
    return check_result(check.id, check.title, Verdict::fail,
                        "the server stopped accepting connections after its first response (" + stopped_ +
                            "): every client that reconnects fails",
                        check.spec);
  }
  return check_result(check.id, check.title, Verdict::skip,
                      "not judged: the server stopped accepting connections (see " + stopped_in_ + ")", check.spec);
}

std::vector<CaseResult> run_server_checks(const ServerCheckOptions& options,
                                          const std::function<void(const CaseResult&)>& on_result) {
  const Poco::URI uri = parse_target(options.url);  // throws CouldNotRun
  ProbeSchedule schedule(options, uri);
  schedule.run_main();  // throws CouldNotRun: nothing judged
  std::vector<CaseResult> results;
  for (const ServerCheck* listed : checks_over(options.protocol)) {
    const ServerCheck& check = *listed;
    const std::string id = reported_id(check.id, options.protocol);
    if (!is_selected(id, options.filters, options.excludes)) continue;
    if (!judged(check.judged_after, schedule.observed())) continue;
    double duration_ms = 0;
    const ProbeState state = schedule.run(check.probe, duration_ms);
    if (check.also_reads) schedule.run(*check.also_reads, duration_ms);
    CaseResult result = state == ProbeState::not_reached
                            ? schedule.not_reached().result(check)
                            : check_result(check.id, check.title, check.spec, check.judge(schedule.observed()));
    result.duration_ms = duration_ms;
    result.id = id;  // over HTTP/2: server/h2/...
    result.group = id.substr(0, id.rfind('/'));
    if (on_result) on_result(result);
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace ssespec
