#include "server/storage/records.h"

namespace kms {

const char* VersionStateName(VersionState state) {
  switch (state) {
    case VersionState::kEnabled:
      return "ENABLED";
    case VersionState::kDisabled:
      return "DISABLED";
    case VersionState::kDestroyScheduled:
      return "DESTROY_SCHEDULED";
    case VersionState::kDestroyed:
      return "DESTROYED";
  }
  return "UNKNOWN";
}

bool ParseVersionState(const std::string& name, VersionState* state) {
  for (VersionState candidate :
       {VersionState::kEnabled, VersionState::kDisabled,
        VersionState::kDestroyScheduled, VersionState::kDestroyed}) {
    if (name == VersionStateName(candidate)) {
      *state = candidate;
      return true;
    }
  }
  return false;
}

}  // namespace kms
