// Bad arguments, handles and states give the standard's codes.
#include "tests/module/module_fixture.h"

namespace kms::testing {
namespace {

using ArgumentsTest = ModuleTest;

TEST_F(ArgumentsTest, NullPointers) {
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_GetInfo(nullptr));
  EXPECT_CKR(CKR_ARGUMENTS_BAD,
             p11()->C_GetSlotList(CK_FALSE, nullptr, nullptr));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_GetSlotInfo(0, nullptr));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_GetTokenInfo(0, nullptr));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_GetMechanismList(0, nullptr, nullptr));
  EXPECT_CKR(
      CKR_ARGUMENTS_BAD,
      p11()->C_OpenSession(0, CKF_SERIAL_SESSION, nullptr, nullptr, nullptr));
  CK_SESSION_HANDLE s = OpenSession();
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_GetSessionInfo(s, nullptr));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_DigestInit(s, nullptr));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_SignInit(s, nullptr, 1));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_VerifyInit(s, nullptr, 1));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_FindObjectsInit(s, nullptr, 2));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_FindObjects(s, nullptr, 1, nullptr));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_GetFunctionList(nullptr));
}

TEST_F(ArgumentsTest, InvalidHandles) {
  CK_SESSION_INFO info;
  EXPECT_CKR(CKR_SESSION_HANDLE_INVALID, p11()->C_GetSessionInfo(0, &info));
  EXPECT_CKR(CKR_SESSION_HANDLE_INVALID, p11()->C_GetSessionInfo(999, &info));
  EXPECT_CKR(CKR_SESSION_HANDLE_INVALID, p11()->C_CloseSession(999));
  EXPECT_CKR(CKR_SLOT_ID_INVALID, p11()->C_CloseAllSessions(5));
  CK_SESSION_HANDLE s;
  EXPECT_CKR(CKR_SLOT_ID_INVALID,
             p11()->C_OpenSession(5, CKF_SERIAL_SESSION, nullptr, nullptr, &s));
  EXPECT_CKR(CKR_SESSION_PARALLEL_NOT_SUPPORTED,
             p11()->C_OpenSession(0, 0, nullptr, nullptr, &s));
  s = OpenLoggedIn();
  CK_ATTRIBUTE a = {CKA_LABEL, nullptr, 0};
  EXPECT_CKR(CKR_OBJECT_HANDLE_INVALID,
             p11()->C_GetAttributeValue(s, 123456, &a, 1));
  CK_MECHANISM m = {CKM_ECDSA, nullptr, 0};
  EXPECT_CKR(CKR_KEY_HANDLE_INVALID, p11()->C_SignInit(s, &m, 123456));
  EXPECT_CKR(CKR_KEY_HANDLE_INVALID, p11()->C_VerifyInit(s, &m, 123456));
}

TEST_F(ArgumentsTest, OperationState) {
  CK_SESSION_HANDLE s = OpenSession();
  CK_BYTE buf[64];
  CK_ULONG len = sizeof(buf);
  CK_OBJECT_HANDLE h;
  CK_ULONG n;
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED, p11()->C_FindObjects(s, &h, 1, &n));
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED, p11()->C_FindObjectsFinal(s));
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED,
             p11()->C_Digest(s, buf, 1, buf, &len));
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED, p11()->C_DigestUpdate(s, buf, 1));
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED, p11()->C_SignUpdate(s, buf, 1));
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED, p11()->C_SignFinal(s, buf, &len));
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED,
             p11()->C_Sign(s, buf, 1, buf, &len));
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED,
             p11()->C_Verify(s, buf, 1, buf, 64));
  EXPECT_CKR(CKR_OPERATION_NOT_INITIALIZED, p11()->C_VerifyFinal(s, buf, 64));
  CK_MECHANISM sha = {CKM_SHA256, nullptr, 0};
  ASSERT_CKR(CKR_OK, p11()->C_DigestInit(s, &sha));
  EXPECT_CKR(CKR_OPERATION_ACTIVE, p11()->C_DigestInit(s, &sha));
  ASSERT_CKR(CKR_OK, p11()->C_FindObjectsInit(s, nullptr, 0));
  EXPECT_CKR(CKR_OPERATION_ACTIVE, p11()->C_FindObjectsInit(s, nullptr, 0));
  // Signing needs a login.
  CK_MECHANISM ecdsa = {CKM_ECDSA, nullptr, 0};
  EXPECT_CKR(CKR_USER_NOT_LOGGED_IN, p11()->C_SignInit(s, &ecdsa, 1));
  CK_BYTE param = 0;
  CK_MECHANISM with_param = {CKM_SHA256, &param, 1};
  ASSERT_CKR(CKR_OK, p11()->C_FindObjectsFinal(s));
  CK_SESSION_HANDLE other = OpenSession();
  EXPECT_CKR(CKR_MECHANISM_PARAM_INVALID,
             p11()->C_DigestInit(other, &with_param));
}

TEST_F(ArgumentsTest, KeyGenerationAndDestroy) {
  CK_SESSION_HANDLE s = OpenSession();
  CK_MECHANISM m = {CKM_AES_KEY_GEN, nullptr, 0};
  CK_OBJECT_HANDLE h = 0;
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_GenerateKey(s, &m, nullptr, 0, nullptr));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_GenerateKey(s, nullptr, nullptr, 0, &h));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_GenerateKey(s, &m, nullptr, 1, &h));
  CK_MECHANISM ec = {CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_GenerateKeyPair(s, &ec, nullptr, 0,
                                                         nullptr, 0, &h,
                                                         nullptr));
  CK_BYTE param = 0;
  CK_MECHANISM with_param = {CKM_AES_KEY_GEN, &param, 1};
  CK_ULONG len = 16;
  CK_ATTRIBUTE t = {CKA_VALUE_LEN, &len, sizeof(len)};
  EXPECT_CKR(CKR_MECHANISM_PARAM_INVALID,
             p11()->C_GenerateKey(s, &with_param, &t, 1, &h));
  CK_ATTRIBUTE short_len = {CKA_VALUE_LEN, &len, 2};
  EXPECT_CKR(CKR_ATTRIBUTE_VALUE_INVALID,
             p11()->C_GenerateKey(s, &m, &short_len, 1, &h));
  EXPECT_CKR(CKR_USER_NOT_LOGGED_IN, p11()->C_GenerateKey(s, &m, &t, 1, &h));
  EXPECT_CKR(CKR_OBJECT_HANDLE_INVALID, p11()->C_DestroyObject(s, 12345));
}

TEST_F(ArgumentsTest, UnsupportedFunctions) {
  CK_SESSION_HANDLE s = OpenSession();
  CK_MECHANISM m = {CKM_AES_GCM, nullptr, 0};
  EXPECT_CKR(CKR_USER_NOT_LOGGED_IN, p11()->C_EncryptInit(s, &m, 1));
  EXPECT_CKR(CKR_USER_NOT_LOGGED_IN, p11()->C_DecryptInit(s, &m, 1));
  EXPECT_CKR(CKR_ARGUMENTS_BAD,
             p11()->C_WrapKey(s, &m, 1, 2, nullptr, nullptr));
  EXPECT_CKR(CKR_FUNCTION_NOT_PARALLEL, p11()->C_GetFunctionStatus(s));
  EXPECT_CKR(CKR_SESSION_HANDLE_INVALID, p11()->C_DestroyObject(777, 1));
  EXPECT_CKR(CKR_FUNCTION_NOT_SUPPORTED,
             p11()->C_WaitForSlotEvent(0, nullptr, nullptr));
}

}  // namespace
}  // namespace kms::testing
