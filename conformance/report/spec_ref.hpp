// A citation of the rule a case or check enforces: fixtures carry them and results report them.
#pragma once

#include <string>

namespace ssespec {

struct SpecRef {
  std::string url;    // https://html.spec.whatwg.org/multipage/server-sent-events.html#anchor
  std::string quote;  // the rule's words, short
};

}  // namespace ssespec
