// `ssetail --relay redis://…` (SPEC §10, §15): the runs published to Redis, as a RunCatalog.
// Opening a run makes its History, temporary record and RedisRunSource (run/run.hpp), and
// waits, within reason, until the source has read what the stream held. The list is read
// from the index, the meta hashes and the leases on each call.
//
// Each call asks Redis on a connection of its own from a small pool (redis/redis_pool.hpp),
// by its own deadline: none waits behind another's round trip. Meta hashes are decoded
// (redisformat/run_meta.hpp), never spliced into answers. From any thread, concurrently.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "redis/redis_pool.hpp"
#include "redisformat/redis_url.hpp"
#include "run/hosted_run.hpp"
#include "run/run_catalog.hpp"

namespace ssetail {

struct RelayOptions {
  RedisUrl url;
  RunOptions run;            // each opened run's History and record
  std::size_t listed = 200;  // the newest runs listed
};

class RedisRunCatalog : public RunCatalog {
 public:
  explicit RedisRunCatalog(RelayOptions options);

  Opened Open(const std::string& id, std::function<void()> ended) override;
  Result<std::vector<RunSummary>> List() override;

 private:
  const RelayOptions options_;
  RedisPool pool_;
};

}  // namespace ssetail
