// The spec text each server and lint check enforces: WHATWG anchors with the rule's words.
#pragma once

#include <string>

#include "runner/fixture.hpp"

namespace ssespec::spec {

inline SpecRef ref(const std::string& anchor, const std::string& quote) {
  return {"https://html.spec.whatwg.org/multipage/server-sent-events.html#" + anchor, quote};
}

// #dom-eventsource, step 15.3 of the EventSource constructor.
inline SpecRef status_and_type() {
  return ref("dom-eventsource",
             "if res's status is not 200, or if res's `Content-Type` is not `text/event-stream`, then fail the connection");
}
inline SpecRef fail_is_final() {
  return ref("sse-processing-model", "Once the user agent has failed the connection, it does not attempt to reconnect.");
}
inline SpecRef end_of_body_reconnects() {
  return ref("dom-eventsource",
             "Let processEventSourceEndOfBody given response res be the following step: if res is not a network error, "
             "then reestablish the connection.");
}
inline SpecRef no_store() {
  return ref("dom-eventsource", "Set request's cache mode to \"no-store\".");
}
inline SpecRef utf8_only() {
  return ref("parsing-an-event-stream", "Event streams in this format must always be encoded as UTF-8.");
}
inline SpecRef always_utf8_intro() {
  return ref("server-sent-events-intro",
             "Event streams are always decoded as UTF-8. There is no way to specify another character encoding.");
}
inline SpecRef grammar_event() {
  return ref("parsing-an-event-stream", "event = *( comment / field ) end-of-line");
}
inline SpecRef grammar_bom() {
  return ref("parsing-an-event-stream", "stream = [ bom ] *event");
}
inline SpecRef bom_stripped_once() {
  return ref("event-stream-interpretation",
             "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any.");
}
inline SpecRef incomplete_discarded() {
  return ref("event-stream-interpretation",
             "If the file ends in the middle of an event, before the final empty line, the incomplete event is not dispatched.");
}
inline SpecRef last_needs_blank_line() {
  return ref("event-stream-interpretation", "the end of the stream is not enough to trigger the dispatch of the last event");
}
inline SpecRef blank_line_dispatches() {
  return ref("event-stream-interpretation", "If the line is empty (a blank line) ... Dispatch the event, as defined below.");
}
inline SpecRef data_appends_line() {
  return ref("processField",
             "If the field name is \"data\" ... Append the field value to the data buffer, then append a single U+000A "
             "LINE FEED (LF) character to the data buffer.");
}
// Not the HTML Standard: HTTP caching, for what shared caches may do with a response that
// names no freshness (a 200 is heuristically cacheable).
inline SpecRef heuristic_freshness() {
  return {"https://www.rfc-editor.org/rfc/rfc9111#section-4.2.2",
          "a cache MAY assign a heuristic expiration time when an explicit time is not specified"};
}
// Not the HTML Standard: HTTP/1.1 message framing.
inline SpecRef invalid_content_length() {
  return {"https://www.rfc-editor.org/rfc/rfc9112#section-6.3",
          "If a message is received without Transfer-Encoding and with an invalid Content-Length header field, then "
          "the message framing is invalid and the recipient MUST treat it as an unrecoverable error"};
}
inline SpecRef connection_limit() {
  return ref("authoring-notes",
             "Clients that support HTTP's per-server connection limitation might run into trouble when opening multiple "
             "pages from a site if each page has an EventSource to the same domain.");
}
inline SpecRef unknown_field() {
  return ref("processField", "The field is ignored.");
}
inline SpecRef literal_names() {
  return ref("processField", "Field names must be compared literally, with no case folding performed.");
}
inline SpecRef id_null() {
  return ref("processField",
             "If the field value does not contain U+0000 NULL, then set the last event ID buffer to the field value. "
             "Otherwise, ignore the field.");
}
inline SpecRef retry_digits() {
  return ref("processField",
             "If the field value consists of only ASCII digits, then interpret the field value as an integer in base ten "
             "... Otherwise, ignore the field.");
}
inline SpecRef one_space_removed() {
  return ref("event-stream-interpretation", "If value starts with a U+0020 SPACE character, remove it from value.");
}
inline SpecRef dispatch() {
  return ref("dispatchMessage", "If the data buffer is an empty string, set the data buffer and the event type buffer to "
                                "the empty string and return.");
}
inline SpecRef buffering() {
  return ref("parsing-an-event-stream",
             "block buffering or line buffering with different expected line endings can cause delays in event dispatch");
}
inline SpecRef chunking_layer() {
  return ref("authoring-notes",
             "HTTP chunking can have unexpected negative effects on the reliability of this protocol, in particular if "
             "the chunking is done by a different layer unaware of the timing requirements");
}
inline SpecRef keep_alive() {
  return ref("authoring-notes",
             "authors can include a comment line (one starting with a ':' character) every 15 seconds or so");
}
inline SpecRef last_event_id_header() {
  return ref("the-last-event-id-header",
             "HTTP request header reports an EventSource object's last event ID string to the server when the user agent "
             "is to reestablish the connection.");
}
inline SpecRef reconnect_sends_id() {
  return ref("reestablish-the-connection",
             "If the EventSource object's last event ID string is not the empty string ... Set (`Last-Event-ID`, "
             "lastEventIDValue) in request's header list.");
}
inline SpecRef stop_with_204() {
  return ref("server-sent-events-intro",
             "a client can be told to stop reconnecting using the HTTP 204 No Content response code");
}

// ---- RFC 9113 (HTTP/2), kept in fixtures/spec-text/rfc9113.xml -------------------------------
inline SpecRef h2_alpn() {
  return {"https://www.rfc-editor.org/rfc/rfc9113#section-3.2", "HTTP/2 over TLS uses the \"h2\" protocol identifier."};
}
inline SpecRef h2_prior_knowledge() {
  return {"https://www.rfc-editor.org/rfc/rfc9113#section-3.3",
          "A client can learn that a particular server supports HTTP/2 by other means."};
}
inline SpecRef h2_tls_version() {
  return {"https://www.rfc-editor.org/rfc/rfc9113#section-9.2",
          "Implementations of HTTP/2 MUST use TLS version 1.2 or higher for HTTP/2 over TLS."};
}
inline SpecRef h2_connection_specific() {
  return {"https://www.rfc-editor.org/rfc/rfc9113#section-8.2.2",
          "An endpoint MUST NOT generate an HTTP/2 message containing connection-specific header fields."};
}
inline SpecRef h2_te() {
  return {"https://www.rfc-editor.org/rfc/rfc9113#section-8.2.2",
          "The only exception to this is the TE header field, which MAY be present in an HTTP/2 request; when it is, it "
          "MUST NOT contain any value other than \"trailers\"."};
}
inline SpecRef h2_malformed_rejected() {
  return {"https://www.rfc-editor.org/rfc/rfc9113#section-8.1.1", "Clients MUST NOT accept a malformed response."};
}
inline SpecRef h2_lowercase() {
  return {"https://www.rfc-editor.org/rfc/rfc9113#section-8.2",
          "Field names MUST be converted to lowercase when constructing an HTTP/2 message."};
}
inline SpecRef h2_field_validity() {
  return {"https://www.rfc-editor.org/rfc/rfc9113#section-8.2.1",
          "A field name MUST NOT contain characters in the ranges 0x00-0x20, 0x41-0x5a, or 0x7f-0xff (all ranges "
          "inclusive)."};
}
inline SpecRef h2_status_required() {
  return {"https://www.rfc-editor.org/rfc/rfc9113#section-8.3.2",
          "This pseudo-header field MUST be included in all responses, including interim responses; otherwise, the "
          "response is malformed."};
}
inline SpecRef h2_pseudo_first() {
  return {"https://www.rfc-editor.org/rfc/rfc9113#section-8.3",
          "All pseudo-header fields MUST appear in a field block before all regular field lines."};
}
inline SpecRef h2_content_length() {
  return {"https://www.rfc-editor.org/rfc/rfc9113#section-8.1.1",
          "A request or response is also malformed if the value of a content-length header field does not equal the "
          "sum of the DATA frame payload lengths that form the content"};
}
inline SpecRef h2_end_stream() {
  return {"https://www.rfc-editor.org/rfc/rfc9113#section-8.1", "The last frame in the sequence bears an END_STREAM flag"};
}
inline SpecRef h2_rst_no_error() {
  return {"https://www.rfc-editor.org/rfc/rfc9113#section-8.1",
          "a server MAY request that the client abort transmission of a request without error by sending a RST_STREAM "
          "with an error code of NO_ERROR after sending a complete response"};
}
inline SpecRef h2_rst_stream() {
  return {"https://www.rfc-editor.org/rfc/rfc9113#section-6.4",
          "RST_STREAM is sent to request cancellation of a stream or to indicate that an error condition has occurred."};
}
inline SpecRef h2_goaway() {
  return {"https://www.rfc-editor.org/rfc/rfc9113#section-6.8",
          "Receivers of a GOAWAY frame MUST NOT open additional streams on the connection, although a new connection "
          "can be established for new streams."};
}
inline SpecRef h2_max_concurrent() {
  return {"https://www.rfc-editor.org/rfc/rfc9113#section-6.5.2",
          "It is recommended that this value be no smaller than 100, so as to not unnecessarily limit parallelism."};
}
inline SpecRef h2_flow_control() {
  return {"https://www.rfc-editor.org/rfc/rfc9113#section-5.2.1",
          "A sender MUST respect flow-control limits imposed by a receiver."};
}

}  // namespace ssespec::spec
