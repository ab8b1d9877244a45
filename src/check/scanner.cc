// SPDX-License-Identifier: MIT
// The scan driver.
#include "check/scanner.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <set>
#include <thread>
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
  Collector(const Rule& rule, const std::string& path, const std::vector<LineComment>& comments,
            const std::vector<LineSpan>& spans, bool dockerfile, std::vector<Finding>& out)
      : rule_(rule), path_(path), comments_(comments), spans_(spans), dockerfile_(dockerfile), out_(out) {}

  void report(Loc loc, std::string message) override {
    const RuleInfo& info = rule_.info();
    if (!comments_.empty() && is_suppressed(comments_, spans_, loc.line, info, dockerfile_)) return;
    out_.push_back({std::string(info.id), info.severity, path_, loc, std::move(message)});
  }

 private:
  const Rule& rule_;
  const std::string& path_;
  const std::vector<LineComment>& comments_;
  const std::vector<LineSpan>& spans_;
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

// What one worker produces for its chunk of files.
struct Partial {
  std::vector<Finding> findings;
  std::vector<Note> notes;
  ScanStats stats;
};

void scan_chunk(const std::vector<WalkEntry>& entries, size_t begin, size_t end, const std::vector<std::string>& roots,
                const std::vector<const Rule*>& rules, Partial& out) {
  Project project(roots);
  for (size_t k = begin; k < end; ++k) {
    const WalkEntry& e = entries[k];
    FileFacts facts;
    std::vector<LineComment> comments;
    std::vector<LineSpan> spans;
    if (e.kind == FileKind::Python) {
      ModuleSummary* m = project.module_at(e.abs_path);
      if (m == nullptr || m->facts_taken) continue;
      if (!m->error.empty()) {
        out.notes.push_back({e.display, m->error});
        continue;
      }
      if (m->first_error_line != 0)
        out.notes.push_back({e.display, "could not parse everything (line " + std::to_string(m->first_error_line) +
                                            ": Python 2 or a syntax error); the rest was scanned"});
      facts = std::move(m->facts);
      m->facts_taken = true;
      comments = m->comments;
      spans = m->spans;
      out.stats.bytes += m->ast ? m->ast->source.size() : 0;
      project.release(m);
    } else {
      auto src = read_source(e.abs_path);
      if (!src.ok()) {
        out.notes.push_back({e.display, src.error().message});
        continue;
      }
      std::string_view text = *src;
      if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.remove_prefix(3);  // BOM
      std::string dir = dir_of(e.abs_path);
      switch (e.kind) {
        case FileKind::Dockerfile: scan_dockerfile(text, dir, facts, comments); break;
        case FileKind::Yaml: scan_yaml(text, dir, facts, comments); break;
        case FileKind::Procfile: scan_procfile(text, dir, facts, comments); break;
        case FileKind::EnvFile: scan_env_file(text, dir, facts, comments); break;
        case FileKind::Shell: scan_shell_script(text, dir, facts, comments); break;
        case FileKind::Python: break;
      }
      out.stats.bytes += text.size();
    }
    ++out.stats.files;
    RuleContext ctx{facts, e.kind, project};
    for (const Rule* r : rules) {
      Collector sink(*r, e.display, comments, spans, e.kind == FileKind::Dockerfile, out.findings);
      r->check(ctx, sink);
    }
  }
}

}  // namespace

base::Result<ScanResult> run_scan(const ScanOptions& options) {
  ScanResult result;
  auto rules = select_rules(options);
  if (!rules.ok()) return std::move(rules).error();
  result.rules = *rules;

  std::vector<std::string> paths = options.paths.empty() ? std::vector<std::string>{"."} : options.paths;
  Walker walker({options.excludes, options.include_tests});
  std::vector<WalkEntry> walked;
  std::vector<std::string> roots;
  for (const std::string& p : paths) {
    if (!walker.add(p, walked, result.notes)) return base::make_error(p + ": no such file or directory");
    char buf[PATH_MAX];
    if (::realpath(p.c_str(), buf) != nullptr) roots.emplace_back(buf);
  }
  // Module lookups stay inside the scanned tree; a file argument's tree is its directory.
  for (std::string& r : roots) {
    struct stat st {};
    if (::stat(r.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) r = dir_of(r);
  }
  std::vector<WalkEntry> entries;
  std::set<std::string> seen;
  for (WalkEntry& e : walked)
    if (seen.insert(e.abs_path).second) entries.push_back(std::move(e));

  unsigned jobs = options.jobs != 0 ? options.jobs : std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  if (entries.size() < 64) jobs = 1;
  jobs = static_cast<unsigned>(std::min<size_t>(jobs, std::max<size_t>(1, entries.size())));
  std::vector<Partial> parts(jobs);
  std::vector<std::thread> threads;
  size_t per = (entries.size() + jobs - 1) / jobs;
  for (unsigned j = 0; j < jobs; ++j) {
    size_t begin = std::min(entries.size(), j * per);
    size_t end = std::min(entries.size(), begin + per);
    if (j + 1 == jobs) {
      scan_chunk(entries, begin, end, roots, result.rules, parts[j]);
    } else {
      threads.emplace_back(scan_chunk, std::cref(entries), begin, end, std::cref(roots), std::cref(result.rules),
                           std::ref(parts[j]));
    }
  }
  for (std::thread& t : threads) t.join();
  for (Partial& p : parts) {
    result.findings.insert(result.findings.end(), p.findings.begin(), p.findings.end());
    result.notes.insert(result.notes.end(), p.notes.begin(), p.notes.end());
    result.stats.files += p.stats.files;
    result.stats.bytes += p.stats.bytes;
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
