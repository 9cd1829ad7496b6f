// The module under concurrent use: eight threads of mixed operations on
// shared and separate sessions, every result checked independently with
// OpenSSL; C_Finalize while other threads are inside the library; fork()
// after login.
//
// PKCS#11 leaves it to the application not to run two operations at once
// on one session; the module must still serialise concurrent calls on one
// handle without crashing or mixing up state. So on a shared session the
// threads make single-call requests (random, attributes, session info)
// freely and hold the application's lock only around an operation's
// Init...Final sequence.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "common/encoding.h"
#include "tests/integration/openssl_check.h"
#include "tests/module/module_fixture.h"

namespace kms::testing {
namespace {

constexpr int kThreads = 8;
constexpr int kOpsPerThread = 1000;

// Imports secret material with a known value, so results can be checked
// with OpenSSL.
void ImportSecret(KmsdProcess& kmsd, const std::string& label,
                  const std::string& algorithm, const Bytes& material,
                  const std::vector<std::string>& usages) {
  auto client = kmsd.LoggedInApp();
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  Json body = Json::Object();
  body.Set("label", label);
  body.Set("algorithm", algorithm);
  body.SetBase64("material", View(material));
  body.SetStrings("usages", usages);
  auto reply = (*client)->Call("POST", "/v1/keyrings/dev/import", body);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
}

// Handles and independent means of checking results, shared by all threads.
struct Fixture {
  CK_OBJECT_HANDLE ec = 0, ec_pub = 0, rsa = 0, ed = 0, hmac = 0, aes = 0;
  EvpPkeyPtr ec_key, rsa_key, ed_key;
  Bytes hmac_secret, aes_secret;
  Bytes ec_message, ec_signature;  // for C_Verify with the public key
};

// One thread's view: its session and, if shared, the application's lock
// for that session's multi-call operations.
struct Worker {
  CK_FUNCTION_LIST* p11;
  const Fixture* f;
  CK_SESSION_HANDLE session;
  std::mutex* operation_lock;  // nullptr: the session is the thread's own
};

std::string Rv(const char* what, CK_RV rv) {
  return std::string(what) + " -> " + RvName(rv);
}

std::optional<std::unique_lock<std::mutex>> LockOperation(const Worker& w) {
  if (w.operation_lock == nullptr) return std::nullopt;
  return std::unique_lock<std::mutex>(*w.operation_lock);
}

// Signs `data`; an empty string or an error message.
std::string Sign(const Worker& w, CK_MECHANISM_TYPE type, CK_OBJECT_HANDLE key,
                 const Bytes& data, Bytes* sig) {
  auto lock = LockOperation(w);
  CK_MECHANISM m = {type, nullptr, 0};
  CK_RV rv = w.p11->C_SignInit(w.session, &m, key);
  if (rv != CKR_OK) return Rv("C_SignInit", rv);
  sig->resize(512);
  CK_ULONG len = sig->size();
  rv = w.p11->C_Sign(w.session, const_cast<CK_BYTE*>(data.data()), data.size(),
                     sig->data(), &len);
  if (rv != CKR_OK) return Rv("C_Sign", rv);
  sig->resize(len);
  return "";
}

std::string SignAndCheck(const Worker& w, int kind) {
  const Fixture& f = *w.f;
  Bytes message = RandomBytes(64 + kind);
  Bytes sig;
  const EVP_MD* sha256 = MdByName("SHA256");
  Bytes digest = Digest(sha256, View(message));
  switch (kind) {
    case 0: {
      std::string e = Sign(w, CKM_ECDSA_SHA256, f.ec, message, &sig);
      if (!e.empty()) return e;
      return VerifyEcdsaRaw(f.ec_key.get(), View(digest), View(sig))
                 ? ""
                 : "ECDSA signature does not verify";
    }
    case 1: {
      std::string e = Sign(w, CKM_EDDSA, f.ed, message, &sig);
      if (!e.empty()) return e;
      return VerifyEd25519(f.ed_key.get(), View(message), View(sig))
                 ? ""
                 : "Ed25519 signature does not verify";
    }
    case 2: {
      std::string e = Sign(w, CKM_SHA256_HMAC, f.hmac, message, &sig);
      if (!e.empty()) return e;
      return sig == HmacSha256(View(f.hmac_secret), View(message))
                 ? ""
                 : "HMAC differs from OpenSSL's";
    }
    default: {
      std::string e = Sign(w, CKM_SHA256_RSA_PKCS, f.rsa, message, &sig);
      if (!e.empty()) return e;
      return VerifyRsaPkcs1(f.rsa_key.get(), sha256, View(digest), View(sig))
                 ? ""
                 : "RSA signature does not verify";
    }
  }
}

// C_Verify with the public key (verified inside the module), including a
// corrupted signature that must be refused.
std::string VerifyInModule(const Worker& w, bool corrupt) {
  auto lock = LockOperation(w);
  CK_MECHANISM m = {CKM_ECDSA_SHA256, nullptr, 0};
  CK_RV rv = w.p11->C_VerifyInit(w.session, &m, w.f->ec_pub);
  if (rv != CKR_OK) return Rv("C_VerifyInit", rv);
  Bytes message = w.f->ec_message;
  Bytes sig = w.f->ec_signature;
  if (corrupt) sig[10] ^= 0x40;
  rv = w.p11->C_Verify(w.session, message.data(), message.size(), sig.data(),
                       sig.size());
  CK_RV expected = corrupt ? CKR_SIGNATURE_INVALID : CKR_OK;
  return rv == expected ? "" : Rv("C_Verify", rv);
}

std::string GcmRoundTrip(const Worker& w) {
  auto lock = LockOperation(w);
  Bytes plain = RandomBytes(100), iv = RandomBytes(12), aad = RandomBytes(16);
  CK_GCM_PARAMS gcm = {iv.data(), iv.size(), 96, aad.data(), aad.size(), 128};
  CK_MECHANISM m = {CKM_AES_GCM, &gcm, sizeof(gcm)};
  CK_RV rv = w.p11->C_EncryptInit(w.session, &m, w.f->aes);
  if (rv != CKR_OK) return Rv("C_EncryptInit", rv);
  Bytes ct(plain.size() + 16);
  CK_ULONG len = ct.size();
  rv = w.p11->C_Encrypt(w.session, plain.data(), plain.size(), ct.data(), &len);
  if (rv != CKR_OK) return Rv("C_Encrypt", rv);
  if (len != plain.size() + 16) return "GCM ciphertext has the wrong length";
  Bytes body(ct.begin(), ct.end() - 16), tag(ct.end() - 16, ct.end());
  auto opened = AesDecrypt("GCM", View(w.f->aes_secret), View(iv), View(aad),
                           View(body), View(tag));
  if (!opened || *opened != plain) return "OpenSSL cannot open the ciphertext";
  rv = w.p11->C_DecryptInit(w.session, &m, w.f->aes);
  if (rv != CKR_OK) return Rv("C_DecryptInit", rv);
  Bytes out(ct.size());
  len = out.size();
  rv = w.p11->C_Decrypt(w.session, ct.data(), ct.size(), out.data(), &len);
  if (rv != CKR_OK) return Rv("C_Decrypt", rv);
  out.resize(len);
  return out == plain ? "" : "decryption differs from the plaintext";
}

std::string DigestCheck(const Worker& w) {
  auto lock = LockOperation(w);
  Bytes data = RandomBytes(200);
  CK_MECHANISM m = {CKM_SHA256, nullptr, 0};
  CK_RV rv = w.p11->C_DigestInit(w.session, &m);
  if (rv != CKR_OK) return Rv("C_DigestInit", rv);
  Bytes out(32);
  CK_ULONG len = out.size();
  rv = w.p11->C_Digest(w.session, data.data(), data.size(), out.data(), &len);
  if (rv != CKR_OK) return Rv("C_Digest", rv);
  return out == Digest(MdByName("SHA256"), View(data)) ? "" : "digest differs";
}

std::string RandomCheck(const Worker& w) {
  Bytes a(32), b(32);
  CK_RV rv = w.p11->C_GenerateRandom(w.session, a.data(), a.size());
  if (rv == CKR_OK) rv = w.p11->C_GenerateRandom(w.session, b.data(), b.size());
  if (rv != CKR_OK) return Rv("C_GenerateRandom", rv);
  return a != b ? "" : "two random blocks are equal";
}

std::string FindCheck(const Worker& w) {
  auto lock = LockOperation(w);
  CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
  std::string label = "cc-hmac";
  CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)},
                      {CKA_LABEL, label.data(), label.size()}};
  CK_RV rv = w.p11->C_FindObjectsInit(w.session, t, 2);
  if (rv != CKR_OK) return Rv("C_FindObjectsInit", rv);
  CK_OBJECT_HANDLE found[4];
  CK_ULONG n = 0;
  rv = w.p11->C_FindObjects(w.session, found, 4, &n);
  CK_RV final_rv = w.p11->C_FindObjectsFinal(w.session);
  if (rv != CKR_OK) return Rv("C_FindObjects", rv);
  if (final_rv != CKR_OK) return Rv("C_FindObjectsFinal", final_rv);
  return n == 1 && found[0] == w.f->hmac ? "" : "find returned other objects";
}

std::string AttributeCheck(const Worker& w) {
  CK_KEY_TYPE type = 0;
  char label[32];
  CK_ATTRIBUTE t[] = {{CKA_KEY_TYPE, &type, sizeof(type)},
                      {CKA_LABEL, label, sizeof(label)}};
  CK_RV rv = w.p11->C_GetAttributeValue(w.session, w.f->ed, t, 2);
  if (rv != CKR_OK) return Rv("C_GetAttributeValue", rv);
  if (type != CKK_EC_EDWARDS ||
      std::string(label, t[1].ulValueLen) != "cc-ed") {
    return "attributes differ";
  }
  CK_SESSION_INFO info;
  rv = w.p11->C_GetSessionInfo(w.session, &info);
  if (rv != CKR_OK) return Rv("C_GetSessionInfo", rv);
  return info.state == CKS_RW_USER_FUNCTIONS ? "" : "session not logged in";
}

// One operation of the mix. RSA is slow on the server, so it is rare.
std::string MixedOperation(const Worker& w, int i) {
  switch (i % 20) {
    case 0:
    case 1:
    case 2:
      return SignAndCheck(w, i % 80 == 0 ? 3 : 0);  // ECDSA, 1 in 80 RSA
    case 3:
    case 4:
      return SignAndCheck(w, 1);  // Ed25519
    case 5:
    case 6:
      return SignAndCheck(w, 2);  // HMAC
    case 7:
      return VerifyInModule(w, false);
    case 8:
      return VerifyInModule(w, true);
    case 9:
    case 10:
    case 11:
      return GcmRoundTrip(w);
    case 12:
    case 13:
      return DigestCheck(w);
    case 14:
    case 15:
      return RandomCheck(w);
    case 16:
    case 17:
      return FindCheck(w);
    default:
      return AttributeCheck(w);
  }
}

class ConcurrencyTest : public ModuleTest {
 protected:
  // Keys of every kind, with the public keys and secrets to check with.
  void MakeKeys(CK_SESSION_HANDLE s) {
    // Once per kmsd (the tests of a process share it).
    if (hmac_secret_.empty()) {
      CreateKey("cc-ec", "EC_P256");
      CreateKey("cc-rsa", "RSA_2048");
      CreateKey("cc-ed", "ED25519");
      Bytes hmac = RandomBytes(32), aes = RandomBytes(32);
      ImportSecret(kmsd(), "cc-hmac", "HMAC_SHA256", hmac, {"sign", "verify"});
      ImportSecret(kmsd(), "cc-aes", "AES_256", aes, {"encrypt", "decrypt"});
      hmac_secret_ = hmac;
      aes_secret_ = aes;
    }
    f_.hmac_secret = hmac_secret_;
    f_.aes_secret = aes_secret_;
    f_.ec = FindOne(s, CKO_PRIVATE_KEY, "cc-ec");
    f_.ec_pub = FindOne(s, CKO_PUBLIC_KEY, "cc-ec");
    f_.rsa = FindOne(s, CKO_PRIVATE_KEY, "cc-rsa");
    f_.ed = FindOne(s, CKO_PRIVATE_KEY, "cc-ed");
    f_.hmac = FindOne(s, CKO_SECRET_KEY, "cc-hmac");
    f_.aes = FindOne(s, CKO_SECRET_KEY, "cc-aes");
    f_.ec_key =
        PublicKeyFromDer(View(Attribute(s, f_.ec_pub, CKA_PUBLIC_KEY_INFO)));
    f_.rsa_key = PublicKeyFromDer(View(Attribute(
        s, FindOne(s, CKO_PUBLIC_KEY, "cc-rsa"), CKA_PUBLIC_KEY_INFO)));
    f_.ed_key = PublicKeyFromDer(View(Attribute(
        s, FindOne(s, CKO_PUBLIC_KEY, "cc-ed"), CKA_PUBLIC_KEY_INFO)));
    ASSERT_NE(f_.ec_key, nullptr);
    ASSERT_NE(f_.rsa_key, nullptr);
    ASSERT_NE(f_.ed_key, nullptr);
    f_.ec_message = RandomBytes(50);
    Worker w{p11(), &f_, s, nullptr};
    ASSERT_EQ(Sign(w, CKM_ECDSA_SHA256, f_.ec, f_.ec_message, &f_.ec_signature),
              "");
  }

  Fixture f_;
  static Bytes hmac_secret_, aes_secret_;
};

Bytes ConcurrencyTest::hmac_secret_;
Bytes ConcurrencyTest::aes_secret_;

TEST_F(ConcurrencyTest, EightThreadsMixedOperationsSharedAndOwnSessions) {
  CK_SESSION_HANDLE first = OpenLoggedIn();
  MakeKeys(first);
  ASSERT_FALSE(HasFatalFailure());
  // Threads 0-2 share `first`, 3-4 share another session, 5-7 have their own.
  CK_SESSION_HANDLE second = OpenSession();
  std::mutex first_lock, second_lock;
  std::vector<Worker> workers;
  for (int t = 0; t < kThreads; ++t) {
    if (t < 3) {
      workers.push_back({p11(), &f_, first, &first_lock});
    } else if (t < 5) {
      workers.push_back({p11(), &f_, second, &second_lock});
    } else {
      workers.push_back({p11(), &f_, OpenSession(), nullptr});
    }
  }
  std::atomic<int> done{0}, failed{0};
  std::mutex errors_mu;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kOpsPerThread; ++i) {
        // Threads start at different points of the mix.
        std::string error = MixedOperation(workers[t], i + t * 7);
        ++done;
        if (error.empty()) continue;
        ++failed;
        std::lock_guard<std::mutex> lock(errors_mu);
        if (errors.size() < 10) {
          errors.push_back("thread " + std::to_string(t) + " op " +
                           std::to_string(i) + ": " + error);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(done.load(), kThreads * kOpsPerThread);
  EXPECT_EQ(failed.load(), 0);
  for (const auto& e : errors) ADD_FAILURE() << e;
}

// Two threads race whole operations on one session without the
// application's lock (not allowed by PKCS#11, but it must not crash or
// corrupt): every call returns OK or the state error of the other thread's
// operation, and every signature that comes back verifies.
TEST_F(ConcurrencyTest, UnsynchronisedOperationsOnOneSessionStayConsistent) {
  CK_SESSION_HANDLE s = OpenLoggedIn();
  MakeKeys(s);
  ASSERT_FALSE(HasFatalFailure());
  std::atomic<int> signatures{0}, bad{0};
  auto race = [&] {
    for (int i = 0; i < 200; ++i) {
      Bytes message = RandomBytes(32);
      CK_MECHANISM m = {CKM_ECDSA_SHA256, nullptr, 0};
      CK_RV rv = p11()->C_SignInit(s, &m, f_.ec);
      if (rv != CKR_OK && rv != CKR_OPERATION_ACTIVE) ++bad;
      Bytes sig(64);
      CK_ULONG len = sig.size();
      rv = p11()->C_Sign(s, message.data(), message.size(), sig.data(), &len);
      if (rv == CKR_OK) {
        // The operation may have been the other thread's; the data is ours.
        Bytes digest = Digest(MdByName("SHA256"), View(message));
        if (len != 64 ||
            !VerifyEcdsaRaw(f_.ec_key.get(), View(digest), View(sig))) {
          ++bad;
        }
        ++signatures;
      } else if (rv != CKR_OPERATION_NOT_INITIALIZED) {
        ++bad;
      }
    }
  };
  std::thread a(race), b(race);
  a.join();
  b.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(signatures.load(), 0);
}

// C_Finalize while other threads sign in a loop: it returns CKR_OK, the
// others see CKR_CRYPTOKI_NOT_INITIALIZED (or finish their call), nothing
// crashes, and the library can be initialised again.
TEST_F(ConcurrencyTest, FinalizeWhileOtherThreadsAreInside) {
  CK_SESSION_HANDLE s0 = OpenLoggedIn();
  MakeKeys(s0);
  ASSERT_FALSE(HasFatalFailure());
  std::vector<CK_SESSION_HANDLE> sessions = {s0, OpenSession(), OpenSession(),
                                             OpenSession()};
  std::atomic<int> started{0}, unexpected{0}, not_initialised{0};
  std::vector<std::thread> threads;
  for (CK_SESSION_HANDLE s : sessions) {
    threads.emplace_back([&, s] {
      bool counted = false;
      // Every thread ends at C_Finalize: from then on each call returns
      // CKR_CRYPTOKI_NOT_INITIALIZED.
      for (;;) {
        Bytes message = RandomBytes(32), sig(64);
        CK_MECHANISM m = {CKM_ECDSA_SHA256, nullptr, 0};
        CK_ULONG len = sig.size();
        CK_RV rv = p11()->C_SignInit(s, &m, f_.ec);
        if (rv == CKR_OK) {
          rv = p11()->C_Sign(s, message.data(), message.size(), sig.data(),
                             &len);
        }
        if (rv == CKR_OK) {
          if (!counted) ++started;
          counted = true;
          continue;
        }
        // Finalised: nothing of the old library may answer any more.
        if (rv == CKR_CRYPTOKI_NOT_INITIALIZED) {
          ++not_initialised;
          return;
        }
        ++unexpected;
      }
    });
  }
  while (started.load() < static_cast<int>(sessions.size()) &&
         unexpected.load() == 0) {
    std::this_thread::yield();
  }
  EXPECT_CKR(CKR_OK, p11()->C_Finalize(nullptr));
  for (auto& t : threads) t.join();
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(not_initialised.load(), static_cast<int>(sessions.size()));
  // A new life: sessions and login start over.
  ASSERT_CKR(CKR_OK, p11()->C_Initialize(nullptr));
  CK_SESSION_HANDLE s = OpenLoggedIn();
  Worker w{p11(), &f_, s, nullptr};
  f_.ec = FindOne(s, CKO_PRIVATE_KEY, "cc-ec");
  EXPECT_EQ(SignAndCheck(w, 0), "");
}

// fork() after C_Initialize and C_Login: the child must initialise again
// (PKCS#11 2.40 section 5.4), can then log in and sign; the parent keeps
// its login and keeps working.
TEST_F(ConcurrencyTest, ForkChildInitialisesAgainAndSigns) {
  CK_SESSION_HANDLE s = OpenLoggedIn();
  MakeKeys(s);
  ASSERT_FALSE(HasFatalFailure());
  Worker parent{p11(), &f_, s, nullptr};
  ASSERT_EQ(SignAndCheck(parent, 0), "");
  std::string pin = Pin();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // No GoogleTest assertions here: the exit code says what failed.
    CK_FUNCTION_LIST* p11 = this->p11();
    int code = 0;
    CK_SESSION_HANDLE h = 0;
    CK_ULONG count = 0;
    if (p11->C_OpenSession(0, CKF_SERIAL_SESSION, nullptr, nullptr, &h) !=
        CKR_CRYPTOKI_NOT_INITIALIZED) {
      code |= 1;
    }
    if (p11->C_GetSlotList(CK_FALSE, nullptr, &count) !=
        CKR_CRYPTOKI_NOT_INITIALIZED) {
      code |= 1;
    }
    CK_MECHANISM m = {CKM_ECDSA_SHA256, nullptr, 0};
    if (p11->C_SignInit(s, &m, f_.ec) != CKR_CRYPTOKI_NOT_INITIALIZED) {
      code |= 1;
    }
    if (p11->C_Initialize(nullptr) != CKR_OK) _exit(2);
    if (p11->C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr,
                           nullptr, &h) != CKR_OK) {
      _exit(4);
    }
    if (p11->C_Login(h, CKU_USER, reinterpret_cast<CK_UTF8CHAR*>(pin.data()),
                     pin.size()) != CKR_OK) {
      _exit(8);
    }
    // The child's handles are its own: look the key up again.
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    std::string label = "cc-ec";
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)},
                        {CKA_LABEL, label.data(), label.size()}};
    CK_OBJECT_HANDLE key = 0;
    CK_ULONG n = 0;
    if (p11->C_FindObjectsInit(h, t, 2) != CKR_OK ||
        p11->C_FindObjects(h, &key, 1, &n) != CKR_OK || n != 1 ||
        p11->C_FindObjectsFinal(h) != CKR_OK) {
      _exit(16);
    }
    Fixture child_f;
    child_f.ec = key;
    child_f.ec_key = PublicKeyFromDer(View(PublicKeySpki(f_.ec_key.get())));
    Worker child{p11, &child_f, h, nullptr};
    if (SignAndCheck(child, 0) != "") code |= 32;
    if (p11->C_Finalize(nullptr) != CKR_OK) code |= 64;
    _exit(code);
  }
  // The parent signs while the child works.
  EXPECT_EQ(SignAndCheck(parent, 0), "");
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(SignAndCheck(parent, 0), "");
  EXPECT_EQ(SignAndCheck(parent, 1), "");
}

}  // namespace
}  // namespace kms::testing
