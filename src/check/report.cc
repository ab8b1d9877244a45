// SPDX-License-Identifier: MIT
// Text, JSON and SARIF output, written by hand (no JSON library in the product); strings go
// through base::json_escape.
#include "check/report.h"

#include <cstdio>

#include "base/json.h"

namespace bastion::check {
namespace {

#ifndef BASTION_VERSION
#define BASTION_VERSION "0.0.0"
#endif

const RuleInfo* info_for(const ScanResult& r, std::string_view id) {
  for (const Rule* rule : r.rules)
    if (rule->info().id == id) return &rule->info();
  const Rule* rule = find_rule(id);
  return rule != nullptr ? &rule->info() : nullptr;
}

std::string q(std::string_view s) { return base::json_quote(s); }

std::string level_of(Severity s) {
  switch (s) {
    case Severity::High: return "error";
    case Severity::Medium: return "warning";
    case Severity::Low: return "note";
  }
  return "warning";
}

std::string security_severity(Severity s) {
  switch (s) {
    case Severity::High: return "8.1";
    case Severity::Medium: return "5.3";
    case Severity::Low: return "3.1";
  }
  return "5.3";
}

std::string cwe_tag(std::string_view cwe) {
  std::string t = "external/cwe/";
  for (char c : cwe) t += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return t;
}

// A SARIF artifact URI: relative paths stay relative (to %SRCROOT%), absolute ones become
// file: URIs; everything outside RFC 3986 unreserved characters is percent-encoded.
std::string artifact_uri(std::string_view path, bool* absolute) {
  while (path.rfind("./", 0) == 0) path.remove_prefix(2);
  *absolute = !path.empty() && path[0] == '/';
  std::string out = *absolute ? "file://" : "";
  for (char ch : path) {
    unsigned char c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~' || c == '/') {
      out += ch;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string help_markdown(const RuleInfo& i) {
  return "**" + std::string(i.id) + " " + std::string(i.name) + "**: " + std::string(i.title) + "\n\n" +
         std::string(i.description) + "\n\n**Fix:** " + std::string(i.fix) + "\n\nSee docs/rules/" +
         std::string(i.id) + ".md.";
}

}  // namespace

bool parse_format(std::string_view text, OutputFormat* out) {
  if (text == "text") *out = OutputFormat::Text;
  else if (text == "json") *out = OutputFormat::Json;
  else if (text == "sarif") *out = OutputFormat::Sarif;
  else return false;
  return true;
}

std::string render_text(const ScanResult& r) {
  std::string out;
  for (const Finding& f : r.findings) {
    const RuleInfo* info = info_for(r, f.rule);
    out += f.path + ":" + std::to_string(f.loc.line) + ":" + std::to_string(f.loc.col) + ": " + f.rule + " [" +
           std::string(severity_name(f.severity)) + "] " + f.message;
    if (info != nullptr) out += " (" + std::string(info->cwe) + ") -- " + std::string(info->fix);
    out += '\n';
  }
  return out;
}

std::string render_text_notes(const ScanResult& r) {
  std::string out;
  for (const Note& n : r.notes) out += n.path + ": note: " + n.message + "\n";
  size_t high = 0, medium = 0, low = 0;
  for (const Finding& f : r.findings) {
    if (f.severity == Severity::High) ++high;
    else if (f.severity == Severity::Medium) ++medium;
    else ++low;
  }
  out += "bastion check: " + std::to_string(r.findings.size()) + " finding" + (r.findings.size() == 1 ? "" : "s") +
         " (" + std::to_string(high) + " high, " + std::to_string(medium) + " medium, " + std::to_string(low) +
         " low) in " + std::to_string(r.stats.files) + " files\n";
  return out;
}

std::string render_json(const ScanResult& r) {
  std::string out = "{\n  \"tool\": \"bastion check\",\n  \"version\": " + q(BASTION_VERSION) + ",\n  \"findings\": [";
  bool first = true;
  for (const Finding& f : r.findings) {
    const RuleInfo* info = info_for(r, f.rule);
    out += first ? "\n" : ",\n";
    first = false;
    out += "    {\"rule\": " + q(f.rule) + ", \"name\": " + q(info ? info->name : "") +
           ", \"severity\": " + q(severity_name(f.severity)) + ", \"path\": " + q(f.path) +
           ", \"line\": " + std::to_string(f.loc.line) + ", \"column\": " + std::to_string(f.loc.col) +
           ", \"message\": " + q(f.message) + ", \"cwe\": " + q(info ? info->cwe : "") +
           ", \"fix\": " + q(info ? info->fix : "") + "}";
  }
  out += first ? "],\n" : "\n  ],\n";
  out += "  \"notes\": [";
  first = true;
  for (const Note& n : r.notes) {
    out += first ? "\n" : ",\n";
    first = false;
    out += "    {\"path\": " + q(n.path) + ", \"message\": " + q(n.message) + "}";
  }
  out += first ? "],\n" : "\n  ],\n";
  out += "  \"summary\": {\"files\": " + std::to_string(r.stats.files) + ", \"bytes\": " + std::to_string(r.stats.bytes) +
         ", \"findings\": " + std::to_string(r.findings.size()) + "}\n}\n";
  return out;
}

std::string render_sarif(const ScanResult& r) {
  std::string out =
      "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n"
      "  \"runs\": [\n    {\n      \"tool\": {\n        \"driver\": {\n          \"name\": \"bastion\",\n"
      "          \"fullName\": \"bastion check (leftover debug code, CWE-489)\",\n"
      "          \"version\": " + q(BASTION_VERSION) + ",\n          \"semanticVersion\": " + q(BASTION_VERSION) +
      ",\n          \"rules\": [";
  for (size_t k = 0; k < r.rules.size(); ++k) {
    const RuleInfo& i = r.rules[k]->info();
    std::string tags = "\"security\", " + q(cwe_tag(i.cwe));
    for (std::string_view c : i.more_cwes) tags += ", " + q(cwe_tag(c));
    out += std::string(k ? ",\n" : "\n") + "            {\n              \"id\": " + q(i.id) + ",\n              \"name\": " +
           q(i.name) + ",\n              \"shortDescription\": {\"text\": " + q(i.title) +
           "},\n              \"fullDescription\": {\"text\": " + q(i.description) +
           "},\n              \"help\": {\"text\": " + q(std::string(i.description) + " Fix: " + std::string(i.fix)) +
           ", \"markdown\": " + q(help_markdown(i)) + "},\n              \"defaultConfiguration\": {\"level\": " +
           q(level_of(i.severity)) + "},\n              \"properties\": {\"tags\": [" + tags +
           "], \"precision\": \"high\", \"problem.severity\": " + q(level_of(i.severity)) +
           ", \"security-severity\": " + q(security_severity(i.severity)) + "}\n            }";
  }
  out += r.rules.empty() ? "]\n" : "\n          ]\n";
  out += "        }\n      },\n      \"columnKind\": \"unicodeCodePoints\",\n";
  out += "      \"originalUriBaseIds\": {\"%SRCROOT%\": {\"description\": {\"text\": \"The directory bastion check was run in.\"}}},\n";
  out += "      \"results\": [";
  for (size_t k = 0; k < r.findings.size(); ++k) {
    const Finding& f = r.findings[k];
    size_t index = 0;
    for (size_t j = 0; j < r.rules.size(); ++j)
      if (r.rules[j]->info().id == f.rule) index = j;
    bool absolute = false;
    std::string uri = artifact_uri(f.path, &absolute);
    std::string artifact = "{\"uri\": " + q(uri) + (absolute ? std::string() : ", \"uriBaseId\": \"%SRCROOT%\"") + "}";
    const RuleInfo* info = info_for(r, f.rule);
    std::string text = f.message + (info ? " Fix: " + std::string(info->fix) + "." : "");
    out += std::string(k ? ",\n" : "\n") + "        {\"ruleId\": " + q(f.rule) + ", \"ruleIndex\": " + std::to_string(index) +
           ", \"level\": " + q(level_of(f.severity)) + ", \"message\": {\"text\": " + q(text) +
           "}, \"locations\": [{\"physicalLocation\": {\"artifactLocation\": " + artifact +
           ", \"region\": {\"startLine\": " + std::to_string(f.loc.line > 0 ? f.loc.line : 1) +
           ", \"startColumn\": " + std::to_string(f.loc.col > 0 ? f.loc.col : 1) + "}}}]}";
  }
  out += r.findings.empty() ? "],\n" : "\n      ],\n";
  out += "      \"invocations\": [{\"executionSuccessful\": true, \"toolExecutionNotifications\": [";
  for (size_t k = 0; k < r.notes.size(); ++k) {
    const Note& n = r.notes[k];
    bool absolute = false;
    std::string uri = artifact_uri(n.path, &absolute);
    out += std::string(k ? ", " : "") + "{\"level\": \"note\", \"message\": {\"text\": " + q(n.message) +
           "}, \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": " + q(uri) +
           (absolute ? "" : ", \"uriBaseId\": \"%SRCROOT%\"") + "}}}]}";
  }
  out += "]}]\n    }\n  ]\n}\n";
  return out;
}

}  // namespace bastion::check
