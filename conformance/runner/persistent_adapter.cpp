#include "runner/persistent_adapter.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "runner/environment.hpp"
#include "runner/process_adapter.hpp"
#include "runner/subprocess.hpp"

namespace ssespec {

namespace {
using Clock = std::chrono::steady_clock;
// How long the adapter may take to exit once its output ended: its status names the crash.
constexpr auto kExitBound = std::chrono::seconds(5);

std::string stringify(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

// One case's lines, filled by the reader thread.
struct Channel {
  std::deque<std::string> lines;
  std::string problem;  // the adapter's crash, or a line it printed outside the protocol
};
}  // namespace

struct PersistentLauncher::Shared {
  explicit Shared(const std::vector<std::string>& command) : process(command, {{env::kPersistent, "1"}}) {}

  Subprocess process;
  std::mutex write_mutex;  // one command line at a time on stdin
  mutable std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, std::shared_ptr<Channel>> channels;  // the running cases
  std::string gone;                                          // the crash, once it came
  std::atomic<bool> stopping{false};
  std::thread reader;

  bool send(const std::string& line) {
    std::lock_guard<std::mutex> lock(write_mutex);
    return process.write_stdin(line + "\n");
  }

  // A problem for every running case (a crash, a line no case owns).
  void fail_running(const std::string& problem) {
    for (auto& [id, channel] : channels) {
      if (channel->problem.empty()) channel->problem = problem;
    }
    changed.notify_all();
  }

  void route(const std::string& line) {
    std::string id;
    std::string rest;
    std::optional<std::string> crashed;  // {"case":ID,"crashed":{"stderr":TEXT}}: that case alone crashed
    try {
      Poco::JSON::Parser parser;
      auto object = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
      if (object && object->has("case") && object->get("case").isString()) {
        id = object->getValue<std::string>("case");
        object->remove("case");
        rest = stringify(*object);
        if (const auto detail = object->getObject("crashed"); detail && object->size() == 1) {
          crashed = detail->optValue<std::string>("stderr", "");
        }
      }
    } catch (const std::exception&) {
    }
    std::lock_guard<std::mutex> lock(mutex);
    if (id.empty()) {
      fail_running("the persistent adapter printed a line without a \"case\" (or outside the protocol): " + line.substr(0, 200));
      return;
    }
    const auto it = channels.find(id);
    if (it == channels.end()) return;  // a case already finished (a late line after its close)
    if (crashed) {
      // What a per-process adapter's crash says, for the one case whose own thread or worker died.
      if (it->second->problem.empty()) {
        it->second->problem = "the adapter crashed (this case's worker ended by an uncaught exception)" + crash_stderr_clause(*crashed);
      }
    } else {
      it->second->lines.push_back(std::move(rest));
    }
    changed.notify_all();
  }

  void read_all() {
    std::string line;
    while (!stopping) {
      const Subprocess::Read read = process.read_line(line, Clock::now() + std::chrono::milliseconds(200));
      if (read == Subprocess::Read::timeout) continue;
      if (read == Subprocess::Read::line) {
        if (!line.empty()) route(line);
        continue;
      }
      // Its output ended: whatever the exit status, no case can go on.
      int status = 0;
      const bool exited = process.wait(Clock::now() + kExitBound, status);
      const std::string how = exited ? describe_exit(status) : "its stdout closed";
      std::lock_guard<std::mutex> lock(mutex);
      gone = "the persistent adapter crashed (" + how + ")" + crash_stderr_clause(process.stderr_text());
      fail_running(gone);  // notifies the destructor too
      return;
    }
  }
};

namespace {

class PersistentSession final : public AdapterSession {
 public:
  PersistentSession(std::shared_ptr<PersistentLauncher::Shared> shared, std::string id, std::shared_ptr<Channel> channel)
      : shared_(std::move(shared)), id_(std::move(id)), channel_(std::move(channel)) {}
  ~PersistentSession() override { forget(); }

  Next next(TraceEntry& entry, std::string& problem, Clock::time_point deadline) override {
    std::string line;
    {
      std::unique_lock<std::mutex> lock(shared_->mutex);
      shared_->changed.wait_until(lock, deadline, [&] { return !channel_->lines.empty() || !channel_->problem.empty(); });
      if (channel_->lines.empty()) {
        if (channel_->problem.empty()) return Next::timeout;
        problem = channel_->problem;
        return Next::problem;
      }
      line = std::move(channel_->lines.front());
      channel_->lines.pop_front();
    }
    return entry_from_line(line, entry, problem);
  }

  void close() override { send_close(); }

  std::string crash() override {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    return channel_->lines.empty() ? channel_->problem : "";
  }

  std::string finish(std::string& note) override {
    send_close();  // the case's end: close() if still open, and forget it
    (void)note;  // a crash's message quotes stderr already; the adapter's stderr is shared by every case
    std::string problem = crash();
    forget();
    return problem;
  }

 private:
  void send_close() {
    if (close_sent_) return;
    close_sent_ = true;
    Poco::JSON::Object command;
    command.set("close", id_);
    shared_->send(stringify(command));
  }
  void forget() {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->channels.erase(id_);
  }

  std::shared_ptr<PersistentLauncher::Shared> shared_;
  std::string id_;
  std::shared_ptr<Channel> channel_;
  bool close_sent_ = false;
};

}  // namespace

std::string persistent_open_line(const ClientCase& c, const std::string& id, const std::string& url) {
  Poco::JSON::Object open(Poco::JSON_PRESERVE_KEY_ORDER);
  open.set("case", id);
  open.set("url", url);
  Poco::JSON::Array listen;
  for (const std::string& t : c.listen) listen.add(t);
  open.set("listen", listen);
  for (const ClientAction& a : c.actions) {
    if (!a.via_stdin) open.set("closeAfter", a.kind + ":" + std::to_string(a.count));
  }
  const ClientConfig& config = c.config;
  if (!config.headers.empty()) {
    Poco::JSON::Object headers(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [name, value] : config.headers) headers.set(name, value);
    open.set("headers", headers);
  }
  if (config.last_event_id) open.set("lastEventId", *config.last_event_id);
  if (config.method) open.set("method", *config.method);
  if (config.body) open.set("body", *config.body);
  if (config.read_timeout_ms) open.set("readTimeoutMs", *config.read_timeout_ms);
  Poco::JSON::Object line;
  line.set("open", open);
  return stringify(line);
}

PersistentLauncher::PersistentLauncher(std::vector<std::string> command, std::set<std::string> cannot_report)
    : shared_(std::make_shared<Shared>(command)), cannot_report_(std::move(cannot_report)) {
  shared_->reader = std::thread([shared = shared_.get()] { shared->read_all(); });
}

PersistentLauncher::~PersistentLauncher() {
  {
    std::lock_guard<std::mutex> lock(shared_->write_mutex);
    shared_->process.close_stdin();  // the protocol's "exit": every case is over
  }
  {
    // The reader sees its output end and reaps it; an adapter that does not exit is killed.
    std::unique_lock<std::mutex> lock(shared_->mutex);
    shared_->changed.wait_for(lock, kExitBound + std::chrono::seconds(1), [&] { return !shared_->gone.empty(); });
  }
  shared_->stopping = true;
  if (shared_->reader.joinable()) shared_->reader.join();
  shared_->process.kill();
}

std::unique_ptr<AdapterSession> PersistentLauncher::start(const ClientCase& c, const std::string& url) {
  const std::string id = c.full_id();
  auto channel = std::make_shared<Channel>();
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    if (!shared_->gone.empty()) throw std::runtime_error(shared_->gone);
    shared_->channels[id] = channel;
  }
  auto session = std::make_unique<PersistentSession>(shared_, id, channel);
  if (!shared_->send(persistent_open_line(c, id, url))) throw std::runtime_error("the persistent adapter closed its stdin");
  return session;
}

std::string PersistentLauncher::adapt(ClientCase& c) const { return adapt_to_declared(c, cannot_report_); }

std::string PersistentLauncher::gone() const {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->gone;
}

}  // namespace ssespec
