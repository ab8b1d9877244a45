// SPDX-License-Identifier: MIT
// The scan driver.
#include "check/scanner.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <set>
#include <tuple>

#include <sys/stat.h>

#include "check/config_scan.h"
#include "check/project.h"
#include "check/source_file.h"
#include "check/suppress.h"
#include "check/walker.h"

namespace bastion::check {
namespace {

class Collector final : public FindingSink {
 public:
  Collector(const Rule& rule, const std::string& path, const std::vector<LineComment>& comments, bool dockerfile,
            std::vector<Finding>& out)
      : rule_(rule), path_(path), comments_(comments), dockerfile_(dockerfile), out_(out) {}

  void report(Loc loc, std::string message) override {
    const RuleInfo& info = rule_.info();
    if (is_suppressed(comments_, loc.line, info, dockerfile_)) return;
    out_.push_back({std::string(info.id), info.severity, path_, loc, std::move(message)});
  }

 private:
  const Rule& rule_;
  const std::string& path_;
  const std::vector<LineComment>& comments_;
  bool dockerfile_;
  std::vector<Finding>& out_;
};

base::Result<std::vector<const Rule*>> select_rules(const ScanOptions& o) {
  std::vector<const Rule*> chosen;
  auto parse = [](const std::vector<std::string>& ids, std::set<std::string>* out) -> base::Status {
    for (const std::string& id : ids) {
      const Rule* r = find_rule(id);
      if (r == nullptr) return base::make_error("unknown rule id: " + id + " (known: BC001..BC007)");
      out->insert(std::string(r->info().id));
    }
    return base::Ok{};
  };
  std::set<std::string> select, ignore;
  if (auto s = parse(o.select, &select); !s.ok()) return s.error();
  if (auto s = parse(o.ignore, &ignore); !s.ok()) return s.error();
  for (const Rule* r : all_rules()) {
    std::string id(r->info().id);
    if (!select.empty() && select.count(id) == 0) continue;
    if (ignore.count(id) != 0) continue;
    if (r->info().severity < o.min_severity) continue;
    chosen.push_back(r);
  }
  return chosen;
}

}  // namespace

base::Result<ScanResult> run_scan(const ScanOptions& options) {
  ScanResult result;
  auto rules = select_rules(options);
  if (!rules.ok()) return std::move(rules).error();
  result.rules = *rules;

  std::vector<std::string> paths = options.paths.empty() ? std::vector<std::string>{"."} : options.paths;
  Walker walker({options.excludes, options.include_tests});
  std::vector<WalkEntry> entries;
  std::vector<std::string> roots;
  for (const std::string& p : paths) {
    if (!walker.add(p, entries, result.notes)) return base::make_error(p + ": no such file or directory");
    char buf[PATH_MAX];
    if (::realpath(p.c_str(), buf) != nullptr) roots.emplace_back(buf);
  }
  // Module lookups stay inside the scanned tree; a file argument's tree is its directory.
  for (std::string& r : roots) {
    struct stat st {};
    if (::stat(r.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) r = dir_of(r);
  }
  Project project(roots);
  std::set<std::string> seen;
  for (const WalkEntry& e : entries) {
    if (!seen.insert(e.abs_path).second) continue;
    FileFacts facts;
    std::vector<LineComment> comments;
    if (e.kind == FileKind::Python) {
      ModuleSummary* m = project.module_at(e.abs_path);
      if (m == nullptr || m->facts_taken) continue;
      if (!m->error.empty()) {
        result.notes.push_back({e.display, m->error});
        continue;
      }
      if (m->first_error_line != 0)
        result.notes.push_back({e.display, "could not parse everything (line " + std::to_string(m->first_error_line) +
                                               ": Python 2 or a syntax error); the rest was scanned"});
      facts = std::move(m->facts);
      m->facts_taken = true;
      comments = m->comments;
      result.stats.bytes += m->ast ? m->ast->source.size() : 0;
      project.release(m);
    } else {
      auto src = read_source(e.abs_path);
      if (!src.ok()) {
        result.notes.push_back({e.display, src.error().message});
        continue;
      }
      const std::string& text = *src;
      std::string dir = dir_of(e.abs_path);
      switch (e.kind) {
        case FileKind::Dockerfile: scan_dockerfile(text, dir, facts, comments); break;
        case FileKind::Yaml: scan_yaml(text, dir, facts, comments); break;
        case FileKind::Procfile: scan_procfile(text, dir, facts, comments); break;
        case FileKind::EnvFile: scan_env_file(text, dir, facts, comments); break;
        case FileKind::Shell: scan_shell_script(text, dir, facts, comments); break;
        case FileKind::Python: break;
      }
      result.stats.bytes += text.size();
    }
    ++result.stats.files;
    RuleContext ctx{facts, e.kind, project};
    for (const Rule* r : result.rules) {
      Collector sink(*r, e.display, comments, e.kind == FileKind::Dockerfile, result.findings);
      r->check(ctx, sink);
    }
  }
  auto& f = result.findings;
  std::sort(f.begin(), f.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.path, a.loc.line, a.rule, a.loc.col) < std::tie(b.path, b.loc.line, b.rule, b.loc.col);
  });
  // One finding per rule and line (a function run twice, an alias reached twice).
  f.erase(std::unique(f.begin(), f.end(),
                      [](const Finding& a, const Finding& b) {
                        return a.path == b.path && a.loc.line == b.loc.line && a.rule == b.rule;
                      }),
          f.end());
  std::stable_sort(f.begin(), f.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.path, a.loc.line, a.loc.col, a.rule) < std::tie(b.path, b.loc.line, b.loc.col, b.rule);
  });
  return result;
}

}  // namespace bastion::check
