// `ssetail --relay redis://…` (SPEC §10): the runs published to Redis, as a RunCatalog for
// the HTTP server. A run is opened on its first request: a History named after it, a
// temporary run record (as a local run has, so late joiners and ?format=json are served
// the same way), and a RedisRunSource that fills them. An opened run stays open until the
// server closes it (Close: it has ended and nobody has watched it for a while); a finished
// run's source has ended, its History and record remain until then.
//
// The lists (/ and /runs) are read from the index and meta hashes on each request, through
// one connection kept for them.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "history/history.hpp"
#include "record/run_record.hpp"
#include "redis/redis_client.hpp"
#include "redis/redis_url.hpp"
#include "serve/run_catalog.hpp"

namespace ssetail {

struct RelayOptions {
  RedisUrl url;
  HistoryLimits limits;                 // of each run's memory history
  std::optional<RecordOptions> record;  // of each run's record; nothing: --no-record
  std::size_t listed = 200;             // the newest runs listed
};

class RedisRelayCatalog : public RunCatalog {
 public:
  explicit RedisRelayCatalog(RelayOptions options);
  ~RedisRelayCatalog() override;

  std::optional<Run> Open(const std::string& id) override;
  void Close(const std::string& id, const Run& run) override;
  std::string ListHtml() override;
  std::string ListJson() override;

 private:
  struct RelayRun;
  struct Listed {
    std::string id, title, state, started, command = "null", exit = "null";
  };
  // The newest runs, or nothing with `error` set when Redis cannot say.
  std::optional<std::vector<Listed>> List(std::string& error);
  bool Query(const std::vector<std::string_view>& args, RedisReply& reply, std::string& error);

  const RelayOptions options_;
  std::mutex mutex_;
  std::unique_ptr<RedisClient> client_;                    // for Open and the lists, under mutex_
  std::map<std::string, std::shared_ptr<RelayRun>> runs_;  // open, under mutex_
};

}  // namespace ssetail
