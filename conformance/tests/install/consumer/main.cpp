// Parses one stream with the installed ssespec::parser; exits 0 only on the spec's result.
#include <ssespec/parser.hpp>

#include <iostream>

int main() {
  // "data: a\r\ndata: b\n\n" is one message "a\nb" (#event-stream-interpretation).
  const auto observed = ssespec::collect("data: a\r\ndata: b\n\n");
  const bool ok = observed.size() == 1 && observed[0].type == "message" && observed[0].data == "a\nb";
  std::cout << (ok ? "consumer: ok" : "consumer: unexpected parse") << "\n";
  return ok ? 0 : 1;
}
