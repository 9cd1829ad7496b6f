#include "module/session/session_table.h"

namespace kms::p11 {

CkResult<std::shared_ptr<Session>> SessionTable::Open(Token* token,
                                                      CK_FLAGS flags) {
  std::lock_guard<std::mutex> lock(mu_);
  CK_SESSION_HANDLE handle = next_++;
  auto session = std::make_shared<Session>(handle, token, flags);
  sessions_[handle] = session;
  return session;
}

CkResult<std::shared_ptr<Session>> SessionTable::Get(CK_SESSION_HANDLE handle) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(handle);
  if (it == sessions_.end()) return CkError(CKR_SESSION_HANDLE_INVALID);
  return it->second;
}

CkResult<size_t> SessionTable::Close(CK_SESSION_HANDLE handle) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(handle);
  if (it == sessions_.end()) return CkError(CKR_SESSION_HANDLE_INVALID);
  CK_SLOT_ID slot = it->second->token().slot_id();
  sessions_.erase(it);
  size_t remaining = 0;
  for (const auto& [h, s] : sessions_) {
    if (s->token().slot_id() == slot) ++remaining;
  }
  return remaining;
}

std::vector<std::shared_ptr<Session>> SessionTable::CloseAll(CK_SLOT_ID slot) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<Session>> closed;
  std::erase_if(sessions_, [&](const auto& entry) {
    if (entry.second->token().slot_id() != slot) return false;
    closed.push_back(entry.second);
    return true;
  });
  return closed;
}

std::vector<std::shared_ptr<Session>> SessionTable::ForSlot(CK_SLOT_ID slot) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<Session>> out;
  for (const auto& [h, s] : sessions_) {
    if (s->token().slot_id() == slot) out.push_back(s);
  }
  return out;
}

std::vector<std::shared_ptr<Session>> SessionTable::All() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<Session>> out;
  for (const auto& [h, s] : sessions_) out.push_back(s);
  return out;
}

size_t SessionTable::CountFor(CK_SLOT_ID slot) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [h, s] : sessions_) {
    if (s->token().slot_id() == slot) ++n;
  }
  return n;
}

}  // namespace kms::p11
