// The stream pump's broadcast across its loop threads, over real 127.0.0.1 sockets: every stream
// gets each tick once, a client that stops reading is dropped without holding back the others,
// and streams whose client left are let go.
#include <gtest/gtest.h>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/stream_pump.hpp"
#include "tests/eventually.hpp"

namespace ssespec {
namespace {

using server::PumpedStream;
using server::StreamPump;
using server::Tick;

constexpr auto kPeriod = std::chrono::milliseconds(250);

// Ticks numbered by period since the epoch, "tick N\n"; counts how often each was formatted.
struct NumberedTicks {
  std::mutex mutex;
  std::map<long long, int> formatted;
  Tick operator()(std::chrono::system_clock::time_point at) {
    const long long n = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()) / kPeriod;
    std::lock_guard<std::mutex> lock(mutex);
    ++formatted[n];
    return Tick{n, "tick " + std::to_string(n) + "\n"};
  }
};

// A client connected to `listener`, and the server's end of it.
struct Pair {
  std::unique_ptr<Poco::Net::StreamSocket> client;
  Poco::Net::StreamSocket server;
};

Pair connect(Poco::Net::ServerSocket& listener) {
  Pair p;
  p.client = std::make_unique<Poco::Net::StreamSocket>(Poco::Net::SocketAddress("127.0.0.1", listener.address().port()));
  p.server = listener.acceptConnection();
  return p;
}

// What a client received so far, read without blocking.
struct Reader {
  std::string bytes;
  void poll(Poco::Net::StreamSocket& socket) {
    char buffer[4096];
    while (socket.available() > 0) {
      const int n = socket.receiveBytes(buffer, sizeof buffer);
      if (n <= 0) return;
      bytes.append(buffer, static_cast<std::size_t>(n));
    }
  }
  // The numbers of the complete "tick N..." lines.
  std::vector<long long> ticks() const {
    std::vector<long long> out;
    for (std::size_t at = 0, end; (end = bytes.find('\n', at)) != std::string::npos; at = end + 1) {
      if (bytes.compare(at, 5, "tick ") == 0) out.push_back(std::stoll(bytes.substr(at + 5, end - at - 5)));
    }
    return out;
  }
};

TEST(StreamPumpTest, EveryStreamGetsEachTickExactlyOnceAcrossThreads) {
  server::PumpLimits limits;
  limits.threads = 3;
  StreamPump pump(limits);
  auto ticks = std::make_shared<NumberedTicks>();
  pump.set_broadcast(kPeriod, [ticks](auto at) { return (*ticks)(at); });
  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
  std::vector<Pair> pairs;
  for (int i = 0; i < 12; ++i) {  // four streams on each thread
    pairs.push_back(connect(listener));
    PumpedStream stream;
    stream.socket = pairs.back().server;
    stream.head = "head\n";
    stream.broadcast = true;
    pump.add(std::move(stream));
  }
  std::vector<Reader> readers(pairs.size());
  const auto everyone_has = [&](std::size_t count) {
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      readers[i].poll(*pairs[i].client);
      if (readers[i].ticks().size() < count) return false;
    }
    return true;
  };
  ASSERT_TRUE(testing::eventually([&] { return everyone_has(5); }))
      << "12 streams did not all get 5 ticks in 30 s";
  long long common_first = 0, common_last = 1LL << 62;
  for (const Reader& r : readers) {
    EXPECT_EQ(r.bytes.rfind("head\n", 0), 0u) << "the head comes first: " << r.bytes;
    const auto seen = r.ticks();
    EXPECT_TRUE(std::adjacent_find(seen.begin(), seen.end(), [](long long a, long long b) { return b <= a; }) == seen.end())
        << "ticks repeated or out of order: " << r.bytes;
    common_first = std::max(common_first, seen.front());
    common_last = std::min(common_last, seen.back());
  }
  for (const Reader& r : readers) {  // between the common first and last tick, nobody missed one
    const auto seen = r.ticks();
    EXPECT_EQ(std::count_if(seen.begin(), seen.end(), [&](long long n) { return n >= common_first && n <= common_last; }),
              common_last - common_first + 1)
        << r.bytes;
  }
  std::lock_guard<std::mutex> lock(ticks->mutex);
  for (const auto& [n, times] : ticks->formatted) EXPECT_EQ(times, 1) << "tick " << n << " formatted " << times << " times";
}

TEST(StreamPumpTest, AClientThatStopsReadingIsDroppedAndTheOthersKeepTicking) {
  server::PumpLimits limits;
  limits.threads = 1;  // the stalled stream shares the loop with the healthy one
  limits.max_queued_bytes = 4096;
  StreamPump pump(limits);
  const std::string big(8192, 'x');
  pump.set_broadcast(std::chrono::milliseconds(20), [&big](auto at) {
    return Tick{std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count() / 20,
                "tick 0 " + big + "\n"};
  });
  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
  Pair stalled = connect(listener);
  Pair healthy = connect(listener);
  stalled.server.setSendBufferSize(4096);
  stalled.client->setReceiveBufferSize(4096);
  for (Pair* p : {&stalled, &healthy}) {
    PumpedStream stream;
    stream.socket = p->server;
    stream.broadcast = true;
    pump.add(std::move(stream));
  }
  Reader reader;
  // The stalled client never reads: its queue passes 4 KiB and it is dropped, while the healthy
  // one goes on receiving.
  EXPECT_TRUE(testing::eventually([&] {
    reader.poll(*healthy.client);
    return pump.dropped_behind() >= 1;
  })) << "the client that never reads was not dropped in 30 s";
  const std::size_t before = reader.ticks().size();
  EXPECT_TRUE(testing::eventually([&] {
    reader.poll(*healthy.client);
    return reader.ticks().size() >= before + 5;
  })) << "the healthy stream stopped ticking";
  EXPECT_EQ(pump.active(), 1u);
}

TEST(StreamPumpTest, StreamsWhoseClientLeftAreLetGo) {
  server::PumpLimits limits;
  limits.threads = 2;
  StreamPump pump(limits);
  pump.set_broadcast(kPeriod, [](auto at) {
    return Tick{std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()) / kPeriod, "tick\n"};
  });
  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
  std::vector<Pair> pairs;
  std::atomic<int> closed{0};
  for (int i = 0; i < 6; ++i) {
    pairs.push_back(connect(listener));
    PumpedStream stream;
    stream.socket = pairs.back().server;
    stream.broadcast = true;
    stream.on_closed = [&closed] { ++closed; };
    pump.add(std::move(stream));
  }
  ASSERT_TRUE(testing::eventually([&] { return pump.active() == 6; })) << "6 streams not held after 30 s";
  pairs.clear();  // every client leaves
  EXPECT_TRUE(testing::eventually([&] { return pump.active() == 0; })) << pump.active() << " streams still held after 30 s";
  EXPECT_EQ(closed.load(), 6);
}

}  // namespace
}  // namespace ssespec
