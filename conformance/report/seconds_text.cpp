#include "report/seconds_text.hpp"

#include <cmath>
#include <cstdio>

namespace ssespec {

std::string seconds_text(double s) {
  const int decimals = std::fabs(s) < 10 ? 3 : 1;
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", decimals, s);
  std::string out = text;
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  return out + " s";
}

}  // namespace ssespec
