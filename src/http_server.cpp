#include "http_server.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <system_error>
#include <vector>

#include "bounded_task_queue.hpp"
#include "connection_guard.hpp"
#include "sse_format.hpp"
#include "web_assets.hpp"

namespace ssetail {

using Clock = std::chrono::steady_clock;

namespace {

constexpr int kListenBacklog = 4096;       // the .so's own backlog is 5 (LIBRARIES.md 1.3)
constexpr std::size_t kExtraThreads = 32;  // page, /status, /log next to --max-clients streams
constexpr std::chrono::seconds kRequestDeadline{10};  // to send a whole request (slowloris)
constexpr std::chrono::seconds kStallTimeout{5};      // a stream not read for this long is dropped

void SetPageHeaders(httplib::Response& res) {
  res.set_header("Content-Security-Policy", "default-src 'self'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cache-Control", "no-cache");
}

// The plain-text rendering of one output event in /log: lines end with LF, overwritten
// segments with CR (as a terminal shows them), partial ones with nothing.
void AppendLogText(const EventRecord& record, const char* base, std::string& out) {
  if (!IsOutput(record.type)) return;
  out.append(record.Data(base));
  if (record.end == SegmentEnd::Newline) out.push_back('\n');
  if (record.end == SegmentEnd::CarriageReturn) out.push_back('\r');
}

}  // namespace

HttpServer::HttpServer(History& history, ServerOptions options)
    : history_(history),
      options_(std::move(options)),
      slots_(options_.max_clients),
      server_(std::make_unique<httplib::Server>()) {
  const std::size_t threads = options_.max_clients + kExtraThreads;
  server_->new_task_queue = [threads] { return new BoundedTaskQueue(threads); };
  // Only SO_REUSEADDR: httplib's default adds SO_REUSEPORT, which lets a second ssetail
  // share the port silently instead of failing.
  server_->set_socket_options([this](int fd) {
    int one = 1, zero = 0;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int domain = 0;
    socklen_t length = sizeof domain;
    if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) == 0 && domain == AF_INET6) {
      ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);  // "::" is dual stack
    }
    listen_fd_ = fd;
  });
  server_->set_keep_alive_timeout(5);
  server_->set_read_timeout(5);
  server_->set_write_timeout(5);
  Route();
}

HttpServer::~HttpServer() {
  Stop();
}

int HttpServer::Start() {
  int port = options_.port;
  if (port == 0) {
    port = server_->bind_to_any_port(options_.bind_address);
  } else if (!server_->bind_to_port(options_.bind_address, port)) {
    port = -1;
  }
  if (port < 0) {
    throw ServerError("cannot listen on " + options_.bind_address + " port " +
                      std::to_string(options_.port) +
                      " (in use or not an address of this host); try --port 0 for any free port");
  }
  try {
    pump_ = std::make_unique<StreamPump>(
        history_, slots_,
        PumpOptions{std::chrono::seconds(options_.heartbeat_seconds), kStallTimeout});
  } catch (const std::system_error& e) {
    throw ServerError(e.what());
  }
  ::listen(listen_fd_, kListenBacklog);
  // Several ssetails on one host share cookies (cookies ignore ports): one name each.
  options_.access.cookie_name = "ssetail-token-" + std::to_string(port);
  connection_guard::Start(kRequestDeadline);
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    std::lock_guard lock(stopped_mutex_);
    stopped_ = true;
    stopped_cv_.notify_all();
  });
  // stop() before listen has started is a no-op (LIBRARIES.md 1.7): wait for it.
  // It is a matter of microseconds: yield rather than sleep, startup time counts.
  while (!server_->is_running()) std::this_thread::yield();
  return port;
}

bool HttpServer::Stop(std::chrono::milliseconds patience) {
  if (!thread_.joinable()) return true;
  history_.Shutdown();  // every stream ends its response cleanly where its client reads
  if (pump_) pump_->Stop();
  server_->stop();
  // httplib joins every connection's task before listen returns; one blocked in a write to
  // a stalled client would hold it for the whole write timeout.
  std::unique_lock lock(stopped_mutex_);
  if (!stopped_cv_.wait_for(lock, patience, [this] { return stopped_; })) return false;
  lock.unlock();
  thread_.join();
  return true;
}

void HttpServer::Route() {
  auto& svr = *server_;

  // Access control runs before routing, on every request (SPEC §5).
  svr.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    connection_guard::MarkRequestComplete(req.remote_addr, req.remote_port);
    const std::string host = req.get_header_value("Host");
    const std::string origin = req.get_header_value("Origin");
    const std::string authorization = req.get_header_value("Authorization");
    const std::string cookie = req.get_header_value("Cookie");
    const std::string proto = req.get_header_value("X-Forwarded-Proto");
    std::string token_param;
    RequestFacts facts{req.method, req.path, host, origin, authorization, cookie, proto, {}};
    if (req.has_param("token")) {
      token_param = req.get_param_value("token");
      facts.token_param = token_param;
    }
    const AccessDecision decision = Decide(options_.access, facts);
    if (!decision.allow_origin.empty()) {
      res.set_header("Access-Control-Allow-Origin", decision.allow_origin);
      res.set_header("Vary", "Origin");
      if (decision.allow_credentials) res.set_header("Access-Control-Allow-Credentials", "true");
    }
    switch (decision.kind) {
      case AccessDecision::Allow:
        return httplib::Server::HandlerResponse::Unhandled;
      case AccessDecision::Forbidden:
        res.status = 403;
        res.set_content("403 Forbidden: this server answers to localhost, 127.0.0.1 and [::1]\n",
                        "text/plain; charset=utf-8");
        break;
      case AccessDecision::Unauthorized:
        res.status = 401;
        res.set_header("WWW-Authenticate", "Bearer");
        res.set_content("401 Unauthorized: open the URL with ?token= that ssetail printed\n",
                        "text/plain; charset=utf-8");
        break;
      case AccessDecision::LogIn:
        res.status = 303;  // to the page without the token in the address bar or history
        res.set_header("Location", "./");
        res.set_header("Set-Cookie", decision.set_cookie);
        res.set_header("Referrer-Policy", "no-referrer");
        break;
      case AccessDecision::Preflight:
        res.status = 204;
        res.set_header("Access-Control-Allow-Methods", "GET, HEAD");
        res.set_header("Access-Control-Allow-Headers", "Authorization, Last-Event-ID");
        res.set_header("Access-Control-Max-Age", "600");
        break;
    }
    return httplib::Server::HandlerResponse::Handled;
  });
  svr.set_logger([](const httplib::Request& req, const httplib::Response&) {
    connection_guard::MarkResponseDone(req.remote_addr, req.remote_port);
  });

  svr.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty() && res.status >= 400) {
      res.set_content(std::to_string(res.status) + "\n", "text/plain; charset=utf-8");
    }
  });

  auto method_not_allowed = [](const httplib::Request&, httplib::Response& res) {
    res.status = 405;
    res.set_header("Allow", "GET, HEAD");
  };
  svr.Post(".*", method_not_allowed);
  svr.Put(".*", method_not_allowed);
  svr.Patch(".*", method_not_allowed);
  svr.Delete(".*", method_not_allowed);
  svr.Options(".*", method_not_allowed);

  for (const WebAsset& asset : WebAssets()) {
    std::string path = "/";
    if (asset.name != "index.html") path += asset.name;
    svr.Get(path, [&asset](const httplib::Request&, httplib::Response& res) {
      SetPageHeaders(res);
      res.set_content(asset.body.data(), asset.body.size(),
                      std::string(asset.content_type).c_str());
    });
  }

  svr.Get("/status", [this](const httplib::Request&, httplib::Response& res) {
    const HistoryStats stats = history_.Stats();
    std::string body = history_.FirstEventData();
    if (body.size() < 2) body = "{}";
    body.pop_back();  // the start event's object, extended with the live fields
    if (body.size() > 1) body += ',';
    const auto exit = history_.LastEventData();
    body += "\"state\":";
    body += exit ? "\"exited\"" : "\"running\"";
    body += ",\"exit\":" + exit.value_or("null");
    body += ",\"stdout_lines\":" + std::to_string(stats.stdout_events);
    body += ",\"stderr_lines\":" + std::to_string(stats.stderr_events);
    body += ",\"dropped\":" + std::to_string(stats.dropped);
    body += ",\"clients\":" + std::to_string(slots_.open()) + "}\n";
    res.set_header("Cache-Control", "no-cache");
    res.set_content(body, "application/json");
  });

  svr.Get("/log", [this](const httplib::Request&, httplib::Response& res) {
    // A snapshot: what is retained now, up to the last event appended so far.
    const std::uint64_t end = history_.Stats().last_seq + 1;
    auto cursor = std::make_shared<std::uint64_t>(1);
    auto records = std::make_shared<std::vector<EventRecord>>();
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(
        "text/plain; charset=utf-8",
        [this, end, cursor, records](std::size_t, httplib::DataSink& sink) {
          if (*cursor >= end) {
            sink.done();
            return true;
          }
          const History::Slice slice = history_.Read(*cursor, Clock::now(), records.get());
          if (slice.status != History::ReadStatus::Events) {
            sink.done();
            return true;
          }
          std::string out;
          const char* base = slice.block->bytes.get();
          std::uint64_t seq = slice.first_seq;
          for (const EventRecord& record : *records) {
            if (seq++ >= end) break;
            AppendLogText(record, base, out);
          }
          *cursor = slice.next_seq;
          return out.empty() || sink.write(out.data(), out.size());
        });
  });

  svr.Get("/events", [this](const httplib::Request& req, httplib::Response& res) {
    const bool json = req.get_param_value("format") == "json";
    std::uint64_t cursor = 1;
    std::string last_id = req.get_header_value("Last-Event-ID");
    if (last_id.empty()) last_id = req.get_param_value("lastEventId");
    if (const auto id = sse::ParseEventId(last_id); id && id->run == history_.run_id()) {
      if (history_.IsLastEvent(id->seq)) {
        res.status = 204;  // it has everything: tells EventSource to stop reconnecting
        return;
      }
      cursor = history_.CursorAfter(id->seq);
    }
    if (req.method == "HEAD") {
      res.set_header("Cache-Control", "no-cache, no-transform");
      res.set_header("Content-Type", "text/event-stream");
      return;
    }
    if (!slots_.TryAcquire()) {
      res.status = 503;
      res.set_header("Retry-After", "2");
      res.set_content("too many clients (--max-clients); retry later\n",
                      "text/plain; charset=utf-8");
      return;
    }
    res.set_header("Cache-Control", "no-cache, no-transform");
    res.set_header("X-Accel-Buffering", "no");
    res.set_header("Connection", "keep-alive");
    auto adopted = std::make_shared<bool>(false);
    // Exactly "text/event-stream": httplib compresses (and so buffers) any other spelling.
    // Its headers sent, the connection goes to the pump and httplib lets go of it (false).
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, cursor, json, adopted, address = req.remote_addr, port = req.remote_port](
            std::size_t, httplib::DataSink&) {
          const int fd = connection_guard::Adopt(address, port);
          if (fd >= 0) {
            *adopted = true;
            pump_->Add(fd, cursor, json);
          }
          return false;
        },
        [this, adopted](bool) {
          if (!*adopted) slots_.Release(false);
        });
  });
}

}  // namespace ssetail
