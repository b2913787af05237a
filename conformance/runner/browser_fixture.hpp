// Cases for browsers: every client scenario (fixtures/client, parse cases served whole) as the
// runner page runs it, plus the browser-only area fixtures/browser/*.json
// (fixtures/schema/browser.schema.json): the origin of events, CORS with a second loopback
// origin, withCredentials, and what only a page sees (url attribute, constructor exceptions).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "runner/client_fixture.hpp"
#include "runner/grader.hpp"  // ExpectedEntry

namespace ssespec {

// The two loopback origins a browser case can use: the runner page's server, and a second
// server on another port (a different origin: same scheme and host, another port).
enum class Origin { page, second };

struct BrowserConnection {
  Origin origin = Origin::page;  // the server that plays this connection
  server::ScriptedResponse response;  // header values may hold placeholders, see expand()
  std::optional<ExpectedRequest> expect_request;
  std::optional<std::string> expect_method;
};

// The global an EventSource runs in: the page itself, a dedicated worker, a shared worker.
enum class Context { window, worker, shared_worker };
const char* context_name(Context context);  // "window", "worker", "shared-worker"
std::optional<Context> context_from_name(const std::string& name);

// A handler or an extra listener the page adds after its own trace listener, in case order:
// `add` calls addEventListener(add, ...), `handler` sets source[handler] (e.g. "onmessage").
// Each call is noted as "label:type"; a null label sets the handler to null.
struct RegisterStep {
  std::string add;
  std::string handler;
  std::optional<std::string> label;
};

// What every observed event of one type must show (unset: not checked).
struct EventProperties {
  std::optional<std::string> interface;  // the constructor's name: "Event", "MessageEvent"
  std::optional<bool> bubbles;
  std::optional<bool> cancelable;
  std::optional<bool> is_trusted;
  std::optional<bool> has_data;  // "data" in event
  std::optional<std::string> realm;  // "page" or "iframe": whose Event the event is an instance of
};

struct BrowserCase {
  ClientCase base;  // group, id, description, spec, listen, actions, requests, caps, strict
  Origin stream_origin = Origin::page;  // the origin of the URL given to the constructor
  bool relative_url = false;            // pass the stream URL as a path, resolved by the page
  std::optional<std::string> raw_url;   // pass this URL verbatim (no stream is served)
  std::optional<bool> with_credentials;  // the constructor's dictionary; absent: no dictionary
  std::vector<BrowserConnection> connections;
  std::vector<ExpectedEntry> trace;
  bool record_origin = false;  // some message entry checks origin
  std::optional<std::string> expect_url;  // the url attribute (placeholders expanded)
  std::optional<bool> expect_with_credentials;
  std::optional<std::string> expect_exception;  // DOMException name thrown by the constructor
  std::optional<int> expect_ready_state;        // readyState right after the constructor returns
  std::vector<Context> contexts;                // where the case runs; empty: every context
  std::optional<std::string> url_argument;      // "object", "number", "null": pass the URL as that
  bool window_stop = false;                     // call window.stop() of the iframe a task after construction
  // Construct with an iframe's EventSource (window only): "plain" (about:blank, the page's base
  // URL) or "based-at-stream-folder" (its <base> is the stream's folder; the URL given is the
  // stream's last path segment, so it resolves only against the iframe's base).
  std::optional<std::string> iframe;
  std::vector<RegisterStep> register_steps;
  std::optional<std::vector<std::string>> expect_calls;        // "label:type" in call order
  std::vector<std::pair<std::string, EventProperties>> expect_events;  // event type -> properties

  bool runs_in(Context context) const;

  std::string full_id() const { return base.full_id(); }
};

// The placeholders a browser fixture may use in header values and expected strings.
struct Placeholders {
  std::string page_origin;    // {{pageOrigin}}    e.g. http://127.0.0.1:40001
  std::string second_origin;  // {{secondOrigin}}  e.g. http://127.0.0.1:40002
  std::string page_stream;    // {{pageStream}}    this case's stream URL on the page's server
  std::string second_stream;  // {{secondStream}}  this case's stream URL on the second server
  std::string stream_url;     // {{streamUrl}}     the absolute URL the case opens
};
std::string expand(const std::string& text, const Placeholders& values);

// A client case as the page runs it (stream on the page's origin, no dictionary).
BrowserCase browser_case_from_client(const ClientCase& c);

std::vector<BrowserCase> load_browser_file(const std::filesystem::path& file, const std::string& group);
// Every fixtures/browser/*.json under root, in file-name order (none if the folder is missing).
std::vector<BrowserCase> load_browser_only_cases(const std::filesystem::path& root);
// Client cases, then parse cases, then browser-only cases.
std::vector<BrowserCase> load_all_browser_cases(const std::filesystem::path& root);

}  // namespace ssespec
