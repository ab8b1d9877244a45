// SPDX-License-Identifier: MIT
#include "base/exit_codes.h"

namespace bastion::base {

const char* exit_code_text(int code) noexcept {
  switch (code) {
    case kExitOk: return "success";
    case kExitFailure: return "failure";
    case kExitUsage: return "usage error";
    case kExitWorkerBoot: return "worker failed to boot";
    case kExitAppRaised: return "importing the application raised an exception";
    case kExitModuleNotFound: return "application module not found";
    case kExitAppAttribute: return "application attribute not found";
    case kExitAppNotCallable: return "application object is not callable";
    case kExitAddressInUse: return "address already in use";
    case kExitDebugRefused: return "refused to serve an application in debug mode";
    case kExitPidfile: return "pidfile held by another running master";
    default: return "unknown";
  }
}

}  // namespace bastion::base
