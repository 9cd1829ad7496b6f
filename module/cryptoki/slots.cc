// Slots, tokens and mechanisms.
#include <cstring>

#include "module/cryptoki/guard.h"
#include "module/provider/mechanism_table.h"

using namespace kms::p11;  // NOLINT(build/namespaces): C entry points

KMS_EXPORT CK_RV C_GetSlotList(CK_BBOOL token_present, CK_SLOT_ID_PTR slots,
                               CK_ULONG_PTR count) {
  (void)token_present;  // every slot always has its token
  return WithLibrary("C_GetSlotList", [&](Library& lib) -> CkStatus {
    if (count == nullptr) return CkError(CKR_ARGUMENTS_BAD);
    CK_ULONG n = lib.tokens().size();
    if (slots == nullptr) {
      *count = n;
      return CkStatus::Ok();
    }
    if (*count < n) {
      *count = n;
      return CkError(CKR_BUFFER_TOO_SMALL);
    }
    for (CK_ULONG i = 0; i < n; ++i) slots[i] = lib.tokens()[i]->slot_id();
    *count = n;
    return CkStatus::Ok();
  });
}

KMS_EXPORT CK_RV C_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info) {
  return WithLibrary("C_GetSlotInfo", [&](Library& lib) -> CkStatus {
    CK_ASSIGN_OR_RETURN(Token * token, lib.GetToken(slot));
    if (info == nullptr) return CkError(CKR_ARGUMENTS_BAD);
    token->FillSlotInfo(info);
    return CkStatus::Ok();
  });
}

KMS_EXPORT CK_RV C_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
  return WithLibrary("C_GetTokenInfo", [&](Library& lib) -> CkStatus {
    CK_ASSIGN_OR_RETURN(Token * token, lib.GetToken(slot));
    if (info == nullptr) return CkError(CKR_ARGUMENTS_BAD);
    token->FillTokenInfo(info);
    return CkStatus::Ok();
  });
}

KMS_EXPORT CK_RV C_GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list,
                                    CK_ULONG_PTR count) {
  return WithLibrary("C_GetMechanismList", [&](Library& lib) -> CkStatus {
    CK_RETURN_IF_ERROR(lib.GetToken(slot).status());
    if (count == nullptr) return CkError(CKR_ARGUMENTS_BAD);
    const auto& table = MechanismTable();
    if (list == nullptr) {
      *count = table.size();
      return CkStatus::Ok();
    }
    if (*count < table.size()) {
      *count = table.size();
      return CkError(CKR_BUFFER_TOO_SMALL);
    }
    for (size_t i = 0; i < table.size(); ++i) list[i] = table[i].type;
    *count = table.size();
    return CkStatus::Ok();
  });
}

KMS_EXPORT CK_RV C_GetMechanismInfo(CK_SLOT_ID slot, CK_MECHANISM_TYPE type,
                                    CK_MECHANISM_INFO_PTR info) {
  return WithLibrary("C_GetMechanismInfo", [&](Library& lib) -> CkStatus {
    CK_RETURN_IF_ERROR(lib.GetToken(slot).status());
    if (info == nullptr) return CkError(CKR_ARGUMENTS_BAD);
    const MechanismEntry* entry = FindMechanism(type);
    if (entry == nullptr) return CkError(CKR_MECHANISM_INVALID);
    *info = entry->info;
    return CkStatus::Ok();
  });
}

KMS_EXPORT CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR slot,
                                    CK_VOID_PTR reserved) {
  (void)flags;
  (void)slot;
  (void)reserved;
  return WithLibrary("C_WaitForSlotEvent", [&](Library&) -> CkStatus {
    return CkError(CKR_FUNCTION_NOT_SUPPORTED);
  });
}
