// Sessions and login.
#include "module/cryptoki/guard.h"

using namespace kms::p11;  // NOLINT(build/namespaces): C entry points

KMS_EXPORT CK_RV C_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags,
                               CK_VOID_PTR application, CK_NOTIFY notify,
                               CK_SESSION_HANDLE_PTR session) {
  (void)application;
  (void)notify;  // no callbacks are ever made
  return WithLibrary("C_OpenSession", [&](Library& lib) -> CkStatus {
    CK_ASSIGN_OR_RETURN(Token * token, lib.GetToken(slot));
    if (session == nullptr) return CkError(CKR_ARGUMENTS_BAD);
    if ((flags & CKF_SERIAL_SESSION) == 0) {
      return CkError(CKR_SESSION_PARALLEL_NOT_SUPPORTED);
    }
    if ((flags & CKF_RW_SESSION) == 0 && token->auth().so_logged_in()) {
      return CkError(CKR_SESSION_READ_WRITE_SO_EXISTS);
    }
    CK_ASSIGN_OR_RETURN(auto opened, lib.sessions().Open(token, flags));
    *session = opened->handle();
    return CkStatus::Ok();
  });
}

KMS_EXPORT CK_RV C_CloseSession(CK_SESSION_HANDLE handle) {
  return WithLibrary("C_CloseSession", [&](Library& lib) -> CkStatus {
    CK_ASSIGN_OR_RETURN(auto session, lib.GetSession(handle));
    CK_ASSIGN_OR_RETURN(size_t remaining, lib.sessions().Close(handle));
    session->DestroySessionObjects();
    // Closing the application's last session of a token logs it out.
    Token& token = session->token();
    if (remaining == 0 && token.auth().any_login()) {
      (void)token.auth().Logout();
      token.objects().Clear();
    }
    return CkStatus::Ok();
  });
}

KMS_EXPORT CK_RV C_CloseAllSessions(CK_SLOT_ID slot) {
  return WithLibrary("C_CloseAllSessions", [&](Library& lib) -> CkStatus {
    CK_ASSIGN_OR_RETURN(Token * token, lib.GetToken(slot));
    for (auto& closed : lib.sessions().CloseAll(slot)) {
      closed->DestroySessionObjects();
    }
    if (token->auth().any_login()) {
      (void)token->auth().Logout();
      token->objects().Clear();
    }
    return CkStatus::Ok();
  });
}

KMS_EXPORT CK_RV C_GetSessionInfo(CK_SESSION_HANDLE handle,
                                  CK_SESSION_INFO_PTR info) {
  return WithSession("C_GetSessionInfo", handle,
                     [&](Library&, Session& session) -> CkStatus {
                       if (info == nullptr) return CkError(CKR_ARGUMENTS_BAD);
                       session.FillInfo(info);
                       return CkStatus::Ok();
                     });
}

KMS_EXPORT CK_RV C_Login(CK_SESSION_HANDLE handle, CK_USER_TYPE user_type,
                         CK_UTF8CHAR_PTR pin, CK_ULONG pin_len) {
  return WithSession(
      "C_Login", handle, [&](Library& lib, Session& session) -> CkStatus {
        if (user_type == CKU_CONTEXT_SPECIFIC) {
          return CkError(CKR_OPERATION_NOT_INITIALIZED,
                         "no key needs context-specific login");
        }
        if (user_type != CKU_USER && user_type != CKU_SO) {
          return CkError(CKR_USER_TYPE_INVALID);
        }
        Token& token = session.token();
        if (pin == nullptr) {
          // No protected authentication path.
          return CkError(CKR_ARGUMENTS_BAD, "PIN is NULL");
        }
        if (pin_len == 0 || pin_len > 256) {
          return CkError(CKR_PIN_LEN_RANGE);
        }
        std::string_view text(reinterpret_cast<const char*>(pin), pin_len);
        if (text.find('\0') != std::string_view::npos) {
          return CkError(CKR_PIN_INCORRECT, "PIN holds a NUL byte");
        }
        if (user_type == CKU_SO && !token.auth().any_login()) {
          // The SO works in R/W sessions only (PKCS#11 2.40 section 5.6).
          for (const auto& s : lib.sessions().ForSlot(token.slot_id())) {
            if (!s->read_write()) return CkError(CKR_SESSION_READ_ONLY_EXISTS);
          }
        }
        CK_RETURN_IF_ERROR(token.auth().Login(user_type, text));
        token.objects().Invalidate();
        return CkStatus::Ok();
      });
}

KMS_EXPORT CK_RV C_Logout(CK_SESSION_HANDLE handle) {
  return WithSession(
      "C_Logout", handle, [&](Library& lib, Session& session) -> CkStatus {
        if (!session.token().auth().any_login()) {
          return CkError(CKR_USER_NOT_LOGGED_IN);
        }
        // Session keys are private objects: they end with
        // the login.
        for (auto& s : lib.sessions().ForSlot(session.token().slot_id())) {
          s->DestroySessionObjects();
        }
        CK_RETURN_IF_ERROR(session.token().auth().Logout());
        session.token().objects().Clear();
        session.CancelOperations();
        return CkStatus::Ok();
      });
}
