#include <p11-kit/pkcs11.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/secure_memory.h"
#include "gtest/gtest.h"
#include "server/root_of_trust/root_of_trust.h"
#include "tests/root_of_trust/softhsm_fixture.h"

namespace kms {
namespace {

using ::kms::testing::DirectSession;
using ::kms::testing::SoftHsm;

class Pkcs11RootOfTrustTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!SoftHsm::Get().unavailable_reason().empty()) {
      GTEST_SKIP() << SoftHsm::Get().unavailable_reason();
    }
  }

  // Each test gets fresh tokens, so key creation is observable.
  std::string NewToken(const std::string& suffix) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string label = std::string(info->name()).substr(0, 24) + "-" + suffix;
    EXPECT_TRUE(SoftHsm::Get().InitToken(label));
    return label;
  }

  Pkcs11RootConfig Config(const std::string& token,
                          const std::string& pin = testing::kUserPin) {
    Pkcs11RootConfig config;
    config.module_path = SoftHsm::Get().module_path();
    config.token_label = token;
    config.pin = SecureString(pin.begin(), pin.end());
    return config;
  }

  std::unique_ptr<RootOfTrust> MustOpen(const std::string& token) {
    auto root = OpenPkcs11RootOfTrust(Config(token));
    EXPECT_TRUE(root.ok()) << root.status().ToString();
    return root.ok() ? std::move(root).value() : nullptr;
  }
};

TEST_F(Pkcs11RootOfTrustTest, CreatesKeysOnceAndFindsThemAfterReopen) {
  std::string token = NewToken("a");
  {
    auto direct = DirectSession::Open(token);
    ASSERT_NE(direct, nullptr);
    EXPECT_TRUE(direct->FindSecretKeys("kms-root-kek").empty());
    EXPECT_TRUE(direct->FindSecretKeys("kms-audit-key").empty());
  }
  const std::string secret = "wrapped key material";
  Bytes sealed, mac;
  {
    auto root = MustOpen(token);
    ASSERT_NE(root, nullptr);
    EXPECT_EQ(root->backend(), "pkcs11");
    EXPECT_TRUE(root->hsm_backed());
    EXPECT_NE(root->description().find(token), std::string::npos);
    EXPECT_NE(root->description().find(SoftHsm::Get().module_path()),
              std::string::npos);
    auto s = root->Seal(View(secret), View("ring/key/1"));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    sealed = *s;
    EXPECT_EQ(sealed.size(), 12 + secret.size() + 16);
    auto m = root->AuditMac(View("entry"));
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    mac = *m;
  }
  auto root = MustOpen(token);
  ASSERT_NE(root, nullptr);
  auto plain = root->Unseal(View(sealed), View("ring/key/1"));
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(std::string(plain->begin(), plain->end()), secret);
  auto m = root->AuditMac(View("entry"));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, mac);
  root.reset();
  // Reopening found the keys instead of generating new ones.
  auto direct = DirectSession::Open(token);
  ASSERT_NE(direct, nullptr);
  EXPECT_EQ(direct->FindSecretKeys("kms-root-kek").size(), 1u);
  EXPECT_EQ(direct->FindSecretKeys("kms-audit-key").size(), 1u);
}

TEST_F(Pkcs11RootOfTrustTest, KeysAreNonExtractable) {
  std::string token = NewToken("a");
  ASSERT_NE(MustOpen(token), nullptr);
  auto direct = DirectSession::Open(token);
  ASSERT_NE(direct, nullptr);
  for (const char* label : {"kms-root-kek", "kms-audit-key"}) {
    SCOPED_TRACE(label);
    auto keys = direct->FindSecretKeys(label);
    ASSERT_EQ(keys.size(), 1u);
    CK_BBOOL extractable = CK_TRUE, sensitive = CK_FALSE, token_obj = CK_FALSE,
             private_obj = CK_FALSE;
    CK_ULONG value_len = 0;
    CK_ATTRIBUTE attrs[] = {
        {CKA_EXTRACTABLE, &extractable, sizeof(extractable)},
        {CKA_SENSITIVE, &sensitive, sizeof(sensitive)},
        {CKA_TOKEN, &token_obj, sizeof(token_obj)},
        {CKA_PRIVATE, &private_obj, sizeof(private_obj)},
        {CKA_VALUE_LEN, &value_len, sizeof(value_len)},
    };
    ASSERT_EQ(
        direct->fn()->C_GetAttributeValue(direct->session(), keys[0], attrs, 5),
        CKR_OK);
    EXPECT_EQ(extractable, CK_FALSE);
    EXPECT_EQ(sensitive, CK_TRUE);
    EXPECT_EQ(token_obj, CK_TRUE);
    EXPECT_EQ(private_obj, CK_TRUE);
    EXPECT_EQ(value_len, 32u);
    uint8_t value[64];
    CK_ATTRIBUTE value_attr = {CKA_VALUE, value, sizeof(value)};
    EXPECT_EQ(direct->fn()->C_GetAttributeValue(direct->session(), keys[0],
                                                &value_attr, 1),
              CKR_ATTRIBUTE_SENSITIVE);
  }
  auto kek = direct->FindSecretKeys("kms-root-kek");
  ASSERT_EQ(kek.size(), 1u);
  CK_KEY_TYPE type = 0;
  CK_ATTRIBUTE type_attr = {CKA_KEY_TYPE, &type, sizeof(type)};
  ASSERT_EQ(direct->fn()->C_GetAttributeValue(direct->session(), kek[0],
                                              &type_attr, 1),
            CKR_OK);
  EXPECT_EQ(type, CKK_AES);
}

TEST_F(Pkcs11RootOfTrustTest, WrongPinIsRefused) {
  std::string token = NewToken("a");
  auto root = OpenPkcs11RootOfTrust(Config(token, "0000"));
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().code(), ErrorCode::kPinIncorrect);
  EXPECT_NE(root.status().message().find("CKR_PIN_INCORRECT"),
            std::string::npos)
      << root.status().message();
  EXPECT_EQ(root.status().message().find("0000"), std::string::npos);
}

TEST_F(Pkcs11RootOfTrustTest, UnknownTokenIsAClearError) {
  NewToken("a");
  auto root = OpenPkcs11RootOfTrust(Config("no-such-token"));
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(root.status().message().find("no-such-token"), std::string::npos)
      << root.status().message();
}

TEST_F(Pkcs11RootOfTrustTest, MissingModuleIsAClearError) {
  Pkcs11RootConfig config = Config("x");
  config.module_path = "/nonexistent/libnothing.so";
  auto root = OpenPkcs11RootOfTrust(std::move(config));
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(root.status().message().find("/nonexistent/libnothing.so"),
            std::string::npos);
}

TEST_F(Pkcs11RootOfTrustTest, WrongAadTamperingAndShortInput) {
  std::string token = NewToken("a");
  auto root = MustOpen(token);
  ASSERT_NE(root, nullptr);
  auto sealed = root->Seal(View("secret"), View("ring/key/1"));
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  auto wrong_aad = root->Unseal(View(*sealed), View("ring/key/2"));
  ASSERT_FALSE(wrong_aad.ok());
  EXPECT_EQ(wrong_aad.status().code(), ErrorCode::kDecryptFailed)
      << wrong_aad.status().ToString();
  for (size_t index : {size_t{0}, size_t{13}, sealed->size() - 1}) {
    Bytes tampered = *sealed;
    tampered[index] ^= 0x80;
    auto plain = root->Unseal(View(tampered), View("ring/key/1"));
    ASSERT_FALSE(plain.ok()) << "byte " << index;
    EXPECT_EQ(plain.status().code(), ErrorCode::kDecryptFailed)
        << plain.status().ToString();
  }
  Bytes short_input(27, 0);
  EXPECT_EQ(root->Unseal(View(short_input), {}).status().code(),
            ErrorCode::kInvalidArgument);
  // The session pool is still healthy after the failures.
  auto plain = root->Unseal(View(*sealed), View("ring/key/1"));
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(std::string(plain->begin(), plain->end()), "secret");
}

TEST_F(Pkcs11RootOfTrustTest, EmptyPlaintextAndAad) {
  auto root = MustOpen(NewToken("a"));
  ASSERT_NE(root, nullptr);
  auto sealed = root->Seal({}, {});
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(sealed->size(), 28u);
  auto plain = root->Unseal(View(*sealed), {});
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_TRUE(plain->empty());
}

TEST_F(Pkcs11RootOfTrustTest, AuditMacAndRandom) {
  auto root = MustOpen(NewToken("a"));
  ASSERT_NE(root, nullptr);
  auto a = root->AuditMac(View("entry 1"));
  auto b = root->AuditMac(View("entry 1"));
  auto c = root->AuditMac(View("entry 2"));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok()) << a.status().ToString();
  EXPECT_EQ(a->size(), 32u);
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
  auto r1 = root->Random(48);
  auto r2 = root->Random(48);
  ASSERT_TRUE(r1.ok() && r2.ok()) << r1.status().ToString();
  EXPECT_EQ(r1->size(), 48u);
  EXPECT_NE(*r1, *r2);
  auto empty = root->Random(0);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_F(Pkcs11RootOfTrustTest, ConcurrentSealsAllUnseal) {
  auto root = MustOpen(NewToken("a"));
  ASSERT_NE(root, nullptr);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::vector<Bytes>> sealed(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string id = std::to_string(t) + "/" + std::to_string(i);
        auto s = root->Seal(View("secret " + id), View(id));
        sealed[t].push_back(s.ok() ? *s : Bytes());
        // Interleave other operations on the shared pool.
        EXPECT_TRUE(root->AuditMac(View(id)).ok());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  threads.clear();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string id = std::to_string(t) + "/" + std::to_string(i);
        auto plain = root->Unseal(View(sealed[t][i]), View(id));
        ASSERT_TRUE(plain.ok()) << id << ": " << plain.status().ToString();
        EXPECT_EQ(std::string(plain->begin(), plain->end()), "secret " + id);
      }
    });
  }
  for (auto& thread : threads) thread.join();
}

TEST_F(Pkcs11RootOfTrustTest, OtherRootsCannotUnseal) {
  std::string token_a = NewToken("a");
  std::string token_b = NewToken("b");
  // Two tokens of one module open at once share the module's initialisation.
  auto a = MustOpen(token_a);
  auto b = MustOpen(token_b);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  std::string key_file =
      std::string(::testing::TempDir()) + "/kms-rot-interchange.key";
  std::remove(key_file.c_str());
  auto file = OpenFileRootOfTrust(key_file, true);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  std::vector<RootOfTrust*> roots = {a.get(), b.get(), file->get()};
  for (RootOfTrust* sealer : roots) {
    auto sealed = sealer->Seal(View("secret"), View("aad"));
    ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
    for (RootOfTrust* opener : roots) {
      auto plain = opener->Unseal(View(*sealed), View("aad"));
      if (opener == sealer) {
        EXPECT_TRUE(plain.ok()) << plain.status().ToString();
      } else {
        ASSERT_FALSE(plain.ok())
            << sealer->description() << " -> " << opener->description();
        EXPECT_EQ(plain.status().code(), ErrorCode::kDecryptFailed);
      }
    }
  }
  std::remove(key_file.c_str());
}

TEST_F(Pkcs11RootOfTrustTest, TwoRootsOnOneTokenShareTheLogin) {
  std::string token = NewToken("a");
  auto first = MustOpen(token);
  auto second = MustOpen(token);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  auto sealed = first->Seal(View("secret"), View("aad"));
  ASSERT_TRUE(sealed.ok());
  first.reset();
  // The first one's teardown must not log the second one out.
  auto plain = second->Unseal(View(*sealed), View("aad"));
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(std::string(plain->begin(), plain->end()), "secret");
}

TEST_F(Pkcs11RootOfTrustTest, RefusesAnExtractableKeyUnderTheKekLabel) {
  std::string token = NewToken("a");
  {
    auto direct = DirectSession::Open(token);
    ASSERT_NE(direct, nullptr);
    CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
    CK_KEY_TYPE type = CKK_AES;
    CK_ULONG len = 32;
    CK_BBOOL yes = CK_TRUE;
    std::string label = "kms-root-kek";
    CK_ATTRIBUTE attrs[] = {
        {CKA_CLASS, &klass, sizeof(klass)},
        {CKA_KEY_TYPE, &type, sizeof(type)},
        {CKA_VALUE_LEN, &len, sizeof(len)},
        {CKA_LABEL, label.data(), label.size()},
        {CKA_TOKEN, &yes, sizeof(yes)},
        {CKA_EXTRACTABLE, &yes, sizeof(yes)},
        {CKA_ENCRYPT, &yes, sizeof(yes)},
        {CKA_DECRYPT, &yes, sizeof(yes)},
    };
    CK_MECHANISM mechanism = {CKM_AES_KEY_GEN, nullptr, 0};
    CK_OBJECT_HANDLE key;
    ASSERT_EQ(direct->fn()->C_GenerateKey(direct->session(), &mechanism, attrs,
                                          8, &key),
              CKR_OK);
  }
  auto root = OpenPkcs11RootOfTrust(Config(token));
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(root.status().message().find("kms-root-kek"), std::string::npos)
      << root.status().message();
}

}  // namespace
}  // namespace kms
