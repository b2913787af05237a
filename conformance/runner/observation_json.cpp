#include "observation_json.hpp"

#include <Poco/JSON/Object.h>

#include <algorithm>
#include <sstream>

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

std::string diff_observations(const std::vector<Observation>& expected,
                              const std::vector<Observation>& observed) {
  std::ostringstream out;
  const std::size_t n = std::max(expected.size(), observed.size());
  for (std::size_t i = 0; i < n; ++i) {
    const bool has_e = i < expected.size();
    const bool has_o = i < observed.size();
    if (has_e && has_o && expected[i] == observed[i]) {
      out << "  " << to_json(expected[i]) << "\n";
      continue;
    }
    if (has_e) out << "- " << to_json(expected[i]) << "\n";
    if (has_o) out << "+ " << to_json(observed[i]) << "\n";
  }
  if (n == 0) out << "  (no observations)\n";
  return out.str();
}

}  // namespace ssespec
