// SPDX-License-Identifier: MIT
#include "server/handler.h"

#include <cstdint>

namespace bastion::server {

void rebase_head(http::RequestHead& head, const char* old_base, const char* new_base,
                 size_t size) noexcept {
  // Only views into the old buffer move: the parser points an absolute-form target's empty
  // path at a static "/", which must stay where it is. Compared as integers because relational
  // operators on pointers into different objects are unspecified.
  const auto lo = reinterpret_cast<uintptr_t>(old_base);
  auto fix = [&](std::string_view& v) {
    if (v.data() == nullptr || v.empty()) return;
    const auto p = reinterpret_cast<uintptr_t>(v.data());
    if (p < lo || p - lo > size || v.size() > size - (p - lo)) return;
    v = {new_base + (p - lo), v.size()};
  };
  fix(head.method);
  fix(head.target);
  fix(head.path);
  fix(head.query);
  fix(head.authority);
  fix(head.host);
  for (auto& f : head.headers) {
    fix(f.name);
    fix(f.value);
  }
}

}  // namespace bastion::server
