// SPDX-License-Identifier: MIT
// Finding, opening and loading the runtime module (see runtime.h), and the entry points that
// go through it.
#include "process/runtime.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "base/exit_codes.h"
#include "base/log.h"
#include "os/executables.h"

namespace bastion::process {
namespace {

constexpr const char* kModuleName = "bastion-worker.so";
constexpr const char* kTableSymbol = "bastion_runtime_v1";

int g_fd = -1;              // the module file, opened by open_runtime()
std::string g_path;         // where it was found
const RuntimeTable* g_table = nullptr;

std::string executable_dir() {
  std::string path = os::self_executable();
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
}

base::Status find_module() {
  if (g_fd >= 0) return base::Ok{};
  std::string dir = executable_dir();
  std::string tried;
  for (const std::string& candidate :
       {dir + "/" + kModuleName, dir + "/../lib/bastion/" + kModuleName}) {
    int fd = open(candidate.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      g_fd = fd;
      g_path = candidate;
      return base::Ok{};
    }
    tried += (tried.empty() ? "" : ", ") + candidate + " (" + strerror(errno) + ")";
  }
  return base::make_error("cannot find the runtime module " + std::string(kModuleName) +
                          " (it is built and installed with the bastion executable); tried " +
                          tried);
}

[[noreturn]] void fail(const std::string& why) {
  BLOG_CRIT("BST-E0709 %s", why.c_str());
  _exit(base::kExitWorkerBoot);
}

}  // namespace

base::Status open_runtime() { return find_module(); }

const RuntimeTable& load_runtime() {
  if (g_table != nullptr) return *g_table;
  if (auto found = find_module(); !found.ok()) fail(found.error().message);
  // The descriptor names the file the master opened, even if a deploy replaced the path since.
  // RTLD_GLOBAL: CPython's extension modules expect libpython's symbols in the global scope.
  std::string via_fd = "/proc/self/fd/" + std::to_string(g_fd);
  void* handle = dlopen(via_fd.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (handle == nullptr && access("/proc/self/fd", F_OK) != 0) {
    handle = dlopen(g_path.c_str(), RTLD_NOW | RTLD_GLOBAL);  // no /proc: the path itself
  }
  if (handle == nullptr) fail("cannot load the runtime module " + g_path + ": " + dlerror());
  auto* table = static_cast<const RuntimeTable*>(dlsym(handle, kTableSymbol));
  if (table == nullptr) {
    fail("the runtime module " + g_path + " has no " + kTableSymbol + ": not a bastion module");
  }
  if (table->abi != kRuntimeAbi || std::strcmp(table->version, BASTION_VERSION) != 0 ||
      table->config_size != sizeof(config::Config) ||
      table->worker_context_size != sizeof(WorkerContext)) {
    fail("the runtime module " + g_path + " (bastion " + table->version +
         ") was built from other sources than this executable (bastion " BASTION_VERSION
         "); install the two from the same build");
  }
  close(g_fd);  // mapped now; the descriptor is no longer needed in this process
  g_fd = -1;
  g_table = table;
  return *g_table;
}

void run_worker(const WorkerContext& ctx) {
  load_runtime().run_worker(ctx);
  _exit(base::kExitWorkerBoot);  // not reached: the worker ends with _exit
}

void run_zygote(const Zygote::Setup& setup, int sock, pid_t master) {
  load_runtime().run_zygote(setup, sock, master);
  _exit(base::kExitWorkerBoot);
}

void run_hook_companion(const config::Config& cfg, int fd, pid_t master, int num_workers) {
  load_runtime().run_hook_companion(cfg, fd, master, num_workers);
  _exit(base::kExitWorkerBoot);
}

int check_config(const config::Config& cfg, bool report_success) {
  return load_runtime().check_config(cfg, report_success);
}

int run_check_app(int argc, char** argv) { return load_runtime().check_app(argc, argv); }

}  // namespace bastion::process
