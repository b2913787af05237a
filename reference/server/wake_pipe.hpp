// WakePipe: lets another thread interrupt a poll()/epoll loop. The loop watches read_fd() for POLLIN
// and calls drain() when it is readable; any thread calls wake(). Both ends are non-blocking,
// so a full pipe (the loop is already due to wake) never blocks the caller.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>

namespace ssespec::server {

class WakePipe {
 public:
  WakePipe() {
    if (::pipe(fds_) != 0) throw std::runtime_error("WakePipe: pipe() failed");
    for (const int fd : fds_) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  ~WakePipe() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  WakePipe(const WakePipe&) = delete;
  WakePipe& operator=(const WakePipe&) = delete;

  int read_fd() const { return fds_[0]; }

  void wake() {
    const char byte = 1;
    [[maybe_unused]] const ssize_t n = ::write(fds_[1], &byte, 1);
  }

  void drain() {
    char scratch[64];
    while (::read(fds_[0], scratch, sizeof scratch) > 0) {
    }
  }

 private:
  int fds_[2] = {-1, -1};
};

}  // namespace ssespec::server
