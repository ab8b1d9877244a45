// SPDX-License-Identifier: MIT
// A small, forgiving YAML reader for configuration files (docker compose, Kubernetes,
// App Engine, CI): block mappings and sequences by indentation, compact `- key: v` items,
// flow collections, quoted and block scalars, anchors, aliases and `<<` merges, several
// documents. Positions are kept for every node. Malformed input yields a partial tree,
// never an error. Only the STL and check/shell.h (for SourceMap).
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "check/shell.h"

namespace bastion::check {

struct YamlNode {
  enum Kind : uint8_t { Null, Scalar, Map, Seq } kind = Null;
  std::string value;   // scalars
  Loc loc;
  bool quoted = false;
  char block = 0;      // '|' or '>' for block scalars
  SourceMap map;       // scalars: file position of each line of `value`
  std::vector<std::pair<YamlNode*, YamlNode*>> entries;  // Map (never null pointers)
  std::vector<YamlNode*> items;                          // Seq

  /// The value for `key` in a mapping (merges followed), or null.
  const YamlNode* get(std::string_view key) const;
  /// Entries with `<<` merges expanded (bounded).
  std::vector<std::pair<const YamlNode*, const YamlNode*>> all_entries() const;
};

/// Parsed documents; nodes live as long as the YamlFile.
class YamlFile {
 public:
  explicit YamlFile(std::string_view text);
  const std::vector<const YamlNode*>& documents() const { return docs_; }
  const std::vector<LineComment>& comments() const { return comments_; }

 private:
  friend class YamlParser;
  std::deque<YamlNode> nodes_;
  std::vector<const YamlNode*> docs_;
  std::vector<LineComment> comments_;
};

}  // namespace bastion::check
