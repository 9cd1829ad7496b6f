// The application's open sessions by handle. Thread-safe; sessions are
// shared_ptr so that a call in progress keeps its session alive while
// another thread closes it.
#ifndef KMS_MODULE_SESSION_SESSION_TABLE_H_
#define KMS_MODULE_SESSION_SESSION_TABLE_H_

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "module/base/ck_status.h"
#include "module/session/session.h"

namespace kms::p11 {

class SessionTable {
 public:
  CkResult<std::shared_ptr<Session>> Open(Token* token, CK_FLAGS flags);
  // CKR_SESSION_HANDLE_INVALID for unknown handles.
  CkResult<std::shared_ptr<Session>> Get(CK_SESSION_HANDLE handle);
  // Removes it; returns how many sessions its slot still has.
  CkResult<size_t> Close(CK_SESSION_HANDLE handle);
  // Removes them and returns them (their session keys are destroyed next).
  std::vector<std::shared_ptr<Session>> CloseAll(CK_SLOT_ID slot);
  // The open sessions of a slot.
  std::vector<std::shared_ptr<Session>> ForSlot(CK_SLOT_ID slot);
  // Every open session (C_Finalize).
  std::vector<std::shared_ptr<Session>> All();
  size_t CountFor(CK_SLOT_ID slot);

 private:
  std::mutex mu_;
  CK_SESSION_HANDLE next_ = 1;
  std::map<CK_SESSION_HANDLE, std::shared_ptr<Session>> sessions_;
};

}  // namespace kms::p11

#endif  // KMS_MODULE_SESSION_SESSION_TABLE_H_
