// Runs Wycheproof vectors ($KMS_TEST_DATA/wycheproof) against the operations.
// Every vector is classified; only vectors the API cannot express at all
// (AES-192, HMAC keys other than 32 bytes, GCM IVs above the documented
// 128 bytes) are left out, and those are counted and printed.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "common/encoding.h"
#include "common/file_util.h"
#include "common/json.h"
#include "server/crypto/operations.h"

namespace kms {
namespace {

enum class Expected { kValid, kInvalid, kAcceptable };

struct Tally {
  int passed = 0;
  int refused_by_policy = 0;
  int outside_api = 0;
  int failed = 0;
};

std::string WycheproofDir() {
  const char* root = std::getenv("KMS_TEST_DATA");
  if (root == nullptr) return "";
  std::string dir = std::string(root) + "/wycheproof";
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return "";
  return dir;
}

std::string Str(const cJSON* object, const char* key) {
  const cJSON* item = cJSON_GetObjectItemCaseSensitive(object, key);
  return cJSON_IsString(item) ? item->valuestring : "";
}

int Int(const cJSON* object, const char* key) {
  const cJSON* item = cJSON_GetObjectItemCaseSensitive(object, key);
  return cJSON_IsNumber(item) ? item->valueint : -1;
}

Bytes HexField(const cJSON* object, const char* key) {
  Result<Bytes> bytes = HexDecode(Str(object, key));
  EXPECT_TRUE(bytes.ok()) << key;
  return bytes.ok() ? bytes.value() : Bytes();
}

Expected ResultOf(const cJSON* test) {
  const std::string r = Str(test, "result");
  if (r == "valid") return Expected::kValid;
  if (r == "acceptable") return Expected::kAcceptable;
  EXPECT_EQ(r, "invalid");
  return Expected::kInvalid;
}

// Classifies the outcome of an operation on one vector. `matches` says
// whether a successful operation produced the vector's expected output.
void Record(Tally& tally, const cJSON* test, const Status& status,
            bool matches) {
  const Expected expected = ResultOf(test);
  const int id = Int(test, "tcId");
  if (expected == Expected::kValid) {
    if (status.ok() && matches) {
      ++tally.passed;
    } else {
      ++tally.failed;
      ADD_FAILURE() << "tcId " << id << " valid vector: "
                    << (status.ok() ? "wrong output" : status.ToString());
    }
    return;
  }
  if (status.ok()) {
    if (expected == Expected::kAcceptable && matches) {
      ++tally.passed;
    } else {
      ++tally.failed;
      ADD_FAILURE() << "tcId " << id << " invalid vector accepted";
    }
    return;
  }
  // Refused up front (a parameter outside our policy), or an acceptable
  // vector we chose not to accept.
  if (status.code() == ErrorCode::kInvalidArgument ||
      expected == Expected::kAcceptable) {
    ++tally.refused_by_policy;
    return;
  }
  const ErrorCode c = status.code();
  if (c == ErrorCode::kDecryptFailed || c == ErrorCode::kDataInvalid ||
      c == ErrorCode::kSignatureInvalid) {
    ++tally.passed;
  } else {
    ++tally.failed;
    ADD_FAILURE() << "tcId " << id << " unexpected error " << status.ToString();
  }
}

using VectorFn =
    std::function<void(const cJSON* group, const cJSON* test, Tally& tally)>;

// Returns false (after recording a failure) when the file is unusable.
bool RunFile(const std::string& name, const VectorFn& fn) {
  const std::string path = WycheproofDir() + "/" + name;
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) {
    ADD_FAILURE() << path << ": " << text.status().ToString();
    return false;
  }
  Result<Json> json = Json::Parse(*text);
  if (!json.ok()) {
    ADD_FAILURE() << path << ": " << json.status().ToString();
    return false;
  }
  const cJSON* groups =
      cJSON_GetObjectItemCaseSensitive(json->get(), "testGroups");
  Tally tally;
  int total = 0;
  const cJSON* group = nullptr;
  cJSON_ArrayForEach(group, groups) {
    const cJSON* test = nullptr;
    cJSON_ArrayForEach(test, cJSON_GetObjectItemCaseSensitive(group, "tests")) {
      ++total;
      fn(group, test, tally);
    }
  }
  std::printf(
      "[wycheproof] %-42s vectors %4d: passed %4d, refused by policy %3d, "
      "outside API %3d, failed %d\n",
      name.c_str(), total, tally.passed, tally.refused_by_policy,
      tally.outside_api, tally.failed);
  EXPECT_EQ(Int(json->get(), "numberOfTests"), total) << name;
  EXPECT_EQ(
      tally.passed + tally.refused_by_policy + tally.outside_api + tally.failed,
      total);
  EXPECT_EQ(tally.failed, 0) << name;
  EXPECT_GT(tally.passed, 0) << name;
  return true;
}

// AES-192 exists in the vectors but is not one of our algorithms.
std::optional<KeyMaterial> AesKey(const Bytes& raw) {
  Algorithm algorithm;
  if (raw.size() == 16) {
    algorithm = Algorithm::kAes128;
  } else if (raw.size() == 32) {
    algorithm = Algorithm::kAes256;
  } else {
    return std::nullopt;
  }
  Result<KeyMaterial> key = KeyMaterial::Deserialize(algorithm, View(raw));
  EXPECT_TRUE(key.ok());
  if (!key.ok()) return std::nullopt;
  return std::move(key).value();
}

class WycheproofTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (WycheproofDir().empty()) {
      GTEST_SKIP() << "no $KMS_TEST_DATA/wycheproof directory";
    }
  }
};

TEST_F(WycheproofTest, AesGcm) {
  RunFile("aes_gcm_test.json", [](const cJSON* group, const cJSON* test,
                                  Tally& tally) {
    std::optional<KeyMaterial> key = AesKey(HexField(test, "key"));
    if (!key.has_value()) {
      ++tally.outside_api;
      return;
    }
    CipherParams params;
    params.mode = CipherMode::kGcm;
    params.iv = HexField(test, "iv");
    params.aad = HexField(test, "aad");
    params.tag_bits = Int(group, "tagSize");
    const Bytes msg = HexField(test, "msg");
    const Bytes ct = HexField(test, "ct");
    const Bytes tag = HexField(test, "tag");
    Result<SecureBytes> plain =
        SymmetricDecrypt(*key, params, View(ct), View(tag));
    // The documented limit (operations.h): IVs up to 128 bytes.
    if (params.iv.size() > 128 && ResultOf(test) == Expected::kValid) {
      EXPECT_EQ(plain.status().code(), ErrorCode::kInvalidArgument);
      ++tally.outside_api;
      return;
    }
    bool matches = plain.ok() && Bytes(plain->begin(), plain->end()) == msg;
    if (ResultOf(test) == Expected::kValid) {
      // Encryption must reproduce the vector too.
      Result<CipherOutput> out = SymmetricEncrypt(*key, params, View(msg));
      matches = matches && out.ok() && out->ciphertext == ct &&
                out->tag == tag && out->iv == params.iv;
    }
    Record(tally, test, plain.status(), matches);
  });
}

void RunKeyWrap(const std::string& file, WrapMechanism mechanism) {
  RunFile(file, [mechanism](const cJSON*, const cJSON* test, Tally& tally) {
    std::optional<KeyMaterial> kek = AesKey(HexField(test, "key"));
    if (!kek.has_value()) {
      ++tally.outside_api;
      return;
    }
    const WrapParams params{mechanism, {}, {}, {}};
    const Bytes msg = HexField(test, "msg");
    const Bytes ct = HexField(test, "ct");
    Result<SecureBytes> unwrapped = UnwrapSecret(*kek, params, View(ct));
    bool matches =
        unwrapped.ok() && Bytes(unwrapped->begin(), unwrapped->end()) == msg;
    if (ResultOf(test) == Expected::kValid) {
      Result<Bytes> wrapped = WrapSecret(*kek, params, View(msg));
      matches = matches && wrapped.ok() && *wrapped == ct;
    }
    Record(tally, test, unwrapped.status(), matches);
  });
}

TEST_F(WycheproofTest, AesKeyWrap) {
  RunKeyWrap("aes_wrap_test.json", WrapMechanism::kAesKeyWrap);
}

TEST_F(WycheproofTest, AesKeyWrapPad) {
  RunKeyWrap("aes_kwp_test.json", WrapMechanism::kAesKeyWrapPad);
}

TEST_F(WycheproofTest, HmacSha256) {
  RunFile("hmac_sha256_test.json", [](const cJSON* group, const cJSON* test,
                                      Tally& tally) {
    const Bytes raw_key = HexField(test, "key");
    if (raw_key.size() != 32) {  // HMAC_SHA256 keys are 32 bytes
      ++tally.outside_api;
      return;
    }
    Result<KeyMaterial> key =
        KeyMaterial::Deserialize(Algorithm::kHmacSha256, View(raw_key));
    ASSERT_TRUE(key.ok());
    const SignParams params{SignScheme::kHmac, {}, {}, {}};
    const Bytes msg = HexField(test, "msg");
    const Bytes tag = HexField(test, "tag");
    const size_t tag_size = static_cast<size_t>(Int(group, "tagSize") / 8);
    if (tag_size == 32) {
      Status status = Verify(*key, params, View(msg), View(tag));
      Result<Bytes> mac = Sign(*key, params, View(msg));
      // Sign must agree with Verify's verdict.
      Record(tally, test, status, mac.ok() && *mac == tag);
      return;
    }
    // We verify full tags only (a truncated tag is SIGNATURE_INVALID); for
    // truncated-tag vectors, check that our MAC's prefix matches exactly
    // for valid vectors and differs for invalid ones.
    EXPECT_EQ(Verify(*key, params, View(msg), View(tag)).code(),
              ErrorCode::kSignatureInvalid);
    Result<Bytes> mac = Sign(*key, params, View(msg));
    ASSERT_TRUE(mac.ok());
    const bool prefix = tag.size() == tag_size && tag_size <= mac->size() &&
                        std::equal(tag.begin(), tag.end(), mac->begin());
    Record(tally, test,
           prefix ? Status::Ok()
                  : Error(ErrorCode::kSignatureInvalid, "prefix differs"),
           prefix);
  });
}

Result<HashAlgorithm> WycheproofHash(std::string name) {
  std::erase(name, '-');  // "SHA-256" -> "SHA256"
  return ParseHash(name);
}

TEST_F(WycheproofTest, RsaOaep2048Sha256) {
  RunFile("rsa_oaep_2048_sha256_mgf1sha256_test.json",
          [](const cJSON* group, const cJSON* test, Tally& tally) {
            ASSERT_EQ(Str(group, "mgf"), "MGF1");
            Result<HashAlgorithm> hash = WycheproofHash(Str(group, "sha"));
            Result<HashAlgorithm> mgf1 = WycheproofHash(Str(group, "mgfSha"));
            ASSERT_TRUE(hash.ok() && mgf1.ok());
            const Bytes pkcs8 = HexField(group, "privateKeyPkcs8");
            Result<KeyMaterial> key =
                KeyMaterial::Deserialize(Algorithm::kRsa2048, View(pkcs8));
            ASSERT_TRUE(key.ok()) << key.status().ToString();
            RsaDecryptParams params{RsaPadding::kOaep, *hash, *mgf1,
                                    HexField(test, "label")};
            const Bytes msg = HexField(test, "msg");
            Result<SecureBytes> plain =
                RsaDecrypt(*key, params, View(HexField(test, "ct")));
            Record(tally, test, plain.status(),
                   plain.ok() && Bytes(plain->begin(), plain->end()) == msg);
          });
}

}  // namespace
}  // namespace kms
