#include "connection_guard.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace ssetail::connection_guard {

namespace {

using Clock = std::chrono::steady_clock;

struct Connection {
  int fd;
  Clock::time_point since;  // accepted, or its last response done
  bool busy = false;        // a request is being served
};

struct Guard {
  std::mutex mutex;
  std::condition_variable wakeup;
  std::unordered_map<std::string, Connection> connections;  // by "address port"
  std::unordered_set<int> adopted;  // httplib's descriptors of adopted connections
  std::chrono::seconds deadline{10};
  bool started = false;
};

Guard& TheGuard() {
  static Guard* guard = new Guard;  // never destroyed: detached threads may use it at exit
  return *guard;
}

std::string PeerKey(const sockaddr_storage& peer) {
  char text[INET6_ADDRSTRLEN] = "";
  int port = 0;
  if (peer.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(peer);
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    port = ntohs(v4.sin_port);
  } else if (peer.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(peer);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    port = ntohs(v6.sin6_port);
  }
  return std::string(text) + " " + std::to_string(port);
}

// The fd still is the connection we registered (it may have been closed and reused).
bool SamePeer(int fd, const std::string& key) {
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  return ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) == 0 &&
         PeerKey(peer) == key;
}

void Watch() {
  Guard& guard = TheGuard();
  std::unique_lock lock(guard.mutex);
  for (;;) {
    guard.wakeup.wait_for(lock, std::chrono::milliseconds(500));
    const auto now = Clock::now();
    for (auto it = guard.connections.begin(); it != guard.connections.end();) {
      if (!SamePeer(it->second.fd, it->first)) {
        it = guard.connections.erase(it);  // closed (and the fd maybe reused)
      } else if (!it->second.busy && now - it->second.since > guard.deadline) {
        ::syscall(SYS_shutdown, it->second.fd, SHUT_RDWR);  // httplib's read fails; it closes it
        it = guard.connections.erase(it);
      } else {
        ++it;
      }
    }
  }
}

void Track(int fd) {
  Guard& guard = TheGuard();
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0) return;
  std::lock_guard lock(guard.mutex);
  if (guard.started) guard.connections[PeerKey(peer)] = {fd, Clock::now(), false};
}

}  // namespace

void Start(std::chrono::seconds request_deadline) {
  Guard& guard = TheGuard();
  std::lock_guard lock(guard.mutex);
  guard.deadline = request_deadline;
  if (guard.started) return;
  guard.started = true;
  std::thread(Watch).detach();
}

namespace {
void SetBusy(const std::string& address, int port, bool busy) {
  Guard& guard = TheGuard();
  std::lock_guard lock(guard.mutex);
  const auto it = guard.connections.find(address + " " + std::to_string(port));
  if (it == guard.connections.end()) return;
  it->second.busy = busy;
  it->second.since = Clock::now();
}
}  // namespace

void MarkRequestComplete(const std::string& address, int port) {
  SetBusy(address, port, true);
}

void MarkResponseDone(const std::string& address, int port) {
  SetBusy(address, port, false);
}

int Adopt(const std::string& address, int port) {
  Guard& guard = TheGuard();
  std::lock_guard lock(guard.mutex);
  const std::string key = address + " " + std::to_string(port);
  const auto it = guard.connections.find(key);
  if (it == guard.connections.end() || !SamePeer(it->second.fd, key)) return -1;
  const int copy = ::fcntl(it->second.fd, F_DUPFD_CLOEXEC, 3);
  if (copy < 0) return -1;
  guard.adopted.insert(it->second.fd);
  guard.connections.erase(it);
  return copy;
}

namespace {
// True (once) when `fd` is httplib's descriptor of an adopted connection.
bool ForgetAdopted(int fd) {
  Guard& guard = TheGuard();
  std::lock_guard lock(guard.mutex);
  return guard.adopted.erase(fd) > 0;
}
}  // namespace

}  // namespace ssetail::connection_guard

// The interposed accept(): see the header. accept4 is a different symbol, so no recursion.
extern "C" int accept(int fd, sockaddr* address, socklen_t* length) {
  const int client = ::accept4(fd, address, length, SOCK_CLOEXEC);
  if (client < 0) return client;
  // Events are small and latency matters: no Nagle delay waiting for the peer's ACK.
  int one = 1;
  ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // The history is the buffer; the kernel's autotuned 4 MiB per socket, times a thousand
  // clients, only puts TCP under memory pressure and stalls sends (bench scenario 5).
  int send_buffer = 256 * 1024;
  ::setsockopt(client, SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
  ssetail::connection_guard::Track(client);
  return client;
}

// The interposed shutdown(): httplib shuts down every connection it is done with, which
// would end an adopted one for its new owner too; closing its own descriptor is enough.
extern "C" int shutdown(int fd, int how) {
  if (ssetail::connection_guard::ForgetAdopted(fd)) return 0;
  return static_cast<int>(::syscall(SYS_shutdown, fd, how));
}
