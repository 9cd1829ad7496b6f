// C_InitPIN, C_SetPIN.
#include "module/cryptoki/guard.h"

using namespace kms::p11;  // NOLINT(build/namespaces): C entry points

namespace {

// A PIN for the server: 1-256 bytes (CKR_PIN_LEN_RANGE; kmsd's own minimum
// is checked there), no NUL byte, which JSON strings cannot carry
// (CKR_PIN_INVALID).
CkResult<std::string_view> NewPin(CK_UTF8CHAR_PTR pin, CK_ULONG pin_len) {
  if (pin == nullptr) return CkError(CKR_ARGUMENTS_BAD, "PIN is NULL");
  if (pin_len == 0 || pin_len > 256) return CkError(CKR_PIN_LEN_RANGE);
  std::string_view text(reinterpret_cast<const char*>(pin), pin_len);
  if (text.find('\0') != std::string_view::npos) {
    return CkError(CKR_PIN_INVALID, "PIN holds a NUL byte");
  }
  return text;
}

}  // namespace

KMS_EXPORT CK_RV C_InitPIN(CK_SESSION_HANDLE handle, CK_UTF8CHAR_PTR pin,
                           CK_ULONG pin_len) {
  return WithSession(
      "C_InitPIN", handle, [&](Library&, Session& session) -> CkStatus {
        // Only in the "R/W SO Functions" state.
        if (!session.token().auth().so_logged_in()) {
          return CkError(CKR_USER_NOT_LOGGED_IN, "C_InitPIN needs the SO");
        }
        if (!session.read_write()) return CkError(CKR_SESSION_READ_ONLY);
        CK_ASSIGN_OR_RETURN(std::string_view text, NewPin(pin, pin_len));
        const std::string& user = session.token().config().user_client;
        if (user.empty()) {
          return CkError(CKR_FUNCTION_FAILED,
                         "token has no user_client configured");
        }
        return session.token().auth().SetUserPin(user, text);
      });
}

KMS_EXPORT CK_RV C_SetPIN(CK_SESSION_HANDLE handle, CK_UTF8CHAR_PTR old_pin,
                          CK_ULONG old_len, CK_UTF8CHAR_PTR new_pin,
                          CK_ULONG new_len) {
  return WithSession(
      "C_SetPIN", handle, [&](Library&, Session& session) -> CkStatus {
        if (!session.read_write()) return CkError(CKR_SESSION_READ_ONLY);
        if (old_pin == nullptr) return CkError(CKR_ARGUMENTS_BAD);
        if (old_len == 0 || old_len > 256) return CkError(CKR_PIN_LEN_RANGE);
        CK_ASSIGN_OR_RETURN(std::string_view text, NewPin(new_pin, new_len));
        std::string_view old_text(reinterpret_cast<const char*>(old_pin),
                                  old_len);
        if (old_text.find('\0') != std::string_view::npos) {
          return CkError(CKR_PIN_INCORRECT, "PIN holds a NUL byte");
        }
        // The configured client is the user (or, for an SO login, the SO):
        // either way it changes its own PIN.
        return session.token().auth().ChangePin(old_text, text);
      });
}
