// `ssetail --relay redis://…` (SPEC §10): the runs published to Redis, as a RunCatalog for
// the HTTP server. A run is opened on its first request: a History named after it, a
// temporary run record (as a local run has, so late joiners and ?format=json are served
// the same way), and a RedisRunSource that fills them. An opened run stays open until the
// server closes it (Close: it has ended and nobody has watched it for a while); a finished
// run's source has ended, its History and record remain until then.
//
// The lists (/ and /runs) are read from the index and meta hashes on each request. Each
// request that asks Redis takes a connection of its own from a small pool (or makes one),
// so none waits behind another's round trip: each waits only for its own, by its own
// deadline. The meta hashes are decoded (redis/run_meta.hpp), never spliced into answers.
#pragma once

#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "history/history.hpp"
#include "record/run_record.hpp"
#include "redis/redis_client.hpp"
#include "redis/redis_url.hpp"
#include "redis/run_meta.hpp"
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

  std::optional<Run> Open(const std::string& id, bool& unavailable) override;
  void Close(const std::string& id, const Run& run) override;
  std::string ListHtml() override;
  std::string ListJson() override;

 private:
  struct RelayRun;
  struct Listed {
    std::string id;
    RunMeta meta;
  };
  struct Opened {
    std::shared_ptr<RelayRun> run;  // null: no such run, or `unavailable`
    bool unavailable = false;
  };
  // Asks Redis whether run `id` exists and opens it: one request does, those that come for
  // the same run meanwhile wait for its answer (opening_), not ask again.
  Opened OpenFromRedis(const std::string& id);
  // The newest runs, or nothing with `error` set when Redis cannot say.
  std::optional<std::vector<Listed>> List(std::string& error);
  // Sends `commands` on a pooled connection, all replies by `deadline`. False, with
  // `error` set, when Redis could not be asked or did not answer in time.
  bool Ask(const std::vector<std::vector<std::string>>& commands, std::vector<RedisReply>& replies,
           RedisClient::Clock::time_point deadline, std::string& error);

  const RelayOptions options_;
  RedisStop stop_;  // ends every wait of the catalog's connections (the destructor)
  std::mutex mutex_;
  std::vector<std::unique_ptr<RedisClient>> idle_;             // connections no request uses now
  std::map<std::string, std::shared_ptr<RelayRun>> runs_;      // open, under mutex_
  std::map<std::string, std::shared_future<Opened>> opening_;  // being asked for, under mutex_
};

}  // namespace ssetail
