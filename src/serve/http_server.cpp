#include "serve/http_server.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "base/startup_error.hpp"
#include "serve/connection_server.hpp"
#include "serve/request_task_queue.hpp"
#include "serve/run_list_html.hpp"
#include "serve/run_list_json.hpp"
#include "serve/web_assets.hpp"

namespace ssetail {

namespace {

// httplib's .so listens with a backlog of 5, compiled in: a burst of clients would see
// SYN retransmits (1 s each). Linux lets listen() be called again to raise it.
constexpr int kListenBacklog = 4096;
constexpr std::chrono::seconds kRequestDeadline{10};  // to send a whole request (slowloris)
constexpr std::chrono::seconds kStallTimeout{5};      // a stream not read for this long is dropped
constexpr const char* kPlainText = "text/plain; charset=utf-8";

void SetPageHeaders(httplib::Response& res) {
  res.set_header("Content-Security-Policy", "default-src 'self'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cache-Control", "no-cache");
}

// Access control runs before routing, on every request (SPEC §5): lets it through
// (Unhandled) or answers it.
httplib::Server::HandlerResponse CheckAccess(const AccessPolicy& policy,
                                             const httplib::Request& req, httplib::Response& res) {
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
  const AccessDecision decision = Decide(policy, facts);
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
                      kPlainText);
      break;
    case AccessDecision::Unauthorized:
      res.status = 401;
      res.set_header("WWW-Authenticate", "Bearer");
      res.set_content("401 Unauthorized: open the URL with ?token= that ssetail printed\n",
                      kPlainText);
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
}

// A body built in memory (a comparison's: tens of MiB when two runs differ everywhere), sent
// from where it is: set_content would copy it.
void SendNdjson(httplib::Response& res, std::string body) {
  auto shared = std::make_shared<const std::string>(std::move(body));
  res.set_content_provider(
      shared->size(), "application/x-ndjson",
      [shared](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        return sink.write(shared->data() + offset, std::min<std::size_t>(length, 1 << 16));
      });
}

// A page's file, gzip'd (at build time) when the client takes gzip. httplib would compress
// it on every request, with brotli at its slowest setting: 10-30 ms a file, and the page asks
// for thirty-odd before it draws anything. A body given by a content provider of known
// length is sent as it is.
void ServeAsset(const WebAsset& asset, const httplib::Request& req, httplib::Response& res) {
  SetPageHeaders(res);
  res.set_header("Vary", "Accept-Encoding");
  std::string_view body = asset.body;
  if (req.get_header_value("Accept-Encoding").find("gzip") != std::string::npos) {
    body = asset.gzip;
    res.set_header("Content-Encoding", "gzip");
  }
  res.set_content_provider(body.size(), std::string(asset.content_type),
                           [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             return sink.write(body.data() + offset, length);
                           });
}

void AnswerMethodNotAllowed(const httplib::Request&, httplib::Response& res) {
  res.status = 405;
  res.set_header("Allow", "GET, HEAD");
}

// Errors without a body of their own get their status as text.
void AnswerError(const httplib::Request&, httplib::Response& res) {
  if (res.body.empty() && res.status >= 400) {
    res.set_content(std::to_string(res.status) + "\n", kPlainText);
  }
}

}  // namespace

HttpServer::HttpServer(OpenRuns& runs, ServerOptions options)
    : HttpServer(nullptr, nullptr, &runs, std::move(options)) {}

HttpServer::HttpServer(History& history, const RunRecord* record, ServerOptions options)
    : HttpServer(&history, record, nullptr, std::move(options)) {}

HttpServer::HttpServer(History* history, const RunRecord* record, OpenRuns* runs,
                       ServerOptions options)
    : history_(history),
      record_(record),
      runs_(runs),
      options_(std::move(options)),
      pump_options_{std::chrono::seconds(options_.heartbeat_seconds), kStallTimeout},
      slots_(options_.max_clients),
      server_(std::make_unique<ConnectionServer>(kRequestDeadline)) {
  const std::size_t threads = RequestTaskQueue::ThreadsFor(options_.max_clients);
  server_->new_task_queue = [threads] { return new RequestTaskQueue(threads); };
  // Only SO_REUSEADDR: httplib's default adds SO_REUSEPORT, which lets a second ssetail
  // share the port silently instead of failing.
  server_->set_socket_options([](int fd) {
    const int one = 1, zero = 0;
    // Failures here show as a failed bind, which Start reports.
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int domain = 0;
    socklen_t length = sizeof domain;
    if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) == 0 && domain == AF_INET6) {
      ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);  // "::" is dual stack
    }
  });
  server_->set_keep_alive_timeout(5);
  server_->set_read_timeout(5);
  server_->set_write_timeout(5);
  Route();
}

HttpServer::~HttpServer() {
  // Without the patience main has: a stuck client's own write timeouts end its request.
  if (!Stop()) thread_.join();
}

int HttpServer::Start() {
  int port = options_.port;
  if (port == 0) {
    port = server_->bind_to_any_port(options_.bind_address);
  } else if (!server_->bind_to_port(options_.bind_address, port)) {
    port = -1;
  }
  if (port < 0) {
    throw StartupError("cannot listen on " + options_.bind_address + " port " +
                       std::to_string(options_.port) +
                       " (in use or not an address of this host); try --port 0 for any free port");
  }
  try {
    pump_ = std::make_unique<StreamPump>(slots_, pump_options_);
  } catch (const std::system_error& e) {
    throw StartupError(e.what());
  }
  if (history_ != nullptr) {
    endpoints_ = std::make_unique<RunEndpoints>(*history_, record_, slots_, *pump_);
    endpoints_->SetSourceLinks(options_.source_url, options_.source_roots);
    endpoints_->SetIndexer(indexer_);
  }
  // If it fails the backlog stays httplib's: slower bursts of connections, nothing worse.
  ::listen(server_->listening_socket(), kListenBacklog);
  // Several ssetails on one host share cookies (cookies ignore ports): one name each.
  options_.access.cookie_name = "ssetail-token-" + std::to_string(port);
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    std::lock_guard lock(stopped_mutex_);
    stopped_ = true;
    stopped_cv_.notify_all();
  });
  // httplib's stop() before listen has started is a no-op: wait for it. It is a matter of
  // microseconds: yield rather than sleep, startup time counts.
  while (!server_->is_running()) std::this_thread::yield();
  return port;
}

bool HttpServer::Stop(std::chrono::milliseconds patience) {
  if (!thread_.joinable()) return true;
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
  svr.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    return CheckAccess(options_.access, req, res);
  });
  svr.set_error_handler(AnswerError);
  svr.Post(".*", AnswerMethodNotAllowed);
  svr.Put(".*", AnswerMethodNotAllowed);
  svr.Patch(".*", AnswerMethodNotAllowed);
  svr.Delete(".*", AnswerMethodNotAllowed);
  svr.Options(".*", AnswerMethodNotAllowed);

  if (runs_ != nullptr) {
    RouteRelay();
    return;
  }
  for (const WebAsset& asset : WebAssets()) {
    std::string path = "/";  // (not "/" + name: g++ 12 -O3 warns of a false -Wrestrict)
    if (asset.name != "index.html") path += asset.name;
    svr.Get(path, [&asset](const httplib::Request& req, httplib::Response& res) {
      ServeAsset(asset, req, res);
    });
  }
  svr.Get("/status", [this](const httplib::Request&, httplib::Response& res) {
    endpoints_->ServeStatus(res);
  });
  svr.Get("/log",
          [this](const httplib::Request&, httplib::Response& res) { endpoints_->ServeLog(res); });
  svr.Get("/problems", [this](const httplib::Request&, httplib::Response& res) {
    endpoints_->ServeProblems(res);
  });
  svr.Get("/sections", [this](const httplib::Request&, httplib::Response& res) {
    endpoints_->ServeSections(res);
  });
  svr.Get("/search", [this](const httplib::Request& req, httplib::Response& res) {
    endpoints_->ServeSearch(req, res);
  });
  svr.Get("/events", [this](const httplib::Request& req, httplib::Response& res) {
    endpoints_->ServeEvents(req, res);
  });
  svr.Get("/compare", [this](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-cache");
    if (!compare_) {
      res.status = 404;
      res.set_content("this run is compared with nothing: start ssetail with --compare FILE\n",
                      "text/plain; charset=utf-8");
      return;
    }
    SendNdjson(res, compare_());
  });
}

// SPEC §14 on a relay: RUN against ?with=RUN2, by default the newest run of the same title
// that exited 0 and started before it (the list's compare_with). Both stay open meanwhile.
void HttpServer::ServeRelayedCompare(const std::string& id, HostedRun& run,
                                     const httplib::Request& req, httplib::Response& res) {
  res.set_header("Cache-Control", "no-cache");
  std::string with = req.get_param_value("with");
  if (with.empty()) {
    const Result<std::vector<RunSummary>> runs = runs_->List();
    if (!runs) {
      res.status = 503;
      res.set_header("Retry-After", "2");
      res.set_content(
          "503 Service Unavailable: the runs cannot be listed now (" + runs.error() + ")\n",
          kPlainText);
      return;
    }
    for (const RunSummary& listed : *runs) {
      if (listed.id == id && listed.compare_with) with = *listed.compare_with;
    }
    if (with.empty()) {
      res.status = 404;
      res.set_content("404 Not Found: no earlier run of this title exited 0; give ?with=RUN\n",
                      kPlainText);
      return;
    }
  }
  if (!IsRunId(with) || !runs_compare_) {
    res.status = !runs_compare_ ? 404 : 400;
    res.set_content(!runs_compare_ ? "404 Not Found\n" : "400 Bad Request: ?with= is no run id\n",
                    kPlainText);
    return;
  }
  OpenRuns::Used other = runs_->Use(with);
  if (!other.use) {
    const bool missing = other.status == RunCatalog::Opened::NotFound;
    res.status = missing ? 404 : 503;
    if (!missing) res.set_header("Retry-After", "2");
    res.set_content(missing ? "404 Not Found: no such run to compare with\n"
                            : "503 Service Unavailable: the run to compare with cannot be read "
                              "now (" +
                                  other.why + ")\n",
                    kPlainText);
    return;
  }
  HostedRun& compared = other.use->run();
  SendNdjson(res,
             runs_compare_(run.history(), run.record(), compared.history(), compared.record()));
}

// SPEC §10: / and /runs list the runs; /runs/RUN/ is a run's page, and its events, status
// and log are a local ssetail's.
void HttpServer::RouteRelay() {
  auto& svr = *server_;
  svr.Get("/", [this](const httplib::Request&, httplib::Response& res) {
    SetPageHeaders(res);
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
    res.set_content(RunListHtml(runs_->List(), now_ms), "text/html; charset=utf-8");
  });
  // The list's own files, beside it (a run's page has its copies under /runs/RUN/).
  for (const WebAsset& asset : WebAssets()) {
    if (asset.name != "style.css" && asset.name != "run-list.css" && asset.name != "run-list.js" &&
        asset.name != "favicon.svg") {
      continue;
    }
    std::string path = "/";
    path += asset.name;
    svr.Get(path, [&asset](const httplib::Request& req, httplib::Response& res) {
      ServeAsset(asset, req, res);
    });
  }
  svr.Get("/runs", [this](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-cache");
    res.set_content(RunListJson(runs_->List()), "application/json");
  });
  svr.Get(R"(/runs/([A-Za-z0-9_-]{1,64}))",
          [](const httplib::Request& req, httplib::Response& res) {
            res.status = 301;  // the page's URLs are relative to the run's folder
            res.set_header("Location", std::string(req.matches[1]) + "/");
          });
  svr.Get(R"(/runs/([A-Za-z0-9_-]{1,64})/([A-Za-z0-9_.-]*))",
          [this](const httplib::Request& req, httplib::Response& res) {
            ServeRelayed(req.matches[1], req.matches[2], req, res);
          });
}

void HttpServer::ServeRelayed(const std::string& id, const std::string& what,
                              const httplib::Request& req, httplib::Response& res) {
  OpenRuns::Used used = runs_->Use(id);
  if (used.status == RunCatalog::Opened::NotFound) {
    res.status = 404;
    res.set_content("404 Not Found: no such run\n", kPlainText);
    return;
  }
  if (!used.use) {
    // Redis away or slow, or no thread to be had: EventSource retries a 503, not a 404.
    res.status = 503;
    res.set_header("Retry-After", "2");
    res.set_content("503 Service Unavailable: the run cannot be read now (" + used.why + ")\n",
                    kPlainText);
    return;
  }
  // The run stays open while this request, or the stream or content it starts, reads it.
  const auto keep = std::make_shared<const RunUse>(std::move(*used.use));
  HostedRun& run = keep->run();
  RunEndpoints endpoints(run.history(), run.record(), slots_, *pump_);
  endpoints.SetSourceLinks(options_.source_url, options_.source_roots);
  endpoints.SetIndexer(run.indexer());
  if (what == "events") {
    endpoints.ServeEvents(req, res, keep);
  } else if (what == "status") {
    endpoints.ServeStatus(res);
  } else if (what == "log") {
    endpoints.ServeLog(res, keep);
  } else if (what == "search") {
    endpoints.ServeSearch(req, res, keep);
  } else if (what == "compare") {
    ServeRelayedCompare(id, run, req, res);
  } else if (what == "problems") {
    endpoints.ServeProblems(res);
  } else if (what == "sections") {
    endpoints.ServeSections(res);
  } else {
    const std::string name = what.empty() ? "index.html" : what;
    for (const WebAsset& asset : WebAssets()) {
      if (asset.name == name) return ServeAsset(asset, req, res);
    }
    res.status = 404;
  }
}

}  // namespace ssetail
