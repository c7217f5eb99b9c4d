#include "run/open_runs.hpp"

#include <algorithm>
#include <exception>

namespace ssetail {

struct RunUse::Entry {
  std::uint64_t serial = 0;
  std::shared_ptr<HostedRun> run;   // null while it is being opened
  std::shared_future<void> opened;  // ready once the opening is over, either way
  RunCatalog::Opened::Status status = RunCatalog::Opened::Unavailable;  // of a failed opening
  std::string why;
  std::size_t uses = 0;
  bool ended = false;  // its source has ended: it may be closed once unused for the idle time
  std::chrono::steady_clock::time_point idle_since;
};

RunUse::~RunUse() {
  if (entry_) owner_->Release(*entry_);
}

OpenRuns::OpenRuns(RunCatalog& catalog, std::chrono::milliseconds idle)
    : catalog_(catalog), idle_(idle) {
  closer_ = std::thread([this] { CloseIdle(); });
}

OpenRuns::~OpenRuns() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.Signal();
  closer_.join();
  std::map<std::string, std::shared_ptr<Entry>> runs;
  {
    std::lock_guard lock(mutex_);
    runs.swap(runs_);
  }
  // Every source at once, rather than one after another as each run is destroyed.
  for (auto& [id, entry] : runs) {
    if (entry->run) entry->run->RequestStop();
  }
}

std::size_t OpenRuns::size() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(runs_.begin(), runs_.end(), [](const auto& run) { return run.second->run; }));
}

OpenRuns::Used OpenRuns::Use(const std::string& id) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stopping_) return {RunCatalog::Opened::Unavailable, std::nullopt, "stopping"};
    const auto it = runs_.find(id);
    if (it == runs_.end()) break;
    const std::shared_ptr<Entry> entry = it->second;
    if (entry->run) {
      ++entry->uses;
      return {RunCatalog::Opened::Open, RunUse(this, entry, entry->run), {}};
    }
    // Another request is opening it: its answer is ours.
    const std::shared_future<void> opened = entry->opened;
    lock.unlock();
    opened.wait();
    lock.lock();
    if (!entry->run) return {entry->status, std::nullopt, entry->why};
  }
  auto entry = std::make_shared<Entry>();
  entry->serial = ++serial_;
  std::promise<void> promise;
  entry->opened = promise.get_future().share();
  runs_.emplace(id, entry);
  lock.unlock();
  // Not under the lock: opening asks the catalog (Redis) and waits for the source; uses of
  // other runs, and the closing thread, go on meanwhile.
  RunCatalog::Opened opened;
  try {
    opened = catalog_.Open(id, [this, id, serial = entry->serial] { Ended(id, serial); });
  } catch (const std::exception& e) {  // no thread, descriptor or temporary file: not now
    open_failures_.Warn("--relay: run " + id + " cannot be opened now: " + e.what());
    opened = {RunCatalog::Opened::Unavailable, nullptr, e.what()};
  }
  Used used = Opened(id, entry, std::move(opened));
  promise.set_value();
  return used;
}

OpenRuns::Used OpenRuns::Opened(const std::string& id, std::shared_ptr<Entry> entry,
                                RunCatalog::Opened opened) {
  std::lock_guard lock(mutex_);
  if (opened.status != RunCatalog::Opened::Open || !opened.run) {
    entry->status =
        opened.status == RunCatalog::Opened::Open ? RunCatalog::Opened::Unavailable : opened.status;
    entry->why = opened.why;
    runs_.erase(id);  // the next use asks the catalog again
    return {entry->status, std::nullopt, entry->why};
  }
  entry->run = std::move(opened.run);
  entry->uses = 1;
  return {RunCatalog::Opened::Open, RunUse(this, entry, entry->run), {}};
}

void OpenRuns::Release(Entry& entry) {
  {
    std::lock_guard lock(mutex_);
    if (--entry.uses > 0) return;
    entry.idle_since = Clock::now();
  }
  changed_.Signal();
}

void OpenRuns::Ended(const std::string& id, std::uint64_t serial) {
  {
    std::lock_guard lock(mutex_);
    const auto it = runs_.find(id);
    if (it == runs_.end() || it->second->serial != serial) return;
    it->second->ended = true;
    it->second->idle_since = std::max(it->second->idle_since, Clock::now());
  }
  changed_.Signal();
}

void OpenRuns::CloseIdle() {
  for (;;) {
    changed_.Reset();
    std::vector<std::shared_ptr<Entry>> closing;
    std::optional<Clock::time_point> next;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      const auto now = Clock::now();
      for (auto it = runs_.begin(); it != runs_.end();) {
        Entry& entry = *it->second;
        if (!entry.run || !entry.ended || entry.uses > 0) {
          ++it;
          continue;
        }
        const auto due = entry.idle_since + idle_;
        if (now >= due) {
          closing.push_back(std::move(it->second));
          it = runs_.erase(it);
          continue;
        }
        next = std::min(next.value_or(due), due);
        ++it;
      }
    }
    closing.clear();  // unused: their runs go now (their threads are joined), without the lock
    if (next) {
      changed_.WaitUntil(*next);
    } else {
      changed_.Wait();
    }
  }
}

}  // namespace ssetail
