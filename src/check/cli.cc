// SPDX-License-Identifier: MIT
// Argument parsing and output for `bastion check`.
#include "check/cli.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "check/report.h"
#include "check/scanner.h"

namespace bastion::check {
namespace {

constexpr int kExitClean = 0;
constexpr int kExitFindings = 1;
constexpr int kExitUsage = 2;

constexpr const char* kUsage =
    "usage: bastion check [OPTIONS] [PATH...]\n"
    "\n"
    "Static scan for leftover debug code (CWE-489) in a Flask project: Python sources,\n"
    "Dockerfiles, compose and Kubernetes YAML, Procfiles, .env files and shell scripts.\n"
    "\n"
    "options:\n"
    "  --format text|json|sarif   output format (default: text)\n"
    "  --severity low|medium|high report findings at or above this severity (default: low)\n"
    "  --exclude GLOB             skip matching files and folders (repeatable)\n"
    "  --include-tests            also scan tests/, test/, test_*.py, *_test.py, conftest.py\n"
    "  --select IDS               only these rules (comma-separated, e.g. BC001,BC004)\n"
    "  --ignore IDS               skip these rules (comma-separated)\n"
    "  --output FILE, -o FILE     write the report to FILE instead of stdout\n"
    "  --jobs N, -j N             worker threads (default: one per CPU, at most 8)\n"
    "  --list-rules               list the rules and exit\n"
    "  -h, --help                 show this help and exit\n"
    "\n"
    "exit status: 0 no findings, 1 findings, 2 usage error.\n"
    "Suppress one line with `# nosec`, `# nosec B201` or `# bastion: ignore[BC001]`.\n"
    "`bastion check --app MODULE:APP` runs the runtime debug guard instead (see bastion --help).\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "bastion check: %s\n(run `bastion check --help` for usage)\n", message.c_str());
  return kExitUsage;
}

void split_ids(std::string_view list, std::vector<std::string>& out) {
  size_t p = 0;
  while (p <= list.size()) {
    size_t c = list.find(',', p);
    if (c == std::string_view::npos) c = list.size();
    std::string_view id = list.substr(p, c - p);
    while (!id.empty() && id.front() == ' ') id.remove_prefix(1);
    while (!id.empty() && id.back() == ' ') id.remove_suffix(1);
    if (!id.empty()) out.emplace_back(id);
    p = c + 1;
  }
}

bool write_all(std::FILE* f, const std::string& s) { return std::fwrite(s.data(), 1, s.size(), f) == s.size(); }

std::string list_rules() {
  std::string out;
  for (const Rule* r : all_rules()) {
    const RuleInfo& i = r->info();
    out += std::string(i.id) + "  " + std::string(i.name) + " [" + std::string(severity_name(i.severity)) + "] " +
           std::string(i.title) + " (" + std::string(i.cwe) + ")\n";
  }
  return out;
}

}  // namespace

int run_cli(int argc, char** argv) {
  ScanOptions opts;
  OutputFormat format = OutputFormat::Text;
  std::string output;
  bool options_done = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (options_done || arg.empty() || arg[0] != '-' || arg == "-") {
      opts.paths.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    // --name=value or --name value
    std::string_view name = arg;
    std::string value;
    bool inline_value = false;
    if (size_t eq = arg.find('='); eq != std::string_view::npos && arg.rfind("--", 0) == 0) {
      name = arg.substr(0, eq);
      value = std::string(arg.substr(eq + 1));
      inline_value = true;
    }
    auto take = [&](std::string* out) {
      if (inline_value) {
        *out = value;
        return true;
      }
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    std::string v;
    if (name == "-h" || name == "--help") {
      std::fputs(kUsage, stdout);
      return kExitClean;
    }
    if (name == "--list-rules") {
      std::fputs(list_rules().c_str(), stdout);
      return kExitClean;
    }
    if (name == "--app") {
      return usage_error("--app is handled by the runtime guard, not by the static scanner");
    }
    if (name == "--include-tests") {
      opts.include_tests = true;
      continue;
    }
    if (name == "--format" || name == "--severity" || name == "--exclude" || name == "--select" ||
        name == "--ignore" || name == "--output" || name == "-o" || name == "--jobs" || name == "-j") {
      if (!take(&v)) return usage_error(std::string(name) + " needs a value");
      if (name == "--format") {
        if (!parse_format(v, &format)) return usage_error("unknown format '" + v + "' (text, json, sarif)");
      } else if (name == "--severity") {
        if (!parse_severity(v, &opts.min_severity)) return usage_error("unknown severity '" + v + "' (low, medium, high)");
      } else if (name == "--exclude") {
        opts.excludes.push_back(v);
      } else if (name == "--select") {
        split_ids(v, opts.select);
      } else if (name == "--ignore") {
        split_ids(v, opts.ignore);
      } else if (name == "--jobs" || name == "-j") {
        char* end = nullptr;
        unsigned long n = std::strtoul(v.c_str(), &end, 10);
        if (v.empty() || end == nullptr || *end != '\0' || n == 0 || n > 256)
          return usage_error("--jobs needs a number from 1 to 256");
        opts.jobs = static_cast<unsigned>(n);
      } else {
        output = v;
      }
      continue;
    }
    return usage_error("unknown option " + std::string(arg));
  }

  auto result = run_scan(opts);
  if (!result.ok()) return usage_error(result.error().message);
  const ScanResult& r = *result;
  std::string report;
  switch (format) {
    case OutputFormat::Text: report = render_text(r); break;
    case OutputFormat::Json: report = render_json(r); break;
    case OutputFormat::Sarif: report = render_sarif(r); break;
  }
  if (output.empty() || output == "-") {
    write_all(stdout, report);
    std::fflush(stdout);
  } else {
    std::FILE* f = std::fopen(output.c_str(), "wb");
    if (f == nullptr) return usage_error("cannot write " + output + ": " + std::strerror(errno));
    bool ok = write_all(f, report);
    ok = std::fclose(f) == 0 && ok;
    if (!ok) return usage_error("cannot write " + output);
  }
  if (format == OutputFormat::Text) write_all(stderr, render_text_notes(r));
  else
    for (const Note& n : r.notes) std::fprintf(stderr, "%s: note: %s\n", n.path.c_str(), n.message.c_str());
  return r.findings.empty() ? kExitClean : kExitFindings;
}

}  // namespace bastion::check
