#include "compare/buffer_diff.hpp"

#include <git2.h>

namespace ssetail::compare {

namespace {

// Six printable characters of six bits each (36 >= 32 bits), then a newline.
constexpr std::size_t kTokenSize = 7;

void Tokens(std::span<const std::uint32_t> ids, std::string& text) {
  text.resize(ids.size() * kTokenSize);
  char* out = text.data();
  for (const std::uint32_t id : ids) {
    std::uint64_t v = id;
    for (std::size_t k = 0; k < kTokenSize - 1; ++k, v >>= 6)
      *out++ = static_cast<char>('0' + (v & 63));
    *out++ = '\n';
  }
}

// With no context lines, git's hunk header gives an empty side's position as the line
// before it (1-based), and a non-empty side's first line 1-based.
int OnHunk(const git_diff_delta*, const git_diff_hunk* hunk, void* payload) {
  auto* hunks = static_cast<std::vector<Hunk>*>(payload);
  Hunk h;
  h.a_len = static_cast<std::uint32_t>(hunk->new_lines);
  h.a = static_cast<std::uint32_t>(hunk->new_lines > 0 ? hunk->new_start - 1 : hunk->new_start);
  h.b_len = static_cast<std::uint32_t>(hunk->old_lines);
  h.b = static_cast<std::uint32_t>(hunk->old_lines > 0 ? hunk->old_start - 1 : hunk->old_start);
  hunks->push_back(h);
  return 0;
}

}  // namespace

// libgit2's global state, set up once for the process and never torn down: its init and
// shutdown cost tens of milliseconds (its TLS and crypto backends), far more than a diff.
BufferDiff::BufferDiff() {
  [[maybe_unused]] static const int once = git_libgit2_init();
}

bool BufferDiff::Diff(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b,
                      std::vector<Hunk>& hunks) {
  hunks.clear();
  if (a.empty() && b.empty()) return true;
  Tokens(a, a_text_);
  Tokens(b, b_text_);
  git_diff_options options;
  git_diff_options_init(&options, GIT_DIFF_OPTIONS_VERSION);
  options.context_lines = 0;
  options.interhunk_lines = 0;
  // FORCE_TEXT: libgit2 must never take a buffer for binary and report no hunks.
  options.flags = GIT_DIFF_PATIENCE | GIT_DIFF_FORCE_TEXT;
  const int rc =
      git_diff_buffers(b_text_.data(), b_text_.size(), nullptr, a_text_.data(), a_text_.size(),
                       nullptr, &options, nullptr, nullptr, OnHunk, nullptr, &hunks);
  return rc == 0;
}

}  // namespace ssetail::compare
