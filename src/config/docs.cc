// SPDX-License-Identifier: MIT
// docs/configuration.md, generated from the settings and hook tables. The prose here covers
// what the table cannot say (sources, file formats); everything per setting comes from rows.
#include <algorithm>
#include <vector>

#include "config/report.h"

namespace bastion::config {
namespace {

constexpr const char* kIntro = R"(# Configuration

<!-- Generated from src/config/settings_table.cc by `bastion --dump-config-doc`.
     Do not edit by hand: the unit test ConfigDoc.IsFresh fails when this file is stale. -->

Bastion takes Gunicorn's settings: the same names, flags, defaults and meanings, so an
existing `gunicorn.conf.py`, `GUNICORN_CMD_ARGS` or Procfile line works after changing the
word `gunicorn` to `bastion`. Settings Gunicorn lacks are marked *Bastion only*.

## Sources and precedence

Each source overrides the ones above it:

1. Built-in defaults (listed below).
2. Environment-derived defaults: `WEB_CONCURRENCY` (workers), `PORT` (bind becomes
   `0.0.0.0:$PORT`), `FORWARDED_ALLOW_IPS` (forwarded_allow_ips), `SENDFILE` (sendfile).
3. `[tool.bastion]` in `./pyproject.toml`, when present.
4. The config file (see below).
5. `GUNICORN_CMD_ARGS`, then `BASTION_CMD_ARGS`: command-line flags in an environment
   variable, split with shell quoting rules (Python's `shlex.split`) and parsed exactly like
   the command line, e.g. `GUNICORN_CMD_ARGS="--bind=127.0.0.1 --workers=3"`.
6. The command line.

Within one source a repeatable flag accumulates (`-b a -b b`); a later source replaces the
whole value. The application comes from the positional `MODULE:APP` argument, else from the
`wsgi_app` setting. `bastion --print-config` shows every resolved value and where it came
from; `--print-config=json` gives the same as JSON.

## Config files

`-c PATH`, `-c file:PATH` or `-c python:MODULE` name the config file (from the command line,
else from `BASTION_CMD_ARGS`, else from `GUNICORN_CMD_ARGS`). Without one, Bastion reads
`./bastion.conf.py` if it exists, else `./gunicorn.conf.py` if it exists.

A config file is Python, executed as Gunicorn executes it (as module `__config__`, with the
current directory on `sys.path`). It runs in a short-lived child interpreter, never in the
Bastion master, and the master reads back the top-level names that are settings. It is read
again on every start and on HUP. The interpreter is `$VIRTUAL_ENV/bin/python3` when a
virtualenv is active, else `python3` on `PATH`. Output the file prints goes to stderr.

Unlike Gunicorn, Bastion warns about a top-level name that looks like a misspelled setting
(`worker = 4`: did you mean `workers`?) or hook; other names are the file's own variables and
are ignored. A value of the wrong type is an error naming the file and line; so is an
exception raised by the file. A file given with `-c` whose name ends in `.toml` is read as
TOML (its `[tool.bastion]` table, or the whole document).

In `pyproject.toml`, the `[tool.bastion]` table takes setting names as keys (`-` and `_` are
both accepted):

```toml
[tool.bastion]
bind = ["0.0.0.0:8000"]
workers = 4
max-requests = 1000
```

Exit status: 2 for a bad flag or value from any source, 1 when a config file cannot be
evaluated.

## Support levels

| level | meaning |
|---|---|
| supported | Implemented. |
| accepted, not implemented yet (warns) | Parsed and validated; a non-default value logs a warning that it has no effect yet. |
| not supported yet (error) | Running without it would be unsafe (TLS): a non-default value stops Bastion with an error. |
| accepted, no effect (warns) | Kept for compatibility; Bastion deliberately behaves as the note says. |
| not supported (error) | Cannot apply to Bastion; the error says what to do instead. |
)";

std::string code(std::string_view text) {
  return text.find('`') == std::string_view::npos ? "`" + std::string(text) + "`"
                                                  : "`` " + std::string(text) + " ``";
}

std::string flags_md(const Setting& s) {
  std::string out;
  for (std::string_view list : {s.flags, s.neg_flags}) {
    size_t start = 0;
    while (start < list.size()) {
      size_t space = list.find(' ', start);
      if (space == std::string_view::npos) space = list.size();
      std::string flag(list.substr(start, space - start));
      start = space + 1;
      bool positive = list.data() == s.flags.data();
      if (positive && s.kind == Kind::FlagChoice) {
        flag += "[=" + std::string(s.meta) + "]";
      } else if (positive && s.kind != Kind::Bool && !s.meta.empty()) {
        flag += " " + std::string(s.meta);
      }
      out += (out.empty() ? "" : ", ") + code(flag);
    }
  }
  if (s.name == "wsgi_app") return "the positional `MODULE:APP` argument";
  return out.empty() ? "config file only" : out;
}

std::string support_md(Support support) {
  switch (support) {
    case Support::Yes: return "supported";
    case Support::Planned: return "accepted, not implemented yet (warns)";
    case Support::Refused: return "not supported yet (error)";
    case Support::Ignored: return "accepted, no effect (warns)";
    case Support::Rejected: return "not supported (error)";
  }
  return "";
}

std::string setting_md(const Setting& s) {
  std::string out = "#### " + code(s.name) + "\n\n";
  out += "| | |\n|---|---|\n";
  out += "| flags | " + flags_md(s) + " |\n";
  out += "| type | " + std::string(kind_name(s.kind));
  if (!s.choices.empty()) {
    std::string choices(s.choices);
    std::replace(choices.begin(), choices.end(), '|', ',');
    out += " (" + choices + ")";
  }
  if (s.kind == Kind::Int || s.kind == Kind::Bytes || s.kind == Kind::Mode) {
    out += ", " + std::to_string(s.min) + " to " +
           (s.max == INT64_MAX ? std::string("any") : std::to_string(s.max));
  }
  out += " |\n";
  out += "| default | " + code(json::py_repr(default_value(s))) + " |\n";
  if (!s.env.empty()) out += "| environment | " + code("$" + std::string(s.env)) + " |\n";
  out += "| origin | " +
         std::string(s.origin == Origin::Gunicorn ? "Gunicorn (same name and meaning)"
                                                  : "Bastion only") +
         " |\n";
  out += "| status | " + support_md(s.support) + " |\n\n";
  out += std::string(s.help) + "\n";
  if (!s.note.empty()) out += "\n" + std::string(s.note) + "\n";
  return out + "\n";
}

}  // namespace

std::string config_doc_markdown() {
  std::string out = kIntro;
  out += "\n## Settings\n\n";
  std::vector<std::string_view> sections;
  for (const Setting& s : settings()) {
    if (std::find(sections.begin(), sections.end(), s.section) == sections.end()) {
      sections.push_back(s.section);
    }
  }
  for (std::string_view section : sections) {
    out += "### " + std::string(section) + "\n\n";
    for (const Setting& s : settings()) {
      if (s.section == section) out += setting_md(s);
    }
  }
  out += "## Server hooks\n\n";
  out += "Functions with these names in a Python config file are recognised (their argument\n"
         "count is checked, as Gunicorn does), reported by `--print-config`, and run with\n"
         "Gunicorn's arguments: worker hooks in the workers, master hooks in a separate hook\n"
         "companion process (the master runs no Python). See [hooks.md](hooks.md).\n\n";
  out += "| hook | arguments | runs in | when | status |\n|---|---|---|---|---|\n";
  for (const Hook& h : hooks()) {
    out += "| " + code(h.name) + " | " + code("(" + std::string(h.args) + ")") + " | " +
           std::string(h.runs_in) + " | " + std::string(h.note) + " | " +
           (h.implemented ? "supported" : "recognised, not run (warns)") + " |\n";
  }
  return out;
}

}  // namespace bastion::config
