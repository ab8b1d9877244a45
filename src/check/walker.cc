// SPDX-License-Identifier: MIT
// The file walker: opendir/readdir with d_type, one .gitignore read per directory.
#include "check/walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <memory>

#include "base/unique_fd.h"
#include "check/glob.h"
#include "check/project.h"
#include "check/source_file.h"

namespace bastion::check {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool skipped_dir(std::string_view name) {
  constexpr std::string_view kNames[] = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox",
                                         ".venv", "venv", ".mypy_cache", ".pytest_cache", ".ruff_cache",
                                         "site-packages", "dist-packages", ".eggs", ".idea", ".vscode", ".github"};
  for (std::string_view n : kNames)
    if (n == name) return true;
  return false;
}

bool read_small(const std::string& path, size_t max, std::string* out) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd) return false;
  out->resize(max);
  ssize_t n = ::read(fd.get(), out->data(), max);
  if (n < 0) return false;
  out->resize(static_cast<size_t>(n));
  return true;
}

// Extensionless scripts: the shebang decides.
std::optional<FileKind> sniff(const std::string& path) {
  std::string head;
  if (!read_small(path, 256, &head) || head.rfind("#!", 0) != 0) return std::nullopt;
  std::string_view line(head);
  line = line.substr(0, line.find('\n'));
  if (line.find("python") != std::string_view::npos) return FileKind::Python;
  constexpr std::string_view kShells[] = {"/sh", "bash", "dash", "zsh", "/ash", "env sh"};
  for (std::string_view s : kShells)
    if (line.find(s) != std::string_view::npos) return FileKind::Shell;
  return std::nullopt;
}

bool has_no_extension(std::string_view name) { return name.find('.') == std::string_view::npos; }

}  // namespace

struct Walker::Ignore {
  std::unique_ptr<IgnoreFile> file;
  std::string prefix;  // prepended to root-relative paths (for ignore files above the root)
};

std::optional<FileKind> classify_name(std::string_view name) {
  std::string n = lower(name);
  if (ends_with(n, ".py") || ends_with(n, ".pyw")) return FileKind::Python;
  if (n == "dockerfile" || n == "containerfile" || n.rfind("dockerfile.", 0) == 0 || n.rfind("containerfile.", 0) == 0 ||
      ends_with(n, ".dockerfile") || ends_with(n, ".containerfile"))
    return FileKind::Dockerfile;
  if (ends_with(n, ".yml") || ends_with(n, ".yaml")) return FileKind::Yaml;
  if (name == "Procfile") return FileKind::Procfile;
  if (n == ".env" || n.rfind(".env.", 0) == 0 || n == ".flaskenv" || n == ".envrc" || (ends_with(n, ".env") && n.size() > 4))
    return FileKind::EnvFile;
  if (ends_with(n, ".sh") || ends_with(n, ".bash")) return FileKind::Shell;
  return std::nullopt;
}

bool is_test_file_name(std::string_view name) {
  if (name == "conftest.py") return true;
  if (!ends_with(name, ".py")) return false;
  return name.rfind("test_", 0) == 0 || ends_with(name, "_test.py");
}

bool Walker::excluded(std::string_view rel, std::string_view name) const {
  for (const std::string& raw : opts_.excludes) {
    std::string_view pat = raw;
    while (pat.rfind("./", 0) == 0) pat.remove_prefix(2);
    while (pat.size() > 1 && pat.back() == '/') pat.remove_suffix(1);
    if (pat.empty()) continue;
    if (pat.find('/') == std::string_view::npos) {
      if (path_glob_match(pat, name)) return true;
    } else if (path_glob_match(pat, rel)) {
      return true;
    }
  }
  return false;
}

bool Walker::add(const std::string& arg, std::vector<WalkEntry>& out, std::vector<Note>& notes) {
  struct stat st {};
  if (::stat(arg.c_str(), &st) != 0) return false;
  char buf[PATH_MAX];
  if (::realpath(arg.c_str(), buf) == nullptr) return false;
  std::string abs = buf;
  std::string prefix = arg;
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  if (prefix == "." || prefix == "./") prefix.clear();
  if (!S_ISDIR(st.st_mode)) {
    std::string name = abs.substr(abs.rfind('/') + 1);
    std::optional<FileKind> kind = classify_name(name);
    if (!kind && has_no_extension(name)) kind = sniff(abs);
    if (!kind) {
      notes.push_back({arg, "skipped: not a file type bastion check reads"});
      return true;
    }
    if (excluded(name, name)) return true;
    if (!opts_.include_tests && *kind == FileKind::Python && is_test_file_name(name)) {
      notes.push_back({arg, "skipped: test file (use --include-tests to scan it)"});
      return true;
    }
    out.push_back({abs, arg, *kind});
    return true;
  }
  // .gitignore files between the repository root and the scanned directory also apply.
  std::vector<Ignore> ignores;
  std::vector<std::string> ancestors;
  for (std::string dir = abs; dir != "/";) {
    struct stat gs {};
    std::string parent = dir_of(dir);
    if (::stat((dir + "/.git").c_str(), &gs) == 0) {
      std::string text;
      if (read_small(dir + "/.git/info/exclude", 1 << 20, &text)) ancestors.push_back(dir + "\n" + text);
      break;
    }
    if (parent == dir) break;
    dir = parent;
    std::string text;
    if (read_small(dir + "/.gitignore", 1 << 20, &text)) ancestors.push_back(dir + "\n" + text);
  }
  for (auto it = ancestors.rbegin(); it != ancestors.rend(); ++it) {
    size_t nl = it->find('\n');
    std::string dir = it->substr(0, nl);
    std::string rel_prefix = abs.size() > dir.size() ? abs.substr(dir.size() + 1) + "/" : std::string();
    ignores.push_back({std::make_unique<IgnoreFile>("", std::string_view(*it).substr(nl + 1)), rel_prefix});
  }
  walk_dir(abs, "", prefix, ignores, out, notes, 0);
  return true;
}

void Walker::walk_dir(const std::string& abs, const std::string& rel, const std::string& prefix,
                      std::vector<Ignore>& ignores, std::vector<WalkEntry>& out, std::vector<Note>& notes,
                      int depth) {
  if (depth > 64) return;
  DIR* d = ::opendir(abs.c_str());
  if (d == nullptr) {
    notes.push_back({prefix.empty() ? (rel.empty() ? "." : rel) : prefix + (rel.empty() ? "" : "/" + rel),
                     "skipped: cannot read directory"});
    return;
  }
  std::vector<std::pair<std::string, unsigned char>> entries;
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    entries.emplace_back(std::string(name), e->d_type);
  }
  ::closedir(d);
  std::sort(entries.begin(), entries.end());
  size_t pushed = 0;
  for (const auto& [name, type] : entries) {
    if (name == ".gitignore" && type != DT_DIR) {
      std::string text;
      if (read_small(abs + "/" + name, 1 << 20, &text)) {
        ignores.push_back({std::make_unique<IgnoreFile>(rel, text), std::string()});
        ++pushed;
      }
    }
  }
  auto ignored = [&](const std::string& child_rel, bool is_dir) {
    int result = 0;
    for (const Ignore& ig : ignores) {
      int r = ig.file->match(ig.prefix + child_rel, is_dir);
      if (r != 0) result = r;
    }
    return result > 0;
  };
  for (const auto& [name, type] : entries) {
    std::string child_abs = abs + "/" + name;
    std::string child_rel = rel.empty() ? name : rel + "/" + name;
    bool is_dir = type == DT_DIR;
    bool is_file = type == DT_REG;
    if (type == DT_UNKNOWN || type == DT_LNK) {
      struct stat st {};
      if (::lstat(child_abs.c_str(), &st) != 0) continue;
      if (S_ISLNK(st.st_mode)) {  // follow links to files, never to directories (loops)
        if (::stat(child_abs.c_str(), &st) != 0 || S_ISDIR(st.st_mode)) continue;
      }
      is_dir = S_ISDIR(st.st_mode);
      is_file = S_ISREG(st.st_mode);
    }
    if (is_dir) {
      if (skipped_dir(name) || ignored(child_rel, true) || excluded(child_rel, name)) continue;
      if (!opts_.include_tests && (name == "tests" || name == "test")) continue;
      struct stat vs {};
      if (::stat((child_abs + "/pyvenv.cfg").c_str(), &vs) == 0) continue;  // a virtualenv
      walk_dir(child_abs, child_rel, prefix, ignores, out, notes, depth + 1);
      continue;
    }
    if (!is_file) continue;
    std::optional<FileKind> kind = classify_name(name);
    if (!kind && (!has_no_extension(name) || name == "Makefile" || name == "LICENSE" || name == "README")) continue;
    if (ignored(child_rel, false) || excluded(child_rel, name)) continue;
    if (!kind) kind = sniff(child_abs);
    if (!kind) continue;
    if (!opts_.include_tests && *kind == FileKind::Python && is_test_file_name(name)) continue;
    out.push_back({child_abs, prefix.empty() ? child_rel : prefix + "/" + child_rel, *kind});
  }
  ignores.resize(ignores.size() - pushed);
}

}  // namespace bastion::check
