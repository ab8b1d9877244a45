// SPDX-License-Identifier: MIT
// Fuzz target for `bastion check`: one input goes through the Python tokenizer, parser and
// evaluator and through every launch-file scanner (Dockerfile, YAML, Procfile, env file,
// shell), then every rule judges the facts. Nothing may crash, hang or leak. No I/O beyond
// a few stat() calls for imports that cannot resolve.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "check/config_scan.h"
#include "check/facts.h"
#include "check/project.h"
#include "check/py_analyzer.h"
#include "check/rule.h"
#include "check/yaml.h"

namespace {

class NullSink final : public bastion::check::FindingSink {
 public:
  void report(bastion::check::Loc loc, std::string message) override { total_ += static_cast<size_t>(loc.line) + message.size(); }
  size_t total_ = 0;
};

void judge(const bastion::check::FileFacts& facts, bastion::check::FileKind kind, bastion::check::Project& project) {
  NullSink sink;
  bastion::check::RuleContext ctx{facts, kind, project};
  for (const bastion::check::Rule* rule : bastion::check::all_rules()) rule->check(ctx, sink);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bastion::check;
  if (size > (1u << 20)) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  Project project({"/nonexistent-bastion-fuzz-root"});
  {
    ModuleSummary m;
    m.path = "/nonexistent-bastion-fuzz-root/app.py";
    analyze_python(m, text, project);
    judge(m.facts, FileKind::Python, project);
  }
  const std::string dir = "/nonexistent-bastion-fuzz-root";
  using Scanner = void (*)(std::string_view, const std::string&, FileFacts&, std::vector<LineComment>&);
  const std::pair<Scanner, FileKind> scanners[] = {
      {scan_dockerfile, FileKind::Dockerfile}, {scan_yaml, FileKind::Yaml},     {scan_procfile, FileKind::Procfile},
      {scan_env_file, FileKind::EnvFile},      {scan_shell_script, FileKind::Shell},
  };
  for (const auto& [scan, kind] : scanners) {
    FileFacts facts;
    std::vector<LineComment> comments;
    scan(text, dir, facts, comments);
    judge(facts, kind, project);
  }
  return 0;
}
