// SPDX-License-Identifier: MIT
// The YAML reader: line-oriented block structure plus a small recursive flow parser.
// Every loop consumes input; nesting and alias expansion are bounded.
#include "check/yaml.h"

#include <unordered_map>

namespace bastion::check {
namespace {

constexpr int kMaxDepth = 64;

struct Line {
  std::string_view content;  // after indentation
  int32_t no = 0;
  int indent = 0;
  bool blank = false;        // empty or a comment
};

bool dash_item(std::string_view c) { return !c.empty() && c[0] == '-' && (c.size() == 1 || c[1] == ' ' || c[1] == '\t'); }
bool doc_marker(const Line& l) {
  return l.indent == 0 && (l.content.rfind("---", 0) == 0 || l.content.rfind("...", 0) == 0) &&
         (l.content.size() == 3 || l.content[3] == ' ' || l.content[3] == '\t');
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string_view strip_comment(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) return trim(s.substr(0, i));
  return trim(s);
}

// Finds the end of a quoted scalar starting at s[p] (a quote); returns the index of the
// closing quote or npos.
size_t closing_quote(std::string_view s, size_t p) {
  char q = s[p];
  for (size_t i = p + 1; i < s.size(); ++i) {
    if (q == '"' && s[i] == '\\') {
      ++i;
      continue;
    }
    if (s[i] == q) {
      if (q == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
        ++i;
        continue;
      }
      return i;
    }
  }
  return std::string_view::npos;
}

std::string unquote(std::string_view s) {
  if (s.size() < 2) return std::string(s);
  char q = s[0];
  std::string out;
  std::string_view body = s.substr(1, s.size() - 2);
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (q == '\'' && c == '\'' && i + 1 < body.size() && body[i + 1] == '\'') {
      out += '\'';
      ++i;
    } else if (q == '"' && c == '\\' && i + 1 < body.size()) {
      char e = body[++i];
      out += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// "key: value" at the start of a line: sets the key's end and the value's start.
bool split_key(std::string_view c, size_t* key_end, size_t* value_start) {
  if (c.empty() || c[0] == '#' || c[0] == '[' || c[0] == '{' || dash_item(c) || c[0] == '?') return false;
  size_t i = 0;
  if (c[0] == '"' || c[0] == '\'') {
    size_t close = closing_quote(c, 0);
    if (close == std::string_view::npos) return false;
    i = close + 1;
    while (i < c.size() && (c[i] == ' ' || c[i] == '\t')) ++i;
    if (i >= c.size() || c[i] != ':') return false;
    if (i + 1 < c.size() && c[i + 1] != ' ' && c[i + 1] != '\t') return false;
    *key_end = close + 1;
    *value_start = i + 1;
    return true;
  }
  for (; i < c.size(); ++i) {
    if (c[i] == '#' && i > 0 && (c[i - 1] == ' ' || c[i - 1] == '\t')) return false;
    if (c[i] == ':' && (i + 1 == c.size() || c[i + 1] == ' ' || c[i + 1] == '\t')) {
      if (i == 0) return false;
      *key_end = i;
      *value_start = i + 1;
      return true;
    }
  }
  return false;
}

}  // namespace

class YamlParser {
 public:
  YamlParser(YamlFile& file, std::string_view text) : f_(file) {
    int32_t no = 1;
    size_t p = 0;
    while (p <= text.size()) {
      size_t e = text.find('\n', p);
      if (e == std::string_view::npos) e = text.size();
      std::string_view raw = text.substr(p, e - p);
      if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
      Line l;
      l.no = no++;
      size_t k = 0;
      while (k < raw.size() && (raw[k] == ' ' || raw[k] == '\t')) ++k;
      l.indent = static_cast<int>(k);
      l.content = raw.substr(k);
      l.blank = l.content.empty() || l.content[0] == '#';
      if (!l.content.empty() && l.content[0] == '#') f_.comments_.push_back({l.no, std::string(l.content.substr(1))});
      else if (size_t h = l.content.find(" #"); h != std::string_view::npos)
        f_.comments_.push_back({l.no, std::string(l.content.substr(h + 2))});
      lines_.push_back(l);
      if (e == text.size()) break;
      p = e + 1;
    }
  }

  void run() {
    while (skip_blank()) {
      if (doc_marker(lines_[li_])) {
        ++li_;
        continue;
      }
      size_t before = li_;
      YamlNode* root = block(-1);
      if (root->kind != YamlNode::Null) f_.docs_.push_back(root);
      if (li_ == before) ++li_;
    }
  }

 private:
  YamlNode* make(YamlNode::Kind kind, Loc loc) {
    f_.nodes_.emplace_back();
    YamlNode* n = &f_.nodes_.back();
    n->kind = kind;
    n->loc = loc;
    return n;
  }
  Loc loc_of(size_t li, size_t off) const {
    const Line& l = lines_[li];
    return {l.no, l.indent + static_cast<int32_t>(off) + 1};
  }
  bool skip_blank() {
    while (li_ < lines_.size() && lines_[li_].blank) ++li_;
    return li_ < lines_.size();
  }
  YamlNode* block(int parent_indent);
  YamlNode* map(int indent);
  YamlNode* seq(int indent);
  YamlNode* value_at(size_t off, int owner_indent);
  YamlNode* block_scalar(char style, int owner_indent, Loc loc);
  YamlNode* flow_value(size_t off);
  YamlNode* flow(std::string_view s, size_t& p, const SourceMap& map, int depth, bool in_map);

  YamlFile& f_;
  std::vector<Line> lines_;
  size_t li_ = 0;
  int depth_ = 0;
  std::unordered_map<std::string, YamlNode*> anchors_;
};

YamlNode* YamlParser::block(int parent_indent) {
  if (!skip_blank()) return make(YamlNode::Null, {});
  Line& l = lines_[li_];
  if (l.indent <= parent_indent || doc_marker(l) || depth_ > kMaxDepth) return make(YamlNode::Null, loc_of(li_, 0));
  size_t ke = 0, vs = 0;
  ++depth_;
  YamlNode* n;
  if (dash_item(l.content)) n = seq(l.indent);
  else if (split_key(l.content, &ke, &vs)) n = map(l.indent);
  else n = value_at(0, parent_indent);
  --depth_;
  return n;
}

YamlNode* YamlParser::map(int indent) {
  YamlNode* m = make(YamlNode::Map, loc_of(li_, 0));
  while (skip_blank()) {
    Line& l = lines_[li_];
    if (l.indent != indent || doc_marker(l) || dash_item(l.content)) break;
    size_t ke = 0, vs = 0;
    if (!split_key(l.content, &ke, &vs)) {
      if (l.indent < indent) break;
      ++li_;  // junk at this level: skip it
      continue;
    }
    YamlNode* key = make(YamlNode::Scalar, loc_of(li_, 0));
    std::string_view k = trim(l.content.substr(0, ke));
    key->quoted = !k.empty() && (k[0] == '"' || k[0] == '\'');
    key->value = key->quoted ? unquote(k) : std::string(k);
    size_t off = vs;
    while (off < l.content.size() && (l.content[off] == ' ' || l.content[off] == '\t')) ++off;
    YamlNode* value;
    if (strip_comment(l.content.substr(off)).empty()) {
      ++li_;
      if (skip_blank() && lines_[li_].indent == indent && dash_item(lines_[li_].content) && !doc_marker(lines_[li_])) {
        ++depth_;
        value = depth_ > kMaxDepth ? make(YamlNode::Null, key->loc) : seq(indent);
        --depth_;
      } else {
        value = block(indent);
      }
    } else {
      value = value_at(off, indent);
    }
    m->entries.emplace_back(key, value);
  }
  return m;
}

YamlNode* YamlParser::seq(int indent) {
  YamlNode* s = make(YamlNode::Seq, loc_of(li_, 0));
  while (skip_blank()) {
    Line& l = lines_[li_];
    if (l.indent != indent || doc_marker(l) || !dash_item(l.content)) break;
    size_t off = 1;
    while (off < l.content.size() && (l.content[off] == ' ' || l.content[off] == '\t')) ++off;
    std::string_view item = l.content.substr(off);
    size_t ke = 0, vs = 0;
    YamlNode* v;
    ++depth_;
    if (depth_ > kMaxDepth) {
      ++li_;
      v = make(YamlNode::Null, loc_of(li_ - 1, off));
    } else if (strip_comment(item).empty()) {
      ++li_;
      v = block(indent);
    } else if (dash_item(item) || split_key(item, &ke, &vs)) {
      // A compact nested node: re-read this line as if it started at the item's column.
      l.indent = indent + static_cast<int>(off);
      l.content = item;
      v = dash_item(item) ? seq(l.indent) : map(l.indent);
    } else {
      v = value_at(off, indent);
    }
    --depth_;
    s->items.push_back(v);
  }
  return s;
}

YamlNode* YamlParser::block_scalar(char style, int owner_indent, Loc loc) {
  YamlNode* n = make(YamlNode::Scalar, loc);
  n->block = style;
  int content_indent = -1;
  std::string text;
  size_t last_content = li_;
  size_t k = li_;
  for (; k < lines_.size(); ++k) {
    const Line& l = lines_[k];
    if (l.content.empty()) continue;
    if (l.indent <= owner_indent) break;
    if (content_indent < 0) content_indent = l.indent;
    last_content = k + 1;
  }
  for (size_t j = li_; j < last_content; ++j) {
    const Line& l = lines_[j];
    n->map.lines.push_back({static_cast<uint32_t>(text.size()), l.no, (content_indent < 0 ? 0 : content_indent) + 1});
    if (content_indent >= 0 && l.indent > content_indent) text.append(static_cast<size_t>(l.indent - content_indent), ' ');
    text += l.content;
    text += '\n';
  }
  n->value = std::move(text);
  li_ = last_content > li_ ? last_content : li_;
  return n;
}

YamlNode* YamlParser::value_at(size_t off, int owner_indent) {
  Line& l = lines_[li_];
  std::string_view s = l.content.substr(off);
  Loc loc = loc_of(li_, off);
  std::string anchor;
  while (!s.empty() && (s[0] == '&' || s[0] == '!')) {  // anchors and tags before the value
    size_t e = s.find_first_of(" \t");
    if (s[0] == '&') anchor = std::string(s.substr(1, e == std::string_view::npos ? std::string_view::npos : e - 1));
    size_t skip = e == std::string_view::npos ? s.size() : e;
    off += skip;
    while (off < l.content.size() && (l.content[off] == ' ' || l.content[off] == '\t')) ++off;
    s = l.content.substr(off);
    loc = loc_of(li_, off);
  }
  YamlNode* n;
  std::string_view v = strip_comment(s);
  if (v.empty()) {
    ++li_;
    if (skip_blank() && lines_[li_].indent == owner_indent && dash_item(lines_[li_].content) && owner_indent >= 0)
      n = seq(owner_indent);
    else
      n = block(owner_indent);
  } else if (v[0] == '*') {
    ++li_;
    auto it = anchors_.find(std::string(trim(v.substr(1))));
    n = it != anchors_.end() ? it->second : make(YamlNode::Null, loc);
  } else if (v[0] == '|' || v[0] == '>') {
    ++li_;
    n = block_scalar(v[0], owner_indent, loc);
  } else if (v[0] == '[' || v[0] == '{') {
    n = flow_value(off);
  } else if (v[0] == '"' || v[0] == '\'') {
    // A quoted scalar may continue on the following lines.
    std::string joined(s);
    size_t close = closing_quote(joined, 0);
    size_t k = li_ + 1;
    while (close == std::string::npos && k < lines_.size() && k < li_ + 200) {
      joined += '\n';
      joined += lines_[k].content;
      close = closing_quote(joined, 0);
      ++k;
    }
    n = make(YamlNode::Scalar, loc);
    n->quoted = true;
    n->value = unquote(std::string_view(joined).substr(0, close == std::string::npos ? joined.size() : close + 1));
    n->map = SourceMap::contiguous(n->value, loc.line, loc.col + 1);
    li_ = close == std::string::npos ? li_ + 1 : k;
  } else {
    n = make(YamlNode::Scalar, loc);
    n->value = std::string(v);
    if (n->value == "~" || n->value == "null" || n->value == "Null" || n->value == "NULL") n->kind = YamlNode::Null;
    n->map = SourceMap::contiguous(n->value, loc.line, loc.col);
    ++li_;
  }
  if (!anchor.empty() && anchors_.size() < 10000) anchors_[anchor] = n;
  return n;
}

YamlNode* YamlParser::flow_value(size_t off) {
  // Join lines until the brackets balance (outside quotes).
  std::string text;
  SourceMap map;
  int depth = 0;
  char quote = 0;
  size_t k = li_;
  bool done = false;
  for (; k < lines_.size() && k < li_ + 500 && !done; ++k) {
    const Line& l = lines_[k];
    std::string_view part = k == li_ ? l.content.substr(off) : l.content;
    int32_t col = k == li_ ? l.indent + static_cast<int32_t>(off) + 1 : l.indent + 1;
    map.lines.push_back({static_cast<uint32_t>(text.size()), l.no, col});
    for (size_t i = 0; i < part.size() && !done; ++i) {
      char c = part[i];
      if (quote != 0) {
        if (c == '\\' && quote == '"') ++i;
        else if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '#' && (i == 0 || part[i - 1] == ' ')) {
        part = part.substr(0, i);
        break;
      } else if (c == '[' || c == '{') {
        ++depth;
      } else if (c == ']' || c == '}') {
        if (--depth <= 0) {
          part = part.substr(0, i + 1);
          done = true;
        }
      }
    }
    text.append(part);
    text += '\n';
  }
  li_ = k > li_ ? k : li_ + 1;
  size_t p = 0;
  return flow(text, p, map, 0, false);
}

YamlNode* YamlParser::flow(std::string_view s, size_t& p, const SourceMap& map, int depth, bool in_map) {
  auto ws = [&] {
    while (p < s.size() && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r')) ++p;
  };
  ws();
  if (p >= s.size() || depth > kMaxDepth) return make(YamlNode::Null, map.at(p));
  char c = s[p];
  if (c == '[' || c == '{') {
    bool is_map = c == '{';
    YamlNode* n = make(is_map ? YamlNode::Map : YamlNode::Seq, map.at(p));
    char close = is_map ? '}' : ']';
    ++p;
    while (p < s.size()) {
      ws();
      if (p >= s.size()) break;
      if (s[p] == close) {
        ++p;
        break;
      }
      if (s[p] == ',') {
        ++p;
        continue;
      }
      size_t before = p;
      YamlNode* item = flow(s, p, map, depth + 1, is_map);
      if (is_map) {
        ws();
        YamlNode* value = make(YamlNode::Null, map.at(p));
        if (p < s.size() && s[p] == ':') {
          ++p;
          value = flow(s, p, map, depth + 1, false);
        }
        n->entries.emplace_back(item, value);
      } else {
        n->items.push_back(item);
      }
      if (p == before) ++p;  // never stall on junk
    }
    return n;
  }
  YamlNode* n = make(YamlNode::Scalar, map.at(p));
  if (c == '"' || c == '\'') {
    size_t close = closing_quote(s, p);
    if (close == std::string_view::npos) close = s.size() - 1;
    n->quoted = true;
    n->value = unquote(s.substr(p, close - p + 1));
    p = close + 1;
  } else if (c == '*') {
    size_t b = ++p;
    while (p < s.size() && s[p] != ',' && s[p] != ']' && s[p] != '}' && s[p] != ' ' && s[p] != '\n') ++p;
    auto it = anchors_.find(std::string(s.substr(b, p - b)));
    return it != anchors_.end() ? it->second : make(YamlNode::Null, n->loc);
  } else {
    size_t b = p;
    while (p < s.size() && s[p] != ',' && s[p] != ']' && s[p] != '}' && s[p] != '\n' &&
           !(in_map && s[p] == ':' && (p + 1 >= s.size() || s[p + 1] == ' ' || s[p + 1] == '\n')))
      ++p;
    n->value = std::string(trim(s.substr(b, p - b)));
  }
  n->map = SourceMap::contiguous(n->value, n->loc.line, n->loc.col + (n->quoted ? 1 : 0));
  return n;
}

YamlFile::YamlFile(std::string_view text) {
  YamlParser parser(*this, text);
  parser.run();
}

const YamlNode* YamlNode::get(std::string_view key) const {
  for (const auto& [k, v] : all_entries())
    if (k->value == key) return v;
  return nullptr;
}

std::vector<std::pair<const YamlNode*, const YamlNode*>> YamlNode::all_entries() const {
  std::vector<std::pair<const YamlNode*, const YamlNode*>> out;
  if (kind != Map) return out;
  for (const auto& [k, v] : entries) {
    if (k->value == "<<" && !k->quoted) {
      std::vector<const YamlNode*> sources;
      if (v->kind == Map) sources.push_back(v);
      else if (v->kind == Seq)
        for (const YamlNode* item : v->items) sources.push_back(item);
      for (const YamlNode* src : sources)
        if (src->kind == Map && src != this)
          for (const auto& [mk, mv] : src->entries)
            if (mk->value != "<<") out.emplace_back(mk, mv);
      continue;
    }
    out.emplace_back(k, v);
  }
  return out;
}

}  // namespace bastion::check
