// The error of every JSON text ssespec reads (fixtures, expectations, saved reports, the reference
// server's scripts): its message names the file and the field.
#pragma once

#include <stdexcept>

namespace ssespec {

class FixtureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ssespec
