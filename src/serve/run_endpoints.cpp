#include "serve/run_endpoints.hpp"

#include <httplib.h>

#include "events/log_text.hpp"
#include "events/run_events.hpp"
#include "events/sse_format.hpp"
#include "index/index_json.hpp"
#include "record/record_reader.hpp"
#include "serve/connection_server.hpp"
#include "serve/run_search.hpp"

namespace ssetail {

namespace {

constexpr const char* kPlainText = "text/plain; charset=utf-8";

// Content written after the handler returns reads the run: `keep` lives until it is done.
void KeepUntilWritten(httplib::Response& res, std::shared_ptr<const void> keep) {
  if (!keep) return;
  res.content_provider_resource_releaser_ =
      [keep = std::move(keep),
       release = std::move(res.content_provider_resource_releaser_)](bool ok) {
        if (release) release(ok);
      };
}

}  // namespace

void RunEndpoints::ServeStatus(httplib::Response& res) {
  const HistoryStats stats = history_.Stats();
  RunProgress progress;
  progress.exit_data = history_.LastEventData();
  // Ended without `exit`: a relay's copy of a run whose publisher is gone.
  progress.lost = stats.ended_without_final;
  progress.stdout_lines = stats.stdout_events;
  progress.stderr_lines = stats.stderr_events;
  progress.dropped = stats.dropped;
  // This run's streams: on a relay, the slots count every run's (issue 19.11).
  progress.clients = pump_.OpenStreams(history_);
  if (record_ != nullptr) progress.record = record_->StatusJson();
  progress.source_url = source_url_;
  progress.source_roots = source_roots_;
  if (indexer_ != nullptr) {
    indexer_->Read([&progress](const index::RunIndex& index) {
      index::AppendStatusMembers(progress.index_members, index);
    });
  }
  const std::optional<std::string> start = history_.FirstEventData();
  const std::string body = StatusJson(start, progress);
  res.set_header("Cache-Control", "no-cache");
  res.set_content(body, "application/json");
}

void RunEndpoints::ServeProblems(httplib::Response& res) {
  ServeIndexJson(res, index::AppendProblemsJson);
}

void RunEndpoints::ServeSections(httplib::Response& res) {
  ServeIndexJson(res, index::AppendSectionsJson);
}

void RunEndpoints::ServeIndexJson(httplib::Response& res, IndexJson append) {
  if (indexer_ == nullptr) {
    res.status = 404;
    return;
  }
  std::string body;
  indexer_->Read([&](const index::RunIndex& index) { append(body, history_.run_id(), index); });
  body += '\n';
  res.set_header("Cache-Control", "no-cache");
  res.set_content(body, "application/json");
}

void RunEndpoints::ServeSearch(const httplib::Request& req, httplib::Response& res,
                               std::shared_ptr<const void> keep) {
  ssetail::ServeSearch(history_, record_, slots_, req, res);
  KeepUntilWritten(res, std::move(keep));
}

void RunEndpoints::ServeLog(httplib::Response& res, std::shared_ptr<const void> keep) {
  // The whole run up to the last event published now: from the record what memory no
  // longer holds, then from memory. Streamed a piece at a time.
  struct Reading {
    std::uint64_t cursor = 1;
    std::unique_ptr<RecordReader> reader;
    std::string scratch;
  };
  const std::uint64_t end = history_.Stats().last_seq + 1;
  auto reading = std::make_shared<Reading>();
  res.set_header("Cache-Control", "no-cache");
  // The endpoints may be gone by then (a relay's live for one request): the run's parts are
  // captured themselves.
  res.set_chunked_content_provider(kPlainText, [history = &history_, record = record_, end,
                                                reading](std::size_t, httplib::DataSink& sink) {
    std::string out;
    while (out.empty()) {
      const History::Slice slice =
          reading->cursor < end ? history->Read(reading->cursor) : History::Slice{};
      if (slice.status != History::ReadStatus::Events) {
        sink.done();
        return true;
      }
      if (slice.missed > 0 && record != nullptr) {
        if (!reading->reader) reading->reader = std::make_unique<RecordReader>(*record);
        const RecordReader::Result read =
            reading->reader->Read(reading->cursor, std::min(end, slice.first_seq) - 1,
                                  RecordReader::Format::LogText, out, reading->scratch);
        if (read.appended) {
          reading->cursor = read.next_seq;
          continue;
        }
      }
      for (const EventView& event : slice) {
        if (event.seq >= end) break;
        AppendLogText(event.type, event.data, event.end, out);
      }
      reading->cursor = slice.next_seq;
    }
    return sink.write(out.data(), out.size());
  });
  KeepUntilWritten(res, std::move(keep));
}

void RunEndpoints::ServeEvents(const httplib::Request& req, httplib::Response& res,
                               std::shared_ptr<const void> keep) {
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
    res.set_content("too many clients (--max-clients); retry later\n", kPlainText);
    // Not kept alive: a crowd of refused clients that keep their connections would
    // otherwise hold a descriptor each for the keep-alive timeout, and under a low
    // descriptor limit leave none to accept (let alone answer) the next ones.
    ConnectionServer::CloseAfterResponse(res);
    return;
  }
  res.set_header("Cache-Control", "no-cache, no-transform");
  res.set_header("X-Accel-Buffering", "no");
  res.set_header("Connection", "keep-alive");
  auto taken = std::make_shared<bool>(false);
  // Exactly "text/event-stream": httplib compresses (and so buffers) any other spelling.
  // httplib calls the provider once the headers are sent: the connection then goes to the
  // pump, and httplib lets go of it (false: it writes nothing more).
  // The endpoints may be gone by then (a relay's live for one request): the run's parts are
  // captured themselves.
  PumpedRun run{&history_, record_, std::move(keep)};
  res.set_chunked_content_provider(
      "text/event-stream",
      [run, pump = &pump_, cursor, json, taken](std::size_t, httplib::DataSink&) {
        *taken = true;
        // The hand-over comes after the response (and what it holds) is gone: `keep` too.
        ConnectionServer::TakeConnection([run, pump, cursor, json](UniqueFd socket) {
          pump->Add(std::move(socket), run, cursor, json);
        });
        return false;
      },
      [slots = &slots_, taken](bool) {
        if (!*taken) slots->Release(false);  // the headers could not be sent
      });
}

}  // namespace ssetail
