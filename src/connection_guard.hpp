// Drops connections that do not finish their request in time (slowloris), keeps accepted
// sockets out of the command (close-on-exec) and sends small events at once (TCP_NODELAY).
//
// cpp-httplib 0.11.4 only has a per-recv read timeout: a client sending one header byte
// every second holds a thread forever, and it offers no hook that sees accepted sockets.
// So ssetail defines accept() itself (the httplib .so binds to the executable's symbol):
// each accepted socket is registered here with its peer address; the request handler marks
// the connection busy once a request has arrived and idle again when its response is done
// (keep-alive: the next request's clock starts then); a watchdog thread shuts down the
// sockets that have been idle, or stuck in an incomplete request, past the deadline.
// shutdown() is interposed too, so that a connection can be adopted (see Adopt).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace ssetail::connection_guard {

// Starts the watchdog (idempotent). Connections accepted before this are not watched.
void Start(std::chrono::seconds request_deadline);

// A request from this peer ("ADDR", port) has arrived: no deadline while it is served.
void MarkRequestComplete(const std::string& address, int port);

// Its response is done: the connection waits for its next request, against the deadline.
void MarkResponseDone(const std::string& address, int port);

// Hands the connection of this peer over to other code (the stream pump): returns a
// duplicate of its socket (close-on-exec, owned by the caller), or -1 if it is not known.
// The watchdog forgets it, and httplib's shutdown() of its own descriptor becomes a no-op,
// so when httplib closes that descriptor the connection lives on in the duplicate.
int Adopt(const std::string& address, int port);

}  // namespace ssetail::connection_guard
