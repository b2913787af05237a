// The /demo page and /demo/clock stream: the classic EventSource tutorial, done right.
#pragma once

#include <ctime>
#include <string>

namespace ssespec::server {

std::string demo_page_html();
// Status line and headers of /demo/clock.
std::string demo_clock_head();
// One clock event: `id` and `data` lines, terminated by the blank line that dispatches it.
std::string demo_clock_event(std::time_t now);

}  // namespace ssespec::server
