// SPDX-License-Identifier: MIT
// Module lookup and the per-module summary cache for the Python evaluator.
#include "check/project.h"

#include <dirent.h>
#include <sys/stat.h>

#include "check/py_analyzer.h"
#include "check/source_file.h"

namespace bastion::check {
namespace {

constexpr int kMaxImportNesting = 24;

bool has_prefix_dir(const std::string& path, const std::string& dir) {
  if (dir.empty()) return false;
  if (path.size() < dir.size() || path.compare(0, dir.size(), dir) != 0) return false;
  return path.size() == dir.size() || path[dir.size()] == '/' || dir == "/";
}

std::string join(const std::string& dir, std::string_view rel) {
  if (dir.empty() || dir == "/") return "/" + std::string(rel);
  std::string out = dir;
  out += '/';
  out += rel;
  return out;
}

}  // namespace

std::string normalize_path(const std::string& path) {
  std::vector<std::string_view> parts;
  std::string_view p = path;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    std::string_view part = p.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (auto part : parts) {
    out += '/';
    out += part;
  }
  return out.empty() ? "/" : out;
}

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Project::Project(std::vector<std::string> roots) : roots_(std::move(roots)) {
  for (auto& r : roots_) r = normalize_path(r);
}

const std::string& Project::root_of(const std::string& path) const {
  static const std::string kNone;
  const std::string* best = &kNone;
  for (const auto& r : roots_)
    if (has_prefix_dir(path, r) && r.size() > best->size()) best = &r;
  return *best;
}

bool Project::file_exists(const std::string& path) {
  auto it = exists_.find(path);
  if (it != exists_.end()) return it->second;
  struct stat st {};
  bool ok = ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  if (exists_.size() < 200000) exists_.emplace(path, ok);
  return ok;
}

ModuleSummary* Project::module_at(const std::string& path) {
  auto it = modules_.find(path);
  if (it != modules_.end()) {
    ModuleSummary* m = it->second.get();
    if (m->in_progress) return nullptr;
    if (!m->released) return m;
    // Released after its own scan; an importer now needs its globals: analyse again
    // (the facts were already reported, so the new ones are dropped).
    auto fresh = std::make_unique<ModuleSummary>();
    fresh->path = path;
    fresh->facts_taken = true;
    it->second = std::move(fresh);
  }
  if (nesting_ >= kMaxImportNesting) return nullptr;
  ModuleSummary* m;
  if (it == modules_.end()) {
    auto fresh = std::make_unique<ModuleSummary>();
    fresh->path = path;
    m = fresh.get();
    modules_.emplace(path, std::move(fresh));
  } else {
    m = it->second.get();
  }
  m->in_progress = true;
  ++nesting_;
  auto src = read_source(path);
  if (!src.ok()) {
    m->error = src.error().message;
  } else {
    analyze_python(*m, std::move(src).value(), *this);
  }
  --nesting_;
  m->in_progress = false;
  return m;
}

std::string Project::module_file(const std::string& from_path, std::string_view dotted, int level) {
  std::string key = from_path;
  key += '|';
  key += std::to_string(level);
  key += '|';
  key += dotted;
  auto it = module_files_.find(key);
  if (it != module_files_.end()) return it->second;

  std::string rel;
  for (char c : dotted) rel += c == '.' ? '/' : c;
  const std::string& root = root_of(from_path);
  std::string found;
  auto try_dir = [&](const std::string& dir) {
    if (rel.empty()) {
      std::string init = join(dir, "__init__.py");
      if (file_exists(init)) found = init;
      return !found.empty();
    }
    // A package shadows a module of the same name (CPython's FileFinder order).
    std::string pkg = join(dir, rel + "/__init__.py");
    if (file_exists(pkg)) {
      found = pkg;
      return true;
    }
    std::string file = join(dir, rel + ".py");
    if (file_exists(file)) {
      found = file;
      return true;
    }
    return false;
  };
  std::string dir = dir_of(from_path);
  if (level > 0) {
    for (int k = 1; k < level && dir != "/"; ++k) dir = dir_of(dir);
    if (has_prefix_dir(dir, root) || dir == root) try_dir(dir);
  } else if (!rel.empty()) {
    // sys.path could start at any directory between the file and the scan root.
    for (int guard = 0; guard < 64; ++guard) {
      if (!has_prefix_dir(dir, root)) break;
      if (try_dir(dir)) break;
      if (dir == root || dir == "/") break;
      dir = dir_of(dir);
    }
    if (found.empty() && !root.empty()) try_dir(join(root, "src"));
  }
  if (module_files_.size() < 100000) module_files_.emplace(key, found);
  return found;
}

Project::Lookup Project::import_module(const std::string& from_path, std::string_view dotted,
                                       int level, ModuleSummary** out) {
  *out = nullptr;
  std::string file = module_file(from_path, dotted, level);
  if (file.empty() || file == from_path) return Lookup::NotInTree;
  ModuleSummary* m = module_at(file);
  if (m == nullptr) return Lookup::Busy;
  m->imported = true;
  *out = m;
  return Lookup::Found;
}

// Looks for `rel` under `dir` (at most three levels down, skipping hidden, virtualenv and
// test folders); returns the match when there is exactly one.
std::string Project::find_below(const std::string& dir, const std::string& rel) {
  std::vector<std::string> hits;
  size_t budget = 4000;
  struct Walk {
    static void go(const std::string& d, const std::string& rel, int depth, size_t& budget,
                   std::vector<std::string>& hits, Project& p) {
      if (depth > 3 || hits.size() > 1) return;
      DIR* dh = ::opendir(d.c_str());
      if (dh == nullptr) return;
      std::vector<std::string> subdirs;
      while (dirent* e = ::readdir(dh)) {
        if (budget == 0) break;
        --budget;
        std::string_view name = e->d_name;
        if (name.empty() || name[0] == '.' || name == "node_modules" || name == "venv" || name == "tests" ||
            name == "test" || name == "__pycache__" || name == "site-packages")
          continue;
        if (e->d_type == DT_DIR) subdirs.emplace_back(name);
      }
      ::closedir(dh);
      for (const std::string& s : subdirs) {
        std::string cand = d + "/" + s + "/" + rel;
        if (p.file_exists(cand)) hits.push_back(cand);
        go(d + "/" + s, rel, depth + 1, budget, hits, p);
      }
    }
  };
  Walk::go(dir, rel, 1, budget, hits, *this);
  return hits.size() == 1 ? hits[0] : std::string();
}

std::string Project::find_script(const std::string& base_dir, const std::string& script) {
  if (script.empty()) return {};
  const std::string& root = root_of(base_dir.empty() ? std::string("/") : base_dir + "/x");
  std::string rel = script;
  while (rel.rfind("./", 0) == 0) rel.erase(0, 2);
  if (!rel.empty() && rel[0] != '/') {
    std::string dir = base_dir;
    for (int guard = 0; guard < 64; ++guard) {
      std::string cand = normalize_path(join(dir, rel));
      if (file_exists(cand)) return cand;
      if (dir == root || dir == "/" || !has_prefix_dir(dir, root)) break;
      dir = dir_of(dir);
    }
    return has_prefix_dir(base_dir, root) ? find_below(base_dir, rel) : std::string();
  }
  // An absolute path inside a container: drop leading directories one at a time.
  std::string_view tail = rel;
  while (!tail.empty()) {
    size_t slash = tail.find('/', 1);
    if (slash == std::string_view::npos) break;
    tail = tail.substr(slash + 1);
    std::string cand = normalize_path(join(base_dir, tail));
    if (file_exists(cand)) return cand;
  }
  size_t slash = rel.rfind('/');
  return has_prefix_dir(base_dir, root) ? find_below(base_dir, rel.substr(slash + 1)) : std::string();
}

bool Project::script_runs_dev_server(const std::string& path, std::string_view first_arg) {
  ModuleSummary* m = module_at(path);
  if (m == nullptr) return false;
  return m->runs_dev_server || (m->flask_script && first_arg == "runserver");
}

void Project::release(ModuleSummary* m) {
  if (m == nullptr || m->imported || m->in_progress) return;
  m->ast.reset();
  m->globals.erase_all();
  m->owned.clear();
  m->released = true;
}

}  // namespace bastion::check
