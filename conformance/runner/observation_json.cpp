#include "observation_json.hpp"

#include <Poco/JSON/Object.h>

#include <algorithm>
#include <sstream>

#include "report/payload.hpp"

namespace ssespec {

std::string to_json(const Observation& observation) {
  Poco::JSON::Object obj(Poco::JSON_PRESERVE_KEY_ORDER);
  if (observation.kind == Observation::Kind::retry) {
    obj.set("retry", static_cast<Poco::UInt64>(observation.retry));
  } else {
    obj.set("type", observation.type);
    obj.set("data", observation.data);
    obj.set("lastEventId", observation.last_event_id);
  }
  std::ostringstream out;
  obj.stringify(out);
  return out.str();
}

namespace {

// An observation as a report shows it: large strings as length, hash and excerpts.
std::string report_json(Observation o) {
  o.type = payload_for_report(o.type);
  o.data = payload_for_report(o.data);
  o.last_event_id = payload_for_report(o.last_event_id);
  return to_json(o);
}

}  // namespace

std::string diff_observations(const std::vector<Observation>& expected,
                              const std::vector<Observation>& observed) {
  std::ostringstream out;
  const std::size_t n = std::max(expected.size(), observed.size());
  for (std::size_t i = 0; i < n; ++i) {
    const bool has_e = i < expected.size();
    const bool has_o = i < observed.size();
    if (has_e && has_o && expected[i] == observed[i]) {
      out << "  " << report_json(expected[i]) << "\n";
      continue;
    }
    if (has_e) out << "- " << report_json(expected[i]) << "\n";
    if (has_o) out << "+ " << report_json(observed[i]) << "\n";
    if (has_e && has_o && expected[i].data != observed[i].data &&
        std::max(expected[i].data.size(), observed[i].data.size()) > kInlinePayloadLimit) {
      out << "  data: " << first_difference(expected[i].data, observed[i].data) << "\n";
    }
  }
  if (n == 0) out << "  (no observations)\n";
  return out.str();
}

}  // namespace ssespec
