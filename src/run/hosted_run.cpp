#include "run/hosted_run.hpp"

namespace ssetail {

HostedRun::HostedRun(const std::string& id, const RunOptions& options,
                     const SourceFactory& make_source, std::function<void()> ended)
    : history_(id, options.limits) {
  history_.SetCopy();
  if (options.record) {
    record_ = std::make_unique<RunRecord>(history_, *options.record);
    record_->Start();
  }
  indexer_ = std::make_unique<RunIndexer>(history_, record_.get(), options.index);
  indexer_->Start();
  source_ = make_source(history_);
  source_->Start(std::move(ended));
}

HostedRun::~HostedRun() {
  source_.reset();  // its thread first: it is the History's writer
}

}  // namespace ssetail
