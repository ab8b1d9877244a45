// SPDX-License-Identifier: MIT
// Reads one file for scanning: one read(2) loop into a string, refusing huge and binary
// files with a reason. Depends on base/ only.
#pragma once

#include <cstddef>
#include <string>

#include "base/result.h"

namespace bastion::check {

/// Files larger than this are skipped with a note (generated or vendored blobs).
inline constexpr size_t kMaxScanBytes = 4u << 20;

/// Reads `path`. Errors (with a one-line reason for the note): unreadable, larger than
/// kMaxScanBytes, or binary (a NUL byte in the first 8 KiB). Any thread.
base::Result<std::string> read_source(const std::string& path);

/// True when the bytes look like text (no NUL in the first 8 KiB).
bool looks_textual(const std::string& bytes);

}  // namespace bastion::check
