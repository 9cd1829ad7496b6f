// Slots, tokens, mechanisms, sessions, login, random and digests.
#include <cstring>

#include "tests/integration/openssl_check.h"
#include "tests/module/module_fixture.h"

namespace kms::testing {
namespace {

using SessionTest = ModuleTest;

std::string Trimmed(const CK_UTF8CHAR* field, size_t size) {
  std::string s(reinterpret_cast<const char*>(field), size);
  return s.substr(0, s.find_last_not_of(' ') + 1);
}

TEST_F(SessionTest, InfoAndSlots) {
  CK_INFO info;
  ASSERT_CKR(CKR_OK, p11()->C_GetInfo(&info));
  EXPECT_EQ(info.cryptokiVersion.major, 2);
  EXPECT_EQ(info.cryptokiVersion.minor, 40);
  CK_ULONG count = 0;
  ASSERT_CKR(CKR_OK, p11()->C_GetSlotList(CK_TRUE, nullptr, &count));
  ASSERT_EQ(count, 1u);
  CK_SLOT_ID slots[2];
  count = 0;
  EXPECT_CKR(CKR_BUFFER_TOO_SMALL,
             p11()->C_GetSlotList(CK_TRUE, slots, &count));
  EXPECT_EQ(count, 1u);
  ASSERT_CKR(CKR_OK, p11()->C_GetSlotList(CK_TRUE, slots, &count));
  EXPECT_LT(slots[0], 1ul << 31);
  CK_SLOT_INFO slot_info;
  ASSERT_CKR(CKR_OK, p11()->C_GetSlotInfo(slots[0], &slot_info));
  EXPECT_TRUE(slot_info.flags & CKF_TOKEN_PRESENT);
  EXPECT_CKR(CKR_SLOT_ID_INVALID, p11()->C_GetSlotInfo(7, &slot_info));
}

TEST_F(SessionTest, TokenInfo) {
  CK_TOKEN_INFO info;
  ASSERT_CKR(CKR_OK, p11()->C_GetTokenInfo(0, &info));
  EXPECT_EQ(Trimmed(info.label, sizeof(info.label)), "dev");
  for (CK_FLAGS f : {CKF_TOKEN_INITIALIZED, CKF_USER_PIN_INITIALIZED,
                     CKF_LOGIN_REQUIRED, CKF_RNG}) {
    EXPECT_TRUE(info.flags & f) << f;
  }
  EXPECT_FALSE(info.flags & CKF_USER_PIN_LOCKED);
  std::string serial = Trimmed(info.serialNumber, sizeof(info.serialNumber));
  EXPECT_EQ(serial.size(), 16u);
  CK_TOKEN_INFO again;
  ASSERT_CKR(CKR_OK, p11()->C_GetTokenInfo(0, &again));
  EXPECT_EQ(0, std::memcmp(info.serialNumber, again.serialNumber, 16));
}

TEST_F(SessionTest, Mechanisms) {
  CK_ULONG count = 0;
  ASSERT_CKR(CKR_OK, p11()->C_GetMechanismList(0, nullptr, &count));
  ASSERT_GT(count, 10u);
  std::vector<CK_MECHANISM_TYPE> list(count);
  CK_ULONG short_count = 1;
  EXPECT_CKR(CKR_BUFFER_TOO_SMALL,
             p11()->C_GetMechanismList(0, list.data(), &short_count));
  EXPECT_EQ(short_count, count);
  ASSERT_CKR(CKR_OK, p11()->C_GetMechanismList(0, list.data(), &count));
  CK_MECHANISM_INFO info;
  ASSERT_CKR(CKR_OK, p11()->C_GetMechanismInfo(0, CKM_ECDSA_SHA256, &info));
  EXPECT_EQ(info.ulMinKeySize, 256u);
  EXPECT_EQ(info.ulMaxKeySize, 384u);
  EXPECT_TRUE(info.flags & CKF_SIGN);
  ASSERT_CKR(CKR_OK, p11()->C_GetMechanismInfo(0, CKM_SHA256_RSA_PKCS, &info));
  EXPECT_EQ(info.ulMinKeySize, 2048u);
  EXPECT_EQ(info.ulMaxKeySize, 4096u);
  EXPECT_CKR(CKR_MECHANISM_INVALID,
             p11()->C_GetMechanismInfo(0, CKM_MD5, &info));
  EXPECT_CKR(CKR_SLOT_ID_INVALID,
             p11()->C_GetMechanismInfo(3, CKM_SHA256, &info));
}

TEST_F(SessionTest, SessionStatesFollowLogin) {
  CK_SESSION_HANDLE ro = OpenSession(false);
  CK_SESSION_HANDLE rw = OpenSession(true);
  CK_SESSION_INFO info;
  ASSERT_CKR(CKR_OK, p11()->C_GetSessionInfo(ro, &info));
  EXPECT_EQ(info.state, CKS_RO_PUBLIC_SESSION);
  ASSERT_CKR(CKR_OK, p11()->C_GetSessionInfo(rw, &info));
  EXPECT_EQ(info.state, CKS_RW_PUBLIC_SESSION);
  EXPECT_CKR(CKR_USER_NOT_LOGGED_IN, p11()->C_Logout(rw));
  std::string pin = Pin();
  auto* p = reinterpret_cast<CK_UTF8CHAR_PTR>(pin.data());
  ASSERT_CKR(CKR_OK, p11()->C_Login(ro, CKU_USER, p, pin.size()));
  EXPECT_CKR(CKR_USER_ALREADY_LOGGED_IN,
             p11()->C_Login(rw, CKU_USER, p, pin.size()));
  ASSERT_CKR(CKR_OK, p11()->C_GetSessionInfo(rw, &info));
  EXPECT_EQ(info.state, CKS_RW_USER_FUNCTIONS);  // shared by all sessions
  ASSERT_CKR(CKR_OK, p11()->C_GetSessionInfo(ro, &info));
  EXPECT_EQ(info.state, CKS_RO_USER_FUNCTIONS);
  ASSERT_CKR(CKR_OK, p11()->C_Logout(rw));
  ASSERT_CKR(CKR_OK, p11()->C_GetSessionInfo(ro, &info));
  EXPECT_EQ(info.state, CKS_RO_PUBLIC_SESSION);
  EXPECT_CKR(CKR_OK, p11()->C_CloseSession(ro));
  EXPECT_CKR(CKR_SESSION_HANDLE_INVALID, p11()->C_CloseSession(ro));
  EXPECT_CKR(CKR_OK, p11()->C_CloseAllSessions(0));
  EXPECT_CKR(CKR_SESSION_HANDLE_INVALID, p11()->C_GetSessionInfo(rw, &info));
}

TEST_F(SessionTest, LoginErrors) {
  CK_SESSION_HANDLE s = OpenSession();
  std::string wrong = "definitely-wrong";
  auto* w = reinterpret_cast<CK_UTF8CHAR_PTR>(wrong.data());
  EXPECT_CKR(CKR_PIN_INCORRECT, p11()->C_Login(s, CKU_USER, w, wrong.size()));
  CK_TOKEN_INFO info;
  ASSERT_CKR(CKR_OK, p11()->C_GetTokenInfo(0, &info));
  EXPECT_TRUE(info.flags & CKF_USER_PIN_COUNT_LOW);
  EXPECT_CKR(CKR_USER_TYPE_INVALID, p11()->C_Login(s, 42, w, wrong.size()));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_Login(s, CKU_USER, nullptr, 4));
  // A good login clears the failure count.
  std::string pin = Pin();
  ASSERT_CKR(
      CKR_OK,
      p11()->C_Login(s, CKU_USER, reinterpret_cast<CK_UTF8CHAR_PTR>(pin.data()),
                     pin.size()));
  ASSERT_CKR(CKR_OK, p11()->C_GetTokenInfo(0, &info));
  EXPECT_FALSE(info.flags & CKF_USER_PIN_COUNT_LOW);
}

TEST_F(SessionTest, GenerateRandom) {
  CK_SESSION_HANDLE s = OpenLoggedIn();
  std::vector<CK_BYTE> a(5000), b(5000);
  ASSERT_CKR(CKR_OK, p11()->C_GenerateRandom(s, a.data(), a.size()));
  ASSERT_CKR(CKR_OK, p11()->C_GenerateRandom(s, b.data(), b.size()));
  EXPECT_NE(a, b);
  EXPECT_CKR(CKR_OK, p11()->C_GenerateRandom(s, nullptr, 0));
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_GenerateRandom(s, nullptr, 4));
}

TEST_F(SessionTest, DigestsMatchOpenSsl) {
  CK_SESSION_HANDLE s = OpenSession();
  Bytes message = RandomBytes(1000);
  struct Case {
    CK_MECHANISM_TYPE mechanism;
    const char* name;
  };
  for (Case c : {Case{CKM_SHA_1, "SHA1"}, Case{CKM_SHA224, "SHA224"},
                 Case{CKM_SHA256, "SHA256"}, Case{CKM_SHA384, "SHA384"},
                 Case{CKM_SHA512, "SHA512"}}) {
    Bytes expected = Digest(MdByName(c.name), View(message));
    CK_MECHANISM m = {c.mechanism, nullptr, 0};
    // Single part with the two-call length query.
    ASSERT_CKR(CKR_OK, p11()->C_DigestInit(s, &m));
    CK_ULONG len = 0;
    ASSERT_CKR(CKR_OK, p11()->C_Digest(s, message.data(), message.size(),
                                       nullptr, &len));
    EXPECT_EQ(len, expected.size());
    Bytes out(len);
    CK_ULONG short_len = 1;
    EXPECT_CKR(CKR_BUFFER_TOO_SMALL,
               p11()->C_Digest(s, message.data(), message.size(), out.data(),
                               &short_len));
    ASSERT_CKR(CKR_OK, p11()->C_Digest(s, message.data(), message.size(),
                                       out.data(), &len));
    EXPECT_EQ(out, expected) << c.name;
    // Multi part.
    ASSERT_CKR(CKR_OK, p11()->C_DigestInit(s, &m));
    ASSERT_CKR(CKR_OK, p11()->C_DigestUpdate(s, message.data(), 10));
    ASSERT_CKR(CKR_OK, p11()->C_DigestUpdate(s, message.data() + 10,
                                             message.size() - 10));
    len = out.size();
    ASSERT_CKR(CKR_OK, p11()->C_DigestFinal(s, out.data(), &len));
    EXPECT_EQ(out, expected) << c.name;
  }
  CK_MECHANISM bad = {CKM_MD5, nullptr, 0};
  EXPECT_CKR(CKR_MECHANISM_INVALID, p11()->C_DigestInit(s, &bad));
}

}  // namespace
}  // namespace kms::testing
