// The HTTP interface of SPEC §4 on cpp-httplib: the page, /events, /status and /log.
//
// It reads the History and nothing else, so tests can drive it by appending events.
// httplib answers each /events request; the stream itself is then written by the
// StreamPump (one thread for all streams), each a cursor into the History.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "access_control.hpp"
#include "history.hpp"
#include "stream_pump.hpp"
#include "stream_slots.hpp"

namespace httplib {
class Server;
}

namespace ssetail {

struct ServerOptions {
  std::string bind_address = "127.0.0.1";
  int port = 8642;
  std::size_t max_clients = 256;
  int heartbeat_seconds = 15;
  AccessPolicy access;  // its cookie name gets the port appended once bound
};

class ServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class HttpServer {
 public:
  HttpServer(History& history, ServerOptions options);
  ~HttpServer();

  // Binds and starts serving on a thread of its own. Returns the bound port.
  // Throws ServerError with a one-line reason when the address cannot be used.
  int Start();

  // Ends every stream and stops serving. Streams blocked on a client that stopped reading
  // are not waited for longer than `patience`: returns false if some are still running,
  // and then the process must end without destroying the server (see main).
  bool Stop(std::chrono::milliseconds patience = std::chrono::milliseconds(500));

  // Every open stream has received the final event (true when none is open).
  bool AllClientsFinished() const { return slots_.AllFinished(); }

 private:
  void Route();

  History& history_;
  ServerOptions options_;
  StreamSlots slots_;
  std::unique_ptr<StreamPump> pump_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::mutex stopped_mutex_;
  std::condition_variable stopped_cv_;
  bool stopped_ = false;  // listen_after_bind has returned
  std::atomic<int> listen_fd_{-1};
};

}  // namespace ssetail
