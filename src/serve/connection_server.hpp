// cpp-httplib's Server, with the connections it accepts owned by ssetail.
//
// httplib 0.11.4 serves each accepted socket in Server::process_and_close_socket, a virtual
// function that its shared library dispatches to (SSLServer overrides it the same way), and
// parses and answers one request at a time with the protected process_request(Stream&, ...).
// This subclass overrides the first to give every connection:
// - socket options set where the socket is: close-on-exec, TCP_NODELAY, a bounded send buffer;
// - a whole-request deadline: a client must send its whole request within `request_deadline`
//   of connecting or of its previous response (httplib only times out each recv, so a
//   client sending one byte a second would hold a thread for ever: slowloris);
// - the keep-alive loop;
// - a hand-over: a handler may take the connection once its response headers are written
//   (TakeConnection), and httplib then lets go of it without shutting it down;
// - an early close: a handler may have the connection closed after its response
//   (CloseAfterResponse) instead of kept for the client's next request.
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>

#include "base/unique_fd.hpp"

namespace ssetail {

class ConnectionServer : public httplib::Server {
 public:
  explicit ConnectionServer(std::chrono::seconds request_deadline);

  // The listening socket once bound, for setting its backlog.
  int listening_socket() const { return svr_sock_; }

  // Called from a handler or a content provider: when httplib is done with the current
  // request, `take` receives its connection instead of httplib closing it. httplib runs a
  // request's handlers on the thread that serves its connection, which is how this finds it.
  static void TakeConnection(std::function<void(UniqueFd)> take);

  // Called from a handler: the connection is closed once the current response is written,
  // rather than kept open (and its descriptor held) for the keep-alive timeout, and the
  // response says `Connection: close`. httplib itself ignores that header from a handler;
  // it still adds its `Keep-Alive: timeout=..., max=...`, which means nothing beside
  // `close`. Outside a request only the header is set.
  static void CloseAfterResponse(httplib::Response& res);

 private:
  bool process_and_close_socket(socket_t sock) override;

  const std::chrono::seconds request_deadline_;
};

}  // namespace ssetail
