#include "runner/unreportable.hpp"

#include <algorithm>

namespace ssespec {

const std::set<std::string>& unreportable_names() {
  static const std::set<std::string> names = {"open", "ready-state", "last-event-id"};
  return names;
}

std::string fit_to_unreportable(ClientCase& c, const std::set<std::string>& missing, std::string& why) {
  const auto lacks = [&](const char* name) { return missing.count(name) > 0; };
  bool needs_state = false;
  bool needs_id = false;
  for (const TraceEntry& t : c.trace) {
    needs_state = needs_state || t.kind == "error" || t.kind == "closed";
    needs_id = needs_id || (t.kind == "message" && !t.last_event_id.empty());
  }
  for (const ClientAction& a : c.actions) {
    if (a.kind == "open" && lacks("open")) {
      why = "no open event to close after";
      return "open";
    }
  }
  if (needs_state && lacks("ready-state")) {
    why = "no readyState with its errors";
    return "ready-state";
  }
  if (needs_id && lacks("last-event-id")) {
    why = "no lastEventId on messages";
    return "last-event-id";
  }
  if (lacks("open")) {
    c.trace.erase(std::remove_if(c.trace.begin(), c.trace.end(), [](const TraceEntry& t) { return t.kind == "open"; }),
                  c.trace.end());
  }
  return {};
}

}  // namespace ssespec
