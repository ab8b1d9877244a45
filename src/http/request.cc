// SPDX-License-Identifier: MIT
// RequestHead helpers: field lookup, reuse without reallocation, ASCII case folding.
// Pure: no I/O, no Python.
#include "http/request.h"

#include "http/chars.h"

namespace bastion::http {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (chars::lower(a[i]) != chars::lower(b[i])) return false;
  return true;
}

const HeaderField* RequestHead::find(std::string_view name) const noexcept {
  for (const HeaderField& field : headers)
    if (iequals(field.name, name)) return &field;
  return nullptr;
}

void RequestHead::clear() noexcept {
  method = {};
  target = {};
  form = TargetForm::Origin;
  path = {};
  query = {};
  authority = {};
  version_minor = 1;
  headers.clear();  // keeps capacity: no allocation for the next request
  host = {};
  body = BodyKind::None;
  content_length = 0;
  keep_alive = true;
  expect_continue = false;
  upgrade = false;
}

}  // namespace bastion::http
