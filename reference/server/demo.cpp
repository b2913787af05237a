#include "server/demo.hpp"

#include "ssespec/encoder.hpp"

namespace ssespec::server {

std::string demo_page_html() {
  return R"html(<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>ssespec demo: EventSource clock</title>
<style>body{font:16px system-ui,sans-serif;margin:2em} #times{font-family:monospace}</style>
<h1>EventSource clock</h1>
<p>readyState: <b id="state">0</b> <button id="close">close()</button></p>
<ol id="times"></ol>
<script>
const names = ["CONNECTING", "OPEN", "CLOSED"];
const source = new EventSource("/demo/clock");
const state = document.getElementById("state");
const show = () => { state.textContent = source.readyState + " (" + names[source.readyState] + ")"; };
show();
source.onopen = show;
source.onerror = show;
source.onmessage = (event) => {
  const item = document.createElement("li");
  item.textContent = event.data + "  (lastEventId " + event.lastEventId + ")";
  document.getElementById("times").prepend(item);
  show();
};
document.getElementById("close").onclick = () => { source.close(); show(); };
</script>
</html>
)html";
}

std::string demo_clock_head() {
  return "HTTP/1.1 200 OK\r\n"
         "Content-Type: text/event-stream\r\n"
         "Cache-Control: no-cache\r\n"
         "Connection: close\r\n"
         "\r\n"
         "retry: 1000\n\n";
}

std::string demo_clock_event(std::time_t now) {
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  Message tick;
  tick.id = std::to_string(static_cast<long long>(now));
  tick.data = text;
  return encode(tick).bytes;
}

}  // namespace ssespec::server
