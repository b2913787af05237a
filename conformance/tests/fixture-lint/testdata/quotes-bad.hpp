// quotes.mjs reads this as it reads conformance/server_check/spec_refs.hpp: the first is
// verbatim, the second has a changed word.
inline SpecRef ref(const std::string& anchor, const std::string& quote) {
  return {"https://html.spec.whatwg.org/multipage/server-sent-events.html#" + anchor, quote};
}
inline SpecRef verbatim() {
  return ref("processField", "Field names must be compared literally, with no case folding performed.");
}
inline SpecRef changed_word() {
  return {"https://www.rfc-editor.org/rfc/rfc9111#section-4.2.2",
          "a cache MUST assign a heuristic expiration time when an explicit time is not specified"};
}
// A form the checker does not read: each string is reported, never passed over.
const SpecRef kTable[] = {{"https://html.spec.whatwg.org/multipage/server-sent-events.html#processField", "Field names"}};
